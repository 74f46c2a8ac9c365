"""Triplet discovery and secret shape (secrets.py, secret.py)."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cs_registry.diagnosis import Code
from cs_registry.secret import Secret, redact
from cs_registry.servers import DOCKER_HUB_KEY, Kind
from cs_registry.status import Severity
from cs_registry.triplets import (
    PASSWORD,
    SERVER,
    USER,
    Extra,
    Finding,
    discover,
    shape,
    valid_id,
)

CANARY = "canary-Secr3t-value-8f2a"


def triplet(ident: str, server: str, user: str = "octo", password: str = CANARY) -> dict[str, str]:
    return {
        f"{ident}_CONTAINER_REGISTRY_SERVER": server,
        f"{ident}_CONTAINER_REGISTRY_USER": user,
        f"{ident}_CONTAINER_REGISTRY_PASSWORD": password,
    }


def codes(findings: tuple[Finding, ...] | list[Finding]) -> list[str]:
    return [f.code.value for f in findings]


def all_messages(environ: dict[str, str]) -> str:
    found = discover(environ)
    texts = [f.message for t in found.triplets for f in t.findings]
    texts += [f.message for f in found.stray]
    texts += [repr(t) for t in found.triplets]
    return "\n".join(texts)


def test_every_triplet_is_found_in_id_order() -> None:
    env = {**triplet("GHCR", "ghcr.io"), **triplet("ACR", "me.azurecr.io"), "PATH": "/bin"}
    found = discover(env)
    assert [t.id for t in found.triplets] == ["ACR", "GHCR"]
    ghcr = found.triplets[1]
    assert ghcr.server is not None
    assert (ghcr.server.key, ghcr.server.kind, ghcr.user) == ("ghcr.io", Kind.GHCR, "octo")
    assert ghcr.password.reveal() == CANARY
    assert ghcr.findings == ()
    assert [t.id for t in found.usable] == ["ACR", "GHCR"]


def test_no_triplets_means_nothing_found() -> None:
    found = discover({"PATH": "/bin", "CONTAINER_REGISTRY_SERVER": "x"})
    assert found.triplets == []
    assert found.usable == []


@pytest.mark.parametrize(
    ("present", "missing"),
    [
        (("SERVER", "USER"), "GHCR_CONTAINER_REGISTRY_PASSWORD"),
        (("SERVER", "PASSWORD"), "GHCR_CONTAINER_REGISTRY_USER"),
        (("USER", "PASSWORD"), "GHCR_CONTAINER_REGISTRY_SERVER"),
    ],
)
def test_partial_triplet_names_the_missing_variable(present: tuple[str, ...], missing: str) -> None:
    full = triplet("GHCR", "ghcr.io")
    env = {k: v for k, v in full.items() if k.rsplit("_", 1)[1] in present}
    found = discover(env)
    (only,) = found.triplets
    assert not only.usable
    assert codes(only.errors) == ["partial_triplet"]
    assert only.errors[0].message.startswith(f"{missing} is not set")
    assert found.usable == []


def test_several_missing_parts_are_one_finding_naming_each() -> None:
    env = {"Q_CONTAINER_REGISTRY_SERVER": "quay.io", "Q_CONTAINER_REGISTRY_USER": ""}
    (only,) = discover(env).triplets
    assert [f.message for f in only.errors] == [
        "Q_CONTAINER_REGISTRY_PASSWORD is not set; Q_CONTAINER_REGISTRY_USER is empty; "
        "the Q triplet needs _SERVER, _USER and _PASSWORD"
    ]
    (only,) = discover({"Q_CONTAINER_REGISTRY_SERVER": "quay.io"}).triplets
    assert [f.message for f in only.errors] == [
        "Q_CONTAINER_REGISTRY_USER and Q_CONTAINER_REGISTRY_PASSWORD are not set; "
        "the Q triplet needs _SERVER, _USER and _PASSWORD"
    ]


def test_empty_part_is_reported_as_empty() -> None:
    env = triplet("GHCR", "ghcr.io", user="")
    (only,) = discover(env).triplets
    assert codes(only.errors) == ["partial_triplet"]
    assert "GHCR_CONTAINER_REGISTRY_USER is empty" in only.errors[0].message


@pytest.mark.parametrize("part", ["USER", "PASSWORD"])
def test_a_part_holding_only_a_newline_is_empty(part: str) -> None:
    env = triplet("GHCR", "ghcr.io")
    env[f"GHCR_CONTAINER_REGISTRY_{part}"] = "\n"
    (only,) = discover(env).triplets
    assert not only.usable
    assert codes(only.errors) == ["partial_triplet"]
    assert f"GHCR_CONTAINER_REGISTRY_{part} holds only a newline" in only.errors[0].message


def test_newline_only_part_of_a_config_file_registry_uses_its_name() -> None:
    extra = Extra(
        id="CFG",
        values={SERVER: "ghcr.io", USER: "octo", PASSWORD: "\n"},
        names={SERVER: "cs.yaml:3", USER: "CFG_USER_VAR", PASSWORD: "CFG_PASSWORD_VAR"},
    )
    (only,) = discover({}, extra=[extra]).triplets
    assert [f.message for f in only.errors] == [
        "CFG_PASSWORD_VAR holds only a newline; the CFG registry needs a server, a user and a "
        "password"
    ]


@pytest.mark.parametrize(
    ("ident", "why"),
    [
        ("1REG", "may not start with a digit"),
        ("GITHUB_REG", "may not start with GITHUB_"),
        ("github", "may not start with GITHUB_"),
        ("MY-REG", "only letters, digits and underscores"),
        ("", "is empty"),
    ],
)
def test_invalid_ids_are_ignored_with_the_rule_they_break(ident: str, why: str) -> None:
    env = triplet(ident, "ghcr.io")
    found = discover(env)
    assert found.triplets == []
    (stray,) = found.stray
    assert stray.code is Code.INVALID_SECRET_NAME
    assert stray.severity is Severity.WARNING
    assert stray.message.startswith(f"{ident}_CONTAINER_REGISTRY_")
    assert why in stray.message


@pytest.mark.parametrize("ident", ["GHCR", "_X", "a1", "My_Reg_2", "GITHUBX"])
def test_valid_ids(ident: str) -> None:
    assert valid_id(ident)
    assert discover(triplet(ident, "ghcr.io")).triplets[0].usable


def test_conflicting_triplets_are_both_refused() -> None:
    env = {**triplet("A", "ghcr.io", password="one-pass"), **triplet("B", "https://ghcr.io/")}
    found = discover(env)
    assert found.usable == []
    for t in found.triplets:
        assert codes(t.errors) == ["conflicting_triplets"]
        assert "A, B all name ghcr.io with different credentials" in t.errors[0].message


def test_identical_duplicates_are_fine_and_written_once() -> None:
    env = {**triplet("A", "ghcr.io"), **triplet("B", "https://ghcr.io")}
    found = discover(env)
    assert [t.id for t in found.usable] == ["A"]
    assert found.triplets[1].duplicate_of == "A"
    assert found.triplets[1].errors == ()


def test_a_duplicate_with_a_different_user_conflicts() -> None:
    env = {**triplet("A", "docker.io", user="x"), **triplet("B", DOCKER_HUB_KEY, user="y")}
    found = discover(env)
    assert [codes(t.errors) for t in found.triplets] == [["conflicting_triplets"]] * 2


def test_malformed_server_error_names_the_variable_and_blocks_the_triplet() -> None:
    (only,) = discover(triplet("REG", "ftp://x.example")).triplets
    assert not only.usable
    assert codes(only.errors) == ["malformed_server"]
    assert only.errors[0].message.startswith("REG_CONTAINER_REGISTRY_SERVER")


def test_fixable_server_is_a_warning_naming_the_key() -> None:
    (only,) = discover(triplet("REG", " https://GHCR.io/owner ")).triplets
    assert only.usable
    assert codes(only.warnings) == ["malformed_server"]
    message = only.warnings[0].message
    assert message.startswith("REG_CONTAINER_REGISTRY_SERVER: ")
    assert "removed scheme" in message
    assert message.endswith("(using ghcr.io)")


def test_canonical_docker_hub_key_gives_no_warning() -> None:
    (only,) = discover(triplet("HUB", DOCKER_HUB_KEY)).triplets
    assert only.findings == ()
    assert only.server is not None
    assert only.server.key == DOCKER_HUB_KEY


def test_ignored_ids_are_left_out() -> None:
    env = {**triplet("A", "ghcr.io"), **triplet("B", "quay.io")}
    assert [t.id for t in discover(env, ignore=["b"]).triplets] == ["A"]


def test_user_with_a_colon_is_refused() -> None:
    (only,) = discover(triplet("REG", "ghcr.io", user="a:b")).triplets
    assert codes(only.errors) == ["invalid_secret"]
    assert "REG_CONTAINER_REGISTRY_USER contains ':'" in only.errors[0].message


def test_session_token_is_read_and_shaped() -> None:
    env = triplet("ECR", "123456789012.dkr.ecr.eu-west-1.amazonaws.com", user="ASIAXXXX")
    env["ECR_CONTAINER_REGISTRY_SESSION_TOKEN"] = "tok-value-123\n"
    (only,) = discover(env).triplets
    assert only.session_token == Secret("tok-value-123")
    assert codes(only.warnings) == ["secret_whitespace"]


# --- shape: what `docker login --password-stdin` would do --------------------------------


@pytest.mark.parametrize(
    ("raw", "kept", "found"),
    [
        ("plain", "plain", []),
        ("value\n", "value", ["secret_whitespace"]),
        ("value\r\n", "value", ["secret_whitespace"]),
        ("value\n\n", "value\n", ["secret_whitespace", "secret_whitespace"]),
        (" value", " value", ["secret_whitespace"]),
        ("value ", "value ", ["secret_whitespace"]),
        ("\tvalue\t", "\tvalue\t", ["secret_whitespace"]),
        ('"value"', '"value"', ["secret_quoted"]),
        ("'value'", "'value'", ["secret_quoted"]),
        ("'value'\n", "'value'", ["secret_whitespace", "secret_quoted"]),
        ('"', '"', []),
        ("val\x01ue", "val\x01ue", ["invalid_secret"]),
        ("bad\udcffbyte", "bad\udcffbyte", ["invalid_secret"]),
    ],
)
def test_shape(raw: str, kept: str, found: list[str]) -> None:
    value, findings = shape(raw, "X_CONTAINER_REGISTRY_PASSWORD")
    assert value == kept
    assert codes(findings) == found
    for finding in findings:
        assert finding.message.startswith("X_CONTAINER_REGISTRY_PASSWORD")


def test_newline_warning_says_what_docker_does() -> None:
    _, (finding,) = shape("value\n", "V")
    assert finding.severity is Severity.WARNING
    assert "removed it, as `docker login --password-stdin` does" in finding.message


def test_whitespace_warning_says_where() -> None:
    _, (finding,) = shape(" value ", "V")
    assert "leading and trailing whitespace" in finding.message


def test_shape_findings_appear_on_the_triplet_and_keep_it_usable() -> None:
    (only,) = discover(triplet("REG", "ghcr.io", password=f" {CANARY}\n")).triplets
    assert only.usable
    assert only.password.reveal() == f" {CANARY}"
    assert codes(only.warnings) == ["secret_whitespace", "secret_whitespace"]


@pytest.mark.parametrize(
    "env",
    [
        triplet("REG", "ghcr.io", password=f'"{CANARY}"\n'),
        triplet("REG", "ghcr.io", password=f"{CANARY}\x00"),
        {**triplet("A", "ghcr.io", password=CANARY), **triplet("B", "ghcr.io", password="x")},
        {"REG_CONTAINER_REGISTRY_PASSWORD": CANARY},
        triplet("1BAD", "ghcr.io"),
        triplet("REG", f"https://octo:{CANARY}@ghcr.io/x"),  # credentials pasted into a URL
    ],
)
def test_no_message_or_repr_ever_holds_the_secret(env: dict[str, str]) -> None:
    assert CANARY not in all_messages(env)


# --- Secret --------------------------------------------------------------------------------


def test_secret_is_redacted_everywhere() -> None:
    secret = Secret(CANARY)
    percent = "%s" % (secret,)  # noqa: UP031 - old-style formatting must redact too
    shown = [repr(secret), str(secret), f"{secret}", f"{secret!r}", f"{secret:>40}", percent]
    for text in shown:
        assert CANARY not in text
        assert "(24 chars)" in text
    assert secret.reveal() == CANARY
    assert secret.redacted == "ca…(24 chars)"
    assert CANARY not in repr([secret, {"k": secret}])


def test_short_secrets_show_no_character() -> None:
    assert redact("hunter2") == "…(7 chars)"
    assert Secret("hunter2").redacted == "…(7 chars)"


def test_secret_cannot_be_pickled() -> None:
    with pytest.raises(TypeError):
        pickle.dumps(Secret(CANARY))


def test_secret_equality_and_truth() -> None:
    assert Secret("a") == Secret("a")
    assert Secret("a") != Secret("b")
    assert not Secret("")
    assert len(Secret("abc")) == 3


_ids = st.from_regex(r"[A-Z][A-Z0-9_]{0,6}", fullmatch=True)
_servers = st.sampled_from(
    ["ghcr.io", "https://ghcr.io/", "docker.io", "ftp://x", "", "localhost:5000", "a b"]
)
_wrapping = st.sampled_from(["", "\n", " ", '"', "'", "\r\n", "\x00"])


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        _ids,
        st.tuples(_servers, st.sampled_from(["octo", "", "a:b", "\n"]), _wrapping, st.booleans()),
        max_size=5,
    )
)
def test_findings_never_hold_a_password_whatever_the_environment(
    spec: dict[str, tuple[str, str, str, bool]],
) -> None:
    env: dict[str, str] = {}
    for ident, (server, user, wrap, with_password) in spec.items():
        env[f"{ident}_CONTAINER_REGISTRY_SERVER"] = server
        env[f"{ident}_CONTAINER_REGISTRY_USER"] = user
        if with_password:
            env[f"{ident}_CONTAINER_REGISTRY_PASSWORD"] = f"{wrap}{CANARY}-{ident}{wrap}"
    found = discover(env)
    assert CANARY not in all_messages(env)
    assert {t.id for t in found.triplets} == {i for i in spec if not i.upper().startswith("GITHUB")}
    for t in found.usable:
        assert t.server is not None
        assert CANARY in t.password.reveal()
