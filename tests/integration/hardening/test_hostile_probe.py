"""``debug-login`` against misbehaving registries, and the devcontainer.json lint on bad files.

Issue 7, suite 4 (network and lint part). A loopback server answers with raw bytes:
endless headers and bodies, invalid UTF-8, bogus ``WWW-Authenticate``, redirect
loops, token answers that are not JSON, 10 MB bodies, a byte every 100 ms. Each run
ends within ``--timeout`` (plus start-up), in bounded memory, with the documented
diagnosis code, exit status 1, valid JSON and no traceback.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.hardening import cli
from tests.integration.hardening import raw_http as R

TIMEOUT = 3.0
SLACK = 4.0  # interpreter start-up and imports on a loaded 2-core machine
MAX_RSS_KIB = 100 * 1024
MB10 = 10 << 20
PROBE_ARGS = ("debug-login", "--json", "--timeout", str(TIMEOUT), "-u", "u", "--password-stdin")

Send = Callable[[R.Request, socket.socket, R.RawServer], None]


def once(raw: bytes) -> Send:
    return lambda req, conn, srv: conn.sendall(raw)


def challenge(value: str) -> Send:
    return once(R.response("401 Unauthorized", {"WWW-Authenticate": value}))


def token_server(
    answer: Callable[[R.RawServer], bytes] | None = None, send: Send | None = None
) -> Send:
    """A Bearer registry whose realm (same origin, ``/token``) answers ``answer(srv)``.

    ``send`` instead takes over the token request's socket (endless answers).
    """

    def behaviour(req: R.Request, conn: socket.socket, srv: R.RawServer) -> None:
        if req.path.startswith("/token"):
            if send is not None:
                send(req, conn, srv)
            elif answer is not None:
                conn.sendall(answer(srv))
            return
        realm = f'Bearer realm="http://{srv.host}/token",service="hostile"'
        conn.sendall(R.response("401 Unauthorized", {"WWW-Authenticate": realm}))

    return behaviour


def drip(req: R.Request, conn: socket.socket, srv: R.RawServer) -> None:
    conn.sendall(b"HTTP/1.1 401 Unauthorized\r\n")
    for _ in range(600):
        conn.sendall(b"X")
        time.sleep(0.1)


def endless_token(req: R.Request, conn: socket.socket, srv: R.RawServer) -> None:
    R.endless(conn, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n", b"a" * 65536)


@dataclass
class Probe:
    id: str
    behaviour: Send
    code: str
    step: str


PROBES = [
    Probe(
        "endless-headers",
        lambda req, conn, srv: R.endless(
            conn, b"HTTP/1.1 401 Unauthorized\r\n", b"X-Junk: " + b"a" * 1000 + b"\r\n"
        ),
        "not_a_registry",
        "ping",
    ),
    Probe(
        "endless-body",
        lambda req, conn, srv: R.endless(
            conn, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n", b"[" * 65536
        ),
        "not_a_registry",
        "ping",
    ),
    Probe(
        "10mb-body",
        once(R.response("401 Unauthorized", {"WWW-Authenticate": 'Basic realm="x"'}, b"{" * MB10)),
        "bad_credentials",
        "auth",
    ),
    Probe(
        "invalid-utf8-challenge",
        once(
            b"HTTP/1.1 401 Unauthorized\r\n"
            b'WWW-Authenticate: Bearer realm="http://\xff\xfe/token",service="\xc3("\r\n'
            b"Content-Length: 3\r\nConnection: close\r\n\r\n\xff\xfe\xfd"
        ),
        "untrusted_realm",
        "auth",
    ),
    Probe("bogus-challenge", challenge('Bearer realm=,,,="=\\'), "not_a_registry", "challenge"),
    Probe("empty-challenge", challenge(""), "not_a_registry", "challenge"),
    Probe(
        "challenge-without-realm", challenge('Bearer service="x"'), "not_a_registry", "challenge"
    ),
    Probe("ftp-realm", challenge('Bearer realm="ftp://127.0.0.1/token"'), "not_a_registry", "auth"),
    Probe(
        "20kb-challenge", challenge('Bearer realm="' + "a" * 20000 + '"'), "not_a_registry", "auth"
    ),
    Probe("unknown-scheme", challenge("Negotiate abc"), "not_a_registry", "challenge"),
    Probe("401-without-challenge", once(R.response("401 Unauthorized")), "not_a_registry", "ping"),
    Probe(
        "redirect-loop",
        lambda req, conn, srv: conn.sendall(R.response("302 Found", {"Location": req.path})),
        "not_a_registry",
        "ping",
    ),
    Probe(
        "redirect-to-closed-port",
        once(R.response("307 Temporary Redirect", {"Location": "http://127.0.0.1:1/v2/"})),
        "not_a_registry",
        "ping",
    ),
    Probe("ssh-banner", once(b"SSH-2.0-OpenSSH_9.6\r\n"), "not_a_registry", "ping"),
    Probe("hang-up", lambda req, conn, srv: None, "registry_unavailable", "ping"),
    Probe("byte-every-100ms", drip, "read_timeout", "ping"),
    Probe(
        "html-200",
        once(R.response("200 OK", {"Content-Type": "text/html"}, b"<html>hi</html>")),
        "not_a_registry",
        "ping",
    ),
    Probe(
        "token-not-json",
        token_server(lambda srv: R.response("200 OK", {}, b"<html>not json</html>")),
        "not_a_registry",
        "auth",
    ),
    Probe(
        "token-wrong-types",
        token_server(lambda srv: R.json_response("200 OK", {"token": 5, "expires_in": "x"})),
        "not_a_registry",
        "auth",
    ),
    Probe(
        "token-empty-object",
        token_server(lambda srv: R.json_response("200 OK", {})),
        "not_a_registry",
        "auth",
    ),
    Probe(
        "token-10mb",
        token_server(lambda srv: R.response("200 OK", {}, b'{"token": "' + b"a" * MB10 + b'"}')),
        "not_a_registry",
        "auth",
    ),
    Probe("token-endless", token_server(send=endless_token), "not_a_registry", "auth"),
    Probe(
        "token-invalid-utf8",
        token_server(lambda srv: R.response("200 OK", {}, b'{"token": "\xff\xfe"}')),
        "not_a_registry",
        "auth",
    ),
    Probe(
        "token-redirect-loop",
        token_server(
            lambda srv: R.response("302 Found", {"Location": f"http://{srv.host}/token?again"})
        ),
        "not_a_registry",
        "auth",
    ),
    Probe(
        "token-500",
        token_server(lambda srv: R.response("500 Internal Server Error", {}, b"oops")),
        "registry_unavailable",
        "auth",
    ),
]


@pytest.mark.parametrize("probe", PROBES, ids=[p.id for p in PROBES])
def test_debug_login_against_a_hostile_registry(probe: Probe, tmp_path: Path) -> None:
    home = tmp_path / "probe-home"
    home.mkdir()
    env = cli.base_env(home, PYTHONIOENCODING="utf-8:strict")
    with R.serve(probe.behaviour) as registry:
        result = cli.run_measured(
            [*PROBE_ARGS, registry.host],
            env,
            stdin=b"hostile-password",
            timeout=60,
        )
    cli.assert_no_traceback(result)
    assert result.returncode == 1, result.out[-2000:] + result.err[-2000:]
    assert result.seconds < TIMEOUT + SLACK
    assert result.max_rss_kib < MAX_RSS_KIB
    assert b"\x1b" not in result.stdout + result.stderr
    assert len(result.stdout) < 256 * 1024  # nothing a server sent is echoed in bulk
    report = json.loads(result.stdout)
    assert report["diagnosis"]["code"] == probe.code
    failed = {s["name"]: s["code"] for s in report["steps"] if s["status"] == "fail"}
    assert failed.get(probe.step) == probe.code, failed


# -- devcontainer.json, through doctor's lint ------------------------------------------


@dataclass
class Devcontainer:
    id: str
    content: bytes
    code: str
    status: int = 1


_REPOS = b'{"customizations": {"codespaces": {"repositories": %s}}}'

DEVCONTAINERS = [
    Devcontainer("invalid-utf8", b'{"name": "\xff"}', "jsonc_syntax"),
    Devcontainer("top-level-array", b"[]", "jsonc_syntax"),
    Devcontainer("empty-file", b"", "jsonc_syntax"),
    Devcontainer("nul-byte", b'{"name": "x"}\x00', "jsonc_syntax"),
    Devcontainer("unterminated-comment", b'{"name": "x" /* ', "jsonc_syntax"),
    Devcontainer("nested-50000-deep", b'{"a":' * 50000 + b"1" + b"}" * 50000, "jsonc_syntax"),
    Devcontainer("10mb-file", b'{"name": "' + b"a" * MB10 + b'"}', "jsonc_syntax"),
    Devcontainer("repositories-list", _REPOS % b"[]", "invalid_repository_name"),
    Devcontainer("repositories-number", _REPOS % b"5", "invalid_repository_name"),
    Devcontainer(
        "permissions-number",
        _REPOS % b'{"octo/x": {"permissions": 5}}',
        "invalid_permission_value",
    ),
    Devcontainer(
        "escape-in-repository-name",
        _REPOS % b'{"octo/\\u001b[2J": {"permissions": "read-all"}}',
        "invalid_repository_name",
    ),
    Devcontainer("utf8-bom", b'\xef\xbb\xbf{"name": "x"}', "hook_not_wired", status=0),
]


@pytest.mark.parametrize("case", DEVCONTAINERS, ids=[c.id for c in DEVCONTAINERS])
def test_doctor_lints_a_hostile_devcontainer_json(case: Devcontainer, tmp_path: Path) -> None:
    home = tmp_path / "lint-home"
    workspace = home / "workspace"
    (workspace / ".devcontainer").mkdir(parents=True)
    (workspace / ".devcontainer" / "devcontainer.json").write_bytes(case.content)
    env = cli.base_env(home, PYTHONIOENCODING="utf-8:strict", GITHUB_REPOSITORY="octo/app")
    result = cli.run_measured(
        ["doctor", "--json", "--wait", "0.1", "--workspace", str(workspace)], env, timeout=60
    )
    cli.assert_no_traceback(result)
    assert result.returncode == case.status, result.out[-2000:] + result.err[-2000:]
    assert result.seconds < 15
    assert result.max_rss_kib < MAX_RSS_KIB
    assert b"\x1b" not in result.stdout + result.stderr
    checks = json.loads(result.stdout)["checks"]
    lint = [c for c in checks if c["code"] == case.code]
    assert lint, [c["code"] for c in checks]
    assert lint[0]["where"].startswith(str(workspace / ".devcontainer" / "devcontainer.json"))
