"""What each diagnosis code means, in a sentence, and what to do about it.

Loaded only when a code is explained (:func:`cs_registry.diagnosis.explain`): a plain
``login`` names no cause and never pays for these sentences.
"""

from __future__ import annotations

from cs_registry.diagnosis import Code
from cs_registry.record import Record


class Explanation(Record):
    """What a code means, in a sentence, and what to do about it."""

    __slots__ = ("remedy", "summary")

    def __init__(self, summary: str, remedy: str) -> None:
        self.summary = summary
        self.remedy = remedy


EXPLANATIONS: dict[Code, Explanation] = {
    Code.OK: Explanation("Everything checked out.", "Nothing to do."),
    Code.MISSING_CREDENTIALS: Explanation(
        "No credentials were found for this registry.",
        "Add the <ID>_CONTAINER_REGISTRY_SERVER/_USER/_PASSWORD secrets (Codespaces settings, "
        "or the environment), or pass -u/--password-stdin.",
    ),
    Code.PARTIAL_TRIPLET: Explanation(
        "A registry secret triplet is incomplete.",
        "Create the missing secret named in the message; all three of _SERVER, _USER and "
        "_PASSWORD are required. Secrets reach a codespace only when it is created or restarted.",
    ),
    Code.MALFORMED_SERVER: Explanation(
        "The registry server value is not a bare host[:port].",
        "Set _SERVER to the host only, e.g. `ghcr.io` or `myreg.azurecr.io:443`, "
        "without scheme, path or spaces.",
    ),
    Code.SECRET_WHITESPACE: Explanation(
        "The secret has leading or trailing whitespace or a newline.",
        "Paste the secret again without the stray whitespace; a copied newline is the usual cause.",
    ),
    Code.SECRET_QUOTED: Explanation(
        "The secret is wrapped in quotes, which become part of the password.",
        "Store the secret without the surrounding quotes.",
    ),
    Code.CONFLICTING_TRIPLETS: Explanation(
        "Two secret triplets name the same registry with different credentials.",
        "Delete or rename one of them (repository secrets override organisation secrets "
        "of the same name, not of another ID); neither was written.",
    ),
    Code.INVALID_SECRET_NAME: Explanation(
        "A variable looks like a registry secret but its ID breaks the secret-name rules.",
        "Rename it: the ID uses only letters, digits and underscores, does not start with a "
        "digit, and does not start with GITHUB_.",
    ),
    Code.INVALID_SECRET: Explanation(
        "A user name or password cannot be used as a Docker credential.",
        "Store the value again: it must be valid UTF-8 without control characters, and a user "
        "name must not contain ':'.",
    ),
    Code.DNS_FAILURE: Explanation(
        "The registry's host name does not resolve.",
        "Check the spelling of the server; inside a corporate network check the DNS or proxy "
        "settings of the container and of the Docker daemon.",
    ),
    Code.CONNECTION_REFUSED: Explanation(
        "Nothing listens on the registry's port.",
        "Check the port in the server value and that the registry is running.",
    ),
    Code.CONNECT_TIMEOUT: Explanation(
        "The TCP connection to the registry timed out.",
        "A firewall or missing proxy is dropping traffic; set HTTPS_PROXY for the shell and "
        "the Docker daemon, or check the network path.",
    ),
    Code.READ_TIMEOUT: Explanation(
        "The registry accepted the connection but never answered.",
        "The registry or a proxy in front of it hangs; try again later or check the proxy.",
    ),
    Code.PROXY_ERROR: Explanation(
        "The configured HTTP(S) proxy refused or failed the request.",
        "Check HTTPS_PROXY/NO_PROXY for the shell and the Docker daemon.",
    ),
    Code.TLS_UNKNOWN_CA: Explanation(
        "The registry's certificate is signed by an authority this machine does not trust.",
        "Install the CA as /etc/docker/certs.d/HOST[:PORT]/ca.crt for the daemon and into the "
        "system store (update-ca-certificates) for other clients.",
    ),
    Code.TLS_HOSTNAME_MISMATCH: Explanation(
        "The registry's certificate is for another name.",
        "Use the host name the certificate was issued for, or reissue the certificate with "
        "this name in its subjectAltName.",
    ),
    Code.TLS_EXPIRED: Explanation(
        "The registry's certificate has expired or is not valid yet.",
        "Renew the certificate; if it should be valid, check this machine's clock.",
    ),
    Code.HTTP_ON_HTTPS_PORT: Explanation(
        "The registry speaks plain HTTP where Docker expects HTTPS.",
        "Serve the registry over TLS, or add it to the daemon's insecure-registries "
        "(daemon.json) if plain HTTP is intended.",
    ),
    Code.TLS_ERROR: Explanation(
        "The TLS handshake with the registry failed.",
        "Check the registry's TLS configuration (protocol versions, ciphers, certificate chain).",
    ),
    Code.NOT_A_REGISTRY: Explanation(
        "The server does not speak the registry API at /v2/.",
        "Check the server value: it must be the registry host, not a web page or a path.",
    ),
    Code.UNVERIFIED_ANONYMOUS: Explanation(
        "The registry answers /v2/ without asking for credentials, so nothing was verified.",
        "Docker reports 'Login Succeeded' with any password here; the credentials are only "
        "tested on the first pull or push. Use --repository NAME to test access.",
    ),
    Code.TOKEN_ENDPOINT_UNREACHABLE: Explanation(
        "The registry's token server (the challenge's realm) cannot be reached.",
        "Check DNS, proxy and firewall for the realm host named in the message, not only the "
        "registry host.",
    ),
    Code.BAD_CREDENTIALS: Explanation(
        "The registry rejected the user name or password.",
        "Check the user name and create a fresh token with read access to packages; "
        "Docker Hub accounts with 2FA or SSO need an access token, not the password.",
    ),
    Code.INSUFFICIENT_SCOPE: Explanation(
        "The credentials are valid but may not pull this repository.",
        "Grant the user or token read access to the repository (GHCR: `read:packages` and "
        "package access; ECR: a repository policy).",
    ),
    Code.TOKEN_EXPIRED: Explanation(
        "The token or stored credential has expired.",
        "Create a new token and update the secret; for ECR use access keys so tokens are "
        "refreshed, not a ready token.",
    ),
    Code.CLOCK_SKEW: Explanation(
        "This machine's clock differs from the server's by more than a minute.",
        "Fix the clock (NTP); tokens are rejected as expired or not yet valid.",
    ),
    Code.RATE_LIMITED: Explanation(
        "The registry is rate limiting these requests.",
        "Wait for the time given in Retry-After, or authenticate to get a higher limit.",
    ),
    Code.UNTRUSTED_REALM: Explanation(
        "The registry asks for credentials to be sent to a token server on another host.",
        "If that token server is legitimate, allow it with --allow-realm HOST; otherwise the "
        "registry may be hostile or hijacked: do not send it credentials.",
    ),
    Code.REGISTRY_UNAVAILABLE: Explanation(
        "The registry answered with a server error (5xx).",
        "The registry is having trouble; check its status page and try again later.",
    ),
    Code.REPOSITORY_NOT_FOUND: Explanation(
        "The credentials may pull, but the registry has no repository of that name.",
        "Check the repository path (owner/name, lower case) given to --repository; push an "
        "image first if it is new.",
    ),
    Code.INVALID_REFERENCE: Explanation(
        "The image reference is not one Docker accepts.",
        "Write it as [HOST[:PORT]/]PATH[:TAG][@sha256:DIGEST] with a lowercase path, e.g. "
        "ghcr.io/owner/app:1.0; the message names the part at fault.",
    ),
    Code.MANIFEST_UNKNOWN: Explanation(
        "The repository exists but has no manifest for that tag or digest.",
        "Check the tag (tags are case-sensitive; `latest` is only a default, not a given) or "
        "push the image; `docker pull` says `manifest unknown` or `not found`.",
    ),
    Code.PLATFORM_MISSING: Explanation(
        "The image index holds no image for the platform Docker asks for.",
        "Build and push the image for that platform too (docker buildx build --platform), or "
        "pull with --platform naming one the index lists.",
    ),
    Code.BLOB_UNKNOWN: Explanation(
        "The manifest names a config blob the registry does not hold.",
        "The image was pushed incompletely or its blobs were garbage-collected: push it again.",
    ),
    Code.DIGEST_MISMATCH: Explanation(
        "The registry served a manifest whose digest is not the one the reference pins.",
        "Pin the digest the registry reports, or find out why it serves other content (a "
        "caching proxy or mirror that rewrites manifests).",
    ),
    Code.ECR_INVALID_KEY_ID: Explanation(
        "AWS does not recognise the access key ID.",
        "Check _USER holds an active access key ID of the right partition; a region that is "
        "not enabled for the account gives the same error.",
    ),
    Code.ECR_INVALID_SECRET: Explanation(
        "The AWS secret access key does not match the key ID.",
        "Store the secret access key that belongs to this access key ID in _PASSWORD.",
    ),
    Code.ECR_ACCESS_DENIED: Explanation(
        "The AWS identity may not get an ECR authorization token.",
        "Attach a policy allowing the IAM action named in the message (resource `*`).",
    ),
    Code.ECR_SESSION_TOKEN_REQUIRED: Explanation(
        "Temporary AWS keys (ASIA…) need their session token.",
        "Add <ID>_CONTAINER_REGISTRY_SESSION_TOKEN, or use long-lived keys (AKIA…).",
    ),
    Code.ECR_EXPIRED_CREDENTIALS: Explanation(
        "The AWS credentials have expired.",
        "Issue new credentials and update the secrets.",
    ),
    Code.ECR_WRONG_REGION: Explanation(
        "The ECR region in the server is not valid or not reachable for these credentials.",
        "Check the region part of the ECR host name (…dkr.ecr.REGION.amazonaws.com).",
    ),
    Code.ECR_UNREACHABLE: Explanation(
        "The ECR API endpoint could not be reached.",
        "Check network and proxy access to the ECR API endpoint for the region.",
    ),
    Code.DAEMON_UNREACHABLE: Explanation(
        "The Docker daemon does not answer.",
        "Start Docker (or wait for Docker-in-Docker to come up); check DOCKER_HOST and that "
        "your user may use the socket. During a prebuild there is no daemon at all.",
    ),
    Code.CREDS_STORE_UNAVAILABLE: Explanation(
        "Docker's config names a credential helper that is not installed.",
        "Install docker-credential-NAME, or remove `credsStore`/`credHelpers` from "
        "config.json so Docker reads `auths`.",
    ),
    Code.SHADOWED_BY_CRED_HELPER: Explanation(
        "A credential helper answers for this registry, so Docker ignores the `auths` entry.",
        "Remove the `credsStore`/`credHelpers` entry for this host, or store the credentials "
        "in that helper.",
    ),
    Code.CRED_HELPER_FAILED: Explanation(
        "A credential helper Docker's config names ran but failed (an error exit, an answer "
        "that is not credential JSON, or megabytes of output).",
        "Run the helper named in the message by hand (`echo HOST | docker-credential-NAME "
        "get`) to see its error; unlock or repair its store, or remove the "
        "`credsStore`/`credHelpers` entry from config.json.",
    ),
    Code.CRED_HELPER_TIMEOUT: Explanation(
        "A credential helper Docker's config names did not answer in time and was stopped "
        "(a locked keyring or a password prompt no one can answer).",
        "Unlock the helper's store (keyring, pass, gpg-agent) in this session, or remove the "
        "`credsStore`/`credHelpers` entry from config.json so Docker reads `auths`.",
    ),
    Code.DOCKERHUB_ALIAS_KEY: Explanation(
        "Docker Hub credentials are stored under a key the docker CLI never reads.",
        "Store them under `https://index.docker.io/v1/` (`cs-registry login` does).",
    ),
    Code.CONFIG_UNREADABLE: Explanation(
        "Docker's config.json cannot be parsed, so it was left as it is.",
        "Fix the file at the position given (or move it aside) and run again.",
    ),
    Code.CONFIG_UNWRITABLE: Explanation(
        "Docker's config directory or file cannot be written.",
        "Check the ownership and permissions of the directory named in the message, or point "
        "DOCKER_CONFIG at a writable directory.",
    ),
    Code.CONFIG_LOCKED: Explanation(
        "Another cs-registry run held the lock on the file for longer than cs-registry waits.",
        "Run again; if it keeps happening, find the stuck process with `fuser LOCKFILE` "
        "(the lock file is named in the message).",
    ),
    Code.UNSAFE_FILE: Explanation(
        "A path where cs-registry expected a regular file is something else (a FIFO, a "
        "device, a socket, a directory, a symlink or another user's file where ours was "
        "expected) or is too large; it was left exactly as it was.",
        "Replace the path named in the message with a regular file you own, or point "
        "cs-registry elsewhere (--config, DOCKER_CONFIG, XDG_CACHE_HOME).",
    ),
    Code.UNTRUSTED_SETTINGS: Explanation(
        "A cs-registry settings file, or a folder it lies in, belongs to another user (the "
        "system file: to anyone but root), so it was ignored: such a file could send your "
        "secrets to a server of that user's choosing (git's safe.directory rule).",
        "If you trust the file, take it over (`chown`) or copy its settings into your own "
        "repository or `~/.config/cs-registry/config.yaml`; run from your own work tree.",
    ),
    Code.DOCKER_CONFIG_RELATIVE: Explanation(
        "DOCKER_CONFIG (or --config) is a relative path: Docker's config is then read from "
        "the working directory, so a command run elsewhere reads another config.",
        "Set DOCKER_CONFIG (or --config) to an absolute path.",
    ),
    Code.CONFIG_TOO_OPEN: Explanation(
        "Docker's config.json can be read by other users, and it holds credentials.",
        "chmod 600 the file named in the message (cs-registry writes it 0600).",
    ),
    Code.DOCKER_CLI_MISSING: Explanation(
        "The docker CLI is not on PATH.",
        "Install Docker (or the docker-in-docker / docker-outside-of-docker Feature), or use a "
        "tool that reads Docker's config.json, such as skopeo or podman.",
    ),
    Code.PREBUILD_PHASE: Explanation(
        "A Codespaces prebuild is being made; its snapshot is shared, so no credentials are "
        "written.",
        "Nothing to do: credentials are written when a codespace is created from the prebuild "
        "(postCreateCommand).",
    ),
    Code.JSONC_SYNTAX: Explanation(
        "devcontainer.json is not valid JSON with comments.",
        "Fix the syntax at the position given; the devcontainers CLI silently ignores such "
        "errors, so settings after it are lost.",
    ),
    Code.INVALID_REPOSITORY_NAME: Explanation(
        "A repository under customizations.codespaces.repositories is not `owner/repo` or "
        "`owner/*`.",
        "Write the key as OWNER/REPO (or OWNER/* for all of the owner's repositories).",
    ),
    Code.DIFFERENT_OWNER: Explanation(
        "Codespaces only grants access to repositories of the codespace's own owner.",
        "Remove the entry: devcontainer.json cannot grant another owner's repository. A codespace "
        "reaches it only with a token stored as a Codespaces secret, a prebuild only through the "
        "CODESPACES_PREBUILD_TOKEN repository secret.",
    ),
    Code.UNKNOWN_PERMISSION: Explanation(
        "A permission name is not one Codespaces knows.",
        "Use one of actions, checks, contents, deployments, discussions, issues, packages, "
        "pages, pull_requests, repository_projects, statuses, workflows.",
    ),
    Code.INVALID_PERMISSION_VALUE: Explanation(
        "A permission value is not `read` or `write` (or `read-all`/`write-all` for the whole "
        "set).",
        'Write "permissions": "read-all", "write-all" or {"NAME": "read"|"write"}.',
    ),
    Code.PACKAGES_WRITE_NOT_ALLOWED: Explanation(
        "Codespaces grants `packages` read access only.",
        'Use "packages": "read"; for pushes use a token stored as a secret.',
    ),
    Code.WORKFLOWS_READ_NOT_ALLOWED: Explanation(
        "Codespaces grants `workflows` write access only.",
        'Use "workflows": "write", or leave it out.',
    ),
    Code.WILDCARD_IN_PREBUILD: Explanation(
        "`owner/*` is not allowed in a configuration used for prebuilds.",
        "List the repositories the prebuild needs by name.",
    ),
    Code.PREBUILD_WRITE_NEEDS_TOKEN: Explanation(
        "Prebuilds get read access to other repositories only.",
        "Add a CODESPACES_PREBUILD_TOKEN repository secret (a classic PAT) to grant write "
        "access or access to another owner's repositories while prebuilding.",
    ),
    Code.DOCKER_IN_PREBUILD_HOOK: Explanation(
        "onCreateCommand or updateContentCommand runs docker, but no Docker daemon runs while a "
        "prebuild is made.",
        "Move the docker commands to postCreateCommand or postStartCommand.",
    ),
    Code.DEPRECATED_CODESPACES_KEY: Explanation(
        "A top-level `codespaces` key is deprecated.",
        "Move it under customizations.codespaces.",
    ),
    Code.UNKNOWN_CODESPACES_KEY: Explanation(
        "A key under customizations.codespaces is not one Codespaces defines.",
        "Use `repositories`, `openFiles` or `disableAutomaticConfiguration`; repository "
        "entries belong under `repositories`.",
    ),
    Code.HOOK_NOT_WIRED: Explanation(
        "No lifecycle command runs cs-registry, so registry logins happen only by hand.",
        'Add the Feature "./cs-registry" or "postCreateCommand": "hooks/post-create".',
    ),
    Code.FEATURE_UNAVAILABLE: Explanation(
        "A Dev Container Feature could not be resolved or fetched.",
        "Check the Feature reference and that it is published; for a private registry add its "
        "<ID>_CONTAINER_REGISTRY_* secrets (or `docker login`) before the container is built.",
    ),
    Code.IMAGE_UNAVAILABLE: Explanation(
        "The dev container's image could not be inspected or pulled, and the log gives no "
        "deeper cause.",
        "Pull the image by hand to see the registry's answer, and check its name and the "
        "credentials for its registry.",
    ),
    Code.REPOSITORY_ACCESS_DENIED: Explanation(
        "A clone of another repository was refused (during a prebuild, only the repository "
        "itself is reachable unless more is granted).",
        "Grant read access under customizations.codespaces.repositories in devcontainer.json "
        "(same owner), or add a CODESPACES_PREBUILD_TOKEN repository secret (a classic PAT).",
    ),
    Code.NO_KNOWN_CAUSE: Explanation(
        "Something failed, and the log does not say why in a way cs-registry knows.",
        "Read the quoted line and the lines before it; `cs-registry doctor` checks the usual "
        "causes.",
    ),
    Code.SECRET_GONE: Explanation(
        "An entry `cs-registry login` wrote belongs to a registry secret that no longer "
        "exists; it still held exactly what login wrote, so it was removed.",
        "Nothing to do; add the secret again and run `cs-registry login` to restore it.",
    ),
    Code.ENTRY_CHANGED: Explanation(
        "An entry `cs-registry login` wrote was changed since (by `docker login` or by hand), "
        "so it is no longer ours and was left alone although its secret is gone.",
        "Remove the entry from config.json yourself if it is stale.",
    ),
    Code.UNRECORDED_ENTRY: Explanation(
        "An `auths` entry that login's record does not list (written before the record "
        "existed, or by someone else); it is never removed automatically.",
        "Remove it from config.json by hand if no registry secret needs it.",
    ),
    Code.RECORD_UNUSABLE: Explanation(
        "The record of what login wrote is missing, corrupt or not a private file of ours "
        "(a symlink, FIFO or another user's file); nothing was removed on its word.",
        "Remove the file named in the message; the next `cs-registry login` starts a new record.",
    ),
    Code.FIX_BLOCKED: Explanation(
        "`doctor --fix` found the problem but could not repair it safely (the key it would "
        "move to is taken, or the fix needs something it may not do).",
        "Follow the remedy shown; the file was left as it was for this problem.",
    ),
    Code.USAGE_ERROR: Explanation(
        "A flag, an environment variable or an input was not usable as given.",
        "Fix the flag, variable or input named in the message; `cs-registry COMMAND --help` "
        "lists the flags.",
    ),
    Code.INTERRUPTED: Explanation(
        "The run was interrupted (Ctrl-C, SIGINT or SIGTERM) before it finished.",
        "Run the command again; nothing was half-written (Docker's config is replaced "
        "atomically, the lock is released).",
    ),
    Code.INTERNAL_ERROR: Explanation(
        "cs-registry hit a bug.",
        "Report it with the log file named in the message (secrets are masked there).",
    ),
}


__all__ = ["EXPLANATIONS", "Explanation"]
