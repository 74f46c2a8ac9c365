"""Proxy choice: Go's NO_PROXY rules, loopback never proxied, credentials in the URL."""

from __future__ import annotations

import base64

import pytest

from cs_registry.diagnosis import Code
from cs_registry.probe.proxy import ProxySettings, bypassed, choose, shell_settings
from cs_registry.probe.sockets import NetError


@pytest.mark.parametrize(
    ("host", "port", "no_proxy", "expected"),
    [
        ("reg.example.com", 443, "*", True),
        ("reg.example.com", 443, "example.com", True),
        ("example.com", 443, "example.com", True),
        ("example.com", 443, ".example.com", False),
        ("reg.example.com", 443, ".example.com", True),
        ("reg.example.com", 443, "*.example.com", True),
        ("badexample.com", 443, "example.com", False),
        ("reg.example.com", 5000, "reg.example.com:443", False),
        ("reg.example.com", 443, "reg.example.com:443", True),
        ("10.1.2.3", 443, "10.0.0.0/8", True),
        ("10.1.2.3", 443, "10.1.2.3", True),
        ("192.0.2.1", 443, "10.0.0.0/8, other", False),
        ("reg.example.com", 443, "", False),
    ],
)
def test_no_proxy(host: str, port: int, no_proxy: str, expected: bool) -> None:
    assert bypassed(host, port, no_proxy) is expected


def test_loopback_is_never_proxied() -> None:
    settings = ProxySettings(https="http://proxy:3128")
    assert choose(settings, "https", "127.0.0.1", 5000) is None
    assert choose(settings, "https", "localhost", 5000) is None


def test_scheme_picks_the_variable_and_credentials_become_a_header() -> None:
    settings = ProxySettings(https="http://us%40r:p%3Ass@proxy:3128", http="proxy2")
    proxy = choose(settings, "https", "reg.example.com", 443)
    assert proxy is not None
    assert (proxy.host, proxy.port) == ("proxy", 3128)
    assert proxy.authorization == "Basic " + base64.b64encode(b"us@r:p:ss").decode()
    plain = choose(settings, "http", "reg.example.com", 80)
    assert plain is not None
    assert (plain.host, plain.port, plain.authorization) == ("proxy2", 80, None)


def test_unusable_proxy_url_is_proxy_error() -> None:
    with pytest.raises(NetError) as caught:
        choose(ProxySettings(https="socks5://proxy:1080"), "https", "reg.example.com", 443)
    assert caught.value.code is Code.PROXY_ERROR


def test_shell_settings_read_both_cases() -> None:
    settings = shell_settings({"https_proxy": "a:1", "HTTP_PROXY": "b:2", "no_proxy": "x"})
    assert (settings.https, settings.http, settings.no_proxy) == ("a:1", "b:2", "x")
    assert settings.owner == "this shell's"
