"""Realm trust: where debug-login agrees to send credentials."""

from __future__ import annotations

import pytest

from cs_registry.probe.realm import is_loopback, parse_realm, untrusted_reason


def _reason(url: str, registry: str, allowed: tuple[str, ...] = ()) -> str | None:
    realm = parse_realm(url)
    assert realm is not None
    return untrusted_reason(realm, registry, allowed)


@pytest.mark.parametrize(
    ("url", "registry"),
    [
        ("https://ghcr.io/token", "ghcr.io"),
        ("https://auth.docker.io/token", "registry-1.docker.io"),
        ("https://gitlab.com/jwt/auth", "registry.gitlab.com"),
        ("http://127.0.0.1:5001/token", "127.0.0.1"),
        ("https://myreg.example:8443/auth", "myreg.example"),
    ],
)
def test_trusted(url: str, registry: str) -> None:
    assert _reason(url, registry) is None


@pytest.mark.parametrize(
    ("url", "registry", "fragment"),
    [
        ("https://evil.example/token", "ghcr.io", "evil.example:443"),
        ("http://169.254.169.254/latest/meta-data", "registry.example", "plain HTTP"),
        ("http://127.0.0.2:9000/token", "127.0.0.1", "127.0.0.2:9000"),
        ("http://myreg.example/token", "myreg.example", "plain HTTP"),
        ("https://auth.docker.io/token", "ghcr.io", "auth.docker.io"),
    ],
)
def test_untrusted_says_where_credentials_would_go(url: str, registry: str, fragment: str) -> None:
    reason = _reason(url, registry)
    assert reason is not None
    assert fragment in reason


def test_allow_realm_by_host_or_host_port() -> None:
    assert _reason("https://sso.example/token", "reg.example", ("sso.example",)) is None
    assert _reason("http://127.0.0.2:9000/t", "127.0.0.1", ("127.0.0.2:9000",)) is None
    assert _reason("http://127.0.0.2:9000/t", "127.0.0.1", ("127.0.0.3",)) is not None


@pytest.mark.parametrize("url", ["ftp://x/token", "not a url", "https://", "http://[::1"])
def test_unusable_realms(url: str) -> None:
    assert parse_realm(url) is None


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("localhost", True),
        ("10.0.0.1", False),
        ("example.com", False),
    ],
)
def test_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
