"""The config step: what Docker would actually read for the server."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import pytest

from cs_registry.diagnosis import Code
from cs_registry.probe.credentials import Credentials
from cs_registry.probe.dockerside import step_config
from cs_registry.probe.model import Budget, StepFailed
from cs_registry.probe.state import ProbeOptions, State
from cs_registry.secret import Secret
from cs_registry.servers import normalise
from cs_registry.status import Status

AUTH = base64.b64encode(b"alice:pw").decode()


def _state(tmp_path: Path, server: str, document: dict[str, object] | None) -> State:
    config = tmp_path / "docker"
    config.mkdir()
    if document is not None:
        (config / "config.json").write_text(json.dumps(document))
    (tmp_path / "bin").mkdir()
    return State(
        options=ProbeOptions(server=server),
        environ={"PATH": str(tmp_path / "bin")},
        stdin=io.StringIO(),
        clock=lambda: 0.0,
        budget=Budget(5),
        config_dir=config,
        server=normalise(server),
        credentials=Credentials(source="test", username="alice", secret=Secret("pw")),
    )


def _outcome(state: State) -> tuple[Status, Code, str]:
    try:
        return step_config(state)
    except StepFailed as failure:
        return failure.status, failure.code, failure.detail


def test_plain_auths_entry_is_used(tmp_path: Path) -> None:
    state = _state(tmp_path, "reg.example", {"auths": {"reg.example": {"auth": AUTH}}})
    status, code, detail = _outcome(state)
    assert (status, code) == (Status.OK, Code.OK)
    assert "'alice'" in detail


def test_nothing_stored_is_a_warning(tmp_path: Path) -> None:
    status, code, _ = _outcome(_state(tmp_path, "reg.example", None))
    assert (status, code) == (Status.WARN, Code.MISSING_CREDENTIALS)


def test_missing_helper_binary_fails(tmp_path: Path) -> None:
    state = _state(tmp_path, "reg.example", {"credsStore": "desktop", "auths": {}})
    status, code, detail = _outcome(state)
    assert (status, code) == (Status.FAIL, Code.CREDS_STORE_UNAVAILABLE)
    assert "docker-credential-desktop" in detail


def test_helper_shadows_auths_entry(tmp_path: Path) -> None:
    state = _state(
        tmp_path,
        "reg.example",
        {"credHelpers": {"reg.example": "pass"}, "auths": {"reg.example": {"auth": AUTH}}},
    )
    helper = tmp_path / "bin" / "docker-credential-pass"
    helper.write_text("#!/bin/sh\n")
    helper.chmod(0o755)
    status, code, _ = _outcome(state)
    assert (status, code) == (Status.WARN, Code.SHADOWED_BY_CRED_HELPER)


def test_docker_hub_alias_key(tmp_path: Path) -> None:
    state = _state(tmp_path, "docker.io", {"auths": {"docker.io": {"auth": AUTH}}})
    status, code, detail = _outcome(state)
    assert (status, code) == (Status.WARN, Code.DOCKERHUB_ALIAS_KEY)
    assert "https://index.docker.io/v1/" in detail


@pytest.mark.parametrize("bad", ["not base64!", base64.b64encode(b"no-colon").decode()])
def test_undecodable_entry_anywhere_fails(tmp_path: Path, bad: str) -> None:
    state = _state(
        tmp_path,
        "reg.example",
        {"auths": {"reg.example": {"auth": AUTH}, "other.example": {"auth": bad}}},
    )
    status, code, detail = _outcome(state)
    assert (status, code) == (Status.FAIL, Code.CONFIG_UNREADABLE)
    assert "other.example" in detail


def test_malformed_file_fails(tmp_path: Path) -> None:
    state = _state(tmp_path, "reg.example", None)
    (state.config_dir / "config.json").write_text("{not json")
    status, code, _ = _outcome(state)
    assert (status, code) == (Status.FAIL, Code.CONFIG_UNREADABLE)


def test_other_user_stored_is_said(tmp_path: Path) -> None:
    other = base64.b64encode(b"bob:pw").decode()
    state = _state(tmp_path, "reg.example", {"auths": {"reg.example": {"auth": other}}})
    status, _, detail = _outcome(state)
    assert status is Status.WARN
    assert "'bob'" in detail
