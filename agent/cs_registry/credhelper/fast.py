"""The hot paths of ``get``: a fresh cached ECR token, and a plain triplet's own credentials.

Docker runs the helper on every pull, so these paths avoid argparse, dataclasses,
structlog, botocore and the settings machinery. They are deliberately conservative:
anything unusual returns ``None`` and the full path (:mod:`.cli`) decides.

- :func:`cached_get` (ECR, stdlib only, not even triplet discovery): no single
  matching triplet, odd server values or a token in its refresh window mean ``None``.
  The cache key is computed exactly as :mod:`cs_registry.ecr.provider` does.
- :func:`plain_get` (stdlib only): the lookup and answer of
  :meth:`cs_registry.credhelper.store.EnvironmentStore.get` for the usual server
  values (:func:`exact_key`), taken only when no setting can change the answer: no
  settings file in any layer and no ``CS_REGISTRY_*`` setting in the environment.
  Anything else (a miss, which the full path answers from saved ECR keys; an
  unusable triplet, which it explains; an ECR swap; duplicates) is ``None``.
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
_MAX_SERVER_LEN = 1024
_LABEL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
# servers.py's values (tests hold them equal): importing servers costs re and enum
_DOCKER_HUB_KEY = "https://index.docker.io/v1/"
_DOCKER_HUB_ALIASES = frozenset(
    {
        "docker.io",
        "index.docker.io",
        "registry-1.docker.io",
        "registry.docker.io",
        "registry.hub.docker.com",
        "hub.docker.com",
    }
)
_ECR_PUBLIC_HOSTS = frozenset({"public.ecr.aws", "ecr-public.aws.com"})


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

    What :meth:`~cs_registry.credhelper.store.EnvironmentStore.get` answers, without
    importing triplet discovery (``re``, ``enum`` and the code table cost the helper
    0.8x of the bare interpreter): the one triplet whose server has the asked key,
    Docker's trimming of its user and password, and Go's JSON. Any server value that
    :func:`exact_key` cannot read, a second triplet for the key, an invalid ID or a
    value the full path would refuse is ``None``. ``cwd`` (``os.getcwd()``) locates
    the repository settings file, as ``settings.load`` does.
    """
    if _settings_may_apply(environ, cwd):
        return None  # its `ignore` or `registries` may change the answer: the full path reads it
    server_url = stdin_text.strip()  # as cli._server_url: Go's strings.TrimSpace
    key = exact_key(server_url)
    if key is None or _may_swap(key):
        return None
    ident = _only_triplet_for(key, environ)
    found = _plain_credentials(ident, environ) if ident is not None else None
    return credentials(server_url, *found) if found is not None else None


def _settings_may_apply(environ: Mapping[str, str], cwd: str) -> bool:
    """A settings file exists in a layer, or a ``CS_REGISTRY_*`` setting is set."""
    from cs_registry import paths, settings_layers
    from cs_registry.context import config_home_text  # not above: the cached get does without

    config_home = config_home_text(environ)
    if config_home is None or any(name in environ for name in settings_layers.ENV.values()):
        return True
    return settings_layers.any_exists(environ, paths.normal(cwd), config_home)


def _only_triplet_for(key: str, environ: Mapping[str, str]) -> str | None:
    """The ID of the one triplet whose server has ``key``; ``None`` for none, two, or a
    server value only the full path reads."""
    ident = None
    for name, value in environ.items():
        if name.endswith(_SERVER):
            other = exact_key(value)
            if other is None or (other == key and ident is not None):
                return None  # a server only the full path reads, or duplicates or a conflict
            if other == key:
                ident = name[: -len(_SERVER)]
    return ident if ident is not None and _valid_id(ident) else None


def _plain_credentials(ident: str, environ: Mapping[str, str]) -> tuple[str, str] | None:
    """The triplet's user and password as Docker trims them; ``None`` for what the full
    path would refuse (a partial triplet, a user ``auth`` cannot carry, odd text)."""
    user = _docker_trim(environ.get(ident + _USER, ""))
    password = _docker_trim(environ.get(ident + _PASSWORD, ""))
    session = _docker_trim(environ.get(ident + _SESSION, ""))
    if not user or not password or ":" in user:
        return None
    if not all(_usable_text(text) for text in (user, password, session)):
        return None
    return user, password


def exact_key(value: str) -> str | None:
    """``servers.normalise(value).key`` for the usual server values; ``None`` if unsure.

    The same steps without ``re``: outer whitespace, an http(s) scheme, a path, upper
    case and a trailing dot are dropped; ports, host names and IPv4 addresses are
    checked as strictly; Docker Hub's aliases become its key. Brackets (IPv6), other
    schemes and anything ``normalise`` would refuse give ``None``.
    """
    text = value.strip()
    if not text or len(text) > _MAX_SERVER_LEN or any(ch.isspace() for ch in text):
        return None
    if any(ord(ch) < 0x20 or ch == "\x7f" for ch in text):
        return None
    rest = _without_scheme(text)
    return _hostport_key(rest.partition("/")[0]) if rest is not None else None


def _without_scheme(text: str) -> str | None:
    """``text`` without an http(s) scheme; ``None`` for another scheme."""
    lowered = text[:8].lower()
    if lowered.startswith("https://"):
        return text[8:]
    if lowered.startswith("http://"):
        return text[7:]
    return None if "://" in text else text


def _hostport_key(hostport: str) -> str | None:
    """The config key of ``host[:port]`` as ``normalise`` makes it; ``None`` if unsure."""
    if not hostport.isascii() or any(ch in hostport for ch in "@?#[") or hostport.count(":") > 1:
        return None
    host, colon, port = hostport.partition(":")
    if colon and not (port.isdigit() and len(port) <= 5 and 0 < int(port) <= 65535):
        return None
    host = host.lower().rstrip(".")
    if not _valid_host(host):
        return None
    if not colon and host in _DOCKER_HUB_ALIASES:
        return _DOCKER_HUB_KEY
    return f"{host}:{port}" if colon else host


def _valid_host(host: str) -> bool:
    """``servers._valid_hostname`` for lowercase ASCII: labels, or four IPv4 octets."""
    labels = host.split(".")
    if not host or len(host) > 253:
        return False
    if labels[-1].isdigit():
        return len(labels) == 4 and all(
            octet.isdigit()
            and len(octet) <= 3
            and (octet == "0" or octet[0] != "0")
            and int(octet) <= 255
            for octet in labels
        )
    return all(
        0 < len(label) <= 63 and set(label) <= _LABEL_CHARS and "-" not in (label[0], label[-1])
        for label in labels
    )


def _may_swap(key: str) -> bool:
    """An ECR or ECR Public host (``servers.classify``): its triplet may need a swap."""
    host = key.partition(":")[0]
    return ".dkr" in host or host in _ECR_PUBLIC_HOSTS


def _docker_trim(value: str) -> str:
    """``triplets.shape``'s value: one trailing newline, then one carriage return, removed."""
    return value.removesuffix("\n").removesuffix("\r") if value.endswith("\n") else value


def _usable_text(value: str) -> bool:
    """``triplets._usable_text``: valid UTF-8, no control characters but tab, CR and LF."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not any((ord(ch) < 0x20 and ch not in "\t\n\r") or ch == "\x7f" for ch in value)


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
