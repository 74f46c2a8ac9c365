"""End to end: ``cs-registry login`` from triplets makes a real ``docker pull`` work.

Per registry (plain HTTP and TLS with a test CA): ``test/tiny:1`` was pushed with a
known login and removed locally. Without a login the daemon's pull is refused for
lack of credentials; after ``cs-registry login`` (a real subprocess, its own
``DOCKER_CONFIG``) the pull succeeds, and Debian's skopeo reads the same config.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.conftest import TEST_REPOSITORY, TEST_TAG
from tests.support.images import remove_image
from tests.support.registry import Registry, registry_log
from tests.support.require import missing

REGISTRIES = ["registry_plain", "registry_tls"]
_AUTH_REFUSED = re.compile(
    r"no basic auth credentials|unauthorized|authentication required", re.IGNORECASE
)
_TIMEOUT = 120


@dataclass
class Run:
    """A finished command: its exit status and both streams, decoded."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def _run(argv: list[str], env: dict[str, str]) -> Run:
    done = subprocess.run(
        argv, env=env, capture_output=True, text=True, timeout=_TIMEOUT, check=False
    )
    return Run(done.returncode, done.stdout, done.stderr)


def _cs_registry() -> str:
    """The installed console script, next to this interpreter (the project's .venv)."""
    beside = Path(sys.executable).parent / "cs-registry"
    if beside.exists():
        return str(beside)
    found = shutil.which("cs-registry")
    if found is None:
        missing("cs-registry console script (pip install -e '.[dev]' into .venv)")
    return found


def _reference(registry: Registry) -> str:
    return f"{registry.host}/{TEST_REPOSITORY}:{TEST_TAG}"


@pytest.fixture
def registry(request: pytest.FixtureRequest) -> Registry:
    """The registry named by the test's ``registry_fixture`` parameter."""
    value: Registry = request.getfixturevalue(request.param)
    return value


@pytest.fixture
def docker_config(tmp_path: Path) -> Path:
    """An empty Docker config directory of the test's own."""
    directory = tmp_path / "docker-config"
    directory.mkdir(mode=0o700)
    return directory


@pytest.fixture
def environ(docker_config: Path) -> dict[str, str]:
    """The child environment: isolated HOME (conftest) and this test's DOCKER_CONFIG."""
    env = {k: v for k, v in os.environ.items() if "_CONTAINER_REGISTRY_" not in k}
    env["DOCKER_CONFIG"] = str(docker_config)
    env.pop("REGISTRY_AUTH_FILE", None)
    return env


def _triplet(registry: Registry, secret_id: str = "TINY") -> dict[str, str]:
    assert registry.username is not None
    assert registry.password is not None
    return {
        f"{secret_id}_CONTAINER_REGISTRY_SERVER": registry.host,
        f"{secret_id}_CONTAINER_REGISTRY_USER": registry.username,
        f"{secret_id}_CONTAINER_REGISTRY_PASSWORD": registry.password,
    }


def _pull(reference: str, docker_config: Path, env: dict[str, str]) -> Run:
    remove_image(reference)  # a pull must really fetch it from the registry
    try:
        return _run(["docker", "--config", str(docker_config), "pull", reference], env)
    finally:
        remove_image(reference)


def _skopeo_inspect(registry: Registry, authfile: Path, tmp_path: Path, env: dict[str, str]) -> Run:
    if shutil.which("skopeo") is None:
        missing("skopeo (apt-get install skopeo)")
    argv = ["skopeo", "inspect", "--authfile", str(authfile)]
    if registry.tls:
        assert registry.ca_path is not None
        cert_dir = tmp_path / "skopeo-certs"
        cert_dir.mkdir(exist_ok=True)
        shutil.copyfile(registry.ca_path, cert_dir / "ca.crt")
        argv += ["--cert-dir", str(cert_dir)]
    else:
        argv.append("--tls-verify=false")
    return _run([*argv, f"docker://{_reference(registry)}"], env)


def _daemon_refusals(registry: Registry) -> int:
    """How often the registry refused a request from the daemon for lack of credentials."""
    return sum(
        1
        for line in registry_log(registry).splitlines()
        if "error authorizing context" in line and 'useragent="docker/' in line
    )


def _secret_forms(registry: Registry) -> list[str]:
    """The password and the ``auth`` value that carries it: neither may be printed."""
    assert registry.password is not None
    basic = base64.b64encode(f"{registry.username}:{registry.password}".encode()).decode()
    return [registry.password, basic]


Login = Callable[..., Run]


@pytest.fixture
def login(environ: dict[str, str]) -> Login:
    """Run ``cs-registry login ARGS`` as a real process with the given triplets."""

    def run(registry: Registry, *args: str) -> Run:
        return _run([_cs_registry(), "login", *args], {**environ, **_triplet(registry)})

    return run


@pytest.mark.parametrize("registry", REGISTRIES, indirect=True)
def test_pull_is_refused_without_a_login(
    registry: Registry, docker_config: Path, environ: dict[str, str]
) -> None:
    refusals_before = _daemon_refusals(registry)
    pulled = _pull(_reference(registry), docker_config, environ)
    assert pulled.returncode != 0
    if registry.tls:
        # Docker treats loopback registries as insecure: after HTTPS is refused for
        # lack of credentials it retries over plain HTTP, and shows only that error
        # (connection reset). The registry's own log holds the refusal.
        assert _daemon_refusals(registry) > refusals_before, pulled.stderr
    else:
        assert _AUTH_REFUSED.search(pulled.stderr), pulled.stderr


@pytest.mark.parametrize("registry", REGISTRIES, indirect=True)
def test_login_from_triplets_makes_docker_pull_work(
    registry: Registry, docker_config: Path, environ: dict[str, str], login: Login
) -> None:
    done = login(registry)
    assert done.returncode == 0, done.output

    config = json.loads((docker_config / "config.json").read_text())
    assert config["auths"][registry.host] == {"auth": _secret_forms(registry)[1]}
    pulled = _pull(_reference(registry), docker_config, environ)
    assert pulled.returncode == 0, pulled.stderr
    assert _reference(registry) in pulled.output
    for secret in _secret_forms(registry):
        assert secret not in done.output


@pytest.mark.parametrize("registry", REGISTRIES, indirect=True)
def test_skopeo_reads_the_config_login_wrote(
    registry: Registry,
    docker_config: Path,
    environ: dict[str, str],
    login: Login,
    tmp_path: Path,
) -> None:
    empty = tmp_path / "empty-auth.json"
    empty.write_text("{}")
    refused = _skopeo_inspect(registry, empty, tmp_path, environ)
    assert refused.returncode != 0
    assert _AUTH_REFUSED.search(refused.stderr), refused.stderr

    assert login(registry).returncode == 0
    inspected = _skopeo_inspect(registry, docker_config / "config.json", tmp_path, environ)
    assert inspected.returncode == 0, inspected.stderr
    details = json.loads(inspected.stdout)
    assert details["Name"] == f"{registry.host}/{TEST_REPOSITORY}"
    assert details["Digest"].startswith("sha256:")


@pytest.mark.parametrize("registry", REGISTRIES, indirect=True)
def test_canary_password_never_printed(registry: Registry, login: Login) -> None:
    runs = [
        login(registry, "--dry-run"),
        login(registry, "--dry-run", "--json"),
        login(registry, "--verbose"),
        login(registry, "--json", "--verbose"),  # second write: "unchanged"
        login(registry, "--hook"),
    ]
    assert [run.returncode for run in runs] == [0, 0, 0, 0, 0], [run.output for run in runs]
    assert json.loads(runs[3].stdout)["registries"][0]["status"] == "unchanged"
    # logs and caches live under the isolated HOME (conftest); Docker's config does not
    files = [path for path in Path(os.environ["HOME"]).rglob("*") if path.is_file()]
    for secret in _secret_forms(registry):
        for run in runs:
            assert secret not in run.output
        for path in files:
            assert secret.encode() not in path.read_bytes(), path
