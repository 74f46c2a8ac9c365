"""The docker step against a fake Engine API on a unix socket: agreeing and differing."""

from __future__ import annotations

import contextlib
import json
import socketserver
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from cs_registry.main import main
from tests.support.captured import MakeCtx
from tests.support.fake_servers import canned

REGISTRY_HEADERS = {
    "WWW-Authenticate": 'Basic realm="fake"',
    "Docker-Distribution-Api-Version": "registry/2.0",
}


@contextlib.contextmanager
def fake_daemon(
    path: Path, auth_status: int, auth_body: dict[str, str]
) -> Iterator[list[dict[str, Any]]]:
    """``GET /info`` with a proxy and an insecure registry; ``POST /auth`` as given."""
    logins: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def address_string(self) -> str:
            return "unix"

        def _reply(self, status: int, document: dict[str, Any]) -> None:
            body = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._reply(
                200,
                {
                    "HttpsProxy": "http://daemon-proxy:3128",
                    "RegistryConfig": {
                        "InsecureRegistryCIDRs": ["127.0.0.0/8"],
                        "IndexConfigs": {"legacy.example:5000": {"Secure": False}},
                    },
                },
            )

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            logins.append(json.loads(self.rfile.read(length)))
            self._reply(auth_status, auth_body)

    class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
        daemon_threads = True

    server = Server(str(path), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield logins
    finally:
        server.shutdown()
        server.server_close()


def _run(make_ctx: MakeCtx, socket: Path, host: str) -> dict[str, Any]:
    ctx = make_ctx({"DOCKER_HOST": f"unix://{socket}"}, stdin="pw")
    main(["debug-login", host, "-u", "alice", "--password-stdin", "--json"], ctx)
    document: dict[str, Any] = json.loads(ctx.stdout.getvalue())
    return document


def _step(document: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in document["steps"] if s["name"] == name)


def test_daemon_login_gets_the_same_credentials(make_ctx: MakeCtx, tmp_path: Path) -> None:
    socket = tmp_path / "docker.sock"
    with (
        fake_daemon(socket, 200, {"Status": "Login Succeeded"}) as logins,
        canned(200, {"Docker-Distribution-Api-Version": "registry/2.0"}) as host,
    ):
        document = _run(make_ctx, socket, host)
    assert logins == [{"serveraddress": host, "username": "alice", "password": "pw"}]
    assert _step(document, "docker")["status"] == "ok"


def test_daemon_refusing_what_works_here_is_the_diagnosis(
    make_ctx: MakeCtx, tmp_path: Path
) -> None:
    socket = tmp_path / "docker.sock"
    message = 'Get "https://r/v2/": x509: certificate signed by unknown authority'
    with (
        fake_daemon(socket, 500, {"message": message}),
        canned(200, {"Docker-Distribution-Api-Version": "registry/2.0"}) as host,
    ):
        document = _run(make_ctx, socket, host)
    docker = _step(document, "docker")
    assert (docker["status"], docker["code"]) == ("fail", "tls_unknown_ca")
    assert message in docker["detail"]  # verbatim
    assert "daemon http://daemon-proxy:3128 vs shell (unset)" in docker["detail"]
    assert "legacy.example:5000" in docker["detail"]
    assert document["diagnosis"]["code"] == "tls_unknown_ca"


def test_daemon_accepting_what_fails_here_is_a_warning(make_ctx: MakeCtx, tmp_path: Path) -> None:
    socket = tmp_path / "docker.sock"
    with (
        fake_daemon(socket, 200, {"Status": "Login Succeeded"}),
        canned(401, REGISTRY_HEADERS) as host,
    ):
        document = _run(make_ctx, socket, host)
    docker = _step(document, "docker")
    assert docker["status"] == "warn"
    assert "while this shell's login failed" in docker["detail"]
    assert document["diagnosis"]["code"] == "bad_credentials"
