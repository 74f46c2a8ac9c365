"""Handshake classification and the daemon's view (insecure registries, messages)."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from cs_registry.diagnosis import Code
from cs_registry.probe import tlstrust
from cs_registry.probe.daemon_api import DaemonInfo, classify_message, parse_info


def _verify_error(code: int, message: str) -> ssl.SSLCertVerificationError:
    error = ssl.SSLCertVerificationError(1, message)
    error.verify_code = code
    error.verify_message = message
    return error


@pytest.mark.parametrize(
    ("verify_code", "expected"),
    [
        (10, Code.TLS_EXPIRED),
        (9, Code.TLS_EXPIRED),
        (20, Code.TLS_UNKNOWN_CA),
        (18, Code.TLS_UNKNOWN_CA),
        (19, Code.TLS_UNKNOWN_CA),
        (62, Code.TLS_HOSTNAME_MISMATCH),
        (64, Code.TLS_HOSTNAME_MISMATCH),
        (23, Code.TLS_ERROR),  # revoked: not one of ours
    ],
)
def test_verify_codes(verify_code: int, expected: Code) -> None:
    code, detail = tlstrust.classify(_verify_error(verify_code, "why"))
    assert code is expected
    assert "why" in detail


def test_other_ssl_errors_are_tls_error() -> None:
    code, _ = tlstrust.classify(ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version"))
    assert code is Code.TLS_ERROR


def test_certs_d_and_ca_file_are_loaded(tmp_path: Path) -> None:
    from tests.support.ca import make_ca

    ca = make_ca(tmp_path / "ca")
    folder = tmp_path / "certs.d" / "reg.example:5000"
    folder.mkdir(parents=True)
    (folder / "ca.crt").write_bytes(ca.cert_path.read_bytes())
    (folder / "client.cert").write_text("not a CA, ignored")
    _, loaded = tlstrust.trust_context(
        "reg.example:5000", ca_file=ca.cert_path, certs_d=tmp_path / "certs.d"
    )
    assert loaded == [str(folder / "ca.crt"), str(ca.cert_path)]


def test_unloadable_ca_file_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text("nonsense")
    with pytest.raises(tlstrust.TrustError, match=r"bad\.pem"):
        tlstrust.trust_context("x", ca_file=bad, certs_d=tmp_path)


def test_loopback_is_always_insecure() -> None:
    info = DaemonInfo(insecure_cidrs=[])
    assert info.insecure("127.0.0.1:5000", ["127.0.0.1"]) is not None
    assert info.insecure("[::1]:5000", ["::1"]) is not None
    assert info.insecure("reg.example", ["192.0.2.10"]) is None


def test_daemon_insecure_registries_from_info() -> None:
    info = parse_info(
        {
            "RegistryConfig": {
                "InsecureRegistryCIDRs": ["127.0.0.0/8", "10.0.0.0/8"],
                "IndexConfigs": {
                    "docker.io": {"Secure": True},
                    "reg.example:5000": {"Secure": False},
                },
            },
            "HttpsProxy": "http://proxy:3128",
        }
    )
    assert info.insecure("reg.example:5000", ["192.0.2.1"]) is not None
    assert info.insecure("other.example", ["10.1.2.3"]) is not None
    assert info.insecure("docker.io", ["192.0.2.2"]) is None
    assert info.https_proxy == "http://proxy:3128"


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ('Get "https://r/v2/": x509: certificate signed by unknown authority', Code.TLS_UNKNOWN_CA),
        (
            "login attempt to http://r/v2/ failed with status: 401 Unauthorized",
            Code.BAD_CREDENTIALS,
        ),
        ('Get "http://r/v2/": unauthorized: incorrect username or password', Code.BAD_CREDENTIALS),
        ("dial tcp: lookup r on 127.0.0.53:53: no such host", Code.DNS_FAILURE),
        ("dial tcp 127.0.0.1:1: connect: connection refused", Code.CONNECTION_REFUSED),
        ("net/http: request canceled (Client.Timeout exceeded)", Code.READ_TIMEOUT),
        ("http: server gave HTTP response to HTTPS client", Code.HTTP_ON_HTTPS_PORT),
        ("something new", Code.REGISTRY_UNAVAILABLE),
    ],
)
def test_daemon_messages(message: str, code: Code) -> None:
    assert classify_message(message) is code
