"""An HTTPS proxy that terminates TLS for AWS API hosts and forwards to a local moto.

For tools that cannot be pointed at another endpoint (Debian's
``docker-credential-ecr-login`` 0.6 ignores ``AWS_ENDPOINT_URL``) but honour
``HTTPS_PROXY`` and ``AWS_CA_BUNDLE``: they CONNECT to ``api.ecr.REGION.amazonaws.com:443``,
we answer with a certificate from a test CA and pipe the plain HTTP to moto, which
routes by the Host and signature headers. Loopback only.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.support.ca import make_ca

AWS_HOSTS = (
    "api.ecr.us-east-1.amazonaws.com",
    "sts.us-east-1.amazonaws.com",
    "sts.amazonaws.com",
)


@dataclass
class AwsProxy:
    url: str
    ca_bundle: Path

    def env(self) -> dict[str, str]:
        return {
            "HTTPS_PROXY": self.url,
            "https_proxy": self.url,
            "AWS_CA_BUNDLE": str(self.ca_bundle),
        }


def _pipe(source: socket.socket, target: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            target.sendall(data)
    with contextlib.suppress(OSError):
        target.shutdown(socket.SHUT_WR)


@contextlib.contextmanager
def aws_proxy(directory: Path, upstream_port: int) -> Iterator[AwsProxy]:
    """Run the proxy until the block ends."""
    ca = make_ca(directory)
    cert, key = ca.issue(directory, list(AWS_HOSTS))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            client: socket.socket = self.request
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = client.recv(4096)
                if not chunk:
                    return
                head += chunk
            if not head.startswith(b"CONNECT "):
                client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                return
            client.sendall(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            try:
                secure = context.wrap_socket(client, server_side=True)
            except (ssl.SSLError, OSError):
                return
            with secure, socket.create_connection(("127.0.0.1", upstream_port)) as upstream:
                back = threading.Thread(target=_pipe, args=(upstream, secure), daemon=True)
                back.start()
                _pipe(secure, upstream)
                back.join(timeout=30)

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield AwsProxy(f"http://127.0.0.1:{server.server_address[1]}", ca.cert_path)
    finally:
        server.shutdown()
        server.server_close()
