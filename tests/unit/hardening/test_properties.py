"""Properties of the parsers and the config merge, over inputs nobody would write by hand.

Issue 7, suite 5. Examples are bounded so the suite stays within a few seconds;
``deadline=None`` because shared CI machines stall.
"""

from __future__ import annotations

import json
import string
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cs_registry import auths, dockerconfig
from cs_registry.devcontainer import jsonc
from cs_registry.devcontainer.findings import LintOptions
from cs_registry.devcontainer.lint import lint_text
from cs_registry.errors import CsRegistryError
from cs_registry.probe import challenge
from cs_registry.secret import Secret
from cs_registry.servers import DOCKER_HUB_KEY, Kind, ServerError, normalise
from cs_registry.triplets import PASSWORD, SERVER, SESSION_TOKEN, USER, discover, valid_id

T = TypeVar("T")
BOUNDED = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- building blocks -----------------------------------------------------------------

_label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
hosts = st.lists(_label, min_size=1, max_size=4).map(".".join)
ports = st.one_of(st.none(), st.integers(1, 65535))
server_values = st.one_of(
    st.text(max_size=60),
    st.builds(
        lambda scheme, host, port, path, upper: (
            scheme + (host.upper() if upper else host) + (f":{port}" if port else "") + path
        ),
        st.sampled_from(["", "https://", "http://", "HTTPS://", "ftp://"]),
        hosts,
        ports,
        st.sampled_from(["", "/", "/v2/", "/owner/image", "?x", "#f"]),
        st.booleans(),
    ),
    st.sampled_from(["docker.io", "https://index.docker.io/v1/", "[::1]:5000", "::1", " x "]),
)
ids = st.one_of(
    st.from_regex(r"[A-Z_][A-Z0-9_]{0,8}", fullmatch=True),
    st.text(max_size=6),
    st.sampled_from(["GITHUB_X", "1ABC", "", "a-b"]),
)
suffixes = st.sampled_from([SERVER, USER, PASSWORD, SESSION_TOKEN, "_CONTAINER_REGISTRY_X"])
values = st.one_of(st.text(max_size=30), server_values)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _attempt(
    call: Callable[[Any], T], argument: Any, expected: type[Exception]
) -> tuple[T | None, Exception | None]:
    """``call(argument)``, or the ``expected`` error it raised (anything else propagates)."""
    try:
        return call(argument), None
    except expected as exc:
        return None, exc


# -- triplet discovery ----------------------------------------------------------------


@BOUNDED
@given(
    st.dictionaries(st.tuples(ids, suffixes).map("".join), values, max_size=12),
    st.lists(st.text(alphabet=string.ascii_letters, min_size=12, max_size=20), max_size=3),
)
def test_discovery_never_raises_and_never_quotes_a_password(
    environ: dict[str, str], passwords: list[str]
) -> None:
    # plant recognisable passwords so the check below cannot collide with other text
    for n, password in enumerate(passwords):
        environ[f"P{n}{PASSWORD}"] = "PW" + password
        environ.setdefault(f"P{n}{SERVER}", f"p{n}.registry.test")
        environ.setdefault(f"P{n}{USER}", "u")
    found = discover(environ)
    seen = set()
    for triplet in found.triplets:
        assert valid_id(triplet.id)
        assert triplet.id not in seen
        seen.add(triplet.id)
        if triplet.usable:
            assert triplet.server is not None
            assert normalise(triplet.server.key).key == triplet.server.key
        for finding in triplet.findings:
            for password in passwords:
                assert "PW" + password not in finding.message
    keys = [t.server.key for t in found.usable if t.server is not None]
    assert len(keys) == len(set(keys))  # one credential per config key


# -- server normalisation -------------------------------------------------------------


@BOUNDED
@given(server_values)
def test_normalise_gives_a_server_or_a_server_error_and_is_idempotent(raw: str) -> None:
    server, error = _attempt(normalise, raw, ServerError)
    if server is None:
        assert isinstance(error, ServerError)
        assert error.code == "malformed_server"
        assert len(error.message) < 1500
        return
    again = normalise(server.key)
    assert again.key == server.key
    assert again.kind == server.kind
    if server.key != DOCKER_HUB_KEY:
        assert server.key == server.key.lower()
        assert "/" not in server.key
        assert server.key == server.host
    else:
        assert server.kind is Kind.DOCKER_HUB


@BOUNDED
@given(hosts, ports, st.sampled_from(["", "https://", "http://"]), st.sampled_from(["", "/x/"]))
def test_a_host_with_scheme_or_path_keys_as_the_bare_host(
    host: str, port: int | None, scheme: str, path: str
) -> None:
    hostport = f"{host}:{port}" if port else host
    try:
        server = normalise(f"{scheme}{hostport.upper()}{path}")
    except ServerError:
        # all-digit last labels must be dotted-quad IPv4 addresses
        assert host.rsplit(".", 1)[-1].isdigit()
        return
    if server.kind is not Kind.DOCKER_HUB or port:
        assert server.key == hostport


# -- the challenge parser -------------------------------------------------------------


@BOUNDED
@given(st.text(max_size=200))
def test_challenge_parser_never_raises(header: str) -> None:
    for parsed in challenge.parse_header(header):
        assert parsed.scheme == parsed.scheme.lower()
        parsed.describe()


_param_values = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20
)


@BOUNDED
@given(
    st.sampled_from(["Bearer", "bearer", "BEARER", "Basic"]),
    st.dictionaries(st.sampled_from(["realm", "service", "scope", "error"]), _param_values),
)
def test_a_quoted_challenge_parses_back_to_its_parameters(
    scheme: str, params: dict[str, str]
) -> None:
    header = f"{scheme} " + ",".join(f"{k}={challenge.quote(v)}" for k, v in params.items())
    parsed = challenge.parse_header(header)
    assert [c.scheme for c in parsed] == [scheme.lower()]
    assert parsed[0].params == params


# -- the config merge -----------------------------------------------------------------

credentials = st.lists(
    st.builds(
        lambda host, user, secret: auths.Credential(host, user, Secret(secret)),
        hosts,
        st.text(alphabet=string.ascii_letters, min_size=1, max_size=8),
        st.text(min_size=1, max_size=16).filter(lambda s: "\x00" not in s),
    ),
    max_size=5,
    unique_by=lambda c: c.key,
)
foreign_docs = st.dictionaries(
    st.text(max_size=10).filter(lambda k: k not in ("auths", "credHelpers", "credsStore")),
    json_values,
    max_size=5,
)
foreign_auths = st.dictionaries(st.text(max_size=12), json_values, max_size=4)


def _merge(data: dict[str, Any], creds: list[auths.Credential]) -> bool:
    index = auths.alias_index(data.get("auths") or {})
    changed = False
    for credential in creds:
        changed = auths.put(data, credential, index) or changed
    return changed


@BOUNDED
@given(foreign_docs, foreign_auths, credentials)
def test_merge_keeps_foreign_keys_is_idempotent_and_always_parses(
    foreign: dict[str, Any], other_auths: dict[str, Any], creds: list[auths.Credential]
) -> None:
    ours = {c.key for c in creds}
    data: dict[str, Any] = {**json.loads(json.dumps(foreign)), "auths": dict(other_auths)}
    _merge(data, creds)
    for key, value in foreign.items():
        assert data[key] == value
    for key, value in other_auths.items():
        # our keys and their legacy aliases are replaced; every other entry is kept
        if key not in ours and dockerconfig_key(key) not in ours:
            assert data["auths"][key] == value
    for credential in creds:
        entry = data["auths"][credential.key]
        assert auths.decode_auth(entry["auth"]) == (credential.username, credential.secret)
    snapshot = json.loads(json.dumps(data))
    assert _merge(data, creds) is False
    assert data == snapshot
    written = dockerconfig.dumps(data)
    assert dockerconfig.parse(written, Path("config.json")) == snapshot


def dockerconfig_key(raw: str) -> str | None:
    from cs_registry.servers import config_key_for

    return config_key_for(raw)


@settings(max_examples=40, deadline=None)
@given(foreign_docs, credentials)
def test_update_on_disk_writes_a_file_that_parses_and_keeps_foreign_keys(
    foreign: dict[str, Any], creds: list[auths.Credential]
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "docker" / "config.json"
        path.parent.mkdir()
        path.write_text(json.dumps(foreign))
        dockerconfig.update(path, lambda data: _merge(data, creds))
        document = json.loads(path.read_bytes())
        assert {k: v for k, v in document.items() if k != "auths"} == {
            k: v for k, v in foreign.items() if k != "auths"
        }
        before = path.read_bytes()
        _, wrote = dockerconfig.update(path, lambda data: _merge(data, creds))
        assert wrote is False
        assert path.read_bytes() == before


@BOUNDED
@given(st.binary(max_size=200))
def test_config_parse_raises_only_config_unreadable(raw: bytes) -> None:
    data, error = _attempt(
        lambda b: dockerconfig.parse(b, Path("config.json")), raw, dockerconfig.ConfigUnreadable
    )
    if data is None:
        assert isinstance(error, dockerconfig.ConfigUnreadable)
        assert error.code == "config_unreadable"
        return
    assert isinstance(data, dict)
    json.loads(dockerconfig.dumps(data))  # whatever parsed is written back as valid JSON


# -- the devcontainer.json (JSONC) lint -----------------------------------------------


@BOUNDED
@given(st.text(max_size=300))
def test_lint_never_raises_on_any_text(text: str) -> None:
    for finding in lint_text(text, Path("devcontainer.json"), LintOptions(owner="octo")):
        assert finding.pos.line >= 1
        assert finding.pos.column >= 1


def _jsonc(value: Any, comment: str) -> str:
    """``value`` as JSONC: a comment before it and trailing commas after each member."""
    text = json.dumps(value, indent=1)
    text = text.replace("\n}", ",\n}").replace("\n]", ",\n]")
    return f"// {comment}\n/* block */ {text}\n"


@BOUNDED
@given(
    st.dictionaries(st.text(max_size=8), json_values, max_size=5),
    st.text(alphabet=string.printable.replace("\n", "").replace("\r", ""), max_size=20),
)
def test_jsonc_parses_commented_json_with_trailing_commas_to_the_same_value(
    value: dict[str, Any], comment: str
) -> None:
    text = _jsonc(value, comment)
    assert jsonc.parse(text).value == value
    for finding in lint_text(text, Path("devcontainer.json"), LintOptions(prebuild=True)):
        assert finding.code != "jsonc_syntax"


@BOUNDED
@given(
    st.recursive(
        st.sampled_from(["{}", "[]", "1", '"s"', "null", "// c\n1", "/*", "'", ",", "}"]),
        lambda inner: (
            st.lists(inner, max_size=4).map(lambda parts: "[" + ",".join(parts) + "]")
            | st.lists(st.tuples(st.text(max_size=4), inner), max_size=3).map(
                lambda items: "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in items) + "}"
            )
        ),
        max_leaves=10,
    ),
)
def test_jsonc_parse_raises_only_jsonc_errors(text: str) -> None:
    document, error = _attempt(jsonc.parse, text, jsonc.JsoncError)
    if document is None:
        assert isinstance(error, CsRegistryError)
        assert isinstance(error, jsonc.JsoncError)
        assert error.pos.line >= 1
