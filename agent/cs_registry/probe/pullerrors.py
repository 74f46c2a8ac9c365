"""What a refused manifest or blob request means, and outside text made safe to show.

Shared by the image steps, the scope step (a token refused for the pull scope) and
the daemon's pull (its message shown word for word, escaped).
"""

from __future__ import annotations

from cs_registry.diagnosis import Code
from cs_registry.probe.report import StepFailed
from cs_registry.probe.state import State
from cs_registry.probe.tokens import registry_errors
from cs_registry.probe.transport import Response
from cs_registry.servers import Kind
from cs_registry.ui import inert

_REGISTRY_404 = {
    "NAME_UNKNOWN": Code.REPOSITORY_NOT_FOUND,
    "MANIFEST_UNKNOWN": Code.MANIFEST_UNKNOWN,
    "BLOB_UNKNOWN": Code.BLOB_UNKNOWN,
}


def escape(text: str, limit: int = 300) -> str:
    """Text a registry or the daemon sent, control characters escaped and length capped.

    The one place the image steps pass outside text through; the escaping is
    :func:`cs_registry.ui.inert`'s, done here too because details also go into JSON.
    """
    shown = inert(text)
    return shown if len(shown) <= limit else shown[:limit] + "…"


def short(digest: str) -> str:
    """``sha256:0123456789ab…``: enough to recognise a digest in one line."""
    return digest[:19] + "…" if len(digest) > 19 else digest


def denied(state: State, said: str) -> StepFailed:
    """``insufficient_scope``, saying who asked and the fix for that case."""
    creds, server = state.credentials, state.server
    assert creds is not None
    assert server is not None
    image = state.options.image
    name = image.path if image is not None else state.options.repository
    who = "anonymous (no credentials)" if creds.anonymous else f"user {creds.username!r}"
    detail = f"{who} may not pull {name} ({said})"
    if server.kind is Kind.GHCR and creds.anonymous:
        detail += (
            "; GHCR refuses anonymous pulls of private packages: log in with a GitHub user "
            "and a classic PAT with read:packages (or GITHUB_TOKEN with access to the package)"
        )
    elif server.kind is Kind.GHCR:
        detail += (
            "; on GHCR the token lacks read:packages or access to this package: add "
            "read:packages to the PAT, or grant this repository access in the package's "
            "settings (Manage Actions/Codespaces access)"
        )
    elif creds.anonymous:
        detail += "; the repository may be private or may not exist: log in and try again"
    return StepFailed(Code.INSUFFICIENT_SCOPE, detail)


def refused(state: State, response: Response, what: str) -> StepFailed:
    """The failure a non-2xx answer to a manifest or blob request means."""
    message = escape(registry_errors(response.body) or f"{response.status} {response.reason}")
    if response.status == 429:
        wait = escape(response.header("Retry-After") or "unspecified", 40)
        return StepFailed(
            Code.RATE_LIMITED, f"{what}: the registry answered 429 ({message}); Retry-After: {wait}"
        )
    if response.status >= 500:
        return StepFailed(Code.REGISTRY_UNAVAILABLE, f"{what}: the registry answered {message}")
    if response.status in (401, 403):
        return denied(state, message)
    if response.status == 404:
        said = escape(registry_errors(response.body))
        code = next(
            (code for key, code in _REGISTRY_404.items() if said.startswith(key)),
            Code.BLOB_UNKNOWN if "blob" in what else Code.MANIFEST_UNKNOWN,
        )
        return StepFailed(code, f"{what}: the registry has none ({said or 'HTTP 404'})")
    return StepFailed(Code.NOT_A_REGISTRY, f"{what}: the registry answered {message}")


__all__ = ["denied", "escape", "refused", "short"]
