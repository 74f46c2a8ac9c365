"""Tiny test images made with ``docker import`` and pushed with a throw-away login.

Nothing is pulled: the image is a one-file tarball built here. The docker CLI runs
through subprocess; passwords travel on stdin, never in argv, and logins go to a
temporary ``--config`` directory so the real ``~/.docker`` is never touched.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
import time

from tests.support.registry import Registry

DOCKER = "docker"
_TIMEOUT = 120


class DockerCommandError(RuntimeError):
    """A docker CLI command failed; the message has its stderr."""


def docker(*args: str, stdin: bytes | None = None, timeout: float = _TIMEOUT) -> str:
    """Run ``docker ARGS`` and return stdout; raise with stderr on failure."""
    result = subprocess.run(
        [DOCKER, *args], input=stdin, capture_output=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise DockerCommandError(
            f"docker {args[0]} failed ({result.returncode}): "
            f"{result.stderr.decode(errors='replace').strip()}"
        )
    return result.stdout.decode(errors="replace")


def _tarball(content: str) -> bytes:
    data = content.encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo("hello.txt")
        info.size = len(data)
        info.mtime = int(time.time())
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def make_image(tag: str, content: str = "hello") -> str:
    """Build a one-file image named ``tag`` from a tarball; return ``tag``."""
    docker("import", "-", tag, stdin=_tarball(content))
    return tag


def remove_image(reference: str) -> None:
    """Remove a local image tag if present (missing is fine)."""
    subprocess.run(
        [DOCKER, "image", "rm", "--force", reference],
        capture_output=True,
        timeout=_TIMEOUT,
        check=False,
    )


def push_with_login(registry: Registry, repository: str, tag: str = "1") -> str:
    """Make an image, push it as ``HOST/REPOSITORY:TAG`` with the registry's login.

    The local copies are removed afterwards, so a later pull must really fetch it.
    Returns the full reference.
    """
    reference = f"{registry.host}/{repository}:{tag}"
    local = make_image(
        f"cs-registry-test/local-{registry.host.replace(':', '-')}-{tag}", content=f"{reference}\n"
    )
    try:
        docker("tag", local, reference)
        with tempfile.TemporaryDirectory(prefix="cs-registry-push-") as config:
            if registry.username is not None and registry.password is not None:
                docker(
                    "--config",
                    config,
                    "login",
                    "--username",
                    registry.username,
                    "--password-stdin",
                    registry.host,
                    stdin=registry.password.encode(),
                )
            docker("--config", config, "push", reference)
    finally:
        remove_image(reference)
        remove_image(local)
    return reference


def docker_pull(
    reference: str,
    *,
    username: str | None = None,
    password: str | None = None,
    platform: str | None = None,
) -> tuple[bool, str, float]:
    """A real ``docker pull`` (logged in first when a user is given, in a throw-away config).

    Returns whether it worked, its error text (stderr) and how long the pull took. The
    pulled image is removed again, so the next pull fetches it afresh.
    """
    host = reference.split("/", 1)[0]
    with tempfile.TemporaryDirectory(prefix="cs-registry-pull-") as config:
        if username is not None and password is not None:
            docker(
                "--config",
                config,
                "login",
                "--username",
                username,
                "--password-stdin",
                host,
                stdin=password.encode(),
            )
        extra = ["--platform", platform] if platform else []
        started = time.monotonic()
        result = subprocess.run(
            [DOCKER, "--config", config, "pull", *extra, reference],
            capture_output=True,
            timeout=_TIMEOUT,
            check=False,
        )
        seconds = time.monotonic() - started
    remove_image(reference)
    return result.returncode == 0, result.stderr.decode(errors="replace").strip(), seconds
