"""The ``cs-registry-lint`` hook end to end with the real pre-commit, offline.

pre-commit installs a ``language: python`` hook by ``pip install .`` of the hook
repository into a fresh virtualenv, which needs setuptools (the build backend) and
every runtime dependency. No index is reachable from a test, so pip reads only the
wheelhouse tests/run fills (``PIP_NO_INDEX``, ``PIP_FIND_LINKS``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import wheelhouse as wheels

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
# what `pip install .` of the hook repository reads
HOOK_REPO_FILES = ("agent", "pyproject.toml", "README.md", ".pre-commit-hooks.yaml")
TIMEOUT = 600
FAILING = '{\n  "image": "mcr.microsoft.com/devcontainers/base:bookworm",\n  # no\n}\n'
CLEAN = '{\n  "image": "x",\n  "postCreateCommand": "hooks/post-create"\n}\n'


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


def hook_repository(tmp_path: Path) -> Path:
    """This working tree's hook as a committed repository (the uncommitted state included)."""
    repo = tmp_path / "hook-repo"
    repo.mkdir()
    for name in HOOK_REPO_FILES:
        source = ROOT / name
        if source.is_dir():
            skip = shutil.ignore_patterns("__pycache__", "*.egg-info")
            shutil.copytree(source, repo / name, ignore=skip)
        else:
            shutil.copy2(source, repo / name)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "hook")
    return repo


def scratch_repository(tmp_path: Path) -> Path:
    repo = tmp_path / "project"
    (repo / ".devcontainer").mkdir(parents=True)
    git(repo, "init", "-q")
    (repo / ".devcontainer" / "devcontainer.json").write_text(FAILING)
    (repo / "package.json").write_text("{ not json, and not a devcontainer.json }")
    git(repo, "add", ".")
    return repo


def offline_env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return wheels.pip_env(
        {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
            "PRE_COMMIT_COLOR": "never",
            # virtualenv seeds from its embedded wheels and must not look for newer ones
            "VIRTUALENV_NO_PERIODIC_UPDATE": "1",
        }
    )


def pre_commit(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def readme_config(hook_repo: Path, rev: str) -> str:
    """The README's .pre-commit-config.yaml snippet, pointed at the local hook repository."""
    text = README.read_text("utf-8")
    found = re.search(r"```yaml\n(# \.pre-commit-config\.yaml\n.*?)```", text, re.S)
    assert found, "README has no .pre-commit-config.yaml snippet"
    snippet = found.group(1)
    snippet = re.sub(r"repo: \S+", f"repo: {hook_repo}", snippet)
    return re.sub(r"rev: \S+", f"rev: {rev}", snippet)


@pytest.fixture
def wheelhouse() -> Path:
    return wheels.require()


@pytest.mark.usefixtures("wheelhouse")
def test_the_hook_fails_a_broken_devcontainer_json_then_passes_the_fixed_one(
    tmp_path: Path,
) -> None:
    hook = hook_repository(tmp_path)
    project = scratch_repository(tmp_path)
    env = offline_env(tmp_path)

    failed = pre_commit(project, env, "try-repo", str(hook), "cs-registry-lint", "--ref", "HEAD")
    output = failed.stdout + failed.stderr
    assert failed.returncode == 1, output
    assert "cs-registry lint (devcontainer.json)" in output
    assert ".devcontainer/devcontainer.json:3:3: error: unexpected '#'" in output
    assert "[jsonc_syntax]" in output
    assert "package.json" not in output  # `files` passes only devcontainer.json paths

    (project / ".devcontainer" / "devcontainer.json").write_text(CLEAN)
    git(project, "add", ".")
    passed = pre_commit(project, env, "try-repo", str(hook), "cs-registry-lint", "--ref", "HEAD")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"cs-registry lint \(devcontainer\.json\)\.+Passed", passed.stdout)

    # the README's snippet, as a user copies it (the environment is reused: same repo, rev)
    (project / ".pre-commit-config.yaml").write_text(
        readme_config(hook, git(hook, "rev-parse", "HEAD"))
    )
    (project / ".devcontainer.json").write_text('{"image": "x", "codespaces": {"x": 1},}}')
    git(project, "add", ".")
    configured = pre_commit(project, env, "run")
    assert configured.returncode == 1, configured.stdout + configured.stderr
    assert ".devcontainer.json:1:40: error: unexpected '}'" in configured.stdout
