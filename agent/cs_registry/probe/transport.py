"""Sockets, TLS and HTTP with every timeout and size under our control.

Only the standard library: ``getaddrinfo`` in a thread (it has no timeout of its
own), ``socket`` for TCP, ``ssl`` for the handshake and ``http.client`` over the
socket we opened, so each failure maps to one diagnosis code.
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
from cs_registry.probe import tlstrust

#: response bodies are cut here: registry answers and tokens are a few KB
MAX_BODY = 256 * 1024
USER_AGENT = "cs-registry-debug-login (docker-compatible probe)"

Address = tuple[int, tuple[object, ...]]  # (family, sockaddr)


class NetError(Exception):
    """A network failure already classified into a diagnosis code."""

    def __init__(self, code: Code, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.trace: list[str] = []


def resolve(host: str, port: int, timeout: float) -> list[Address]:
    """Addresses of ``host``, bounded by ``timeout`` (``dns_failure`` otherwise)."""
    outcome: list[object] = []

    def lookup() -> None:
        try:
            outcome.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=lookup, name=f"dns-{host}", daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        raise NetError(Code.DNS_FAILURE, f"no DNS answer for {host} within {timeout:.1f} s")
    result = outcome[0]
    if isinstance(result, OSError):
        reason = getattr(result, "strerror", None) or str(result)
        raise NetError(Code.DNS_FAILURE, f"{host} does not resolve ({reason})")
    assert isinstance(result, list)
    addresses: list[Address] = []
    for family, _type, _proto, _name, sockaddr in result:
        entry = (int(family), tuple(sockaddr))
        if entry not in addresses:
            addresses.append(entry)
    if not addresses:
        raise NetError(Code.DNS_FAILURE, f"{host} resolves to no address")
    return addresses


def show_address(address: Address) -> str:
    host, port = str(address[1][0]), address[1][1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def connect(addresses: list[Address], timeout: float) -> socket.socket:
    """A TCP connection to the first address that accepts one."""
    deadline = time.monotonic() + timeout
    errors: list[NetError] = []
    for family, sockaddr in addresses:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(left)
        try:
            sock.connect(sockaddr)
        except TimeoutError:
            sock.close()
            errors.append(
                NetError(
                    Code.CONNECT_TIMEOUT,
                    f"no TCP answer from {show_address((family, sockaddr))} within {timeout:.1f} s",
                )
            )
        except ConnectionRefusedError:
            sock.close()
            errors.append(
                NetError(
                    Code.CONNECTION_REFUSED,
                    f"{show_address((family, sockaddr))} refused the connection",
                )
            )
        except OSError as exc:
            sock.close()
            errors.append(
                NetError(
                    Code.CONNECT_TIMEOUT,
                    f"cannot reach {show_address((family, sockaddr))} ({exc.strerror or exc})",
                )
            )
        else:
            return sock
    if not errors:
        raise NetError(Code.CONNECT_TIMEOUT, f"no time left to connect (budget {timeout:.1f} s)")
    raise errors[0]


def handshake(
    sock: socket.socket, context: ssl.SSLContext, server_hostname: str, timeout: float
) -> ssl.SSLSocket:
    """TLS over ``sock``; failures become :class:`NetError` with a TLS code."""
    sock.settimeout(timeout)
    try:
        return context.wrap_socket(sock, server_hostname=server_hostname)
    except ssl.SSLError as exc:
        sock.close()
        code, detail = tlstrust.classify(exc)
        error = NetError(code, detail)
        error.__cause__ = exc
        raise error from exc
    except TimeoutError:
        sock.close()
        raise NetError(
            Code.READ_TIMEOUT,
            f"the server accepted TCP but did not answer the TLS hello within {timeout:.1f} s",
        ) from None
    except OSError as exc:
        sock.close()
        raise NetError(
            Code.TLS_ERROR, f"the connection broke during the TLS handshake ({exc})"
        ) from None


def speaks_plain_http(addresses: list[Address], host: str, timeout: float) -> bool:
    """Whether the port answers a plain HTTP request (the cause of a garbled TLS hello)."""
    try:
        sock = connect(addresses, timeout)
    except NetError:
        return False
    with contextlib.closing(sock):
        try:
            sock.settimeout(timeout)
            sock.sendall(f"GET /v2/ HTTP/1.0\r\nHost: {host}\r\n\r\n".encode("ascii"))
            return sock.recv(5) == b"HTTP/"
        except OSError:
            return False


@dataclass
class Endpoint:
    """Where requests go: scheme, host (for Host and SNI), port, addresses and TLS context."""

    scheme: str
    host: str
    port: int
    addresses: list[Address]
    context: ssl.SSLContext | None = None

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
    body: bytes
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
        sock = connect(endpoint.addresses, timeout)
        if endpoint.context is not None:
            sock = handshake(sock, endpoint.context, endpoint.host, timeout)
        sock.settimeout(timeout)
        self.sock = sock


def _shown_headers(headers: Mapping[str, str]) -> str:
    shown = []
    for name, value in headers.items():
        if name.lower() == "authorization":
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
    trace = [f"→ {method} {endpoint.url(shown_target or target)}  ({_shown_headers(sent)})"]
    started = time.monotonic()
    connection = _Connection(endpoint, timeout)
    try:
        answer, payload = _exchange(
            connection, endpoint=endpoint, method=method, target=target, body=body, headers=sent
        )
    except NetError as exc:
        exc.trace = [*trace, f"✗ {exc.detail}"]
        raise
    finally:
        connection.close()
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


__all__ = [
    "MAX_BODY",
    "USER_AGENT",
    "Address",
    "Endpoint",
    "NetError",
    "Response",
    "connect",
    "handshake",
    "request",
    "resolve",
    "show_address",
    "speaks_plain_http",
]
