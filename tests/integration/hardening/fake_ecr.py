"""A loopback stand-in for ECR's ``GetAuthorizationToken`` that counts its callers.

moto hands out tokens that expired in 2015, so a separate process can never find
one fresh in the cache; this server issues tokens valid for 12 hours, can be made
slow (to widen the window in which concurrent helpers race to refresh), and
counts every swap. botocore reaches it through ``AWS_ENDPOINT_URL_ECR``.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ACCOUNT = "123456789012"
HOST = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"


@dataclass
class FakeEcr:
    """What the server hands out and what it saw."""

    url: str = ""
    password: str = "ecr-token-password"
    delay: float = 0.0
    swaps: int = 0
    key_ids: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def env(self) -> dict[str, str]:
        """botocore's variables that send ECR calls here."""
        return {
            "AWS_ENDPOINT_URL_ECR": self.url,
            "AWS_ENDPOINT_URL_STS": self.url,
            "AWS_EC2_METADATA_DISABLED": "true",
        }


def _handler(state: FakeEcr) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass  # keep pytest's output clean

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            target = self.headers.get("X-Amz-Target", "")
            authorization = self.headers.get("Authorization", "")
            key_id = authorization.partition("Credential=")[2].partition("/")[0]
            if not target.endswith(".GetAuthorizationToken"):
                self._answer(400, {"__type": "UnknownOperationException", "message": target})
                return
            with state._lock:
                state.swaps += 1
                state.key_ids.append(key_id)
            time.sleep(state.delay)
            now = time.time()
            token = base64.b64encode(f"AWS:{state.password}".encode()).decode()
            self._answer(
                200,
                {
                    "authorizationData": [
                        {
                            "authorizationToken": token,
                            "expiresAt": now + 12 * 3600,
                            "proxyEndpoint": f"https://{HOST}",
                        }
                    ]
                },
            )

        def _answer(self, status: int, document: object) -> None:
            body = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def serve(state: FakeEcr | None = None) -> Iterator[FakeEcr]:
    """Run a fake ECR on 127.0.0.1 (a free port) for the ``with`` block."""
    state = state or FakeEcr()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
