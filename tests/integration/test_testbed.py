"""The test bed itself: registries answer with auth, TLS is verified, images round-trip."""

from __future__ import annotations

import base64
import ssl
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography import x509

from tests.support.ca import make_ca
from tests.support.registry import DOCKER_CERTS_D, Registry


def _get(registry: Registry, path: str, auth: tuple[str, str] | None) -> int:
    request = urllib.request.Request(registry.url + path)
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    context = ssl.create_default_context(cafile=str(registry.ca_path)) if registry.tls else None
    try:
        with urllib.request.urlopen(request, timeout=5, context=context) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


@pytest.mark.parametrize("which", ["registry_plain", "registry_tls"])
def test_registry_requires_login_and_holds_the_pushed_image(
    which: str, request: pytest.FixtureRequest
) -> None:
    registry: Registry = request.getfixturevalue(which)
    assert registry.username
    assert registry.password
    creds = (registry.username, registry.password)
    assert _get(registry, "/v2/", None) == 401
    assert _get(registry, "/v2/", (registry.username, "wrong")) == 401
    assert _get(registry, "/v2/", creds) == 200
    assert _get(registry, "/v2/test/tiny/manifests/1", creds) == 200


def test_tls_registry_ca_is_installed_for_the_daemon(registry_tls: Registry) -> None:
    assert registry_tls.ca_path is not None
    installed = DOCKER_CERTS_D / registry_tls.host / "ca.crt"
    assert installed.read_bytes() == registry_tls.ca_path.read_bytes()


def test_ca_issues_ip_sans_and_expired_certificates(tmp_path: Path) -> None:
    ca = make_ca(tmp_path)
    past = datetime.now(timezone.utc) - timedelta(days=1)
    cert_path, key_path = ca.issue(tmp_path / "leaf", ["127.0.0.1", "example.test"], not_after=past)
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(ip) for ip in sans.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    assert sans.get_values_for_type(x509.DNSName) == ["example.test"]
    assert cert.not_valid_after_utc < datetime.now(timezone.utc)
    assert cert.issuer == ca.certificate.subject
    assert key_path.stat().st_mode & 0o777 == 0o600
