"""HTTP with every timeout and size under our control.

``http.client`` runs over a socket :mod:`.sockets` opened (and wrapped in TLS), so
each failure maps to one diagnosis code; bodies are capped at :data:`MAX_BODY`
and http.client caps header lines and counts.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import Message

from cs_registry.diagnosis import Code
from cs_registry.probe.proxy import Proxy, resolve_proxy, tunnel
from cs_registry.probe.sockets import Address, NetError, connect, handshake

#: response bodies are cut here: registry answers and tokens are a few KB
MAX_BODY = 256 * 1024
USER_AGENT = "cs-registry-debug-login (docker-compatible probe)"


@dataclass
class Endpoint:
    """Where requests go: scheme, host (for Host and SNI), port, addresses and TLS context."""

    scheme: str
    host: str
    port: int
    addresses: list[Address]
    context: ssl.SSLContext | None = None
    #: go through this proxy (CONNECT for https, absolute-form requests for http)
    proxy: Proxy | None = None

    @property
    def origin(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}" + ("" if self.port == default else f":{self.port}")

    def url(self, target: str) -> str:
        return self.origin + target


@dataclass
class Response:
    """A capped HTTP response."""

    status: int
    reason: str
    headers: Message
    body: bytes = field(repr=False)  # may hold a token answer: never in a repr
    truncated: bool = False
    elapsed_ms: int = 0
    trace: list[str] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        value = self.headers.get(name)
        return str(value) if value is not None else None

    def header_all(self, name: str) -> list[str]:
        return [str(v) for v in self.headers.get_all(name) or []]


class _Connection(http.client.HTTPConnection):
    """http.client over a socket we connected (and wrapped) ourselves."""

    def __init__(self, endpoint: Endpoint, timeout: float) -> None:
        super().__init__(endpoint.host, endpoint.port, timeout=timeout)
        self._endpoint = endpoint

    def connect(self) -> None:
        endpoint = self._endpoint
        timeout = float(self.timeout or 1.0)
        if endpoint.proxy is None:
            sock = connect(endpoint.addresses, timeout)
        elif endpoint.scheme == "https":
            sock = tunnel(endpoint.proxy, endpoint.host, endpoint.port, timeout)
        else:
            if not endpoint.proxy.addresses:
                resolve_proxy(endpoint.proxy, timeout)
            sock = connect(endpoint.proxy.addresses, timeout)
        if endpoint.context is not None:
            sock = handshake(sock, endpoint.context, endpoint.host, timeout)
        sock.settimeout(timeout)
        self.sock = sock


def _shown_headers(headers: Mapping[str, str]) -> str:
    shown = []
    for name, value in headers.items():
        if name.lower() in ("authorization", "proxy-authorization"):
            scheme, _, rest = value.partition(" ")
            shown.append(f"{name}: {scheme} …({len(rest)} chars)")
        else:
            shown.append(f"{name}: {value}")
    return "; ".join(shown)


def _exchange(
    connection: _Connection,
    *,
    endpoint: Endpoint,
    method: str,
    target: str,
    body: bytes | None,
    headers: dict[str, str],
) -> tuple[http.client.HTTPResponse, bytes]:
    timeout = connection.timeout
    try:
        connection.request(method, target, body=body, headers=headers)
        answer = connection.getresponse()
        return answer, answer.read(MAX_BODY + 1)
    except NetError:
        raise
    except TimeoutError:
        raise NetError(
            Code.READ_TIMEOUT,
            f"{endpoint.origin} accepted the connection but sent no answer within {timeout:.1f} s",
        ) from None
    except ConnectionRefusedError:
        raise NetError(
            Code.CONNECTION_REFUSED, f"{endpoint.origin} refused the connection"
        ) from None
    except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
        raise NetError(
            Code.REGISTRY_UNAVAILABLE,
            f"{endpoint.origin} closed the connection without an HTTP answer",
        ) from None
    except http.client.HTTPException as exc:
        raise NetError(
            Code.NOT_A_REGISTRY,
            f"{endpoint.origin} answered something that is not HTTP ({type(exc).__name__})",
        ) from None
    except OSError as exc:
        raise NetError(Code.REGISTRY_UNAVAILABLE, f"{endpoint.origin}: {exc}") from None


def _too_slow(endpoint: Endpoint, timeout: float) -> NetError:
    return NetError(
        Code.READ_TIMEOUT, f"{endpoint.origin} did not finish its answer within {timeout:.1f} s"
    )


def _abort(connection: _Connection, expired: threading.Event) -> None:
    """Watchdog: wake a read blocked on ``connection`` by shutting its socket down."""
    expired.set()
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def request(
    endpoint: Endpoint,
    method: str,
    target: str,
    *,
    timeout: float,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    shown_target: str | None = None,
) -> Response:
    """One request on a fresh connection; errors become :class:`NetError`."""
    sent = {"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})}
    shown_url = endpoint.url(shown_target or target)
    via = ""
    proxy = endpoint.proxy
    if proxy is not None:
        via = f" via {proxy.variable} {proxy.shown}"
        if endpoint.scheme == "http":
            target = endpoint.url(target)  # absolute form: the proxy makes the request
            if proxy.authorization:
                sent["Proxy-Authorization"] = proxy.authorization
    trace = [f"→ {method} {shown_url}{via}  ({_shown_headers(sent)})"]
    started = time.monotonic()
    connection = _Connection(endpoint, timeout)
    # the socket timeout bounds each read; a server trickling a byte at a time would
    # never trip it, so a watchdog ends the whole exchange at the deadline
    expired = threading.Event()
    watchdog = threading.Timer(timeout, _abort, args=(connection, expired))
    watchdog.daemon = True
    watchdog.start()
    try:
        answer, payload = _exchange(
            connection, endpoint=endpoint, method=method, target=target, body=body, headers=sent
        )
    except NetError as exc:
        error = _too_slow(endpoint, timeout) if expired.is_set() else exc
        error.trace = [*trace, f"✗ {error.detail}"]
        raise error from None
    finally:
        watchdog.cancel()
        connection.close()
    if expired.is_set():  # the deadline struck as the last bytes arrived: cut, not whole
        error = _too_slow(endpoint, timeout)
        error.trace = [*trace, f"✗ {error.detail}"]
        raise error
    elapsed = int((time.monotonic() - started) * 1000)
    truncated = len(payload) > MAX_BODY
    response = Response(
        status=answer.status,
        reason=answer.reason,
        headers=answer.msg,
        body=payload[:MAX_BODY],
        truncated=truncated,
        elapsed_ms=elapsed,
    )
    interesting = (
        "WWW-Authenticate",
        "Docker-Distribution-Api-Version",
        "Content-Type",
        "Location",
        "Retry-After",
        "Date",
    )
    shown = "; ".join(
        f"{name}: {value}" for name in interesting for value in response.header_all(name)
    )
    trace.append(f"← {answer.status} {answer.reason} in {elapsed} ms  ({shown})")
    response.trace = trace
    return response


__all__ = ["MAX_BODY", "USER_AGENT", "Endpoint", "Response", "request"]
