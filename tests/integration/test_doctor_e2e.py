"""``cs-registry doctor`` against the real daemon and a real registry (real processes).

A healthy setup is all ``ok`` (and a pull with that config works); each broken
setup fails with its own code; an unreachable daemon costs at most ``--wait`` + 1 s.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import TEST_REPOSITORY, TEST_TAG
from tests.support.images import remove_image
from tests.support.registry import Registry
from tests.support.require import missing

_TIMEOUT = 60


@dataclass
class Doctor:
    """One finished ``doctor --json`` run."""

    returncode: int
    document: dict[str, Any]
    stdout: str
    elapsed: float

    def check(self, check_id: str) -> dict[str, Any]:
        matches: list[dict[str, Any]] = [c for c in self.document["checks"] if c["id"] == check_id]
        [found] = matches
        return found

    def failed(self) -> dict[str, str]:
        return {c["id"]: c["code"] for c in self.document["checks"] if c["status"] == "fail"}


def _console_script(name: str) -> str:
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        missing(f"{name} console script (pip install -e '.[dev]' into .venv)")
    return found


@pytest.fixture
def docker_config(tmp_path: Path) -> Path:
    directory = tmp_path / "docker-config"
    directory.mkdir(mode=0o700)
    return directory


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A workspace whose devcontainer.json is clean and wired."""
    directory = tmp_path / "ws"
    directory.mkdir()
    (directory / ".devcontainer.json").write_text(
        '{"image": "debian", "features": {"./cs-registry": {}}}'
    )
    return directory


@pytest.fixture
def environ(docker_config: Path, registry_plain: Registry) -> dict[str, str]:
    """The child's environment: isolated HOME, this test's DOCKER_CONFIG, one triplet."""
    env = {k: v for k, v in os.environ.items() if "_CONTAINER_REGISTRY_" not in k}
    for name in ("DOCKER_HOST", "REGISTRY_AUTH_FILE", "DOCKER_AUTH_CONFIG", "ACTION_NAME"):
        env.pop(name, None)
    assert registry_plain.username is not None
    assert registry_plain.password is not None
    env.update(
        {
            "DOCKER_CONFIG": str(docker_config),
            "GITHUB_REPOSITORY": "acme/app",
            "TINY_CONTAINER_REGISTRY_SERVER": registry_plain.host,
            "TINY_CONTAINER_REGISTRY_USER": registry_plain.username,
            "TINY_CONTAINER_REGISTRY_PASSWORD": registry_plain.password,
        }
    )
    return env


def _doctor(env: dict[str, str], workspace: Path, *args: str) -> Doctor:
    argv = [_console_script("cs-registry"), "doctor", "--json", "--workspace", str(workspace)]
    started = time.monotonic()
    done = subprocess.run(
        [*argv, *args], env=env, capture_output=True, text=True, timeout=_TIMEOUT, check=False
    )
    elapsed = time.monotonic() - started
    assert done.stdout, done.stderr
    return Doctor(done.returncode, json.loads(done.stdout), done.stdout, elapsed)


def _write_config(docker_config: Path, data: dict[str, Any]) -> None:
    path = docker_config / "config.json"
    path.write_text(json.dumps(data))
    path.chmod(0o600)


def _auth(registry: Registry) -> str:
    return base64.b64encode(f"{registry.username}:{registry.password}".encode()).decode()


def test_healthy_setup_is_all_ok_and_docker_really_uses_the_entry(
    environ: dict[str, str], workspace: Path, docker_config: Path, registry_plain: Registry
) -> None:
    login = subprocess.run(
        [_console_script("cs-registry"), "login"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=_TIMEOUT,
        check=False,
    )
    assert login.returncode == 0, login.stdout + login.stderr
    result = _doctor(environ, workspace)
    statuses = {c["id"]: c["status"] for c in result.document["checks"]}
    assert result.returncode == 0
    assert result.document["ok"] is True
    assert set(statuses.values()) == {"ok"}, statuses
    assert {"triplet:TINY", f"entry:{registry_plain.host}", "docker-daemon"} <= set(statuses)
    assert "API 1." in result.check("docker-daemon")["message"]
    assert registry_plain.password is not None
    assert registry_plain.password not in result.stdout
    reference = f"{registry_plain.host}/{TEST_REPOSITORY}:{TEST_TAG}"
    remove_image(reference)
    try:
        pull = subprocess.run(
            ["docker", "--config", str(docker_config), "pull", reference],
            env=environ,
            capture_output=True,
            text=True,
            timeout=_TIMEOUT,
            check=False,
        )
    finally:
        remove_image(reference)
    assert pull.returncode == 0, pull.stderr


def test_creds_store_without_its_binary(
    environ: dict[str, str], workspace: Path, docker_config: Path, registry_plain: Registry
) -> None:
    _write_config(
        docker_config,
        {
            "credsStore": "cs-registry-test-absent",
            "auths": {registry_plain.host: {"auth": _auth(registry_plain)}},
        },
    )
    result = _doctor(environ, workspace)
    assert result.returncode == 1
    assert result.failed() == {
        "helper:cs-registry-test-absent": "creds_store_unavailable",
        # the code login and debug-login give for the same state (docker_view)
        f"entry:{registry_plain.host}": "creds_store_unavailable",
    }


def test_docker_hub_credentials_under_an_alias_key(
    environ: dict[str, str], workspace: Path, docker_config: Path, registry_plain: Registry
) -> None:
    _write_config(
        docker_config,
        {
            "auths": {
                "registry-1.docker.io": {"auth": base64.b64encode(b"me:hub-token").decode()},
                registry_plain.host: {"auth": _auth(registry_plain)},
            }
        },
    )
    result = _doctor(environ, workspace)
    assert result.returncode == 1
    assert result.failed() == {"dockerhub-alias": "dockerhub_alias_key"}
    assert '"registry-1.docker.io"' in result.check("dockerhub-alias")["message"]


def test_undecodable_auth_is_a_failure_and_the_cli_agrees(
    environ: dict[str, str], workspace: Path, docker_config: Path, registry_plain: Registry
) -> None:
    _write_config(docker_config, {"auths": {registry_plain.host: {"auth": "%%not-base64%%"}}})
    result = _doctor(environ, workspace)
    assert result.returncode == 1
    assert result.failed() == {
        f"auth:{registry_plain.host}": "config_unreadable",
        f"entry:{registry_plain.host}": "config_unreadable",
    }
    # the docker CLI 28 rejects the whole file the same way, with a warning
    info = subprocess.run(
        ["docker", "--config", str(docker_config), "info", "--format", "{{.ID}}"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=_TIMEOUT,
        check=False,
    )
    assert f"Error parsing config file ({docker_config / 'config.json'})" in info.stderr


def test_unreachable_daemon_fails_within_the_wait(
    environ: dict[str, str], workspace: Path, tmp_path: Path
) -> None:
    closed = tmp_path / "closed.sock"
    bound = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    bound.bind(str(closed))  # a socket file nobody listens on
    try:
        result = _doctor({**environ, "DOCKER_HOST": f"unix://{closed}"}, workspace, "--wait", "1.5")
    finally:
        bound.close()
    check = result.check("docker-daemon")
    assert result.returncode == 1
    assert (check["status"], check["code"]) == ("fail", "daemon_unreachable")
    assert "nothing accepts connections" in check["message"]
    assert 1.5 <= result.elapsed < 2.5
