"""The lifecycle hooks, run as the dev container runs them: ``/bin/sh`` scripts in a
fresh process, with ``cs-registry`` on PATH (this checkout's virtualenv) or not."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
HOOKS = ROOT / "hooks"
FEATURE_HOOKS = ROOT / ".devcontainer" / "cs-registry" / "hooks"
NAMES = ("on-create", "post-create", "post-start")
WRITING = ("post-create", "post-start")
BIN = Path(sys.executable).parent  # the virtualenv that holds cs-registry
TRIPLET = {
    "GHCR_CONTAINER_REGISTRY_SERVER": "ghcr.io",
    "GHCR_CONTAINER_REGISTRY_USER": "octo",
    "GHCR_CONTAINER_REGISTRY_PASSWORD": "s3cret-value-123",
}
AUTH = base64.b64encode(b"octo:s3cret-value-123").decode()


@pytest.fixture
def env(tmp_path: Path, isolated_home: Path) -> dict[str, str]:
    """A clean environment: own HOME, no Codespaces file, cs-registry on PATH."""
    if not (BIN / "cs-registry").exists():
        pytest.fail(f"cs-registry is not installed in {BIN}; pip install -e . first")
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    return {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "HOME": str(isolated_home),
        "XDG_CONFIG_HOME": str(isolated_home / ".config"),
        "XDG_CACHE_HOME": str(isolated_home / ".cache"),
        "CS_REGISTRY_CODESPACES_ENV_FILE": str(tmp_path / "no-codespaces.json"),
        "CS_REGISTRY_SYSTEM_CONFIG": str(tmp_path / "no-system-config.yaml"),
        "_CWD": str(workspace),
    }


def run(name: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in env.items() if k != "_CWD"}
    return subprocess.run(
        [str(HOOKS / name)],
        env=environ,
        cwd=env["_CWD"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def config(env: dict[str, str]) -> Path:
    return Path(env["HOME"]) / ".docker" / "config.json"


@pytest.mark.parametrize("name", NAMES)
def test_hook_is_an_executable_posix_sh_script(name: str) -> None:
    path = HOOKS / name
    assert os.access(path, os.X_OK)
    assert path.read_text().startswith("#!/bin/sh\n")
    assert subprocess.run(["sh", "-n", str(path)], check=False).returncode == 0


@pytest.mark.parametrize("name", NAMES)
def test_the_feature_ships_the_same_hooks(name: str) -> None:
    shipped = FEATURE_HOOKS / name
    assert shipped.read_bytes() == (HOOKS / name).read_bytes(), f"copy hooks/{name} to {shipped}"
    assert os.access(shipped, os.X_OK)


@pytest.mark.parametrize("name", WRITING)
def test_hook_with_a_triplet_writes_dockers_config(name: str, env: dict[str, str]) -> None:
    done = run(name, {**env, **TRIPLET})
    assert done.returncode == 0, done.stderr
    assert json.loads(config(env).read_text()) == {"auths": {"ghcr.io": {"auth": AUTH}}}
    assert done.stdout == "cs-registry: registries 1 written\n"
    assert "s3cret" not in done.stdout + done.stderr


def test_post_start_puts_back_an_entry_something_removed(env: dict[str, str]) -> None:
    assert run("post-create", {**env, **TRIPLET}).returncode == 0
    config(env).write_text('{"auths": {"other.example": {"auth": "dTpw"}}, "psFormat": "x"}')
    done = run("post-start", {**env, **TRIPLET})
    assert done.returncode == 0
    assert json.loads(config(env).read_text()) == {
        "auths": {"other.example": {"auth": "dTpw"}, "ghcr.io": {"auth": AUTH}},
        "psFormat": "x",
    }
    assert done.stdout == "cs-registry: registries 1 written\n"


def test_post_start_is_quiet_when_nothing_changed(env: dict[str, str]) -> None:
    assert run("post-create", {**env, **TRIPLET}).returncode == 0
    before = config(env).read_bytes()
    done = run("post-start", {**env, **TRIPLET})
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert config(env).read_bytes() == before


@pytest.mark.parametrize("name", NAMES)
def test_hook_in_a_prebuild_writes_nothing_and_says_why(name: str, env: dict[str, str]) -> None:
    done = run(name, {**env, **TRIPLET, "ACTION_NAME": "createPrebuildTemplate"})
    assert done.returncode == 0
    assert not config(env).exists()
    assert not (Path(env["HOME"]) / ".docker").exists()
    lines = done.stdout.splitlines()
    assert len(lines) == 1
    assert "prebuild" in lines[0]
    assert "no credentials are written" in lines[0]


def test_on_create_reads_the_prebuild_marker_from_codespaces_file(
    env: dict[str, str], tmp_path: Path
) -> None:
    marker = tmp_path / "environment-variables.json"
    marker.write_text('{"ACTION_NAME": "createPrebuildTemplate"}')
    done = run("on-create", {**env, **TRIPLET, "CS_REGISTRY_CODESPACES_ENV_FILE": str(marker)})
    assert done.returncode == 0
    assert "prebuild" in done.stdout
    assert not config(env).exists()


def test_on_create_never_writes_even_outside_a_prebuild(env: dict[str, str]) -> None:
    done = run("on-create", {**env, **TRIPLET})
    assert (done.returncode, done.stdout) == (0, "")
    assert not config(env).exists()


@pytest.mark.parametrize("name", NAMES)
def test_hook_without_cs_registry_prints_one_line(name: str, env: dict[str, str]) -> None:
    bare = "/usr/bin:/bin"
    if shutil.which("cs-registry", path=bare):
        pytest.fail(f"a cs-registry in {bare} makes this test meaningless")
    done = run(name, {**env, **TRIPLET, "PATH": bare})
    assert done.returncode == 0
    assert done.stderr == ""
    assert done.stdout.startswith("cs-registry: not installed (no cs-registry on PATH)")
    assert done.stdout.count("\n") == 1
    assert not config(env).exists()


@pytest.mark.parametrize("name", NAMES)
def test_hook_with_nothing_to_do_is_quiet_and_fast(name: str, env: dict[str, str]) -> None:
    run(name, env)  # warm the page cache: the bound is about the hook, not a cold disk
    start = time.monotonic()
    done = run(name, env)
    elapsed = time.monotonic() - start
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert elapsed < 1.5, f"{name} took {elapsed:.2f}s with nothing to do"
    assert not config(env).exists()


@pytest.mark.parametrize("name", WRITING)
def test_hook_is_fail_soft_on_a_broken_docker_config(name: str, env: dict[str, str]) -> None:
    config(env).parent.mkdir()
    config(env).write_text("{not json")
    done = run(name, {**env, **TRIPLET})
    assert done.returncode == 0
    assert config(env).read_text() == "{not json"
    assert "cs-registry" in done.stdout + done.stderr
    assert "doctor" in done.stdout + done.stderr


@pytest.mark.parametrize("name", WRITING)
def test_hook_is_fail_soft_on_a_bad_config_file(name: str, env: dict[str, str]) -> None:
    settings = Path(env["_CWD"]) / ".devcontainer" / "cs-registry.yaml"
    settings.parent.mkdir()
    settings.write_text("verify: true\nverfy: false\n")
    done = run(name, {**env, **TRIPLET})
    assert done.returncode == 0
    assert f"{settings}:2: unknown setting 'verfy'" in done.stdout
    assert not config(env).exists()


def test_on_create_reports_docker_in_a_prebuild_hook(env: dict[str, str]) -> None:
    folder = Path(env["_CWD"]) / ".devcontainer"
    folder.mkdir()
    (folder / "devcontainer.json").write_text(
        '{\n  "image": "debian",\n  "features": {"./cs-registry": {}},\n'
        '  "onCreateCommand": "docker pull ghcr.io/acme/tool"\n}\n'
    )
    done = run("on-create", {**env, **TRIPLET})
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[0].startswith("cs-registry: .devcontainer/devcontainer.json:4:")
    assert lines[0].endswith("[docker_in_prebuild_hook]")
    assert lines[-1] == "cs-registry: run `cs-registry doctor` for the full picture"
    assert not config(env).exists()


def test_on_create_is_quiet_for_a_clean_devcontainer_json(env: dict[str, str]) -> None:
    folder = Path(env["_CWD"]) / ".devcontainer"
    folder.mkdir()
    (folder / "devcontainer.json").write_text(
        '{"image": "debian", "features": {"./cs-registry": {}}}\n'
    )
    done = run("on-create", env)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


@pytest.mark.parametrize("name", NAMES)
def test_hook_survives_a_crashing_cs_registry(
    name: str, env: dict[str, str], tmp_path: Path
) -> None:
    fake = tmp_path / "fake-bin"
    fake.mkdir()
    (fake / "cs-registry").write_text("#!/bin/sh\necho boom >&2\nexit 3\n")
    (fake / "cs-registry").chmod(0o755)
    done = run(name, {**env, "PATH": f"{fake}:/usr/bin:/bin"})
    assert done.returncode == 0
    assert done.stderr == "boom\n"
    assert done.stdout.startswith("cs-registry: ")
    assert "exited with status 3; run `cs-registry doctor`" in done.stdout
