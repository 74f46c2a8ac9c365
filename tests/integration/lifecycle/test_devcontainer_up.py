"""End to end through the real lifecycle: ``devcontainer up`` builds a dev container with
the cs-registry Feature (made by its ``bundle.sh``, so it installs the wheel it ships;
dependencies offline from wheels made here), runs its hooks, and Docker's config inside
holds the registry entry; a prebuild run writes nothing.

Heavy: one ``devcontainer up`` per scenario. The base image is cached (see
:mod:`tests.support.devcontainer`); the Feature layer is rebuilt each run.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import devcontainer as dc
from tests.support.registry import Registry, start_registry

pytestmark = pytest.mark.integration

USER, PASSWORD = "alice", "pa55-word-for-e2e"


@dataclass
class Up:
    """A dev container the CLI brought up."""

    workspace: Path
    label: str
    container_id: str
    log: str

    def exec(self, *command: str) -> subprocess.CompletedProcess[str]:
        """``devcontainer exec``: the command runs as the lifecycle hooks did (remoteEnv too)."""
        where = ("--workspace-folder", str(self.workspace), "--id-label", self.label)
        return dc.run_cli("exec", *where, *command, timeout=120)


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """What the CLI runs with for the whole module: its own HOME (module fixtures start
    before the per-test isolated HOME), and the password that ``${localEnv:…}`` names."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(tmp_path_factory.mktemp("cli-home")))
        patch.setenv("CSR_E2E_PASSWORD", PASSWORD)
        yield
    dc.prune_feature_build_leftovers()


@pytest.fixture(scope="module")
def base_image() -> str:
    return dc.base_image()


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return dc.wheelhouse(tmp_path_factory.mktemp("wheels"))


@pytest.fixture(scope="module")
def feature(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Feature folder as bundle.sh makes it (once per module: it builds a wheel)."""
    return dc.bundled_feature(tmp_path_factory.mktemp("feature") / "cs-registry")


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    with start_registry(tmp_path_factory.mktemp("registry"), users={USER: PASSWORD}) as running:
        yield running


def workspace(
    root: Path, image: str, feature: Path, wheels: Path, remote_env: dict[str, str]
) -> Path:
    """A project whose dev container uses the bundled Feature; its dependencies come
    from an offline wheelhouse, which holds no cs-registry wheel: only the bundled one
    can be installed."""
    folder = root / "project"
    copy = folder / ".devcontainer" / "cs-registry"
    shutil.copytree(feature, copy)
    shutil.copytree(wheels, copy / "wheels", ignore=shutil.ignore_patterns("cs_registry-*"))
    config = {
        "image": image,
        "runArgs": ["--network=host", "--name", f"csr-e2e-{uuid.uuid4().hex[:10]}"],
        "features": {"./cs-registry": {"wheelDir": "wheels"}},
        "remoteEnv": remote_env,
    }
    (folder / ".devcontainer" / "devcontainer.json").write_text(json.dumps(config, indent=2))
    return folder


@contextmanager
def bring_up(folder: Path, *extra: str) -> Iterator[Up]:
    """``devcontainer up``; the container and the image built for it go away afterwards."""
    label = f"cs-registry-e2e={uuid.uuid4().hex}"
    done = dc.run_cli(
        "up", "--workspace-folder", str(folder), "--id-label", label, *extra, timeout=900
    )
    result = dc.last_json(done.stdout) if "{" in done.stdout else {}
    container_id = result.get("containerId")
    try:
        assert (done.returncode, result.get("outcome")) == (0, "success"), done.stderr[-4000:]
        yield Up(folder, label, str(container_id), done.stderr)
    finally:
        if container_id:
            dc.remove_container_and_image(container_id)


def triplet(registry: Registry) -> dict[str, str]:
    """The triplet as remoteEnv; the password by reference, so it is not baked into the
    image's ``devcontainer.metadata`` label as a literal remoteEnv value would be."""
    return {
        "E2E_CONTAINER_REGISTRY_SERVER": registry.host,
        "E2E_CONTAINER_REGISTRY_USER": USER,
        "E2E_CONTAINER_REGISTRY_PASSWORD": "${localEnv:CSR_E2E_PASSWORD}",
    }


@pytest.fixture(scope="module")
def logged_in(
    cli_env: None,
    tmp_path_factory: pytest.TempPathFactory,
    base_image: str,
    feature: Path,
    wheels: Path,
    registry: Registry,
) -> Iterator[Up]:
    """Scenario one: a normal create with a triplet for the loopback registry."""
    created = tmp_path_factory.mktemp("created")
    folder = workspace(created, base_image, feature, wheels, triplet(registry))
    with bring_up(folder) as container:
        yield container


def test_devcontainer_up_logs_in_through_the_feature(logged_in: Up, registry: Registry) -> None:
    container = logged_in
    assert "Running the postCreateCommand from Feature './cs-registry'" in container.log
    assert "Running the postStartCommand from Feature './cs-registry'" in container.log
    assert "cs-registry: registries 1 written" in container.log
    assert PASSWORD not in container.log

    shown = container.exec("cat", "/root/.docker/config.json")
    assert shown.returncode == 0, shown.stderr[-2000:]
    entry = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    assert json.loads(shown.stdout) == {"auths": {registry.host: {"auth": entry}}}

    debug = container.exec("cs-registry", "debug-login", registry.host, "--json")
    report = json.loads(debug.stdout)
    assert report.get("diagnosis", {}).get("code") == "ok", debug.stdout[-3000:]
    assert report["ok"] is True
    assert debug.returncode == 0

    links = container.exec(
        "sh",
        "-c",
        "cd /usr/local/bin && readlink cs-registry docker-credential-cs-registry "
        "&& ls /usr/local/share/cs-registry/hooks",
    )
    assert links.stdout.split() == [
        "/usr/local/share/cs-registry/venv/bin/cs-registry",
        "/usr/local/share/cs-registry/venv/bin/docker-credential-cs-registry",
        "on-create",
        "post-create",
        "post-start",
    ]


def test_a_prebuild_run_writes_no_credentials(
    cli_env: None,
    tmp_path: Path,
    base_image: str,
    feature: Path,
    wheels: Path,
    registry: Registry,
) -> None:
    env = {**triplet(registry), "ACTION_NAME": "createPrebuildTemplate"}
    folder = workspace(tmp_path, base_image, feature, wheels, env)
    # --prebuild: stop after onCreateCommand and updateContentCommand, as a prebuild does
    with bring_up(folder, "--prebuild") as container:
        assert "Running the onCreateCommand from Feature './cs-registry'" in container.log
        assert "Running the postCreateCommand" not in container.log
        assert "a Codespaces prebuild is being made" in container.log
        listing = container.exec("sh", "-c", "ls -A /root/.docker 2>&1 || true")
        assert "No such file or directory" in listing.stdout
        assert container.exec("cs-registry", "--version").returncode == 0


def test_install_sh_runs_again_in_place_and_manages_the_system_config(logged_in: Up) -> None:
    container = logged_in
    feature = container.workspace / ".devcontainer" / "cs-registry"
    copied = subprocess.run(
        ["docker", "cp", str(feature), f"{container.container_id}:/tmp/feature"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert copied.returncode == 0, copied.stderr

    def install(**options: str) -> subprocess.CompletedProcess[str]:
        env = [f"--env={name}={value}" for name, value in options.items()]
        command = ["sh", "/tmp/feature/install.sh"]
        return subprocess.run(
            ["docker", "exec", *env, container.container_id, *command],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    again = install(WHEELDIR="wheels", ECRHELPER="true")
    assert again.returncode == 0, again.stderr
    assert "creating" not in again.stdout  # the virtualenv was reused
    assert again.stdout.rstrip().endswith("ready")
    system = container.exec("cat", "/etc/cs-registry/config.yaml")
    assert system.stdout.splitlines()[1:] == ["ecr_helper: true"]
    login = container.exec("cs-registry", "login", "--json")  # reads that file with pyyaml
    assert login.returncode == 0, login.stderr
    assert json.loads(login.stdout)["registries"][0]["status"] == "unchanged"

    assert install(WHEELDIR="wheels", ECRHELPER="false").returncode == 0
    gone = container.exec("test", "-e", "/etc/cs-registry/config.yaml")
    assert gone.returncode == 1

    # an exact release with hashes: pip takes the file only if a hash matches (the
    # bundled wheel's folder serves as the index here: PyPI is unreachable)
    wheel = next((feature / "dist").glob("cs_registry-*.whl"))
    release = wheel.name.split("-")[1]
    wrong = install(VERSION=release, HASHES="sha256:" + "0" * 64, WHEELDIR="dist")
    assert wrong.returncode == 1
    assert f"pip could not install cs-registry=={release} with the given hashes" in wrong.stderr
    good_hash = "sha256:" + hashlib.sha256(wheel.read_bytes()).hexdigest()
    good = install(VERSION=release, HASHES=f"sha256:{'1' * 64} {good_hash}", WHEELDIR="dist")
    assert good.returncode == 0, good.stderr
    assert f"installing cs-registry=={release} (hash-checked)" in good.stdout
    assert container.exec("cs-registry", "--version").returncode == 0

    # version "none": the venv is handed to the remote user, who installs the project
    handed = install(VERSION="none", _REMOTE_USER="nobody")
    assert handed.returncode == 0, handed.stderr
    assert "install the project into /usr/local/share/cs-registry/venv" in handed.stdout
    owner = container.exec("stat", "-c", "%U", "/usr/local/share/cs-registry/venv/bin")
    assert owner.stdout.strip() == "nobody"


def test_secrets_file_reaches_the_hooks_and_stays_out_of_output_and_label(
    cli_env: None,
    tmp_path: Path,
    base_image: str,
    feature: Path,
    wheels: Path,
    registry: Registry,
) -> None:
    """Codespaces' own route: ``devcontainer up --secrets-file``. The CLI exports the
    secrets to lifecycle commands only; the Feature's hooks log in with them, and the
    secret is neither in the CLI's output nor in the image's ``devcontainer.metadata``."""
    folder = workspace(tmp_path, base_image, feature, wheels, {})  # no remoteEnv at all
    secrets = tmp_path / "secrets.json"
    secrets.write_text(
        json.dumps(
            {
                "E2E_CONTAINER_REGISTRY_SERVER": registry.host,
                "E2E_CONTAINER_REGISTRY_USER": USER,
                "E2E_CONTAINER_REGISTRY_PASSWORD": PASSWORD,
            }
        )
    )
    secrets.chmod(0o600)
    label = f"cs-registry-e2e={uuid.uuid4().hex}"
    done = dc.run_cli(
        "up",
        "--workspace-folder",
        str(folder),
        "--id-label",
        label,
        "--secrets-file",
        str(secrets),
        timeout=900,
    )
    result = dc.last_json(done.stdout) if "{" in done.stdout else {}
    container_id = result.get("containerId")
    try:
        assert (done.returncode, result.get("outcome")) == (0, "success"), done.stderr[-4000:]
        assert "cs-registry: registries 1 written" in done.stderr
        assert PASSWORD not in done.stdout
        assert PASSWORD not in done.stderr
        shown = dc.run_cli(
            "exec",
            "--workspace-folder",
            str(folder),
            "--id-label",
            label,
            "cat",
            "/root/.docker/config.json",
            timeout=120,
        )
        entry = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        assert json.loads(shown.stdout) == {"auths": {registry.host: {"auth": entry}}}
        image = _inspect(str(container_id), "{{.Config.Image}}").strip()
        labels = [
            _inspect(target, '{{ index .Config.Labels "devcontainer.metadata" }}')
            for target in (str(container_id), image)
        ]
        assert all("cs-registry" in text for text in labels)  # the label is really there
        for text in labels:
            assert PASSWORD not in text
            assert "E2E_CONTAINER_REGISTRY_PASSWORD" not in text
        # lifecycle commands only: the container's own environment does not hold it
        assert PASSWORD not in _inspect(str(container_id), "{{json .Config.Env}}")
    finally:
        if container_id:
            dc.remove_container_and_image(str(container_id))


def _inspect(target: str, template: str) -> str:
    """``docker inspect --format TEMPLATE TARGET`` (a container or an image)."""
    done = subprocess.run(
        ["docker", "inspect", "--format", template, target],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout
