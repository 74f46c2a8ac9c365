"""What each known line means: pattern → diagnosis code, kind, phase and cause.

Every pattern comes from output captured here (``tests/data/logs``, made by
``tests/fixtures/capture_logs.py``) or from the format facts in knowledge.md. Rules
are tried in order; the first match names the line. A *root* rule names a cause; a
*consequence* rule (``Command failed: docker pull``, ``Error code: 1302``, the CLI's
JSON outcome) only says that something failed, and is folded under the root cause
before it, or stands for the failure when the log holds no deeper cause.

Each rule declares ``keywords``: literal words, one of which every line it matches
contains. The reader looks for those words in raw bytes first
(:data:`cs_registry.explain.phases.KEYWORDS`), so most lines of a large log are never
decoded. The phase markers live in :mod:`cs_registry.explain.phases`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cs_registry.diagnosis import Code

HOST_PULL = "host image pull"
FEATURE = "Feature fetch"
PREBUILD = "prebuild"
CLONE = "clone"
LOGIN = "login"
PULL = "pull"
BUILD = "build"
UNKNOWN = "unknown"
HOOKS = ("onCreate", "updateContent", "postCreate", "postStart", "postAttach")


@dataclass(frozen=True)
class Rule:
    """One recogniser. ``cause`` may name the pattern's groups as ``{name}``."""

    code: Code
    pattern: re.Pattern[str]
    keywords: tuple[str, ...]
    root: bool = True
    phase: str | None = None
    cause: str | None = None
    remedy: str | None = None


def _rule(code: Code, pattern: str, keywords: tuple[str, ...], **extra: object) -> Rule:
    return Rule(code, re.compile(pattern, re.IGNORECASE), keywords, **extra)  # type: ignore[arg-type]


_HELPER_REMEDY = (
    "Remove `credsStore`/`credHelpers` from the config.json Docker reads in this container "
    "(or install docker-credential-{helper}); `cs-registry doctor` names the entry."
)
_GIT_REMEDY = (
    "Grant the prebuild read access under customizations.codespaces.repositories in "
    "devcontainer.json (repositories of the same owner), or add a CODESPACES_PREBUILD_TOKEN "
    "repository secret (a classic PAT) for another owner's repository or for write access."
)

RULES: tuple[Rule, ...] = (
    _rule(
        Code.CREDS_STORE_UNAVAILABLE,
        r'credentials - err: (?:exec: )?"?docker-credential-(?P<helper>[\w.-]+)"?:? '
        r"(?:executable file not found|resolves to executable in current directory)",
        ("credentials - err",),
        cause="Docker's config names the credential helper docker-credential-{helper}, which "
        "is not installed here (a host's config.json copied into the container is the usual "
        "cause).",
        remedy=_HELPER_REMEDY,
    ),
    _rule(
        Code.CRED_HELPER_FAILED,
        r"error (?:getting|storing|erasing|listing) credentials - err: (?P<detail>.{0,160})",
        ("credentials - err",),
        cause="A credential helper is installed but failed ({detail}).",
    ),
    _rule(
        Code.CRED_HELPER_FAILED,
        r"ecr: Failed to get authorization token(?P<detail>.{0,120})",
        ("failed to get authorization token",),
        cause="docker-credential-ecr-login could not get an ECR token; Docker then pulls "
        "without credentials and says only `no basic auth credentials`.",
        remedy="Check the AWS credentials the helper sees (AWS_* variables, ~/.aws) and "
        "`ecr:GetAuthorizationToken`; its own log is ~/.ecr/log/ecr-login.log.",
    ),
    _rule(
        Code.DAEMON_UNREACHABLE,
        r"Cannot connect to the Docker daemon|error during connect|dial unix \S*docker\.sock",
        ("cannot connect to the docker daemon", "error during connect", "docker.sock"),
        cause="The Docker daemon did not answer (not started yet, or not reachable from here).",
    ),
    _rule(
        Code.RATE_LIMITED,
        r"toomanyrequests|pull rate limit|429 Too Many Requests",
        ("toomanyrequests", "rate limit", "429 too many"),
        cause="The registry refused the pull: the pull rate limit is reached (Docker Hub "
        "counts anonymous pulls per IP address).",
        remedy="Log in (authenticated pulls get a higher limit: add a Docker Hub triplet with "
        "an access token), pull less often, or use a mirror; wait for Retry-After.",
    ),
    _rule(
        Code.CLOCK_SKEW,
        r"not yet valid: current time \S+ is before|Signature expired",
        ("is before", "signature expired"),
        cause="This machine's clock is behind: a certificate (or signature) is not valid yet "
        "by its time.",
    ),
    _rule(
        Code.TLS_EXPIRED,
        r"certificate has expired",
        ("certificate has expired",),
    ),
    _rule(
        Code.TOKEN_EXPIRED,
        r"authorization token has expired|token (?:is )?expired",
        ("expired",),
    ),
    _rule(
        Code.TLS_UNKNOWN_CA,
        r"certificate signed by unknown authority|unable to get local issuer certificate|"
        r"self[- ]signed certificate",
        ("unknown authority", "local issuer", "self signed", "self-signed"),
    ),
    _rule(
        Code.TLS_HOSTNAME_MISMATCH,
        r"certificate is valid for|not valid for any names|does not match certificate|"
        r"cannot validate certificate for \S+ because it doesn't contain any IP SANs",
        (
            "certificate is valid for",
            "not valid for any names",
            "does not match certificate",
            "cannot validate certificate",
        ),
    ),
    _rule(
        Code.HTTP_ON_HTTPS_PORT,
        r"server gave HTTP response to HTTPS client|ssl3_get_record:wrong version number",
        ("http response to https client", "wrong version number"),
        cause="The client spoke TLS to a registry port that answers plain HTTP.",
    ),
    _rule(
        Code.PLATFORM_MISSING,
        r"no matching manifest for (?P<platform>\S+) in the manifest list|"
        r"no image found in manifest list for architecture (?P<arch>[\w-]+)|"
        r"does not match the specified platform",
        ("no matching manifest", "no image found in manifest list", "specified platform"),
        cause="The image exists, but not for this machine's platform ({platform}{arch}).",
        remedy="Publish the image for this platform (a multi-platform build), or choose a "
        "machine type of a platform it has.",
    ),
    _rule(
        Code.MANIFEST_UNKNOWN,
        r"manifest unknown|manifest for \S+ not found|"
        r"(?:^|\s)(?P<ref>[\w.-]+(?::\d+)?/[\w./-]+(?::[\w.-]+)?): not found$",
        ("manifest unknown", "not found"),
        cause="The registry has no such tag or digest for this image.",
    ),
    _rule(
        Code.REPOSITORY_NOT_FOUND,
        r"name unknown|NAME_UNKNOWN|repository name not known to registry|"
        r"fetching tags list: invalid status code from registry 404",
        ("name unknown", "name_unknown", "not known to registry", "fetching tags list"),
    ),
    _rule(
        Code.REPOSITORY_ACCESS_DENIED,
        r"fatal: unable to access '(?P<url>[^']*)': The requested URL returned error: 40[134]|"
        r"fatal: Authentication failed for '(?P<url2>[^']*)'|could not read Username for|"
        r"remote: (?:Repository not found|Permission to \S+ denied|Write access to repository "
        r"not granted|Invalid username or password)|fatal: repository '[^']*' not found",
        (
            "requested url returned error",
            "authentication failed for",
            "could not read username",
            "remote:",
            "fatal: repository",
        ),
        phase=CLONE,
        cause="git could not clone the repository with the credentials this run has (a "
        "prebuild reaches only its own repository unless granted more).",
        remedy=_GIT_REMEDY,
    ),
    _rule(
        Code.BAD_CREDENTIALS,
        r"login attempt to \S+ failed with status: 401|incorrect username or password|"
        r"invalid username or password|unauthorized: authentication failed",
        ("login attempt", "incorrect username", "invalid username", "authentication failed"),
        cause="The registry rejected the user name and password or token.",
    ),
    _rule(
        Code.INSUFFICIENT_SCOPE,
        r"requested access to the resource is denied|denied: denied|insufficient_scope|"
        r"pull access denied|403 Forbidden|HTTP 403|status code 403",
        ("denied", "insufficient_scope", "403"),
        cause="The registry knows who is asking but refused this image (no pull permission, "
        "or the repository does not exist for these credentials).",
    ),
    _rule(
        Code.MISSING_CREDENTIALS,
        r"no basic auth credentials|authentication required|401 Unauthorized|HTTP 401|"
        r"credentials not found in native keychain",
        ("no basic auth", "authentication required", "401", "native keychain"),
        cause="The registry asked for credentials and none were sent for it.",
    ),
    _rule(
        Code.PROXY_ERROR,
        r"proxyconnect tcp|Proxy CONNECT aborted|407 Proxy Authentication|from proxy after",
        ("proxy",),
    ),
    _rule(Code.CONNECTION_REFUSED, r"connection refused|ECONNREFUSED", ("refused",)),
    _rule(
        Code.DNS_FAILURE,
        r"no such host|Temporary failure in name resolution|ENOTFOUND|Could not resolve host|"
        r"Name or service not known|server misbehaving",
        (
            "no such host",
            "name resolution",
            "enotfound",
            "could not resolve host",
            "service not known",
            "server misbehaving",
        ),
    ),
    # before READ_TIMEOUT: Go's "request canceled while waiting for connection (Client.Timeout
    # exceeded ...)" is a connect that never completed (docker28-pull-connect-timeout.log)
    _rule(
        Code.CONNECT_TIMEOUT,
        r"i/o timeout|TLS handshake timeout|ETIMEDOUT|connection timed out|"
        r"canceled while waiting for connection",
        ("i/o timeout", "handshake timeout", "etimedout", "timed out", "waiting for connection"),
    ),
    _rule(
        Code.READ_TIMEOUT,
        r"Client\.Timeout exceeded|context deadline exceeded|ESOCKETTIMEDOUT",
        ("timeout exceeded", "deadline exceeded", "esockettimedout"),
    ),
    _rule(
        Code.REGISTRY_UNAVAILABLE,
        r"unexpected HTTP status: 5\d\d|\b50[0-4] (?:Service Unavailable|Bad Gateway|"
        r"Internal Server Error|Gateway Time-?out)|HTTP 50[0-4]",
        (
            "unexpected http status",
            "unavailable",
            "bad gateway",
            "server error",
            "gateway time",
            "http 50",
        ),
    ),
    # consequences: something failed; the cause, if the log has it, came before
    _rule(
        Code.FEATURE_UNAVAILABLE,
        r"Could not resolve Feature(?: manifest for)? '(?P<ref>[^']+)'|"
        r"Feature '(?P<ref2>[^']+)' could not be processed|Failed to process feature (?P<ref3>\S+)",
        ("could not resolve feature", "could not be processed", "failed to process feature"),
        root=False,
        phase=FEATURE,
    ),
    _rule(
        Code.IMAGE_UNAVAILABLE,
        r"Command failed: docker (?:pull|inspect --type image) (?P<ref>\S+)|"
        r"Error fetching image details|No such image: (?P<ref2>\S+)",
        ("command failed: docker", "error fetching image details", "no such image"),
        root=False,
    ),
    _rule(
        Code.NO_KNOWN_CAUSE,
        r"Error code: 13\d\d|Container creation failed|\"outcome\":\s*\"error\"|"
        r"Process completed with exit code [1-9]|failed to solve|^ERROR: for |"
        r"Retrying \(Attempt \d+\) with error|errors pretty printing info|"
        r"(?P<hook>onCreate|updateContent|postCreate|postStart|postAttach)Command\b.*\bfailed",
        (
            "error code: 13",
            "container creation failed",
            '"outcome"',
            "process completed",
            "failed to solve",
            "error: for",
            "retrying (attempt",
            "pretty printing",
            "createcommand",
            "contentcommand",
            "startcommand",
            "attachcommand",
        ),
        root=False,
    ),
)

#: lines that look like failures and are not: the CLI's optional look-ups
IGNORED = re.compile(r"Failed to fetch control manifest|OCI auth diagnostics")

#: a line that says "error" in a way no rule knows: quoted when nothing else explains
UNKNOWN_ERROR = re.compile(
    r"^(?:Error|ERROR|error|fatal|FATAL|Fatal)\b[:\s]|level=(?:error|fatal)|"
    r"Error response from daemon:"
)
UNKNOWN_KEYWORDS = ("error", "fatal")


def classify(text: str) -> tuple[Rule, re.Match[str]] | None:
    """The first rule matching ``text`` (a stripped line), with its match."""
    if IGNORED.search(text):
        return None
    lowered = text.lower()
    for rule in RULES:
        if any(word in lowered for word in rule.keywords):
            found = rule.pattern.search(text)
            if found is not None:
                return rule, found
    return None
