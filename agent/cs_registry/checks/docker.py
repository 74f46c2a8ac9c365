"""The docker CLI and the daemon behind it.

The daemon is asked ``GET /_ping`` over its socket directly (no docker-py): cheap,
bounded by a timeout, and it tells a missing socket from a refused connection
from a permission problem, which is what the remedy depends on.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cs_registry.checks.record import Check, Status, ok, problem, skip
from cs_registry.diagnosis import Code

DEFAULT_SOCKET = "/var/run/docker.sock"
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


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self._path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


@dataclass(frozen=True)
class Endpoint:
    """Where the daemon should be: a unix socket path or a TCP ``host:port``."""

    url: str
    unix_path: str | None = None
    tcp: tuple[str, int] | None = None


def context_host(environ: Mapping[str, str], config_dir: Path | None) -> str | None:
    """The endpoint of the active Docker context (``DOCKER_CONTEXT``, else ``currentContext``)."""
    if config_dir is None:
        return None
    name = environ.get("DOCKER_CONTEXT")
    if not name:
        try:
            data = json.loads((config_dir / "config.json").read_bytes())
        except (OSError, ValueError):
            return None
        name = data.get("currentContext") if isinstance(data, dict) else None
    if not isinstance(name, str) or name in ("", "default"):
        return None
    digest = hashlib.sha256(name.encode()).hexdigest()  # the CLI's layout of context metadata
    try:
        meta = json.loads((config_dir / "contexts" / "meta" / digest / "meta.json").read_bytes())
        host = meta["Endpoints"]["docker"]["Host"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return host if isinstance(host, str) and host else None


def endpoint(environ: Mapping[str, str], config_dir: Path | None = None) -> Endpoint | None:
    """``DOCKER_HOST``, else the active context's host, else the default socket.

    ``None`` for what we do not ping cheaply: ssh://, npipe://, TLS-protected TCP.
    """
    raw = (
        environ.get("DOCKER_HOST")
        or context_host(environ, config_dir)
        or f"unix://{DEFAULT_SOCKET}"
    )
    parts = urlsplit(raw)
    if parts.scheme == "unix":
        return Endpoint(raw, unix_path=parts.path or DEFAULT_SOCKET)
    tls = bool(environ.get("DOCKER_TLS_VERIFY")) or parts.port == 2376
    if parts.scheme in ("tcp", "http") and parts.hostname and not tls:
        return Endpoint(raw, tcp=(parts.hostname, parts.port or 2375))
    return None


def ping(target: Endpoint, timeout: float) -> str:
    """``GET /_ping`` then ``GET /version``; the daemon's version, or raises OSError."""
    if target.unix_path is not None:
        conn: http.client.HTTPConnection = _UnixConnection(target.unix_path, timeout)
    else:
        assert target.tcp is not None
        conn = http.client.HTTPConnection(*target.tcp, timeout=timeout)
    try:
        conn.request("GET", "/_ping")
        answer = conn.getresponse()
        answer.read()
        if answer.status != 200:
            raise ConnectionError(f"/_ping answered HTTP {answer.status}")
        api = answer.getheader("Api-Version") or "?"
        conn.request("GET", "/version")
        version = conn.getresponse()
        data = json.loads(version.read() or b"{}")
        return f"Docker {data.get('Version', '?')}, API {api}"
    except (http.client.HTTPException, ValueError) as exc:
        raise ConnectionError(f"not a Docker daemon ({exc})") from None
    finally:
        conn.close()


def _reason(exc: OSError, target: Endpoint) -> str:
    where = target.unix_path or target.url
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
    if target is None:
        return skip(
            "docker-daemon",
            "not checked: only unix:// sockets and plain tcp:// endpoints are pinged "
            "(run `docker info` to check this one)",
        )
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
        return ok("docker-daemon", f"daemon answers at {target.url} ({version})")


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
