"""A loopback HTTP server whose answers are raw bytes, for registries that misbehave.

``http.server`` cannot send endless headers or invalid UTF-8 in a header line; this
server reads the request head and hands the socket to a behaviour function, which
writes whatever it likes. Every behaviour stops when the client hangs up, so a
bounded client ends it.
"""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field


@dataclass
class Request:
    """The parts of one request a behaviour looks at."""

    method: str
    path: str
    headers: dict[str, str]

    @property
    def basic(self) -> tuple[str, str] | None:
        """The Basic credentials sent, if any."""
        value = self.headers.get("authorization", "")
        if not value.lower().startswith("basic "):
            return None
        user, _, password = base64.b64decode(value[6:]).decode("utf-8", "replace").partition(":")
        return user, password


Behaviour = Callable[[Request, socket.socket, "RawServer"], None]


def response(status: str, headers: dict[str, str] | None = None, body: bytes = b"") -> bytes:
    """A complete HTTP/1.1 response with ``Content-Length`` and ``Connection: close``."""
    lines = [f"HTTP/1.1 {status}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    lines += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1") + body


def json_response(status: str, document: object, headers: dict[str, str] | None = None) -> bytes:
    return response(
        status,
        {"Content-Type": "application/json", **(headers or {})},
        json.dumps(document).encode(),
    )


@dataclass
class RawServer:
    """A listening socket on 127.0.0.1 and the behaviour that answers each request."""

    behaviour: Behaviour
    host: str = ""
    requests: list[Request] = field(default_factory=list)
    _sock: socket.socket | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def _serve(self) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue  # look at the stop flag: close() does not wake accept()
            except OSError:
                return
            conn.settimeout(None)  # accepted sockets inherit the listener's timeout
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                head = b""
                while b"\r\n\r\n" not in head and len(head) < 65536:
                    chunk = conn.recv(4096)
                    if not chunk or (not head and chunk[:1] == b"\x16"):
                        return  # hung up, or a TLS hello (the daemon tries https first)
                    head += chunk
                lines = head.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
                method, path = [*lines[0].split(" "), "", ""][:2]
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                request = Request(method, path, headers)
                self.requests.append(request)
                self.behaviour(request, conn, self)
            except OSError:
                pass  # the client gave up: exactly what a bounded client should do


@contextlib.contextmanager
def serve(behaviour: Behaviour) -> Iterator[RawServer]:
    """Run ``behaviour`` on a free loopback port for the ``with`` block."""
    server = RawServer(behaviour)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    sock.settimeout(0.05)
    server._sock = sock
    server.host = f"127.0.0.1:{sock.getsockname()[1]}"
    thread = threading.Thread(target=server._serve, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server._stop.set()
        thread.join(timeout=5)
        sock.close()


def endless(conn: socket.socket, first: bytes, chunk: bytes, limit: int = 1 << 30) -> None:
    """Send ``first`` then ``chunk`` forever (until the client hangs up or ``limit``)."""
    conn.sendall(first)
    sent = 0
    while sent < limit:
        conn.sendall(chunk)
        sent += len(chunk)
