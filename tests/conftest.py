"""Each test gets its own HOME, Docker config and XDG dirs; the real ~/.docker is untouched."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.support import loopback_names
from tests.support.captured import CapturedContext, MakeCtx
from tests.support.require import missing

# the suite's name lookups never reach the machine's resolver (another address): a name
# that is not in /etc/hosts gets the resolver's "no such name" without asking it
loopback_names.install()

# Property tests explore new examples on every local run; under CI they replay a fixed
# sequence, so a landing never depends on the luck of the draw (what they find
# locally becomes an explicit regression test).
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

_ISOLATED = ("HOME", "DOCKER_CONFIG", "XDG_CACHE_HOME", "XDG_CONFIG_HOME")
_CLEARED = ("ACTION_NAME", "CODESPACES", "DOCKER_AUTH_CONFIG", "REGISTRY_AUTH_FILE")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("DOCKER_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("CS_REGISTRY_CODESPACES_ENV_FILE", str(tmp_path / "no-codespaces.json"))
    monkeypatch.setenv("CS_REGISTRY_CREATION_LOG", str(tmp_path / "no-creation.log"))
    for name in _CLEARED:
        monkeypatch.delenv(name, raising=False)
    for name in list(os.environ):
        if "_CONTAINER_REGISTRY_" in name:
            monkeypatch.delenv(name)
    return home


@pytest.fixture(autouse=True)
def forget_registered_secrets() -> Iterator[None]:
    """Secrets a test registers for masking are forgotten after it: the set is
    process-wide, and a short one ("pw") would mask text in every later test."""
    from cs_registry import log

    before = set(log._registered)
    yield
    log._registered.intersection_update(before)


@pytest.fixture
def make_ctx(isolated_home: Path) -> MakeCtx:
    """Build a :class:`Context` over a given environment with captured streams."""

    def build(environ: dict[str, str] | None = None, stdin: str = "") -> CapturedContext:
        env = {"HOME": str(isolated_home), "PATH": "/usr/bin:/bin"}
        env["CS_REGISTRY_CODESPACES_ENV_FILE"] = str(isolated_home / "no-codespaces.json")
        env["CS_REGISTRY_CREATION_LOG"] = str(isolated_home / "no-creation.log")
        env.update(environ or {})
        return CapturedContext(
            environ=env,
            stdin=io.StringIO(stdin),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )

    return build


@pytest.fixture
def as_root() -> None:
    """The test needs root (to chown, or to hold root's rules): CI runs as root, so
    there a non-root run is a failure, never a skip; elsewhere it skips."""
    if os.geteuid() != 0:
        missing("root (the suite runs as root under CI)")
