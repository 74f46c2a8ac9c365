"""Registry server values: normalisation, Docker's config key, and the registry kind.

Users paste all sorts into ``_SERVER``: ``https://ghcr.io/``, ``ghcr.io/owner``,
``docker.io``. Docker itself keys its config by bare ``host[:port]`` (Docker Hub:
``https://index.docker.io/v1/``), so we normalise to that and say what we fixed.
"""

from __future__ import annotations

import enum
import re

from cs_registry.diagnosis import Code
from cs_registry.errors import CsRegistryError
from cs_registry.record import Record
from cs_registry.status import ExitStatus

DOCKER_HUB_KEY = "https://index.docker.io/v1/"
DOCKER_HUB_HOST = "registry-1.docker.io"
DOCKER_HUB_ALIASES = frozenset(
    {
        "docker.io",
        "index.docker.io",
        "registry-1.docker.io",
        "registry.docker.io",
        "registry.hub.docker.com",
        "hub.docker.com",
    }
)

# Patterns as text, compiled on first use (re caches them): a login whose servers have
# no scheme or are IP addresses never compiles them (each costs start-up ~0.1 ms).
_SCHEME = r"^[A-Za-z][A-Za-z0-9+.-]*://"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_MAX_SERVER_LEN = 1024  # a host is at most 253; leave room for a scheme and a pasted path

# Private ECR, every partition, as awslabs/amazon-ecr-credential-helper (ecr-login/api)
# matches it: "dkr.ecr" or dual-stack "dkr-ecr", optional "-fips", any partition domain.
# fullmatch + explicit ASCII classes: "…amazonaws.com\n" or a non-ASCII digit never passes.
# Compiled on first use (re caches it), after a substring pre-check: most logins meet no ECR
# host, and compiling this pattern at import costs each of them ~0.4 ms.
_ECR_PRIVATE = (
    r"(?P<account>[0-9]{12})\.dkr(?P<sep>[.-])ecr(?P<fips>-fips)?\.(?P<region>[a-z0-9][a-z0-9-]*)\."
    r"(?:amazonaws\.com|amazonaws\.com\.cn|amazonaws\.eu|on\.aws|on\.amazonwebservices\.com\.cn"
    r"|sc2s\.sgov\.gov|c2s\.ic\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov)"
)
_ECR_PUBLIC_HOSTS = frozenset({"public.ecr.aws", "ecr-public.aws.com"})
ECR_PUBLIC_REGION = "us-east-1"


class Kind(str, enum.Enum):
    """Which registry product a host belongs to (drives ECR swaps and remedies)."""

    DOCKER_HUB = "dockerhub"
    GHCR = "ghcr"
    ECR = "ecr"
    ECR_PUBLIC = "ecr-public"
    ACR = "acr"
    GCR = "gcr"
    OTHER = "other"

    def __str__(self) -> str:
        return self.value


class EcrHost(Record):
    """The parts of a private ECR host name."""

    __slots__ = ("account", "dual_stack", "fips", "region")

    def __init__(self, account: str, region: str, fips: bool, dual_stack: bool) -> None:
        self.account = account
        self.region = region
        self.fips = fips
        self.dual_stack = dual_stack


class Server(Record):
    """A normalised registry server.

    ``host`` is where clients connect (``registry-1.docker.io`` for Docker Hub),
    ``key`` is the entry name in Docker's config. ``fixes`` (what normalising
    changed) is not part of equality.
    """

    __slots__ = ("ecr", "fixes", "host", "key", "kind")
    _uncompared = frozenset({"fixes"})

    def __init__(
        self,
        host: str,
        key: str,
        kind: Kind,
        ecr: EcrHost | None = None,
        fixes: tuple[str, ...] = (),
    ) -> None:
        self.host = host
        self.key = key
        self.kind = kind
        self.ecr = ecr
        self.fixes = fixes

    @property
    def hostname(self) -> str:
        """``host`` without its port."""
        if self.host.startswith("["):
            return self.host[1 : self.host.index("]")]
        return self.host.rsplit(":", 1)[0] if self.host.count(":") == 1 else self.host

    @property
    def region(self) -> str | None:
        """The AWS region of an ECR or ECR Public host."""
        if self.ecr is not None:
            return self.ecr.region
        if self.kind is Kind.ECR_PUBLIC:
            return ECR_PUBLIC_REGION
        return None


class ServerError(CsRegistryError):
    """A server value we cannot turn into a host (``malformed_server``, exit 2)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code=Code.MALFORMED_SERVER, status=ExitStatus.USAGE)


def match_ecr(host: str) -> EcrHost | None:
    """The account and region of a private ECR host, or ``None``."""
    if ".dkr" not in host:  # every private ECR host has ".dkr." or ".dkr-"
        return None
    found = re.fullmatch(_ECR_PRIVATE, host, re.ASCII)
    if found is None:
        return None
    return EcrHost(
        account=found["account"],
        region=found["region"],
        fips=found["fips"] is not None,
        dual_stack=found["sep"] == "-",
    )


#: hosts whose kind is their exact name (ECR private hosts are matched by pattern)
_KIND_BY_HOST: dict[str, Kind] = {
    **dict.fromkeys(DOCKER_HUB_ALIASES, Kind.DOCKER_HUB),
    "ghcr.io": Kind.GHCR,
    "docker.pkg.github.com": Kind.GHCR,
    **dict.fromkeys(_ECR_PUBLIC_HOSTS, Kind.ECR_PUBLIC),
    "gcr.io": Kind.GCR,
}
#: kinds recognised by the end of the host name
_KIND_BY_SUFFIX: tuple[tuple[tuple[str, ...], Kind], ...] = (
    ((".azurecr.io", ".azurecr.cn", ".azurecr.us"), Kind.ACR),
    ((".gcr.io", "-docker.pkg.dev"), Kind.GCR),
)


def classify(host: str) -> Kind:
    """The registry kind of a lowercase hostname (no port)."""
    kind = _KIND_BY_HOST.get(host)
    if kind is not None:
        return kind
    if match_ecr(host) is not None:
        return Kind.ECR
    for suffixes, suffix_kind in _KIND_BY_SUFFIX:
        if host.endswith(suffixes):
            return suffix_kind
    return Kind.OTHER


def is_ipv4(text: str) -> bool:
    """Whether ``ipaddress.IPv4Address(text)`` accepts ``text``: four decimal octets 0-255.

    The same strict rules (ASCII digits, at most three, no leading zero), written
    out because importing ipaddress costs every login with a 127.0.0.1 registry ~1 ms.
    """
    octets = text.split(".")
    return len(octets) == 4 and all(
        octet.isascii()
        and octet.isdigit()
        and len(octet) <= 3
        and (octet == "0" or octet[0] != "0")
        and int(octet) <= 255
        for octet in octets
    )


def _valid_hostname(host: str) -> bool:
    if len(host) > 253 or not host:
        return False
    labels = host.rstrip(".").split(".")
    if labels[-1].isdigit():
        # no top-level domain is all digits: this must be a dotted-quad IPv4 address
        # ("10.0.0.256", "127.1" and "1.2.3" are typos that DNS would only fail on later)
        return is_ipv4(host)
    return all(re.fullmatch(_LABEL, label, re.ASCII) for label in labels)


def _split_host_port(hostport: str, where: str) -> tuple[str, str | None]:
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0:
            raise ServerError(f"{where}: unclosed '[' in IPv6 address {hostport!r}")
        host, rest = hostport[: end + 1], hostport[end + 1 :]
        if "%" in host:
            # Docker's reference grammar has no zone ID ([fe80::1%eth0]), and Python's
            # ipaddress would accept one: refuse it before asking ipaddress
            raise ServerError(
                f"{where}: {host!r} has an IPv6 zone ID, which Docker's image references "
                "cannot carry; use a global or loopback address, or a host name"
            )
        import ipaddress  # only for a bracketed IPv6 address

        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise ServerError(f"{where}: {host!r} is not an IPv6 address") from None
        if rest and not rest.startswith(":"):
            raise ServerError(f"{where}: unexpected {rest!r} after {host}")
        return host, rest[1:] if rest else None
    if hostport.count(":") > 1:
        raise ServerError(f"{where}: IPv6 addresses must be in brackets, e.g. [::1]:5000")
    host, _, port = hostport.partition(":")
    return host, port if _ else None


def _checked_value(raw: str, where: str, fixes: list[str]) -> str:
    """The stripped value, refused when empty, huge, or holding whitespace or controls."""
    value = raw.strip()
    if value != raw:
        fixes.append("removed surrounding whitespace")
    if not value:
        raise ServerError(f"{where} is empty; set it to the registry host, e.g. ghcr.io")
    if len(value) > _MAX_SERVER_LEN:
        # messages below quote the value; a pasted file or token must not flood the output
        raise ServerError(
            f"{where} is {len(value)} characters long; set it to the registry host, e.g. ghcr.io"
        )
    if any(ch.isspace() or ord(ch) < 0x20 or ch == "\x7f" for ch in value):
        raise ServerError(f"{where} contains whitespace or control characters inside the value")
    return value


def _strip_scheme_and_path(value: str, where: str, fixes: list[str]) -> str:
    """The host[:port] part of a URL-ish value; Docker Hub's canonical key is kept silently."""
    docker_hub_canonical = value.rstrip("/") == DOCKER_HUB_KEY.rstrip("/")
    scheme = re.match(_SCHEME, value) if "://" in value else None
    if scheme:
        if scheme.group(0).lower() not in ("https://", "http://"):
            raise ServerError(f"{where}: scheme {scheme.group(0)!r} is not http(s)")
        if not docker_hub_canonical:
            fixes.append(f"removed scheme {scheme.group(0)!r}")
        value = value[scheme.end() :]
    hostport, slash, path = value.partition("/")
    if slash and not docker_hub_canonical:
        fixes.append(
            f"removed path {'/' + path!r}" if path.strip("/") else "removed trailing slash"
        )
    return hostport


def _check_hostport(hostport: str, where: str) -> None:
    """Refuse a host[:port] with characters no registry host has."""
    if not hostport:
        raise ServerError(f"{where} names no host after the scheme; set it to e.g. ghcr.io")
    if "@" in hostport:
        raise ServerError(f"{where} contains '@': put the user in _USER, not in the server value")
    if any(ch in hostport for ch in "?#"):
        raise ServerError(f"{where}: {hostport!r} is not a host[:port]")
    if not hostport.isascii():
        raise ServerError(f"{where}: {hostport!r} has non-ASCII characters; use the punycode name")


def _check_port(port: str | None, where: str) -> None:
    # [0-9]{1,5}: ASCII digits only, so a non-ASCII digit never becomes a port
    digits = port is not None and port.isascii() and port.isdigit() and len(port) <= 5
    if port is not None and not (digits and 0 < int(port) <= 65535):
        raise ServerError(f"{where}: port {port!r} is not a number from 1 to 65535")


def _canonical_host(host: str, where: str, fixes: list[str]) -> str:
    """The lower-cased host without a trailing dot, refused unless a valid name or address."""
    lowered = host.lower()
    if lowered != host:
        fixes.append("lower-cased the host")
    host = lowered
    if not host.startswith("["):
        if host.endswith("."):
            host = host.rstrip(".")
            fixes.append("removed trailing dot")
        if not _valid_hostname(host):
            what = "IPv4 address" if host.rsplit(".", 1)[-1].isdigit() else "host name"
            raise ServerError(f"{where}: {host!r} is not a valid {what}")
    return host


def normalise(raw: str, where: str = "server") -> Server:
    """Turn a user's server value into a :class:`Server`.

    ``where`` names the source (a variable name) in messages. Fixable mistakes
    (whitespace, scheme, path, trailing slash, upper case) are recorded in
    ``Server.fixes``; anything else raises :class:`ServerError`.
    """
    fixes: list[str] = []
    value = _checked_value(raw, where, fixes)
    hostport = _strip_scheme_and_path(value, where, fixes)
    _check_hostport(hostport, where)
    host, port = _split_host_port(hostport, where)
    _check_port(port, where)
    host = _canonical_host(host, where, fixes)
    hostport = f"{host}:{port}" if port is not None else host
    kind = classify(host)
    if kind is Kind.DOCKER_HUB and port is None:
        return Server(host=DOCKER_HUB_HOST, key=DOCKER_HUB_KEY, kind=kind, fixes=tuple(fixes))
    return Server(
        host=hostport,
        key=hostport,
        kind=kind,
        ecr=match_ecr(host) if kind is Kind.ECR else None,
        fixes=tuple(fixes),
    )


def config_key_for(raw_key: str) -> str | None:
    """The key an existing ``auths`` entry normalises to, or ``None`` if it does not parse.

    Used to find legacy entries (``https://ghcr.io``, ``docker.io``) that stand
    for a host we are about to write.
    """
    try:
        return normalise(raw_key).key
    except ServerError:
        return None
