"""Where the Docker daemon listens, and a plain HTTP connection to it.

``doctor`` pings the daemon and ``debug-login`` asks it for ``/info`` and ``/auth``;
both talk to the Engine API over its socket directly (no docker-py): cheap, bounded
by a timeout, and every failure keeps its precise ``OSError``.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cs_registry import files

DEFAULT_SOCKET = "/var/run/docker.sock"


class UnixConnection(http.client.HTTPConnection):
    """``http.client`` over a unix socket."""

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

    def connection(self, timeout: float) -> http.client.HTTPConnection:
        """A new, not yet connected, connection to the daemon."""
        if self.unix_path is not None:
            return UnixConnection(self.unix_path, timeout)
        assert self.tcp is not None
        return http.client.HTTPConnection(*self.tcp, timeout=timeout)


def context_host(environ: Mapping[str, str], config_dir: Path | None) -> str | None:
    """The endpoint of the active Docker context (``DOCKER_CONTEXT``, else ``currentContext``)."""
    if config_dir is None:
        return None
    name = environ.get("DOCKER_CONTEXT")
    if not name:
        data = _read_json(config_dir / "config.json", files.CONFIG_LIMIT, "Docker config")
        name = data.get("currentContext") if isinstance(data, dict) else None
    if not isinstance(name, str) or name in ("", "default"):
        return None
    digest = hashlib.sha256(name.encode()).hexdigest()  # the CLI's layout of context metadata
    meta_path = config_dir / "contexts" / "meta" / digest / "meta.json"
    meta = _read_json(meta_path, files.TEXT_LIMIT, "Docker context metadata")
    try:
        host = meta["Endpoints"]["docker"]["Host"]
    except (KeyError, TypeError):
        return None
    return host if isinstance(host, str) and host else None


def _read_json(path: Path, limit: int, what: str) -> Any:
    """The JSON in ``path``, or ``None`` when it is missing, unsafe or not JSON: the
    context only picks the daemon, and the config check reports the file itself."""
    try:
        raw = files.read_file(path, limit=limit, what=what)
        return json.loads(raw) if raw is not None else None
    except (files.FileError, ValueError):
        return None


def daemon_url(environ: Mapping[str, str], config_dir: Path | None = None) -> str:
    """``DOCKER_HOST``, else the active context's host, else the default socket."""
    return (
        environ.get("DOCKER_HOST")
        or context_host(environ, config_dir)
        or f"unix://{DEFAULT_SOCKET}"
    )


def endpoint(environ: Mapping[str, str], config_dir: Path | None = None) -> Endpoint | None:
    """The daemon's endpoint as the docker CLI would pick it.

    ``None`` for what we cannot reach with plain HTTP: ssh://, npipe://, TLS-protected TCP.
    An address that does not parse (``tcp://127.0.0.1:99999``, ``tcp://[::1``) is a
    configuration error naming where it came from.
    """
    raw = daemon_url(environ, config_dir)
    try:
        parts = urlsplit(raw)
        port = parts.port  # parsed on access: a port out of range raises only here
    except ValueError as exc:
        from cs_registry.errors import UsageError

        source = "DOCKER_HOST" if environ.get("DOCKER_HOST") else "the Docker context's host"
        raise UsageError(
            f"{source}={raw!r} is not a Docker daemon address ({exc}); use e.g. "
            f"unix://{DEFAULT_SOCKET} or tcp://127.0.0.1:2375"
        ) from None
    if parts.scheme == "unix":
        return Endpoint(raw, unix_path=parts.path or DEFAULT_SOCKET)
    tls = bool(environ.get("DOCKER_TLS_VERIFY")) or port == 2376
    if parts.scheme in ("tcp", "http") and parts.hostname and not tls:
        return Endpoint(raw, tcp=(parts.hostname, port or 2375))
    return None
