"""The WWW-Authenticate parser: real registry headers, odd ones, and arbitrary text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cs_registry.probe.challenge import Challenge, parse, parse_header, preferred, quote


def test_docker_hub_style_bearer() -> None:
    (challenge,) = parse_header(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",'
        'scope="repository:library/alpine:pull"'
    )
    assert challenge.scheme == "bearer"
    assert challenge.realm == "https://auth.docker.io/token"
    assert challenge.service == "registry.docker.io"
    assert challenge.scope == "repository:library/alpine:pull"


def test_quoted_commas_and_escapes_stay_inside_the_value() -> None:
    (challenge,) = parse_header(
        r'Bearer realm="https://a/t", scope="repo:x:pull,push", x="a\"b\\c"'
    )
    assert challenge.scope == "repo:x:pull,push"
    assert challenge.params["x"] == 'a"b\\c'


def test_several_challenges_in_one_header() -> None:
    found = parse_header('Basic realm="r1", Bearer realm="https://t/token",service="s"')
    assert [c.scheme for c in found] == ["basic", "bearer"]
    assert found[1].service == "s"


def test_several_headers() -> None:
    found = parse(['Basic realm="r"', 'Bearer realm="https://t"'])
    assert [c.scheme for c in found] == ["basic", "bearer"]


def test_scheme_and_parameter_names_are_case_insensitive() -> None:
    (challenge,) = parse_header('BEARER Realm="https://t", SERVICE="s"')
    assert challenge.scheme == "bearer"
    assert challenge.realm == "https://t"
    assert challenge.service == "s"


def test_token68() -> None:
    found = parse_header("Negotiate abc+/def==, Basic realm=x")
    assert found[0] == Challenge("negotiate", {}, "abc+/def==")
    assert found[1].realm == "x"


def test_unquoted_url_value_and_bare_scheme() -> None:
    found = parse_header("Bearer realm=https://t/token?x=1,service=s, Negotiate")
    assert found[0].realm == "https://t/token?x=1"
    assert found[0].service == "s"
    assert found[1] == Challenge("negotiate")


def test_error_parameter_of_insufficient_scope() -> None:
    (challenge,) = parse_header(
        'Bearer realm="https://t",service="s",scope="repository:a:pull",error="insufficient_scope"'
    )
    assert challenge.error == "insufficient_scope"


def test_first_duplicate_parameter_wins() -> None:
    (challenge,) = parse_header('Bearer realm="first", realm="second"')
    assert challenge.realm == "first"


def test_unterminated_quote_runs_to_the_end() -> None:
    (challenge,) = parse_header('Basic realm="never closed')
    assert challenge.realm == "never closed"


@pytest.mark.parametrize("junk", ["", ",,, ,", "=", '"', "\x00\x01", "(((", "Basic/x"])
def test_junk_gives_nothing_usable(junk: str) -> None:
    assert all(c.scheme for c in parse_header(junk))


def test_preferred_is_bearer_then_basic() -> None:
    found = parse_header('Basic realm="r", Negotiate, Bearer realm="https://t"')
    chosen = preferred(found)
    assert chosen is not None
    assert chosen.scheme == "bearer"
    assert preferred(parse_header("Negotiate")) is None


@given(st.text(max_size=300))
def test_never_raises_on_any_text(text: str) -> None:
    for challenge in parse_header(text):
        assert challenge.scheme == challenge.scheme.lower()
        assert all(name == name.lower() for name in challenge.params)


_tokens = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_-", min_size=1, max_size=12)
_values = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n"), max_size=40
)


@given(
    st.lists(
        st.tuples(_tokens, st.dictionaries(_tokens, _values, min_size=1, max_size=4)),
        min_size=1,
        max_size=4,
    )
)
def test_quoted_challenges_round_trip(items: list[tuple[str, dict[str, str]]]) -> None:
    header = ", ".join(
        f"{scheme} " + ", ".join(f"{name}={quote(value)}" for name, value in params.items())
        for scheme, params in items
    )
    parsed = parse_header(header)
    assert [(c.scheme, c.params) for c in parsed] == [
        (scheme, {name.lower(): value for name, value in params.items()})
        for scheme, params in items
    ]
