"""Small loopback servers for the faults a real registry will not produce on demand.

``canned`` answers every request with one fixed response (a 500, a 429 with
``Retry-After``, a web page); ``black_hole`` accepts connections and never says a
word; ``closed_port`` is a port nothing listens on.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextlib.contextmanager
def serving(httpd: ThreadingHTTPServer) -> Iterator[str]:
    """Serve ``httpd`` in the background for the block; yields its ``127.0.0.1:PORT``."""
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


class QuietServer(ThreadingHTTPServer):
    """A threading HTTP server that does not print tracebacks of clients that hang up."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass


@contextlib.contextmanager
def canned(
    status: int, headers: dict[str, str] | None = None, body: bytes = b"{}"
) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 answering ``status`` to everything; yields ``host:port``."""

    class Handler(BaseHTTPRequestHandler):
        # a TLS hello carries no newline: give up on it fast, as real servers do
        timeout = 0.5

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = QuietServer(("127.0.0.1", 0), Handler)
    with serving(httpd) as address:
        yield address


@contextlib.contextmanager
def black_hole() -> Iterator[str]:
    """A listener that accepts TCP connections and never answers; yields ``host:port``."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            accepted.append(connection)  # held open, never read from or written to

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(1)
        for connection in accepted:
            connection.close()
        listener.close()


def closed_port() -> int:
    """A port on 127.0.0.1 with no listener (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def connect_proxy(
    target_port: int, *, status: str = "200 Connection established"
) -> Iterator[tuple[str, list[str]]]:
    """A CONNECT proxy on 127.0.0.1 that tunnels every request to ``127.0.0.1:target_port``.

    Any host name may be asked for (the proxy "resolves" it to loopback), so tests
    can use names that do not resolve here. Yields ``host:port`` and the request
    heads it received; answers ``status`` (anything but 200 refuses the tunnel).
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(32)
    heads: list[str] = []
    stop = threading.Event()

    def pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def serve(client: socket.socket) -> None:
        head = b""
        with contextlib.suppress(OSError):
            while b"\r\n\r\n" not in head:
                chunk = client.recv(4096)
                if not chunk:
                    break
                head += chunk
        heads.append(head.decode("latin-1"))
        if not status.startswith("200"):
            client.sendall(f"HTTP/1.1 {status}\r\nContent-Length: 0\r\n\r\n".encode())
            client.close()
            return
        upstream = socket.create_connection(("127.0.0.1", target_port), timeout=5)
        client.sendall(f"HTTP/1.1 {status}\r\n\r\n".encode())
        client.settimeout(None)
        upstream.settimeout(None)
        threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()
        pipe(client, upstream)

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                continue
            threading.Thread(target=serve, args=(client,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{listener.getsockname()[1]}", heads
    finally:
        stop.set()
        thread.join(1)
        listener.close()
