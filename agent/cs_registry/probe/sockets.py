"""TCP and TLS with our own timeouts, each failure already a diagnosis code.

``getaddrinfo`` runs in a thread (it has no timeout of its own); connects try every
address within one deadline; a handshake failure is classified by :mod:`.tlstrust`.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time

from cs_registry.diagnosis import Code
from cs_registry.probe import tlstrust

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


__all__ = [
    "Address",
    "NetError",
    "connect",
    "handshake",
    "resolve",
    "show_address",
    "speaks_plain_http",
]
