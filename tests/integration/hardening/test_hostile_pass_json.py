"""Hostile pass (issue 10): JSON from outside that is valid JSON but hostile in shape.

A registry, token server or file may send JSON nested deeper than Python's parser
recurses (``json.loads`` raises ``RecursionError``, which is not a ``ValueError``),
or numbers where text is expected (``"size": "abc"``, ``1e400``). Each such answer is
a diagnosis of the server or a clear line about the file, never ``internal error``.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration.hardening import cli
from tests.integration.hardening import raw_http as R

TIMEOUT = 5.0
SLACK = 6.0  # interpreter start-up on a loaded 2-core machine
DEEP_ARRAY = b"[" * 100_000 + b"]" * 100_000
_OCI = "application/vnd.oci.image.manifest.v1+json"

Send = Callable[[R.Request, socket.socket, R.RawServer], None]


def _manifest(config: bytes) -> bytes:
    return (
        b'{"schemaVersion": 2, "mediaType": "' + _OCI.encode() + b'", "config": ' + config + b", "
        b'"layers": []}'
    )


def registry(manifest: bytes, media_type: str = _OCI) -> Send:
    """An open registry whose every manifest is ``manifest``."""

    def behaviour(req: R.Request, conn: socket.socket, srv: R.RawServer) -> None:
        if req.path == "/v2/":
            api = {"Docker-Distribution-API-Version": "registry/2.0"}
            conn.sendall(R.response("200 OK", api))
        elif "/manifests/" in req.path:
            body = b"" if req.method == "HEAD" else manifest
            head = {"Content-Type": media_type}
            raw = R.response("200 OK", head, manifest)
            conn.sendall(raw if body else raw[: len(raw) - len(manifest)])
        else:
            conn.sendall(R.response("404 Not Found"))

    return behaviour


def bearer(token_answer: bytes) -> Send:
    """A Bearer registry whose token server (same origin) sends ``token_answer``."""

    def behaviour(req: R.Request, conn: socket.socket, srv: R.RawServer) -> None:
        if req.path.startswith("/token"):
            conn.sendall(token_answer)
            return
        realm = f'Bearer realm="http://{srv.host}/token",service="hostile"'
        conn.sendall(R.response("401 Unauthorized", {"WWW-Authenticate": realm}))

    return behaviour


_CONFIG = b'{"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:%s", '
_DIGEST = b"a" * 64

IMAGE_CASES = {
    "manifest-nested-100000-deep-array": registry(DEEP_ARRAY),
    "manifest-nested-30000-deep-object": registry(
        _manifest(b'{"a":' * 30_000 + b"1" + b"}" * 30_000)
    ),
    "config-size-text": registry(_manifest(_CONFIG % _DIGEST + b'"size": "abc"}')),
    "config-size-1e400": registry(_manifest(_CONFIG % _DIGEST + b'"size": 1e400}')),
    "config-size-nan": registry(_manifest(_CONFIG % _DIGEST + b'"size": NaN}')),
}

LOGIN_CASES = {
    "token-answer-nested-100000-deep": bearer(
        R.response("200 OK", {"Content-Type": "application/json"}, DEEP_ARRAY)
    ),
    "token-error-nested-100000-deep": bearer(
        R.response("401 Unauthorized", {"Content-Type": "application/json"}, DEEP_ARRAY)
    ),
}


def _probe(
    args: list[str], behaviour: Send, tmp_path: Path, *, image: bool = False
) -> tuple[cli.Result, dict[str, object]]:
    home = tmp_path / "hostile-home"
    home.mkdir()
    env = cli.base_env(home, PYTHONIOENCODING="utf-8:strict")
    with R.serve(behaviour) as server:
        target = server.host + "/app:1" if image else server.host
        result = cli.run(
            ["debug-login", "--json", "--timeout", str(TIMEOUT), *args, target],
            env,
            stdin=b"hostile-password",
            timeout=60,
        )
    cli.assert_no_traceback(result)
    assert result.seconds < TIMEOUT + SLACK
    return result, json.loads(result.stdout)


@pytest.mark.parametrize("case", sorted(IMAGE_CASES))
def test_debug_login_image_with_a_hostile_manifest(case: str, tmp_path: Path) -> None:
    result, report = _probe([], IMAGE_CASES[case], tmp_path, image=True)
    assert result.returncode in (0, 1), result.err[-2000:]
    diagnosis = report["diagnosis"]
    assert isinstance(diagnosis, dict)
    if "nested" in case:  # a manifest the daemon could not parse either
        assert result.returncode == 1
        assert diagnosis["code"] == "not_a_registry"


@pytest.mark.parametrize("case", sorted(LOGIN_CASES))
def test_debug_login_with_a_hostile_token_server(case: str, tmp_path: Path) -> None:
    result, report = _probe(["-u", "u", "--password-stdin"], LOGIN_CASES[case], tmp_path)
    assert result.returncode == 1, result.err[-2000:]
    diagnosis = report["diagnosis"]
    assert isinstance(diagnosis, dict)
    assert diagnosis["code"] != "ok"


@pytest.mark.parametrize("command", [["doctor"], ["doctor", "--fix"], ["doctor", "--json"]])
def test_doctor_with_a_config_nested_too_deep(command: list[str], tmp_path: Path) -> None:
    """The Engine client reads config.json for ``currentContext`` too: a deep file
    is the config check's finding, not an internal error of the daemon check."""
    home = tmp_path / "hostile-home"
    config = home / ".docker"
    config.mkdir(parents=True)
    (config / "config.json").write_bytes(DEEP_ARRAY)
    (config / "config.json").chmod(0o600)
    env = cli.base_env(home)  # no DOCKER_HOST: the Engine client reads currentContext
    result = cli.run(command, env, timeout=60)
    cli.assert_no_traceback(result)
    assert result.returncode == 1, result.err[-2000:]
    assert "nested too deeply" in result.out + result.err
    assert (config / "config.json").read_bytes() == DEEP_ARRAY


def test_login_env_file_that_is_not_text(tmp_path: Path) -> None:
    """``--env-file /proc/self/environ``: NUL-separated, one "line" with NULs in it.
    A usage error naming the file, and no value from it (a secret) on any stream."""
    home = tmp_path / "hostile-home"
    home.mkdir()
    secret = cli.canary("env")
    env = cli.base_env(home, **cli.triplet("GHCR", "127.0.0.1:1", "u", secret))
    env_file = tmp_path / "environ"
    env_file.write_bytes(b"".join(f"{k}={v}\0".encode() for k, v in env.items()))
    for path in (str(env_file), "/proc/self/environ"):
        result = cli.run(["login", "--env-file", path], env, timeout=60)
        cli.assert_no_traceback(result)
        assert result.returncode == 2, result.err
        assert path in result.err
        assert "NUL" in result.err
        assert secret not in result.out + result.err
        assert not (home / ".docker" / "config.json").exists()
