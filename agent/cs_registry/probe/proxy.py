"""HTTP(S) proxies, chosen as ``docker login`` would choose them.

``docker login`` goes through the daemon, so the daemon's proxy settings (from
``docker info``) apply, not the shell's; without a daemon the CLI logs in itself
with the shell's ``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY``. Like Go's
``httpproxy``, loopback and ``localhost`` are never proxied. HTTPS goes through a
``CONNECT`` tunnel; plain HTTP is sent to the proxy in absolute form.
"""

from __future__ import annotations

import base64
import ipaddress
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from cs_registry.diagnosis import Code
from cs_registry.probe.realm import is_loopback
from cs_registry.probe.sockets import Address, NetError, connect, resolve

#: a proxy's answer to CONNECT is a status line and a few headers
MAX_CONNECT_ANSWER = 16 * 1024


@dataclass(frozen=True)
class ProxySettings:
    """The three variables, and whose they are (``the daemon's`` or ``this shell's``)."""

    https: str = ""
    http: str = ""
    no_proxy: str = ""
    owner: str = "this shell's"


@dataclass
class Proxy:
    """One proxy to go through; ``addresses`` are filled in when it is resolved."""

    host: str
    port: int
    authorization: str | None
    variable: str
    addresses: list[Address]

    @property
    def shown(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def shell_settings(environ: Mapping[str, str]) -> ProxySettings:
    """The shell's variables (upper case first, as Go reads them)."""

    def read(name: str) -> str:
        return environ.get(name) or environ.get(name.lower()) or ""

    return ProxySettings(read("HTTPS_PROXY"), read("HTTP_PROXY"), read("NO_PROXY"))


def _ip_match(host: str, entry: str) -> bool:
    try:
        network = ipaddress.ip_network(entry.strip("[]"), strict=False)
        return ipaddress.ip_address(host) in network
    except ValueError:
        return False


def _split_port(entry: str) -> tuple[str, str]:
    if entry.startswith("[") and "]:" in entry:
        name, _, port = entry.rpartition(":")
        return name.strip("[]"), port
    if entry.count(":") == 1:
        name, _, port = entry.partition(":")
        return name, port
    return entry, ""


def bypassed(host: str, port: int, no_proxy: str) -> bool:
    """Go's ``NO_PROXY`` rules: ``*``, IPs and CIDRs, ``name`` (and its subdomains),
    ``.name`` (subdomains only), each with an optional port."""
    host = host.lower().strip("[]")
    for raw in no_proxy.split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        if entry == "*" or _ip_match(host, entry):
            return True
        name, entry_port = _split_port(entry)
        if entry_port and entry_port != str(port):
            continue
        name = name.removeprefix("*")
        if name.startswith("."):
            if host.endswith(name):
                return True
        elif host == name or host.endswith("." + name):
            return True
    return False


def choose(settings: ProxySettings, scheme: str, host: str, port: int) -> Proxy | None:
    """The proxy a request to ``scheme://host:port`` goes through, or ``None``."""
    if is_loopback(host) or bypassed(host, port, settings.no_proxy):
        return None
    value = settings.https if scheme == "https" else settings.http
    if not value:
        return None
    variable = f"{settings.owner} {'HTTPS_PROXY' if scheme == 'https' else 'HTTP_PROXY'}"
    parts = urlsplit(value if "://" in value else f"http://{value}")
    try:
        proxy_port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        proxy_port = 0
    if not parts.hostname or proxy_port == 0:
        raise NetError(Code.PROXY_ERROR, f"{variable} is not a proxy URL")
    if parts.scheme not in ("http", ""):
        raise NetError(
            Code.PROXY_ERROR, f"{variable} uses {parts.scheme}://, which this probe cannot speak"
        )
    authorization = None
    if parts.username is not None:
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        authorization = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
    return Proxy(parts.hostname, proxy_port, authorization, variable, [])


def resolve_proxy(proxy: Proxy, timeout: float) -> None:
    """Fill in the proxy's addresses; a failure is ``proxy_error``, naming the proxy."""
    try:
        proxy.addresses = resolve(proxy.host, proxy.port, timeout)
    except NetError as exc:
        raise NetError(Code.PROXY_ERROR, f"{proxy.variable} {proxy.shown}: {exc.detail}") from None


def tunnel(proxy: Proxy, host: str, port: int, timeout: float) -> socket.socket:
    """A ``CONNECT`` tunnel to ``host:port`` through ``proxy``."""
    if not proxy.addresses:
        resolve_proxy(proxy, timeout)
    try:
        sock = connect(proxy.addresses, timeout)
    except NetError as exc:
        raise NetError(Code.PROXY_ERROR, f"{proxy.variable} {proxy.shown}: {exc.detail}") from None
    target = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    lines = [f"CONNECT {target} HTTP/1.1", f"Host: {target}"]
    if proxy.authorization:
        lines.append(f"Proxy-Authorization: {proxy.authorization}")
    try:
        sock.settimeout(timeout)
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("ascii"))
        answer = b""
        while b"\r\n\r\n" not in answer and len(answer) < MAX_CONNECT_ANSWER:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    except OSError as exc:
        sock.close()
        raise NetError(
            Code.PROXY_ERROR, f"{proxy.variable} {proxy.shown} broke off CONNECT {target} ({exc})"
        ) from None
    status_line = answer.split(b"\r\n", 1)[0].decode("latin-1").strip()
    fields = status_line.split(" ", 2)
    if len(fields) < 2 or not fields[0].startswith("HTTP/") or fields[1] != "200":
        sock.close()
        said = status_line or "nothing"
        raise NetError(
            Code.PROXY_ERROR,
            f"{proxy.variable} {proxy.shown} answered {said!r} to CONNECT {target}",
        )
    return sock


__all__ = [
    "Proxy",
    "ProxySettings",
    "bypassed",
    "choose",
    "resolve_proxy",
    "shell_settings",
    "tunnel",
]
