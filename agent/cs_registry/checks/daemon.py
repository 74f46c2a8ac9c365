"""The docker CLI and the daemon behind it.

The daemon is asked ``GET /_ping`` over its socket directly (no docker-py): cheap,
bounded by a timeout, and it tells a missing socket from a refused connection
from a permission problem, which is what the remedy depends on.
"""

from __future__ import annotations

import http.client
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from cs_registry import engine
from cs_registry.checks.check import Check, ok, problem
from cs_registry.diagnosis import Code
from cs_registry.engine import Endpoint, endpoint
from cs_registry.status import Status

_CLI_TIMEOUT = 2.0
_RETRY_PAUSE = 0.1


def check_cli(environ: Mapping[str, str]) -> Check:
    """Whether ``docker`` is on PATH, and its version."""
    path = shutil.which("docker", path=environ.get("PATH"))
    if path is None:
        return problem(
            "docker-cli",
            Status.WARN,
            Code.DOCKER_CLI_MISSING,
            "the docker CLI is not on PATH; `docker pull` cannot use the logins",
        )
    try:
        done = subprocess.run(
            [path, "--version"],  # client only: `docker version` would ask the daemon too
            capture_output=True,
            text=True,
            timeout=_CLI_TIMEOUT,
            env=dict(environ),
            check=False,
        )
        # "Docker version 28.2.2, build e6534b4"
        words = done.stdout.replace(",", " ").split()
        version = words[2] if words[:2] == ["Docker", "version"] and len(words) > 2 else "unknown"
    except (OSError, subprocess.TimeoutExpired):
        version = "unknown"
    return ok("docker-cli", f"docker CLI {version} at {path}")


def ping(target: Endpoint, timeout: float) -> str:
    """``GET /_ping`` then ``GET /version``; the daemon's version, or raises OSError."""
    try:
        answer = engine.request(target, "GET", "/_ping", timeout=timeout)
        if answer.status != 200:
            raise ConnectionError(f"/_ping answered HTTP {answer.status}")
        api = answer.headers.get("api-version") or "?"
        data = engine.request(target, "GET", "/version", timeout=timeout).json() or {}
        return f"Docker {data.get('Version', '?')}, API {api}"
    except http.client.HTTPException as exc:
        raise ConnectionError(f"not a Docker daemon ({exc})") from None


def _reason(exc: OSError, target: Endpoint) -> str:
    where = target.where
    if isinstance(exc, FileNotFoundError):
        return f"no socket at {where} (Docker is not running, or DOCKER_HOST points elsewhere)"
    if isinstance(exc, PermissionError):
        return (
            f"permission denied on {where}; add your user to the socket's group "
            "(usually `docker`) or run as root"
        )
    if isinstance(exc, ConnectionRefusedError):
        return f"nothing accepts connections on {where} (the daemon stopped or is starting)"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return f"{where} accepted the connection but the daemon did not answer"
    return f"{where}: {exc.strerror or exc}"


def check_daemon(
    environ: Mapping[str, str],
    wait: float,
    *,
    prebuild: bool = False,
    config_dir: Path | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Check:
    """Ping the daemon until it answers or ``wait`` seconds have passed."""
    target = endpoint(environ, config_dir)
    deadline = clock() + max(wait, 0.0)
    while True:
        remaining = deadline - clock()
        try:
            version = ping(target, timeout=min(max(remaining, 0.2), 1.0))
        except OSError as exc:
            left = deadline - clock()
            if left > 0:  # Docker-in-Docker may still be starting: try until the deadline
                sleep(min(_RETRY_PAUSE, left))
                continue
            return _unreachable(exc, target, wait, prebuild)
        via = "" if target.source in ("DOCKER_HOST", "the default socket") else f", {target.source}"
        tls = ", TLS" if target.tls is not None else ""
        return ok("docker-daemon", f"daemon answers at {target.url}{via}{tls} ({version})")


def _unreachable(exc: OSError, target: Endpoint, wait: float, prebuild: bool) -> Check:
    reason = _reason(exc, target)
    waited = f" after waiting {wait:g} s" if wait > 0 else ""
    if prebuild:
        return problem(
            "docker-daemon",
            Status.WARN,
            Code.DAEMON_UNREACHABLE,
            f"no Docker daemon{waited}: expected while a prebuild is made, Docker-in-Docker "
            f"does not run then ({reason})",
            remedy="Nothing to do now; run docker commands from postCreateCommand or later.",
        )
    return problem(
        "docker-daemon",
        Status.FAIL,
        Code.DAEMON_UNREACHABLE,
        f"the Docker daemon does not answer{waited}: {reason}",
    )
