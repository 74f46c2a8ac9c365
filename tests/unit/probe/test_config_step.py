"""The config step: what Docker would actually read for the server."""

from __future__ import annotations

import base64
import io
import json
import shutil
import time
from pathlib import Path

import pytest

from cs_registry.diagnosis import Code
from cs_registry.helper_client import HelperError
from cs_registry.probe.credentials import Credentials
from cs_registry.probe.docker_steps import step_config
from cs_registry.probe.report import Budget, StepFailed
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
    _helper(tmp_path, "pass", _ANSWERS)
    status, code, _ = _outcome(state)
    assert (status, code) == (Status.WARN, Code.SHADOWED_BY_CRED_HELPER)


_ANSWERS = (
    'cat >/dev/null\necho \'{"ServerURL": "reg.example", "Username": "alice", "Secret": "pw"}\'\n'
)


def _helper(tmp_path: Path, name: str, body: str) -> Path:
    helper = tmp_path / "bin" / f"docker-credential-{name}"
    helper.write_text("#!/bin/sh\n" + body)
    helper.chmod(0o755)
    return helper


def test_helper_holding_the_tested_user_is_ok(tmp_path: Path) -> None:
    state = _state(tmp_path, "reg.example", {"credsStore": "pass"})
    _helper(tmp_path, "pass", _ANSWERS)
    status, code, detail = _outcome(state)
    assert (status, code) == (Status.OK, Code.OK)
    assert "docker-credential-pass (credsStore)" in detail
    assert "'alice'" in detail


def test_helper_holding_nothing_warns_that_pulls_are_anonymous(tmp_path: Path) -> None:
    state = _state(tmp_path, "reg.example", {"credsStore": "pass"})
    _helper(tmp_path, "pass", "echo 'credentials not found in native keychain'\nexit 1\n")
    status, code, detail = _outcome(state)
    assert (status, code) == (Status.WARN, Code.MISSING_CREDENTIALS)
    assert "holds nothing" in detail


def test_failing_helper_fails_the_step_naming_it(tmp_path: Path) -> None:
    state = _state(tmp_path, "reg.example", {"credHelpers": {"reg.example": "pass"}})
    _helper(tmp_path, "pass", "echo 'gpg: decryption failed' >&2\nexit 2\n")
    status, code, detail = _outcome(state)
    assert (status, code) == (Status.FAIL, Code.CRED_HELPER_FAILED)
    assert "docker-credential-pass get failed (exit status 2): gpg: decryption failed" in detail


def test_stalled_helper_is_stopped_within_the_budget(tmp_path: Path) -> None:
    state = _state(tmp_path, "reg.example", {"credsStore": "pass"})
    state.budget = Budget(1.0)
    _helper(tmp_path, "pass", f"exec {shutil.which('sleep')} 60\n")
    started = time.monotonic()
    status, code, detail = _outcome(state)
    assert (status, code) == (Status.FAIL, Code.CRED_HELPER_TIMEOUT)
    assert "docker-credential-pass" in detail
    assert time.monotonic() - started < 1.0 + 2.0  # the budget plus slack, never 5 s


def test_the_input_steps_helper_failure_is_reused_not_waited_for_again(tmp_path: Path) -> None:
    state = _state(tmp_path, "reg.example", {"credsStore": "pass"})
    called = _helper(tmp_path, "pass", f"touch {tmp_path / 'called'}\nexit 1\n")
    failure = HelperError("docker-credential-pass", Code.CRED_HELPER_TIMEOUT, "stalled")
    state.credentials = Credentials(source="x", helper="pass", helper_failure=failure)
    status, code, detail = _outcome(state)
    assert (status, code) == (Status.FAIL, Code.CRED_HELPER_TIMEOUT)
    assert "stalled" in detail
    assert called.exists()
    assert not (tmp_path / "called").exists()


def test_docker_hub_alias_key(tmp_path: Path) -> None:
    # a failure, as doctor says: the entry is never read, so Hub pulls run anonymously
    state = _state(tmp_path, "docker.io", {"auths": {"docker.io": {"auth": AUTH}}})
    status, code, detail = _outcome(state)
    assert (status, code) == (Status.FAIL, Code.DOCKERHUB_ALIAS_KEY)
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


def test_a_spent_budget_skips_the_helper_instead_of_blaming_it(tmp_path: Path) -> None:
    state = _state(tmp_path, "reg.example", {"credsStore": "pass"})
    state.budget = Budget(0.0)
    _helper(tmp_path, "pass", f"touch {tmp_path / 'called'}\n")
    status, code, detail = _outcome(state)
    assert (status, code) == (Status.SKIP, Code.OK)
    assert "--timeout budget is spent" in detail
    assert not (tmp_path / "called").exists()
