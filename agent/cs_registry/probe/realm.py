"""Realm trust: where we are willing to send a registry's credentials.

Docker sends credentials to whatever token realm a challenge names, so a hostile
or hijacked registry can aim them at loopback or a cloud metadata address. Like
the 2026 fixes in the devcontainers CLI, go-containerregistry and oras-go, we
only send them to an HTTPS realm on the registry's own host (or loopback HTTP),
to a known registry/token-server pair, or to a host the user allowed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

#: registry host → token hosts it legitimately uses
KNOWN_PAIRS: dict[str, frozenset[str]] = {
    "registry-1.docker.io": frozenset({"auth.docker.io"}),
    "registry.gitlab.com": frozenset({"gitlab.com"}),
}


@dataclass(frozen=True)
class RealmUrl:
    """A parsed realm: scheme, host (no brackets), port, and the whole URL."""

    url: str
    scheme: str
    host: str
    port: int

    @property
    def hostport(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def parse_realm(url: str) -> RealmUrl | None:
    """The realm as a URL we can call, or ``None`` when it is not an http(s) URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    return RealmUrl(
        url=url.strip(),
        scheme=scheme,
        host=parts.hostname.lower(),
        port=port or (443 if scheme == "https" else 80),
    )


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or ``localhost``: what Docker always treats as insecure."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def untrusted_reason(realm: RealmUrl, registry_host: str, allowed: Iterable[str]) -> str | None:
    """Why credentials must not go to ``realm``; ``None`` when they may.

    ``registry_host`` is the registry's hostname without port; ``allowed`` the
    ``--allow-realm`` hosts (``host`` or ``host:port``).
    """
    allow = {entry.lower().strip() for entry in allowed}
    if realm.host in allow or realm.hostport in allow:
        return None
    if realm.scheme == "http" and not is_loopback(realm.host):
        return f"the realm {realm.url} is plain HTTP: the credentials would cross the network "
    same_host = realm.host == registry_host.lower()
    if same_host and (realm.scheme == "https" or is_loopback(realm.host)):
        return None
    if realm.host in KNOWN_PAIRS.get(registry_host.lower(), frozenset()):
        return None
    return (
        f"the registry {registry_host} names the token server {realm.hostport}, another host; "
        f"the credentials would have gone to {realm.url}"
    )


__all__ = ["KNOWN_PAIRS", "RealmUrl", "is_loopback", "parse_realm", "untrusted_reason"]
