"""debug-login's network and TLS steps against faults made on 127.0.0.1.

TLS findings on loopback are the ``tls`` step's code with status ``warn``: Docker
treats loopback as insecure and skips verification, so the diagnosis is ``ok``.
"""

from __future__ import annotations

import time
from contextlib import AbstractContextManager
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tests.integration.debug_login.conftest import Outcome, Run
from tests.support.ca import CA, make_ca
from tests.support.fake_servers import black_hole, canned, closed_port
from tests.support.registry import Registry, start_registry

USERS = {"alice": "tls-password-1"}


def _login(run: Run, host: str, *extra: str) -> Outcome:
    return run(host, "-u", "alice", "--password-stdin", *extra, stdin=USERS["alice"])


def _tls_registry(
    directory: Path, names: list[str], not_after: datetime | None = None
) -> tuple[CA, AbstractContextManager[Registry]]:
    ca = make_ca(directory / "ca")
    cert = ca.issue(directory / "leaf", names, not_after=not_after)
    # no ca_path: the daemon is not told about this CA (it treats loopback as insecure)
    return ca, start_registry(directory / "registry", users=USERS, tls_cert=cert)


def test_unknown_ca(debug_login: Run, docker_available: None, tmp_path: Path) -> None:
    _ca, started = _tls_registry(tmp_path, ["127.0.0.1"])
    with started as registry:
        outcome = _login(debug_login, registry.host)
    tls = outcome.step("tls")
    assert (tls["status"], tls["code"]) == ("warn", "tls_unknown_ca")
    assert "skopeo" in tls["detail"]
    assert outcome.code == "ok"


def test_trusted_ca_file_verifies(debug_login: Run, docker_available: None, tmp_path: Path) -> None:
    ca, started = _tls_registry(tmp_path, ["127.0.0.1"])
    with started as registry:
        outcome = _login(debug_login, registry.host, "--ca-file", str(ca.cert_path))
    tls = outcome.step("tls")
    assert (tls["status"], tls["code"]) == ("ok", "ok")
    assert outcome.code == "ok"


def test_certificate_for_another_name(
    debug_login: Run, docker_available: None, tmp_path: Path
) -> None:
    ca, started = _tls_registry(tmp_path, ["registry.example.test"])
    with started as registry:
        outcome = _login(debug_login, registry.host, "--ca-file", str(ca.cert_path))
    tls = outcome.step("tls")
    assert (tls["status"], tls["code"]) == ("warn", "tls_hostname_mismatch")


def test_expired_certificate(debug_login: Run, docker_available: None, tmp_path: Path) -> None:
    past = datetime.now(timezone.utc) - timedelta(days=1)
    ca, started = _tls_registry(tmp_path, ["127.0.0.1"], not_after=past)
    with started as registry:
        outcome = _login(debug_login, registry.host, "--ca-file", str(ca.cert_path))
    tls = outcome.step("tls")
    assert (tls["status"], tls["code"]) == ("warn", "tls_expired")


def test_plain_http_where_tls_is_expected(debug_login: Run, registry_plain: Registry) -> None:
    assert registry_plain.password is not None
    outcome = debug_login(
        registry_plain.host, "-u", "alice", "--password-stdin", stdin=registry_plain.password
    )
    tls = outcome.step("tls")
    assert (tls["status"], tls["code"]) == ("warn", "http_on_https_port")
    assert "falls back to http://" in tls["detail"]  # the HTTPS error is shown, not hidden
    assert outcome.step("ping")["detail"].startswith("http://")


def test_connection_refused(debug_login: Run) -> None:
    outcome = _login(debug_login, f"127.0.0.1:{closed_port()}")
    assert outcome.code == "connection_refused"
    assert outcome.step("tcp")["status"] == "fail"
    assert outcome.status == 1


def test_dns_failure(debug_login: Run) -> None:
    outcome = _login(debug_login, "registry.cs-registry-test.invalid")
    assert outcome.code == "dns_failure"
    assert outcome.step("dns")["status"] == "fail"


def test_listener_that_never_answers_times_out_within_the_bound(debug_login: Run) -> None:
    with black_hole() as host:
        started = time.monotonic()
        outcome = _login(debug_login, host, "--timeout", "2")
        elapsed = time.monotonic() - started
    assert outcome.code == "read_timeout"
    assert elapsed < 3.0


def test_server_errors_are_registry_unavailable(debug_login: Run) -> None:
    with canned(503, {"Docker-Distribution-Api-Version": "registry/2.0"}) as host:
        outcome = _login(debug_login, host)
    assert outcome.code == "registry_unavailable"
    assert "503" in outcome.step("ping")["detail"]


def test_500_is_registry_unavailable(debug_login: Run) -> None:
    with canned(500) as host:
        outcome = _login(debug_login, host)
    assert outcome.code == "registry_unavailable"


def test_429_is_rate_limited_with_retry_after(debug_login: Run) -> None:
    with canned(429, {"Retry-After": "120"}) as host:
        outcome = _login(debug_login, host)
    assert outcome.code == "rate_limited"
    assert "Retry-After: 120" in outcome.step("ping")["detail"]


def test_web_page_is_not_a_registry(debug_login: Run) -> None:
    with canned(200, {"Content-Type": "text/html"}, b"<html>hello</html>") as host:
        outcome = _login(debug_login, host)
    assert outcome.code == "not_a_registry"


def test_malformed_server_is_a_usage_error(debug_login: Run) -> None:
    outcome = _login(debug_login, "ftp://registry")
    assert outcome.status == 2
    assert outcome.code == "malformed_server"


def test_ca_in_docker_certs_d_verifies(
    debug_login: Run, docker_available: None, tmp_path: Path
) -> None:
    ca, started = _tls_registry(tmp_path, ["127.0.0.1"])
    with started as registry:
        # the debug_login fixture points CS_REGISTRY_DOCKER_CERTS_D at tmp_path/certs.d
        folder = tmp_path / "certs.d" / registry.host
        folder.mkdir(parents=True)
        (folder / "ca.crt").write_bytes(ca.cert_path.read_bytes())
        outcome = _login(debug_login, registry.host)
    tls = outcome.step("tls")
    assert (tls["status"], tls["code"]) == ("ok", "ok")
    assert str(folder / "ca.crt") in tls["detail"]


def test_oversized_header_is_not_a_registry(debug_login: Run) -> None:
    with canned(401, {"WWW-Authenticate": 'Basic realm="' + "x" * 70_000 + '"'}) as host:
        outcome = _login(debug_login, host)
    assert outcome.code == "not_a_registry"
    assert "LineTooLong" in outcome.step("ping")["detail"]
