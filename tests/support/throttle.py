"""A loopback reverse proxy in front of a real registry that spoils manifests.

Everything is forwarded to the registry except ``/v2/…/manifests/…``, which gets
``429 Too Many Requests`` with ``Retry-After`` and a ``TOOMANYREQUESTS`` error body,
as Docker Hub answers over its pull limit; or, with ``rewrite``, the registry's
manifest with one byte added (a mirror that rewrites content: the digest no longer
matches). Login (``/v2/``) still works, so only the pull fails, as it does for users.
"""

from __future__ import annotations

import contextlib
import http.client
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

from tests.support.fake_servers import QuietServer, serving

RETRY_AFTER = "37"
_BODY = (
    b'{"errors":[{"code":"TOOMANYREQUESTS","message":"You have reached your pull rate limit."}]}'
)
_HOP = {"connection", "keep-alive", "transfer-encoding", "host", "content-length"}


def _handler(
    upstream: tuple[str, int], rewrite: bool, stall: float
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 5

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _forward(self) -> None:
            if "/manifests/" in self.path and stall:
                time.sleep(stall)  # a registry that accepts the request and never answers
                return
            if "/manifests/" in self.path and not rewrite:
                self.send_response(429)
                self.send_header("Retry-After", RETRY_AFTER)
                self.send_header("Content-Type", "application/json")
                self.send_header("Docker-Distribution-Api-Version", "registry/2.0")
                self.send_header("Content-Length", str(len(_BODY)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(_BODY)
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers: dict[str, str] = {}
            for name, value in self.headers.items():
                if name.lower() not in _HOP:  # Docker sends Accept once per media type
                    headers[name] = f"{headers[name]}, {value}" if name in headers else value
            connection = http.client.HTTPConnection(*upstream, timeout=10)
            try:
                connection.request(self.command, self.path, body=body, headers=headers)
                answer = connection.getresponse()
                payload = answer.read()
                if rewrite and "/manifests/" in self.path and answer.status == 200:
                    payload += b"\n"
            finally:
                connection.close()
            self.send_response(answer.status, answer.reason)
            for name, value in answer.getheaders():
                if name.lower() not in _HOP:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

    return Handler


@contextlib.contextmanager
def throttled(registry_host: str, *, rewrite: bool = False, stall: float = 0.0) -> Iterator[str]:
    """Serve the proxy on 127.0.0.1; yields its ``host:port``.

    ``rewrite`` spoils manifests instead of refusing them; ``stall`` holds manifest
    requests that many seconds without an answer.
    """
    host, _, port = registry_host.rpartition(":")
    httpd = QuietServer(("127.0.0.1", 0), _handler((host, int(port)), rewrite, stall))
    with serving(httpd) as address:
        yield address
