"""The hot paths of ``get``: a fresh cached ECR token, and a plain triplet's own credentials.

Docker runs the helper on every pull, so these paths avoid argparse, dataclasses,
structlog, botocore and the settings machinery. They are deliberately conservative:
anything unusual returns ``None`` and the full path (:mod:`.cli`) decides.

- :func:`cached_get` (ECR, stdlib only, not even triplet discovery): no single
  matching triplet, odd server values or a token in its refresh window mean ``None``.
  The cache key is computed exactly as :mod:`cs_registry.ecr.provider` does.
- :func:`plain_get`: the same discovery, lookup and answer as
  :meth:`cs_registry.credhelper.store.EnvironmentStore.get`, taken only when no
  setting can change the answer: no settings file in any layer and no
  ``CS_REGISTRY_*`` setting in the environment. Anything else (a miss, which the full
  path answers from saved ECR keys; an unusable triplet, which it explains; an ECR
  swap) is ``None``.
"""

from __future__ import annotations

from cs_registry.credhelper.wire import credentials
from cs_registry.ecr.cache import TokenCache, default_dir, trim

TYPE_CHECKING = False  # not typing's: importing typing adds 0.3x python's start-up (README)
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


def plain_get(stdin_text: str, environ: Mapping[str, str], cwd: str) -> str | None:
    """The protocol answer for a usable non-swap triplet when no setting applies, or ``None``.

    ``cwd`` (``os.getcwd()``) locates the repository settings file, as ``settings.load``.
    """
    from cs_registry import paths, settings_layers
    from cs_registry.context import config_home_text  # not above: the cached get does without

    config_home = config_home_text(environ)
    if config_home is None or any(name in environ for name in settings_layers.ENV.values()):
        return None
    if settings_layers.any_exists(environ, paths.normal(cwd), config_home):
        return None  # its `ignore` or `registries` may change the answer: the full path reads it
    from cs_registry.ecr.names import needs_swap
    from cs_registry.servers import ServerError, normalise
    from cs_registry.triplets import discover

    server_url = stdin_text.strip()  # as cli._server_url: Go's strings.TrimSpace
    try:
        key = normalise(server_url).key
    except ServerError:
        return None
    for triplet in discover(environ).triplets:  # the first match answers, as the store's lookup
        if triplet.server is not None and triplet.server.key == key:
            if not triplet.usable or needs_swap(triplet):
                return None
            return credentials(server_url, triplet.user, triplet.password.reveal())
    return None


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
