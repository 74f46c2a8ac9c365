"""Which credentials ``debug-login`` tests, and where they came from.

In order: ``-u`` with ``--password-stdin``; the environment triplet whose server
matches (``--from-env ID`` picks one); what Docker's config would use for the
server (a credential helper, asked through the bounded
:mod:`cs_registry.helper_client`, or the ``auths`` entry); else none, said plainly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from cs_registry import dockerconfig, log, settings
from cs_registry.auths import decode_auth, helper_for
from cs_registry.context import Context
from cs_registry.diagnosis import Code
from cs_registry.errors import UsageError
from cs_registry.helper_client import DEFAULT_TIMEOUT, Helper, HelperError
from cs_registry.secret import Secret
from cs_registry.servers import Server
from cs_registry.triplets import Triplet, shape

#: Docker's marker for "the secret is an identity (refresh) token"
IDENTITY_USER = "<token>"
_QUOTES = ("'", '"', "`")


@dataclass
class Credentials:
    """A user and secret (or none), the source in words, and shape warnings."""

    source: str
    username: str = ""
    secret: Secret | None = None
    identity_token: bool = False
    warnings: list[str] = field(default_factory=list)
    triplet: Triplet | None = None
    #: the code of the first shape finding (a newline removed, quotes kept...)
    warning_code: Code | None = None
    #: the credential helper Docker's config sends this server to, when one was asked
    helper: str | None = None
    #: that helper failed or stalled: Docker could not get credentials from it either
    helper_failure: HelperError | None = None

    @property
    def anonymous(self) -> bool:
        return self.secret is None

    def shape_code(self) -> Code | None:
        """``secret_whitespace``/``secret_quoted`` when the values look pasted wrong."""
        values = [self.username] + ([self.secret.reveal()] if self.secret else [])
        for value in values:
            if value != value.strip():
                return Code.SECRET_WHITESPACE
        for value in values:
            if len(value) >= 2 and value[0] == value[-1] and value[0] in _QUOTES:
                return Code.SECRET_QUOTED
        return None


@dataclass(frozen=True)
class CredentialRequest:
    """What the user asked for on the command line."""

    username: str | None = None
    password_stdin: bool = False
    from_env: str | None = None


def _from_stdin(username: str, stdin: TextIO) -> Credentials:
    raw = stdin.read()
    password, findings = shape(raw, "the password on stdin")
    if not password:
        raise UsageError("--password-stdin: stdin was empty; pipe the password or token in")
    log.register_secret(password, user=username)
    return Credentials(
        source="-u and --password-stdin",
        username=username,
        secret=Secret(password),
        warnings=[f.message for f in findings],
        warning_code=findings[0].code if findings else None,
    )


def from_triplet(triplet: Triplet) -> Credentials:
    """The credentials of one environment triplet, its findings as warnings."""
    log.register_secret(triplet.password.reveal(), user=triplet.user)
    return Credentials(
        source=f"environment triplet {triplet.id} ({triplet.var('_CONTAINER_REGISTRY_USER')})",
        username=triplet.user,
        secret=triplet.password,
        warnings=[f.message for f in triplet.findings],
        triplet=triplet,
        warning_code=triplet.findings[0].code if triplet.findings else None,
    )


def _env_match(
    environ: Mapping[str, str], server: Server, from_env: str | None
) -> Credentials | None:
    # the registries login would count: settings applied (ignore, registries, ghcr)
    triplets = settings.in_play(Context(environ=environ), lenient=True)[1].triplets
    if from_env is not None:
        chosen = [t for t in triplets if t.id.upper() == from_env.upper()]
        if not chosen:
            raise UsageError(
                f"--from-env {from_env}: no {from_env}_CONTAINER_REGISTRY_* variables are set"
            )
        credentials = from_triplet(chosen[0])
        if chosen[0].server is not None and chosen[0].server.key != server.key:
            credentials.warnings.append(
                f"{from_env} names {chosen[0].server.key}, not {server.key}; testing its "
                f"credentials against {server.key} as asked"
            )
        return credentials
    matching = [t for t in triplets if t.server is not None and t.server.key == server.key]
    if not matching:
        return None
    credentials = from_triplet(matching[0])
    if len(matching) > 1:
        others = ", ".join(t.id for t in matching[1:])
        credentials.warnings.append(
            f"{others} also name{'s' if len(matching) == 2 else ''} {server.key}; "
            f"using {matching[0].id} (pick one with --from-env ID)"
        )
    return credentials


def _from_config(
    config_dir: Path, server: Server, environ: Mapping[str, str], helper_timeout: float
) -> tuple[Credentials | None, list[str]]:
    notes: list[str] = []
    try:
        data = dockerconfig.load(config_dir / dockerconfig.CONFIG_NAME).data
    except dockerconfig.ConfigUnreadable as exc:
        return None, [f"Docker's config was not read: {exc.message}"]
    helper = helper_for(data, server.key)
    if helper is not None:
        return _from_helper(Helper(helper, environ), server, helper_timeout)
    entry = (data.get("auths") or {}).get(server.key)
    if not isinstance(entry, dict):
        return None, notes
    if isinstance(entry.get("identitytoken"), str) and entry["identitytoken"]:
        token = entry["identitytoken"]
        log.register_secret(token)
        decoded = decode_auth(entry.get("auth"))
        return Credentials(
            source=f"Docker's config (auths[{server.key!r}].identitytoken)",
            username=decoded[0] if decoded else IDENTITY_USER,
            secret=Secret(token),
            identity_token=True,
        ), notes
    decoded = decode_auth(entry.get("auth"))
    if decoded is None:
        return None, [f"auths[{server.key!r}].auth cannot be decoded; Docker would not use it"]
    log.register_secret(decoded[1].reveal(), user=decoded[0])
    return Credentials(
        source=f"Docker's config (auths[{server.key!r}])", username=decoded[0], secret=decoded[1]
    ), notes


def _from_helper(
    helper: Helper, server: Server, timeout: float
) -> tuple[Credentials | None, list[str]]:
    """Ask the helper Docker's config names, as Docker would; a failure is kept, not raised."""
    try:
        found = helper.get(server.key, timeout=timeout)
    except HelperError as exc:
        if exc.diagnosis is Code.CREDS_STORE_UNAVAILABLE:
            return None, [exc.message]
        return Credentials(
            source=f"Docker's config via {helper.program}",
            helper=helper.name,
            helper_failure=exc,
        ), []
    if found is None:
        return None, [f"{helper.program} holds nothing for {server.key}"]
    user, secret = found
    return Credentials(
        source=f"Docker's config via {helper.program}",
        username=user,
        secret=secret,
        identity_token=user == IDENTITY_USER,
        helper=helper.name,
    ), []


def resolve(
    request: CredentialRequest,
    server: Server,
    *,
    environ: Mapping[str, str],
    stdin: TextIO,
    config_dir: Path,
    helper_timeout: float = DEFAULT_TIMEOUT,
) -> Credentials:
    """The credentials to test, in the documented order of precedence.

    ``helper_timeout`` bounds a credential helper's answer (debug-login passes what is
    left of its ``--timeout``). A helper that fails or stalls gives credentials
    without a secret whose ``helper_failure`` says why.
    """
    if request.password_stdin and not request.username:
        raise UsageError("--password-stdin needs -u/--username")
    if request.username is not None:
        if not request.password_stdin:
            raise UsageError(
                "-u/--username needs --password-stdin (the password is never taken as an "
                "argument or prompted for)"
            )
        return _from_stdin(request.username, stdin)
    from_env = _env_match(environ, server, request.from_env)
    if from_env is not None:
        return from_env
    from_config, notes = _from_config(config_dir, server, environ, helper_timeout)
    if from_config is not None:
        return from_config
    return Credentials(
        source="no -u, no matching <ID>_CONTAINER_REGISTRY_* triplet and nothing in Docker's "
        "config, so the registry is tried anonymously",
        warnings=notes,
    )


__all__ = [
    "IDENTITY_USER",
    "CredentialRequest",
    "Credentials",
    "from_triplet",
    "resolve",
]
