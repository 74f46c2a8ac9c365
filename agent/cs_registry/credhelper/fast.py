"""The hot path: answer ``get`` for an ECR host from a fresh cached token, stdlib only.

Docker runs the helper on every pull, so this path avoids argparse, dataclasses,
structlog, botocore and even the triplet discovery module. It is deliberately
conservative: anything unusual (no single matching triplet, odd server values,
a token in its refresh window) returns ``None`` and the full path decides.
The cache key is computed exactly as :mod:`cs_registry.ecr.provider` does.
"""

from __future__ import annotations

from cs_registry.credhelper.wire import credentials
from cs_registry.ecr.cache import TokenCache, default_dir, trim

TYPE_CHECKING = False  # `typing`/`collections` cost more than this hot path may take
if TYPE_CHECKING:
    from collections.abc import Mapping

_SERVER = "_CONTAINER_REGISTRY_SERVER"
_USER = "_CONTAINER_REGISTRY_USER"
_PASSWORD = "_CONTAINER_REGISTRY_PASSWORD"
_SESSION = "_CONTAINER_REGISTRY_SESSION_TOKEN"
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-:")
_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_TOKEN_USER = "AWS"


def quick_key(value: str) -> str | None:
    """The config key of a plain ``[scheme://]host[:port][/path]``; ``None`` if unsure."""
    value = value.strip()
    lowered = value.lower()
    for scheme in ("https://", "http://"):
        if lowered.startswith(scheme):
            lowered = lowered[len(scheme) :]
            break
    host = lowered.partition("/")[0].rstrip(".")
    if not host or not set(host) <= _HOST_CHARS or host.count(":") > 1:
        return None
    if "docker.io" in host:  # Docker Hub keys are special: leave them to the full path
        return None
    return host


def _valid_id(ident: str) -> bool:
    return (
        bool(ident)
        and not ident[0].isdigit()
        and set(ident) <= _ID_CHARS
        and not (ident.upper() + "_").startswith("GITHUB_")
    )


def cached_get(stdin_text: str, environ: Mapping[str, str], now: float) -> str | None:
    """The protocol answer for a fresh cached ECR token, or ``None`` (ask the full path)."""
    server_url = stdin_text.strip()
    key = quick_key(server_url)
    if key is None:
        return None
    ids = [
        name[: -len(_SERVER)]
        for name, value in environ.items()
        if name.endswith(_SERVER) and quick_key(value) == key
    ]
    if len(ids) != 1 or not _valid_id(ids[0]):
        return None
    ident = ids[0]
    user = trim(environ.get(ident + _USER, ""))
    password = trim(environ.get(ident + _PASSWORD, ""))
    session = trim(environ.get(ident + _SESSION, "")) or None
    if not user or not password or user == _TOKEN_USER:
        return None
    cache = TokenCache(default_dir(environ))
    digest = cache.digest(user, password, session, create=False)
    if digest is None:
        return None
    token = cache.get(key, digest)
    if token is None or token.needs_refresh(now):
        return None
    return credentials(server_url, _TOKEN_USER, token.password)
