"""A loopback fake of the AWS JSON APIs we call, answering from a script.

moto lacks ECR Public and never answers with AWS's JSON error shape, throttling
or clock-skew errors; this fake does. Each call takes the next scripted answer
for its service (the last one repeats). Requests are recorded for assertions.
"""

from __future__ import annotations

import base64
import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Answer:
    status: int
    body: dict[str, object] | str
    delay: float = 0.0


def token(
    password: str,
    expires_at: float,
    *,
    public: bool = False,
    proxy_endpoint: str = "https://999999999999.dkr.ecr.us-east-1.amazonaws.com",
) -> Answer:
    """A GetAuthorizationToken answer (ECR: a list of items; ECR Public: one item)."""
    item = {
        "authorizationToken": base64.b64encode(f"AWS:{password}".encode()).decode(),
        "expiresAt": expires_at,
    }
    if public:
        return Answer(200, {"authorizationData": item})
    item["proxyEndpoint"] = proxy_endpoint
    return Answer(200, {"authorizationData": [item]})


def error(code: str, message: str, status: int = 400) -> Answer:
    """AWS's JSON error shape."""
    return Answer(status, {"__type": code, "message": message})


def caller(arn: str) -> Answer:
    """An STS GetCallerIdentity answer (query protocol: XML)."""
    return Answer(
        200,
        "<GetCallerIdentityResponse><GetCallerIdentityResult>"
        f"<Arn>{arn}</Arn><UserId>AIDEXAMPLE</UserId><Account>123456789012</Account>"
        "</GetCallerIdentityResult></GetCallerIdentityResponse>",
    )


def sts_error(code: str, message: str) -> Answer:
    return Answer(
        403,
        f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
        f"<Message>{message}</Message></Error></ErrorResponse>",
    )


@dataclass
class Request:
    service: str
    target: str
    headers: dict[str, str]


@dataclass
class FakeAws:
    url: str = ""
    script: dict[str, list[Answer]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, service: str, *answers: Answer) -> None:
        self.script[service] = list(answers)

    def calls(self, service: str) -> list[Request]:
        return [r for r in self.requests if r.service == service]

    def endpoint_env(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL_ECR": self.url,
            "AWS_ENDPOINT_URL_ECR_PUBLIC": self.url,
            "AWS_ENDPOINT_URL_STS": self.url,
        }

    def _next(self, service: str) -> Answer:
        with self.lock:
            queue = self.script.get(service) or [error("InternalFailure", "no script", 500)]
            return queue.pop(0) if len(queue) > 1 else queue[0]


def _service(target: str) -> str:
    if target.startswith("SpencerFrontendService."):
        return "ecr-public"
    if target.startswith("AmazonEC2ContainerRegistry_"):
        return "ecr"
    return "sts"


@contextlib.contextmanager
def fake_aws() -> Iterator[FakeAws]:
    """Serve on 127.0.0.1 until the block ends."""
    fake = FakeAws()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            target = self.headers.get("X-Amz-Target", "")
            service = _service(target)
            with fake.lock:
                fake.requests.append(Request(service, target, dict(self.headers.items())))
            answer = fake._next(service)
            if answer.delay:
                threading.Event().wait(answer.delay)
            if isinstance(answer.body, str):
                data, kind = answer.body.encode(), "text/xml"
            else:
                data, kind = json.dumps(answer.body).encode(), "application/x-amz-json-1.1"
            self.send_response(answer.status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
