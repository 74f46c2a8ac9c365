"""servers.is_ipv4 accepts exactly what ipaddress.IPv4Address accepts."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cs_registry.servers import is_ipv4


def _accepted(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(
    "text",
    [
        "127.0.0.1",
        "0.0.0.0",
        "255.255.255.255",
        "256.0.0.1",
        "1.2.3",
        "1.2.3.4.5",
        "127.1",
        "01.2.3.4",
        "0.0.0.00",
        "1.2.3.\uff14",  # a full-width digit
        "1.2.3.-4",
        "1.2.3. 4",
        "1.2.3.+4",
        "1..3.4",
        "",
        "1.2.3.0004",
        "10.0.0.256",
    ],
)
def test_examples(text: str) -> None:
    assert is_ipv4(text) == _accepted(text)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.text(alphabet="0123456789\u0661 +-", max_size=4), min_size=1, max_size=5))
def test_any_dotted_text(octets: list[str]) -> None:
    text = ".".join(octets)
    assert is_ipv4(text) == _accepted(text)
