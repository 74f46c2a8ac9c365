"""The devcontainers CLI, a locally built base image, and a wheelhouse for offline installs.

No container registry is reachable here, so the dev container's base image is a
minimal Debian root with python3 made by ``debootstrap`` and turned into an image
with ``docker import``; it is cached under a tag that names its recipe. The
cs-registry Feature installs inside the container from wheels prepared on the host
(``pip install --no-index --find-links``), so the container needs no network.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.support import wheelhouse as wheels
from tests.support.require import missing

ROOT = Path(__file__).resolve().parents[2]
FEATURE = ROOT / ".devcontainer" / "cs-registry"
SUITE = "bookworm"
#: the image's Python, which the wheelhouse targets
PYTHON_VERSION = "3.11"
PACKAGES = ("python3", "python3-venv")
#: bump when the recipe changes: the tag is the cache key
BASE_IMAGE = f"cs-registry-test/devcontainer-base:{SUITE}-python3-v1"
CACHE = Path(os.environ.get("CS_REGISTRY_TEST_CACHE", "/var/tmp/cs-registry-tests"))
_DEFAULT_MIRROR = "http://deb.debian.org/debian"
#: the image the CLI builds to carry Features' files into the real build
FEATURE_CONTENT_IMAGE = "dev_container_feature_content_temp"


def cli() -> str:
    """The ``devcontainer`` executable (``npm install -g @devcontainers/cli``)."""
    found = shutil.which("devcontainer")
    if found is None:
        missing("devcontainers CLI (npm install -g @devcontainers/cli)")
    return found


def run_cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run ``devcontainer ARGS``; stdout is its JSON result, stderr its log.

    In a network namespace of its own (``unshare --net``): it reaches the daemon
    through its Unix socket and the containers it starts use the daemon's network,
    so it needs none; it does look up ``containers.dev`` now and then, which would
    leave loopback.
    """
    unshare = shutil.which("unshare")
    if unshare is None:
        missing("unshare (util-linux), to keep the devcontainers CLI off the network")
    return subprocess.run(
        [unshare, "--net", cli(), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def last_json(stdout: str) -> Any:
    """The CLI prints one JSON document as its last stdout line."""
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise AssertionError(f"no JSON result in the CLI's output:\n{stdout[-2000:]}")
    return json.loads(lines[-1])


def debian_mirror() -> str:
    """The machine's own Debian mirror (apt's sources), else deb.debian.org."""
    sources = Path("/etc/apt/sources.list.d/debian.sources")
    if sources.is_file():
        for match in re.finditer(r"^URIs:\s*(\S+)", sources.read_text(), re.M):
            if "security" not in match[1]:
                return match[1]
    legacy = Path("/etc/apt/sources.list")
    if legacy.is_file():
        for match in re.finditer(r"^deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+\S+", legacy.read_text(), re.M):
            if "security" not in match[1]:
                return match[1]
    return _DEFAULT_MIRROR


def _image_exists(tag: str) -> bool:
    done = subprocess.run(
        ["docker", "image", "inspect", tag], capture_output=True, timeout=60, check=False
    )
    return done.returncode == 0


@contextlib.contextmanager
def _locked(name: str) -> Iterator[None]:
    """Serialise builds across test processes (other suites share the daemon)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / f"{name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def base_image() -> str:
    """The cached base image tag; built (debootstrap + docker import, ~1.5 min) if absent."""
    if _image_exists(BASE_IMAGE):
        return BASE_IMAGE
    debootstrap = shutil.which("debootstrap")
    if debootstrap is None:
        missing("debootstrap (apt-get install debootstrap), to build the dev container base")
    if os.geteuid() != 0:
        missing("root, to debootstrap the dev container base image")
    with _locked("base-image"):
        if _image_exists(BASE_IMAGE):
            return BASE_IMAGE
        with tempfile.TemporaryDirectory(prefix="csr-rootfs-", dir=CACHE) as tmp:
            root = Path(tmp) / "root"
            subprocess.run(
                [
                    debootstrap,
                    "--variant=minbase",
                    f"--include={','.join(PACKAGES)}",
                    SUITE,
                    str(root),
                    debian_mirror(),
                ],
                capture_output=True,
                timeout=900,
                check=True,
            )
            shutil.rmtree(root / "var" / "cache" / "apt" / "archives", ignore_errors=True)
            tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
            subprocess.run(
                ["docker", "import", "-c", 'CMD ["/bin/sh"]', "-", BASE_IMAGE],
                stdin=tar.stdout,
                capture_output=True,
                timeout=600,
                check=True,
            )
            if tar.wait() != 0:
                raise RuntimeError("tar of the debootstrapped root failed")
    return BASE_IMAGE


def _pip(*args: str) -> None:
    env = wheels.pip_env({**os.environ, "PIP_CACHE_DIR": str(CACHE / "pip-cache")})
    env.pop("PIP_REQUIRE_VIRTUALENV", None)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"pip {args[0]} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


def wheelhouse(dest: Path) -> Path:
    """Wheels of this checkout and of every dependency, for the image's Python.

    The dependency wheels are cached under a key made of ``pyproject.toml``'s
    dependency list; the project's own wheel is built fresh each time.
    """
    wheels.require()  # the build backend and every dependency come from there
    dest.mkdir(parents=True, exist_ok=True)
    _pip("wheel", "--no-deps", "--quiet", "--wheel-dir", str(dest), str(ROOT))
    built = sorted(dest.glob("cs_registry-*.whl"))
    if len(built) != 1:
        raise RuntimeError(f"expected one cs_registry wheel in {dest}, found {built}")
    key = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    deps = CACHE / f"wheels-py{PYTHON_VERSION}-{key}"
    with _locked("wheels"):
        if not (deps / ".complete").exists():
            shutil.rmtree(deps, ignore_errors=True)
            _pip(
                "download",
                "--quiet",
                "--only-binary=:all:",
                f"--python-version={PYTHON_VERSION}",
                "--implementation=cp",
                "--platform=manylinux2014_x86_64",
                "--platform=manylinux_2_17_x86_64",
                "--platform=manylinux_2_28_x86_64",
                "--dest",
                str(deps),
                str(built[0]),
            )
            (deps / ".complete").touch()
    for wheel in deps.glob("*.whl"):
        if not wheel.name.startswith("cs_registry-"):
            shutil.copy2(wheel, dest / wheel.name)
    return dest


#: what the Feature folder ships (a ``dist/`` that bundle.sh made in place is left out)
FEATURE_FILES = ("devcontainer-feature.json", "install.sh", "hooks")


def feature_copy(dest: Path, *, drop_installs_after: bool = True) -> Path:
    """This repository's Feature, copied into a test workspace's ``.devcontainer``.

    ``installsAfter`` names ``ghcr.io/devcontainers/features/python``; the CLI fetches
    that Feature's manifest from ghcr.io to order the install, even when it is not
    used, and ghcr.io is unreachable here. The copy drops it (only it).
    """
    dest.mkdir(parents=True)
    for name in FEATURE_FILES:
        source = FEATURE / name
        if source.is_dir():
            shutil.copytree(source, dest / name)
        else:
            shutil.copy2(source, dest / name)
    if drop_installs_after:
        _drop_installs_after(dest)
    return dest


def _drop_installs_after(dest: Path) -> None:
    metadata_path = dest / "devcontainer-feature.json"
    metadata = json.loads(metadata_path.read_text())
    metadata.pop("installsAfter", None)
    metadata_path.write_text(json.dumps(metadata, indent=4) + "\n")


def bundled_feature(dest: Path) -> Path:
    """The Feature folder made as the README tells users to: ``bundle.sh DEST`` copies
    it and builds this checkout's wheel into ``DEST/dist`` (what it installs by
    default); then ``installsAfter`` is dropped as in :func:`feature_copy`."""
    wheels.require()
    env = wheels.pip_env(
        {**os.environ, "PIP_CACHE_DIR": str(CACHE / "pip-cache"), "PYTHON": sys.executable}
    )
    env.pop("PIP_REQUIRE_VIRTUALENV", None)
    done = subprocess.run(
        ["sh", str(FEATURE / "bundle.sh"), str(dest)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bundle.sh failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    _drop_installs_after(dest)
    return dest


def remove_container_and_image(container_id: str) -> None:
    """Remove a dev container and the image the CLI built for it (missing is fine)."""
    done = subprocess.run(
        ["docker", "inspect", "--format", "{{.Config.Image}}", container_id],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    subprocess.run(
        ["docker", "rm", "--force", "--volumes", container_id],
        capture_output=True,
        timeout=120,
        check=False,
    )
    image = done.stdout.strip()
    # The CLI re-tags this helper image on every build; the old one would dangle.
    leftovers = [FEATURE_CONTENT_IMAGE]
    if done.returncode == 0 and image.startswith("vsc-"):
        leftovers.insert(0, image)
    for reference in leftovers:
        subprocess.run(
            ["docker", "image", "rm", "--force", reference],
            capture_output=True,
            timeout=120,
            check=False,
        )


def prune_feature_build_leftovers() -> None:
    """Remove dangling images left by Feature builds (the legacy builder keeps each
    stage; the CLI re-tags its content image every build). Only untagged images whose
    history copies into ``/tmp/build-features`` are touched."""
    listed = subprocess.run(
        ["docker", "images", "--filter", "dangling=true", "--quiet", "--no-trunc"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    for image in listed.stdout.split():
        history = subprocess.run(
            ["docker", "history", "--no-trunc", "--format", "{{.CreatedBy}}", image],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if "/tmp/build-features" in history.stdout:
            subprocess.run(
                ["docker", "image", "rm", image], capture_output=True, timeout=120, check=False
            )
