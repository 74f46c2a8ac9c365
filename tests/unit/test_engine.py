"""Which daemon the docker CLI would use: engine.endpoint, as a table (no connection made)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from cs_registry import engine
from cs_registry.engine import DEFAULT_SOCKET, Tls
from cs_registry.errors import UsageError


def _certs(directory: Path, *names: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name in names:
        (directory / name).write_text("PEM")
    return directory


def _context(config_dir: Path, name: str, host: str, *, skip_verify: bool = False) -> Path:
    digest = hashlib.sha256(name.encode()).hexdigest()
    meta = config_dir / "contexts" / "meta" / digest
    meta.mkdir(parents=True)
    docker = {"Host": host, "SkipTLSVerify": skip_verify}
    (meta / "meta.json").write_text(json.dumps({"Name": name, "Endpoints": {"docker": docker}}))
    return config_dir / "contexts" / "tls" / digest / "docker"


def test_default_socket() -> None:
    found = engine.endpoint({})
    assert (found.unix_path, found.plain, found.source) == (
        DEFAULT_SOCKET,
        True,
        "the default socket",
    )


def test_plain_tcp_defaults_to_2375() -> None:
    found = engine.endpoint({"DOCKER_HOST": "tcp://127.0.0.1"})
    assert (found.tcp, found.tls) == (("127.0.0.1", 2375), None)


def test_port_2376_alone_does_not_mean_tls_as_for_the_cli() -> None:
    assert engine.endpoint({"DOCKER_HOST": "tcp://127.0.0.1:2376"}).tls is None


def test_tls_verify_uses_the_cert_path(tmp_path: Path) -> None:
    certs = _certs(tmp_path / "certs", "ca.pem", "cert.pem", "key.pem")
    found = engine.endpoint(
        {
            "DOCKER_HOST": "tcp://127.0.0.1:2376",
            "DOCKER_TLS_VERIFY": "1",
            "DOCKER_CERT_PATH": str(certs),
        }
    )
    assert found.tls == Tls(
        verify=True,
        ca=str(certs / "ca.pem"),
        cert=str(certs / "cert.pem"),
        key=str(certs / "key.pem"),
    )
    assert not found.plain


def test_tls_material_defaults_to_the_config_directory(tmp_path: Path) -> None:
    _certs(tmp_path, "ca.pem")
    found = engine.endpoint({"DOCKER_HOST": "tcp://h:2376", "DOCKER_TLS_VERIFY": "1"}, tmp_path)
    assert found.tls == Tls(verify=True, ca=str(tmp_path / "ca.pem"))


def test_docker_tls_without_verify() -> None:
    found = engine.endpoint({"DOCKER_HOST": "tcp://h:2376", "DOCKER_TLS": "1"})
    assert found.tls == Tls(verify=False)


def test_ssh() -> None:
    found = engine.endpoint({"DOCKER_HOST": "ssh://me@box"})
    assert found.ssh
    assert not found.plain


@pytest.mark.parametrize(
    "host", ["tcp://127.0.0.1:99999", "tcp://[::1", "npipe:////./pipe/docker_engine", "fd://"]
)
def test_unusable_addresses_are_usage_errors_naming_the_variable(host: str) -> None:
    with pytest.raises(UsageError, match="DOCKER_HOST"):
        engine.endpoint({"DOCKER_HOST": host})


def test_context_with_tls_material(tmp_path: Path) -> None:
    tls_dir = _context(tmp_path, "dind", "tcp://127.0.0.1:2376")
    _certs(tls_dir, "ca.pem", "cert.pem", "key.pem")
    found = engine.endpoint({"DOCKER_CONTEXT": "dind"}, tmp_path)
    assert found.source == "context 'dind'"
    assert found.tls == Tls(
        verify=True,
        ca=str(tls_dir / "ca.pem"),
        cert=str(tls_dir / "cert.pem"),
        key=str(tls_dir / "key.pem"),
    )


def test_context_skip_tls_verify(tmp_path: Path) -> None:
    _context(tmp_path, "lax", "tcp://127.0.0.1:2376", skip_verify=True)
    found = engine.endpoint({"DOCKER_CONTEXT": "lax"}, tmp_path)
    assert found.tls == Tls(verify=False)


def test_current_context_from_the_config(tmp_path: Path) -> None:
    _context(tmp_path, "remote", "unix:///run/remote.sock")
    (tmp_path / "config.json").write_text(json.dumps({"currentContext": "remote"}))
    assert engine.endpoint({}, tmp_path).unix_path == "/run/remote.sock"


def test_docker_host_beats_the_context(tmp_path: Path) -> None:
    _context(tmp_path, "remote", "unix:///run/remote.sock")
    found = engine.endpoint(
        {"DOCKER_HOST": "unix:///run/x.sock", "DOCKER_CONTEXT": "remote"}, tmp_path
    )
    assert found.unix_path == "/run/x.sock"


def test_default_context_name_is_the_default_socket(tmp_path: Path) -> None:
    assert engine.endpoint({"DOCKER_CONTEXT": "default"}, tmp_path).unix_path == DEFAULT_SOCKET
