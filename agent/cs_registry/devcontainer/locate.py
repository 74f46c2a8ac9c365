"""Where devcontainer.json files live, and whose repository they belong to."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cs_registry.workspace import top_level

_GIT_TIMEOUT = 2.0
# https://github.com/OWNER/REPO(.git), git@github.com:OWNER/REPO.git, ssh://git@github.com/…
_REMOTE = re.compile(
    r"^(?:[a-z+]+://)?(?:[^@/]+@)?(?P<host>[^/:]+)(?::\d+)?[/:](?P<owner>[^/]+)/(?P<repo>[^/]+?)"
    r"(?:\.git)?/?$"
)


def find_configs(workspace: Path) -> list[Path]:
    """The configs a dev container tool offers for ``workspace``, in the spec's order.

    ``.devcontainer/devcontainer.json``, ``.devcontainer.json``, then
    ``.devcontainer/<sub>/devcontainer.json`` (one level deep, no deeper).
    """
    found = [workspace / ".devcontainer" / "devcontainer.json", workspace / ".devcontainer.json"]
    configs = [path for path in found if path.is_file()]
    folder = workspace / ".devcontainer"
    if folder.is_dir():
        configs.extend(sorted(p for p in folder.glob("*/devcontainer.json") if p.is_file()))
    return configs


def _git(workspace: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(workspace), *args],
            capture_output=True,
            text=True,
            timeout=_GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def default_workspace(cwd: Path) -> Path:
    """The git top level of ``cwd``, else ``cwd`` itself: the same folder whose
    ``.devcontainer/cs-registry.yaml`` the settings read (:mod:`cs_registry.workspace`)."""
    return Path(top_level(str(cwd.absolute())))


def repository_from_remote(url: str) -> str | None:
    """``owner/repo`` of a GitHub remote URL, or ``None``."""
    found = _REMOTE.match(url.strip())
    if found is None or not found["host"].lower().endswith("github.com"):
        return None
    return f"{found['owner']}/{found['repo']}"


@dataclass(frozen=True)
class Identity:
    """The repository the configs belong to, and where we learnt it."""

    owner: str | None
    repository: str | None
    source: str


def identify(environ: Mapping[str, str], workspace: Path, owner_flag: str | None) -> Identity:
    """Owner from ``GITHUB_REPOSITORY``, else the workspace's git remote, else ``--owner``."""
    repository = environ.get("GITHUB_REPOSITORY", "").strip()
    if "/" in repository:
        return Identity(repository.split("/", 1)[0], repository, "GITHUB_REPOSITORY")
    remote = _git(workspace, "remote", "get-url", "origin")
    from_remote = repository_from_remote(remote) if remote else None
    if from_remote:
        return Identity(from_remote.split("/", 1)[0], from_remote, "git remote origin")
    if owner_flag:
        return Identity(owner_flag, None, "--owner")
    return Identity(None, None, "unknown")
