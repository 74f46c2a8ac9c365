"""The entries we own in Docker's config (auths.py): encoding, helpers, merging."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cs_registry import log
from cs_registry.auths import (
    Credential,
    alias_index,
    decode_auth,
    encode_auth,
    helper_binary,
    helper_for,
    put,
)
from cs_registry.secret import Secret
from cs_registry.servers import DOCKER_HUB_KEY


def cred(key: str = "ghcr.io", user: str = "octo", secret: str = "s3cret") -> Credential:
    return Credential(key, user, Secret(secret))


def merge(data: dict[str, Any], *credentials: Credential) -> bool:
    index = alias_index(data.get("auths") or {})
    changed = False
    for credential in credentials:
        changed = put(data, credential, index) or changed
    return changed


def auth(user: str, secret: str) -> str:
    return base64.b64encode(f"{user}:{secret}".encode()).decode()


def test_encode_is_padded_standard_base64_of_user_colon_secret() -> None:
    assert encode_auth("octo", Secret("s3cret")) == "b2N0bzpzM2NyZXQ="
    assert encode_auth("ü", Secret("p+/w")) == base64.b64encode("ü:p+/w".encode()).decode()


def test_encoded_auth_is_registered_for_redaction() -> None:
    encoded = encode_auth("octo", Secret("another-s3cret-value"))
    assert encoded not in log.scrub(f"header Basic {encoded}")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("b2N0bzpzM2NyZXQ=", ("octo", "s3cret")),
        (auth("u", "a:b"), ("u", "a:b")),
        (auth("u", "x\x00\x00"), ("u", "x")),
        ("", None),
        (None, None),
        (42, None),
        ("not base64!", None),
        (base64.b64encode(b"nocolon").decode(), None),
        (base64.b64encode(b":nouser").decode(), None),
        (base64.b64encode(b"\xff:x").decode(), None),
    ],
)
def test_decode_auth_as_the_docker_cli_does(
    value: object, expected: tuple[str, str] | None
) -> None:
    decoded = decode_auth(value)
    if expected is None:
        assert decoded is None
    else:
        assert decoded is not None
        assert (decoded[0], decoded[1].reveal()) == expected


@pytest.mark.parametrize(
    ("data", "key", "helper"),
    [
        ({}, "ghcr.io", None),
        ({"credsStore": "desktop"}, "ghcr.io", "desktop"),
        ({"credsStore": ""}, "ghcr.io", None),
        ({"credHelpers": {"ghcr.io": "gh"}, "credsStore": "desktop"}, "ghcr.io", "gh"),
        ({"credHelpers": {"ghcr.io": "gh"}, "credsStore": "desktop"}, "quay.io", "desktop"),
        # an empty credHelpers entry means the file store, even with a credsStore
        ({"credHelpers": {"ghcr.io": ""}, "credsStore": "desktop"}, "ghcr.io", None),
        ({"credHelpers": None, "credsStore": "desktop"}, "ghcr.io", "desktop"),
        ({"credHelpers": {DOCKER_HUB_KEY: "hub"}}, DOCKER_HUB_KEY, "hub"),
    ],
)
def test_helper_for_follows_docker_precedence(
    data: dict[str, Any], key: str, helper: str | None
) -> None:
    assert helper_for(data, key) == helper


def test_helper_binary_searches_the_given_path(tmp_path: Path) -> None:
    program = tmp_path / "docker-credential-fake"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    assert helper_binary("fake", str(tmp_path)) == str(program)
    assert helper_binary("fake", "/nonexistent") is None


def test_put_into_an_empty_config() -> None:
    data: dict[str, Any] = {}
    assert merge(data, cred())
    assert data == {"auths": {"ghcr.io": {"auth": auth("octo", "s3cret")}}}


def test_put_into_null_auths() -> None:
    data: dict[str, Any] = {"auths": None}
    assert merge(data, cred())
    assert data["auths"] == {"ghcr.io": {"auth": auth("octo", "s3cret")}}


def test_same_credential_twice_is_unchanged() -> None:
    data: dict[str, Any] = {}
    merge(data, cred())
    before = copy.deepcopy(data)
    assert not merge(data, cred())
    assert data == before


def test_new_secret_replaces_credential_fields_and_keeps_the_others() -> None:
    data: dict[str, Any] = {
        "auths": {
            "ghcr.io": {
                "auth": auth("old", "old"),
                "identitytoken": "tok",
                "username": "old",
                "password": "old",
                "email": "me@example.com",
                "x-future": {"nested": True},
            }
        }
    }
    assert merge(data, cred())
    assert data["auths"]["ghcr.io"] == {
        "auth": auth("octo", "s3cret"),
        "email": "me@example.com",
        "x-future": {"nested": True},
    }


@pytest.mark.parametrize(
    ("legacy", "key"),
    [
        ("https://ghcr.io", "ghcr.io"),
        ("http://ghcr.io/", "ghcr.io"),
        ("GHCR.IO", "ghcr.io"),
        ("ghcr.io/octo", "ghcr.io"),
        ("docker.io", DOCKER_HUB_KEY),
        ("https://index.docker.io/v1", DOCKER_HUB_KEY),
        ("registry-1.docker.io", DOCKER_HUB_KEY),
    ],
)
def test_legacy_keys_for_the_same_host_are_replaced(legacy: str, key: str) -> None:
    data: dict[str, Any] = {"auths": {legacy: {"auth": auth("old", "old")}}}
    assert merge(data, cred(key))
    assert data["auths"] == {key: {"auth": auth("octo", "s3cret")}}


def test_other_entries_and_keys_are_untouched() -> None:
    foreign: dict[str, Any] = {
        "auths": {
            "quay.io": {"auth": auth("q", "q")},
            "ghcr.io:5000": {"auth": auth("p", "p")},
            "https://index.docker.io/v1/access-token": {},
            "https://index.docker.io/v1/refresh-token": {},
            "not a host at all": {"auth": "garbage"},
        },
        "credHelpers": {"gcr.io": "gcloud"},
        "psFormat": "table {{.ID}}",
        "proxies": {"default": {"httpProxy": "http://proxy:3128"}},
        "x-unknown": [1, 2, {"a": None}],
    }
    data = copy.deepcopy(foreign)
    assert merge(data, cred("ghcr.io"), cred(DOCKER_HUB_KEY, "hubber"))
    for key, value in foreign.items():
        if key != "auths":
            assert data[key] == value
    for key, value in foreign["auths"].items():
        assert data["auths"][key] == value
    assert data["auths"]["ghcr.io"] == {"auth": auth("octo", "s3cret")}
    assert data["auths"][DOCKER_HUB_KEY] == {"auth": auth("hubber", "s3cret")}


def test_a_non_object_entry_is_replaced() -> None:
    data: dict[str, Any] = {"auths": {"ghcr.io": "broken"}}
    assert merge(data, cred())
    assert data["auths"]["ghcr.io"] == {"auth": auth("octo", "s3cret")}


# --- properties ----------------------------------------------------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
_foreign_top = st.dictionaries(
    st.text(max_size=10).filter(lambda k: k not in ("auths", "credHelpers", "credsStore")),
    _json,
    max_size=4,
)
_foreign_auths = st.dictionaries(
    st.sampled_from(["quay.io", "example.com:5000", "[::1]:5000", "gcr.io", "x y"]),
    st.dictionaries(st.text(max_size=6), _json, max_size=3),
    max_size=4,
)
_creds = st.lists(
    st.builds(
        cred,
        key=st.sampled_from(["ghcr.io", DOCKER_HUB_KEY, "localhost:5000", "me.azurecr.io"]),
        user=st.text(min_size=1, max_size=8).filter(lambda u: ":" not in u),
        secret=st.text(min_size=1, max_size=12),
    ),
    max_size=4,
    unique_by=lambda c: c.key,
)


@settings(max_examples=60, deadline=None)
@given(_foreign_top, _foreign_auths, _creds)
def test_merging_twice_changes_nothing_and_foreign_keys_survive(
    top: dict[str, Any], auths: dict[str, Any], credentials: list[Credential]
) -> None:
    data: dict[str, Any] = {**copy.deepcopy(top), "auths": copy.deepcopy(auths)}
    merge(data, *credentials)
    once = json.dumps(data, sort_keys=True)
    assert not merge(data, *credentials)
    assert json.dumps(data, sort_keys=True) == once
    for key, value in top.items():
        assert data[key] == value
    for key, value in auths.items():
        assert data["auths"][key] == value
    for credential in credentials:
        decoded = decode_auth(data["auths"][credential.key]["auth"])
        assert decoded is not None
        assert decoded[0] == credential.username
        assert decoded[1].reveal() == credential.secret.reveal().strip("\x00")
