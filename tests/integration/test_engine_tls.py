"""doctor and debug-login against a TLS-protected daemon (the docker-in-docker set-up).

A second ``dockerd --tlsverify`` runs on loopback with its own CA. Both commands must
reach it as the docker CLI does: through ``DOCKER_HOST`` + ``DOCKER_TLS_VERIFY`` +
``DOCKER_CERT_PATH``, and through a context that the real CLI created
(``docker context create`` stores the TLS material under ``contexts/tls/``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.registry import Registry
from tests.support.tls_daemon import TlsDaemon, tls_daemon

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsDaemon]:
    with tls_daemon(tmp_path_factory.mktemp("tls-daemon")) as running:
        yield running


def _base_env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    passed = {name: os.environ[name] for name in ("PYTHONPATH",) if name in os.environ}
    return {
        **passed,
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "DOCKER_CONFIG": str(tmp_path / "docker-config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "CS_REGISTRY_CODESPACES_ENV_FILE": str(tmp_path / "none.json"),
    }


def _cs(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cs_registry", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _daemon_check(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    document = json.loads(done.stdout)
    checks: list[dict[str, Any]] = document["checks"]
    [check] = [c for c in checks if c["id"] == "docker-daemon"]
    return check


def test_doctor_reaches_the_tls_daemon_through_the_environment(
    daemon: TlsDaemon, tmp_path: Path
) -> None:
    env = {**_base_env(tmp_path), **daemon.environ}
    check = _daemon_check(_cs("doctor", "--json", env=env))
    assert check["status"] == "ok", check
    assert daemon.host in check["message"]
    assert "TLS" in check["message"]
    assert daemon.version in check["message"]


def test_doctor_reaches_the_tls_daemon_through_a_context_the_cli_made(
    daemon: TlsDaemon, tmp_path: Path
) -> None:
    env = _base_env(tmp_path)
    certs = daemon.cert_path
    docker_spec = (
        f"host={daemon.host},ca={certs / 'ca.pem'},cert={certs / 'cert.pem'},"
        f"key={certs / 'key.pem'}"
    )
    for argv in (
        ["docker", "context", "create", "dind", "--docker", docker_spec],
        ["docker", "context", "use", "dind"],
    ):
        made = subprocess.run(
            argv, env=env, capture_output=True, text=True, timeout=30, check=False
        )
        assert made.returncode == 0, made.stderr
    check = _daemon_check(_cs("doctor", "--json", env=env))
    assert check["status"] == "ok", check
    assert "context 'dind'" in check["message"]
    assert daemon.version in check["message"]


def test_a_tls_daemon_without_our_client_certificate_is_named_unreachable(
    daemon: TlsDaemon, tmp_path: Path
) -> None:
    certs = tmp_path / "only-ca"
    certs.mkdir()
    (certs / "ca.pem").write_bytes((daemon.cert_path / "ca.pem").read_bytes())
    env = {**_base_env(tmp_path), **daemon.environ, "DOCKER_CERT_PATH": str(certs)}
    done = _cs("doctor", "--json", "--wait", "0.5", env=env)
    check = _daemon_check(done)
    assert (check["status"], check["code"]) == ("fail", "daemon_unreachable"), check
    assert daemon.host in check["message"]
    assert "Traceback" not in done.stderr


def test_debug_login_logs_in_through_the_tls_daemon(
    daemon: TlsDaemon, registry_plain: Registry, tmp_path: Path
) -> None:
    assert registry_plain.username is not None
    assert registry_plain.password is not None
    env = {**_base_env(tmp_path), **daemon.environ}
    done = _cs(
        "debug-login",
        registry_plain.host,
        "-u",
        registry_plain.username,
        "--password-stdin",
        "--json",
        env=env,
        stdin=registry_plain.password,
    )
    document = json.loads(done.stdout)
    [step] = [s for s in document["steps"] if s["name"] == "docker"]
    assert step["status"] == "ok", document["steps"]
    assert done.returncode == 0, done.stdout
