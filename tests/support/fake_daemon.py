"""A unix socket that answers ``/_ping`` and ``/version`` like dockerd, for unit tests."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _answer(conn: socket.socket) -> None:
    with conn:
        for _ in range(2):
            request = conn.recv(4096)
            if not request:
                return
            body = b"OK" if b"/_ping" in request else b'{"Version": "27.0.1"}'
            head = f"HTTP/1.1 200 OK\r\nApi-Version: 1.46\r\nContent-Length: {len(body)}\r\n\r\n"
            conn.sendall(head.encode() + body)


@contextmanager
def fake_daemon(path: Path) -> Iterator[Path]:
    """Serve on ``path`` until the block ends."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen()
    server.settimeout(0.05)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            _answer(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield path
    finally:
        stop.set()
        thread.join()
        server.close()
