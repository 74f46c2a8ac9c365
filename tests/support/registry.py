"""A real Docker registry for tests, run by testcontainers with host networking.

The daemon runs with ``--bridge=none``, so the registry shares the host's network
and listens on ``127.0.0.1:<free port>``; no port is published. Authentication is
htpasswd with bcrypt (the file is written here and bind-mounted); TLS uses a
certificate from :mod:`tests.support.ca`, and its CA can be installed for the daemon
under ``/etc/docker/certs.d/HOST:PORT/ca.crt`` for the registry's lifetime.

testcontainers' own ``DockerRegistryContainer`` does not fit: it always exposes a
port (host networking forbids publishing), hashes with a fixed cost of 12, and copies
the htpasswd file in after start. The generic ``DockerContainer`` is used instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import bcrypt

# The reaper image cannot be pulled on these machines; fixtures clean up instead.
# Set before testcontainers reads its configuration.
os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")

from testcontainers.core.config import testcontainers_config
from testcontainers.core.container import DockerContainer

testcontainers_config.ryuk_disabled = True

REGISTRY_IMAGE = os.environ.get(
    "CS_REGISTRY_TEST_REGISTRY_IMAGE", "cs-registry-test/registry:local"
)
"""The registry image; ``tests/run`` exports ``CS_REGISTRY_TEST_REGISTRY_IMAGE``."""

DOCKER_CERTS_D = Path("/etc/docker/certs.d")
READY_TIMEOUT = 20.0
_START_ATTEMPTS = 3
_HTPASSWD = "/auth/htpasswd"
_CERT = "/certs/server.crt"
_KEY = "/certs/server.key"


@dataclass
class Registry:
    """A running registry, reachable at ``host`` (``127.0.0.1:PORT``)."""

    host: str
    username: str | None
    password: str | None
    tls: bool
    ca_path: Path | None
    container_name: str

    @property
    def url(self) -> str:
        """The base URL, ``https://HOST`` or ``http://HOST``."""
        return ("https://" if self.tls else "http://") + self.host


class RegistryStartError(RuntimeError):
    """The registry container did not come up; the message carries its logs."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_htpasswd(path: Path, users: dict[str, str], *, rounds: int = 4) -> Path:
    """Write an htpasswd file with bcrypt hashes (cost ``rounds``) for ``users``."""
    lines = []
    for user, password in users.items():
        hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=rounds)).decode()
        lines.append(f"{user}:{hashed}\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(lines))
    path.chmod(0o644)
    return path


def registry_image_present(image: str | None = None) -> bool:
    """True when the registry image is in the daemon already (nothing can be pulled here)."""
    done = subprocess.run(
        ["docker", "image", "inspect", image or REGISTRY_IMAGE],
        capture_output=True,
        timeout=30,
        check=False,
    )
    return done.returncode == 0


def registry_log(registry: Registry) -> str:
    """The registry container's log so far (its request log goes to stderr)."""
    done = subprocess.run(
        ["docker", "logs", registry.container_name],
        capture_output=True,
        timeout=30,
        check=False,
    )
    return (done.stdout + done.stderr).decode(errors="replace")


def _ssl_context(ca_path: Path | None) -> ssl.SSLContext:
    if ca_path is not None:
        return ssl.create_default_context(cafile=str(ca_path))
    # No CA given: readiness only needs an answer, not a verified one.
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _answers(url: str, context: ssl.SSLContext | None) -> bool:
    """True once ``GET /v2/`` gets any HTTP answer (200, or 401 when auth is on)."""
    try:
        with urllib.request.urlopen(url + "/v2/", timeout=2, context=context):
            return True
    except urllib.error.HTTPError:
        return True
    except (OSError, ssl.SSLError):
        return False


def _logs(container: DockerContainer) -> str:
    try:
        out, err = container.get_logs()
    except Exception as exc:  # the container may already be gone
        return f"(no logs: {exc})"
    return (out + err).decode(errors="replace")[-4000:]


def _wait_ready(container: DockerContainer, registry: Registry, timeout: float) -> None:
    context = _ssl_context(registry.ca_path) if registry.tls else None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _answers(registry.url, context):
            return
        container.reload()
        if container.status in ("exited", "dead"):
            raise RegistryStartError(
                f"registry {registry.container_name} exited before answering on "
                f"{registry.url}/v2/:\n{_logs(container)}"
            )
        time.sleep(0.1)
    raise RegistryStartError(
        f"registry {registry.container_name} did not answer {registry.url}/v2/ within "
        f"{timeout:.0f}s:\n{_logs(container)}"
    )


def _container(
    port: int,
    name: str,
    htpasswd: Path | None,
    tls_cert: tuple[Path, Path] | None,
    env: dict[str, str],
) -> DockerContainer:
    container = (
        DockerContainer(REGISTRY_IMAGE)
        .with_name(name)
        .with_kwargs(network_mode="host")
        .with_env("REGISTRY_HTTP_ADDR", f"127.0.0.1:{port}")
        .with_env("REGISTRY_HTTP_SECRET", uuid.uuid4().hex)
        .with_env("REGISTRY_STORAGE_DELETE_ENABLED", "true")
    )
    if htpasswd is not None:
        container.with_volume_mapping(htpasswd, _HTPASSWD, "ro")
        container.with_env("REGISTRY_AUTH", "htpasswd")
        container.with_env("REGISTRY_AUTH_HTPASSWD_REALM", "cs-registry-test")
        container.with_env("REGISTRY_AUTH_HTPASSWD_PATH", _HTPASSWD)
    if tls_cert is not None:
        cert, key = tls_cert
        container.with_volume_mapping(cert.resolve(), _CERT, "ro")
        container.with_volume_mapping(key.resolve(), _KEY, "ro")
        container.with_env("REGISTRY_HTTP_TLS_CERTIFICATE", _CERT)
        container.with_env("REGISTRY_HTTP_TLS_KEY", _KEY)
    for key_name, value in env.items():
        container.with_env(key_name, value)
    return container


def _install_ca(host: str, ca_path: Path) -> Path:
    """Trust ``ca_path`` for ``host`` in the daemon (read on every connection)."""
    directory = DOCKER_CERTS_D / host
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ca_path, directory / "ca.crt")
    return directory


@contextmanager
def start_registry(
    tmp_dir: Path,
    *,
    users: dict[str, str] | None = None,
    tls_cert: tuple[Path, Path] | None = None,
    ca_path: Path | None = None,
    env: dict[str, str] | None = None,
    port: int | None = None,
    bcrypt_rounds: int = 4,
) -> Iterator[Registry]:
    """Run a registry until the block ends, then remove it (and its daemon CA).

    ``users`` turns on htpasswd auth (bcrypt cost ``bcrypt_rounds``); ``tls_cert`` is
    ``(cert_path, key_path)`` and turns on TLS; ``ca_path`` is the CA that signed it,
    used for the readiness check and installed for the daemon. ``env`` adds or
    overrides ``REGISTRY_*`` settings (e.g. token auth). Without ``port`` a free one
    is chosen, and a lost race for it is retried.
    """
    if not registry_image_present():
        # testcontainers would try to pull it, and these machines reach no registry
        raise RegistryStartError(
            f"registry image {REGISTRY_IMAGE} is not in the daemon: run tests/run to build "
            "it, or set CS_REGISTRY_TEST_REGISTRY_IMAGE"
        )
    tmp_dir.mkdir(parents=True, exist_ok=True)
    htpasswd = None
    if users:
        htpasswd = write_htpasswd(tmp_dir / "htpasswd", users, rounds=bcrypt_rounds)
    username, password = next(iter(users.items())) if users else (None, None)
    attempts = 1 if port is not None else _START_ATTEMPTS
    for attempt in range(1, attempts + 1):
        chosen = port if port is not None else free_port()
        name = f"cs-registry-test-{chosen}-{uuid.uuid4().hex[:8]}"
        registry = Registry(
            host=f"127.0.0.1:{chosen}",
            username=username,
            password=password,
            tls=tls_cert is not None,
            ca_path=ca_path,
            container_name=name,
        )
        container = _container(chosen, name, htpasswd, tls_cert, env or {})
        certs_dir: Path | None = None
        try:
            container.start()
            _wait_ready(container, registry, READY_TIMEOUT)
        except RegistryStartError:
            container.stop()
            if attempt == attempts:
                raise
            continue  # most likely another test took the port between bind and start
        except BaseException:
            container.stop()
            raise
        try:
            if tls_cert is not None and ca_path is not None:
                certs_dir = _install_ca(registry.host, ca_path)
            yield registry
        finally:
            if certs_dir is not None:
                shutil.rmtree(certs_dir, ignore_errors=True)
            container.stop()
        return
