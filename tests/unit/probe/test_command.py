"""The debug-login command: checklist, JSON contract, exit codes, redaction, clock skew.

Servers here are tiny loopback fakes; no daemon is asked (DOCKER_HOST points nowhere).
"""

from __future__ import annotations

import contextlib
import io
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from cs_registry.main import main
from tests.support.captured import MakeCtx
from tests.support.fake_servers import QuietServer, canned, closed_port

STEP_NAMES = [
    "input",
    "dns",
    "tcp",
    "tls",
    "ping",
    "challenge",
    "auth",
    "scope",
    "docker",
    "config",
]
NO_DAEMON = {"DOCKER_HOST": "unix:///nonexistent/docker.sock"}
PASSWORD = "hunter2-very-secret-password"


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True

    @property
    # typeshed declares encoding a writable attribute, but StringIO's is read-only (None)
    # at runtime: a property is the only way to give it a value, which mypy calls an override
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"


def _run(
    make_ctx: MakeCtx,
    *args: str,
    env: dict[str, str] | None = None,
    stdin: str = PASSWORD,
    clock: Callable[[], float] | None = None,
    tty: bool = False,
) -> tuple[int, str, str]:
    ctx = make_ctx({**NO_DAEMON, **(env or {})}, stdin=stdin)
    if tty:
        ctx.stdout = _Tty()
    if clock is not None:
        ctx.clock = clock
    status = main(["debug-login", *args], ctx)
    return status, ctx.stdout.getvalue(), ctx.stderr.getvalue()


@contextlib.contextmanager
def _bearer_registry(token_accepted: bool) -> Iterator[tuple[str, list[str]]]:
    """/v2/ asks for a Bearer token from /token on the same origin; records Authorization."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        timeout = 0.5

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            seen.append("POST " + self.rfile.read(length).decode())
            body = json.dumps({"access_token": "issued-token-value-123"}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            authorization = self.headers.get("Authorization", "")
            seen.append(authorization)
            address = self.server.server_address  # typed for every family; this one is TCP
            assert isinstance(address, tuple)
            port = int(address[1])
            if self.path.startswith("/token"):
                body = json.dumps({"token": "issued-token-value-123"}).encode()
                self.send_response(200)
            elif authorization == "Bearer issued-token-value-123" and token_accepted:
                body = b"{}"
                self.send_response(200)
            else:
                body = b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}'
                self.send_response(401)
                self.send_header(
                    "WWW-Authenticate",
                    f'Bearer realm="http://127.0.0.1:{port}/token",service="fake"',
                )
            self.send_header("Docker-Distribution-Api-Version", "registry/2.0")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = QuietServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"127.0.0.1:{httpd.server_address[1]}", seen
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_json_follows_the_contract(make_ctx: MakeCtx) -> None:
    status, out, _ = _run(
        make_ctx, f"127.0.0.1:{closed_port()}", "-u", "u", "--password-stdin", "--json"
    )
    document = json.loads(out)
    assert set(document) == {"server", "ok", "steps", "diagnosis"}
    assert [s["name"] for s in document["steps"]] == STEP_NAMES
    for step in document["steps"]:
        assert set(step) == {"name", "status", "code", "detail", "elapsed_ms"}
        assert step["status"] in {"ok", "fail", "warn", "skip"}
        assert isinstance(step["elapsed_ms"], int)
    assert set(document["diagnosis"]) == {"code", "summary", "remedy"}
    assert document["diagnosis"]["code"] == "connection_refused"
    assert document["ok"] is False
    assert status == 1


def test_checklist_without_colour_when_not_a_tty(make_ctx: MakeCtx) -> None:
    _, out, _ = _run(make_ctx, f"127.0.0.1:{closed_port()}", "-u", "u", "--password-stdin")
    assert "\x1b[" not in out
    assert "Diagnosis: connection_refused (docker login would fail)" in out
    assert "Fix: Check the port" in out
    assert " ms " in out


def test_colour_on_a_tty_unless_no_color(make_ctx: MakeCtx) -> None:
    server = f"127.0.0.1:{closed_port()}"
    _, coloured, _ = _run(make_ctx, server, "-u", "u", "--password-stdin", tty=True)
    _, plain, _ = _run(
        make_ctx, server, "-u", "u", "--password-stdin", tty=True, env={"NO_COLOR": "1"}
    )
    assert "\x1b[31m" in coloured
    assert "✗" in coloured
    assert "\x1b[" not in plain


@pytest.mark.parametrize(
    "args",
    [
        ("reg.example", "-u", "alice"),  # no --password-stdin
        ("reg.example", "--password-stdin"),  # no -u
        ("reg.example", "--timeout", "0"),
        ("reg.example", "--ca-file", "/nonexistent/ca.pem"),
        ("ftp://reg.example",),
        (),
    ],
)
def test_usage_errors_exit_2(make_ctx: MakeCtx, args: tuple[str, ...]) -> None:
    status, _, _ = _run(make_ctx, *args)
    assert status == 2


def test_verbose_shows_requests_with_credentials_redacted(
    make_ctx: MakeCtx,
) -> None:
    with canned(
        401,
        {
            "WWW-Authenticate": 'Basic realm="fake"',
            "Docker-Distribution-Api-Version": "registry/2.0",
        },
    ) as host:
        status, out, err = _run(make_ctx, host, "-u", "alice", "--password-stdin", "--verbose")
    assert "→ GET http://" in out
    assert "Authorization: Basic …(" in out
    assert PASSWORD not in out + err
    assert "Diagnosis: bad_credentials" in out
    assert status == 1


def test_verbose_json_has_traces_without_tokens(make_ctx: MakeCtx) -> None:
    with _bearer_registry(token_accepted=True) as (host, seen):
        status, out, err = _run(
            make_ctx, host, "-u", "alice", "--password-stdin", "--verbose", "--json"
        )
    document = json.loads(out)
    assert document["diagnosis"]["code"] == "ok"
    assert any("Bearer …(" in line for s in document["steps"] for line in s["trace"])
    assert "issued-token-value-123" not in out + err
    assert PASSWORD not in out + err
    assert any(value.startswith("Basic ") for value in seen)  # the realm got credentials
    assert status == 0


def test_rejected_token_with_a_skewed_clock_is_clock_skew(
    make_ctx: MakeCtx,
) -> None:
    with _bearer_registry(token_accepted=False) as (host, _):
        _, out, _ = _run(
            make_ctx,
            host,
            "-u",
            "alice",
            "--password-stdin",
            "--json",
            clock=lambda: time.time() + 3600,
        )
    document = json.loads(out)
    ping = next(s for s in document["steps"] if s["name"] == "ping")
    assert (ping["status"], ping["code"]) == ("warn", "clock_skew")
    assert document["diagnosis"]["code"] == "clock_skew"


def test_rejected_token_with_a_good_clock_is_bad_credentials(
    make_ctx: MakeCtx,
) -> None:
    with _bearer_registry(token_accepted=False) as (host, _):
        _, out, _ = _run(make_ctx, host, "-u", "alice", "--password-stdin", "--json")
    assert json.loads(out)["diagnosis"]["code"] == "bad_credentials"


def test_cross_origin_token_redirect_is_refused(make_ctx: MakeCtx) -> None:
    with (
        canned(302, {"Location": "http://127.0.0.2:9/steal"}) as realm_host,
        canned(
            401,
            {
                "WWW-Authenticate": f'Bearer realm="http://{realm_host}/token",service="s"',
                "Docker-Distribution-Api-Version": "registry/2.0",
            },
        ) as host,
    ):
        _, out, _ = _run(make_ctx, host, "-u", "a", "--password-stdin", "--json")
    document = json.loads(out)
    assert document["diagnosis"]["code"] == "untrusted_realm"
    auth = next(s for s in document["steps"] if s["name"] == "auth")
    assert "127.0.0.2:9/steal" in auth["detail"]


def test_identity_token_uses_the_oauth2_post(make_ctx: MakeCtx, isolated_home: Path) -> None:
    with _bearer_registry(token_accepted=True) as (host, seen):
        config = isolated_home / ".docker"
        config.mkdir(exist_ok=True)
        (config / "config.json").write_text(
            json.dumps({"auths": {host: {"identitytoken": "refresh-token-value-456"}}})
        )
        status, out, err = _run(make_ctx, host, "--json", "--verbose")
    document = json.loads(out)
    assert document["diagnosis"]["code"] == "ok"
    posts = [entry for entry in seen if entry.startswith("POST ")]
    assert len(posts) == 1
    form = parse_qs(posts[0].removeprefix("POST "))
    assert form["grant_type"] == ["refresh_token"]
    assert form["refresh_token"] == ["refresh-token-value-456"]
    assert form["client_id"] == ["docker"]
    assert form["service"] == ["fake"]
    assert "refresh-token-value-456" not in out + err
    assert status == 0
