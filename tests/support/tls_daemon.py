"""A second Docker daemon on loopback, protected by TLS client certificates.

The docker-in-docker set-up CI systems use: ``dockerd -H tcp://127.0.0.1:PORT
--tlsverify`` with its own CA, and clients that present ``cert.pem``/``key.pem``
from ``DOCKER_CERT_PATH`` (or a context's TLS material). It runs beside the test
bed's daemon with its own ``--data-root``, ``--exec-root`` and ``--pidfile``, no
bridge and no iptables, and is stopped when the block ends.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.ca import make_ca
from tests.support.registry import free_port
from tests.support.require import missing

_READY_SECONDS = 60.0


@dataclass(frozen=True)
class TlsDaemon:
    """A running TLS daemon: its address and the client material the CLI expects."""

    host: str  # tcp://127.0.0.1:PORT
    cert_path: Path  # ca.pem, cert.pem, key.pem, as DOCKER_CERT_PATH wants them
    version: str

    @property
    def environ(self) -> dict[str, str]:
        """``DOCKER_HOST``, ``DOCKER_TLS_VERIFY`` and ``DOCKER_CERT_PATH`` for it."""
        return {
            "DOCKER_HOST": self.host,
            "DOCKER_TLS_VERIFY": "1",
            "DOCKER_CERT_PATH": str(self.cert_path),
        }


def _client_material(directory: Path) -> Path:
    ca = make_ca(directory / "ca", name="cs-registry test daemon CA")
    server_cert, server_key = ca.issue(directory / "server", ["127.0.0.1", "localhost"])
    client_cert, client_key = ca.issue(directory / "client", ["cs-registry client"], client=True)
    certs = directory / "certs"
    certs.mkdir()
    shutil.copy(ca.cert_path, certs / "ca.pem")
    shutil.copy(client_cert, certs / "cert.pem")
    shutil.copy(client_key, certs / "key.pem")
    (directory / "server" / "ca.pem").write_bytes(ca.cert_pem)
    os.replace(server_cert, directory / "server" / "server.pem")
    os.replace(server_key, directory / "server" / "server-key.pem")
    return certs


def _version(environ: dict[str, str]) -> str | None:
    done = subprocess.run(
        ["docker", "version", "--format", "{{.Server.Version}}"],
        env={**os.environ, **environ},
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None


@contextmanager
def tls_daemon(directory: Path) -> Iterator[TlsDaemon]:
    """Start ``dockerd --tlsverify`` on ``127.0.0.1:<free port>`` under ``directory``."""
    dockerd = shutil.which("dockerd")
    if dockerd is None or os.geteuid() != 0:
        missing("dockerd, run as root, for the TLS daemon")
    certs = _client_material(directory)
    server = directory / "server"
    (directory / "daemon.json").write_text("{}")
    host = f"tcp://127.0.0.1:{free_port()}"
    log = (directory / "dockerd.log").open("wb")
    process = subprocess.Popen(
        [
            dockerd,
            "--config-file",
            str(directory / "daemon.json"),
            "--data-root",
            str(directory / "data"),
            "--exec-root",
            str(directory / "exec"),
            "--pidfile",
            str(directory / "docker.pid"),
            "-H",
            host,
            "--tlsverify",
            "--tlscacert",
            str(server / "ca.pem"),
            "--tlscert",
            str(server / "server.pem"),
            "--tlskey",
            str(server / "server-key.pem"),
            "--bridge=none",
            "--iptables=false",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    daemon = TlsDaemon(host, certs, "")
    try:
        deadline = time.monotonic() + _READY_SECONDS
        version = None
        while version is None:
            if process.poll() is not None or time.monotonic() > deadline:
                tail = (directory / "dockerd.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"the TLS dockerd did not come up on {host}:\n{tail}")
            time.sleep(0.5)
            version = _version(daemon.environ)
        yield TlsDaemon(host, certs, version)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()
        # the daemon's own data (overlay mounts are gone once it stopped)
        shutil.rmtree(directory / "data", ignore_errors=True)
