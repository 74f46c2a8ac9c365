"""Image references, parsed by Docker's rules (distribution/reference, ``normalize.go``).

``ubuntu`` is ``docker.io/library/ubuntu:latest``; ``org/app`` is on Docker Hub; a first
component holding ``.`` or ``:``, equal to ``localhost`` or holding upper case is the
registry; path components are lower case; a tag, a digest, or both (the digest then
decides what is pulled, as Docker does). Anything else is ``invalid_reference``, with
the part at fault named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cs_registry.diagnosis import Code
from cs_registry.errors import CsRegistryError
from cs_registry.servers import Server, ServerError, normalise
from cs_registry.status import ExitStatus

DOCKER_HUB_DOMAIN = "docker.io"
_LEGACY_HUB_DOMAIN = "index.docker.io"
_OFFICIAL_PREFIX = "library/"
DEFAULT_TAG = "latest"
MAX_PATH = 255  # RepositoryNameTotalLengthMax

# the grammar of distribution/reference's regexp.go, as text (compiled on first use)
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_IDENTIFIER = r"[a-f0-9]{64}"
#: go-digest's registered algorithms and the length of their lowercase hex
_DIGEST_HEX = {"sha256": 64, "sha384": 96, "sha512": 128}


class InvalidReference(CsRegistryError):
    """An image reference Docker would refuse (``invalid_reference``, exit 2)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code=Code.INVALID_REFERENCE, status=ExitStatus.USAGE)


@dataclass(frozen=True)
class Reference:
    """A parsed image reference: ``domain/path[:tag][@digest]``."""

    domain: str
    path: str
    tag: str | None = None
    digest: str | None = None

    @property
    def name(self) -> str:
        """``domain/path``, e.g. ``docker.io/library/ubuntu``."""
        return f"{self.domain}/{self.path}"

    @property
    def target(self) -> str:
        """What ``/v2/PATH/manifests/…`` asks for: the digest, else the tag, else ``latest``."""
        return self.digest or self.tag or DEFAULT_TAG

    @property
    def familiar(self) -> str:
        """The short form Docker prints (``ubuntu:latest``, ``org/app:1``)."""
        name = self.name
        if self.domain == DOCKER_HUB_DOMAIN:
            name = self.path
            rest = name.removeprefix(_OFFICIAL_PREFIX)
            if rest != name and "/" not in rest:
                name = rest
        if self.digest:
            return f"{name}@{self.digest}"
        return f"{name}:{self.tag or DEFAULT_TAG}"

    def server(self) -> Server:
        """Where to connect and which config key holds the credentials."""
        try:
            return normalise(self.domain, "the image's registry")
        except ServerError as exc:
            raise InvalidReference(exc.message) from None

    def __str__(self) -> str:
        text = self.name
        if self.tag is not None:
            text += f":{self.tag}"
        if self.digest is not None:
            text += f"@{self.digest}"
        return text


def _split_domain(name: str) -> tuple[str, str]:
    """splitDockerDomain: which part of ``name[:tag]`` is the registry."""
    first, slash, rest = name.partition("/")
    if not slash:
        return DOCKER_HUB_DOMAIN, _OFFICIAL_PREFIX + name
    if first == "localhost" or any(ch in first for ch in ".:") or first.lower() != first:
        domain, remote = first, rest
    else:
        domain, remote = DOCKER_HUB_DOMAIN, name
    if domain == _LEGACY_HUB_DOMAIN:
        domain = DOCKER_HUB_DOMAIN
    if domain == DOCKER_HUB_DOMAIN and "/" not in remote.partition(":")[0]:
        remote = _OFFICIAL_PREFIX + remote
    return domain, remote


def _check_digest(raw: str, digest: str) -> str:
    if not re.fullmatch(_DIGEST, digest, re.ASCII):
        raise InvalidReference(
            f"{raw!r}: digest {digest!r} is not ALGORITHM:HEX (e.g. sha256: and 64 hex digits)"
        )
    algorithm, _, encoded = digest.partition(":")
    length = _DIGEST_HEX.get(algorithm)
    if length is None:
        raise InvalidReference(f"{raw!r}: digest algorithm {algorithm!r} is not supported")
    if len(encoded) != length or not re.fullmatch("[a-f0-9]+", encoded, re.ASCII):
        raise InvalidReference(
            f"{raw!r}: a {algorithm} digest is {length} lowercase hex digits, "
            f"not {len(encoded)} characters {encoded[:12]!r}…"
        )
    return digest


def _check_path(raw: str, path: str) -> None:
    if path.lower() != path:
        raise InvalidReference(f"{raw!r}: the repository path {path!r} must be lowercase")
    if len(path) > MAX_PATH:
        raise InvalidReference(
            f"{raw!r}: the repository path is {len(path)} characters (at most {MAX_PATH})"
        )
    for component in path.split("/"):
        if not re.fullmatch(_PATH_COMPONENT, component, re.ASCII):
            shown = repr(component) if component else "an empty component"
            raise InvalidReference(
                f"{raw!r}: path component {shown} is not valid (lowercase letters and digits, "
                "joined by '.', '_', '__' or dashes)"
            )


def parse(raw: str) -> Reference:
    """Parse an image reference as ``docker pull`` does; :class:`InvalidReference` if not."""
    value = raw.strip()
    if not value:
        raise InvalidReference("the image reference is empty")
    if len(value) > 1024 or any(ch.isspace() or ord(ch) < 0x20 for ch in value):
        raise InvalidReference(
            "the image reference is too long or holds whitespace or control characters"
        )
    if "://" in value:
        raise InvalidReference(f"{raw!r}: an image reference has no scheme (drop the https://)")
    if re.fullmatch(_IDENTIFIER, value):
        raise InvalidReference(f"{raw!r}: a 64-character hex string is an image ID, not a name")
    named, at, digest = value.partition("@")
    domain, remainder = _split_domain(named)
    path, colon, tag = remainder.partition(":")
    if not re.fullmatch(_DOMAIN, domain, re.ASCII):
        zone = " (IPv6 zone IDs are refused)" if "%" in domain else ""
        raise InvalidReference(f"{raw!r}: registry {domain!r} is not a valid host[:port]{zone}")
    _check_path(raw, path)
    if colon and not re.fullmatch(_TAG, tag, re.ASCII):
        raise InvalidReference(
            f"{raw!r}: tag {tag!r} is not valid (up to 128 of A-Z a-z 0-9 _ . -, not starting "
            "with . or -)"
        )
    return Reference(
        domain=domain,
        path=path,
        tag=tag if colon else None,
        digest=_check_digest(raw, digest) if at else None,
    )


def names_server(raw: str) -> bool:
    """Whether ``debug-login``'s argument is a registry (today's behaviour), not an image.

    A scheme, a trailing slash, ``host``, ``host:PORT`` and bracketed IPv6 name a server,
    as they do for ``docker login``. A single word without ``.`` or ``:`` is a server only
    when it is ``localhost``; Docker's reference rules make ``ubuntu`` an image.
    """
    value = raw.strip()
    if "://" in value or not value:
        return True
    core = value.rstrip("/")
    if "/" in core or "@" in core:
        return False
    if core != value or core.startswith("["):
        return True
    host, colon, port = core.rpartition(":")
    if colon:
        return port.isdigit() or ":" in host
    return "." in core or core == "localhost"


__all__ = [
    "DEFAULT_TAG",
    "DOCKER_HUB_DOMAIN",
    "InvalidReference",
    "Reference",
    "names_server",
    "parse",
]
