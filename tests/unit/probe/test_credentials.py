"""Which credentials debug-login tests: flag, environment, Docker's config, or none."""

from __future__ import annotations

import base64
import io
import json
import time
from pathlib import Path

import pytest

from cs_registry.diagnosis import Code
from cs_registry.errors import UsageError
from cs_registry.probe import credentials
from cs_registry.probe.credentials import CredentialRequest, resolve
from cs_registry.secret import Secret
from cs_registry.servers import normalise

SERVER = normalise("reg.example:5000")


def _resolve(
    request: CredentialRequest,
    tmp_path: Path,
    *,
    environ: dict[str, str] | None = None,
    stdin: str = "",
) -> credentials.Credentials:
    return resolve(
        request,
        SERVER,
        environ={"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin", **(environ or {})},
        stdin=io.StringIO(stdin),
        config_dir=tmp_path / "docker",
    )


def _config(tmp_path: Path, document: dict[str, object]) -> None:
    (tmp_path / "docker").mkdir(exist_ok=True)
    (tmp_path / "docker" / "config.json").write_text(json.dumps(document))


def _helper(tmp_path: Path, name: str, script: str) -> None:
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    path = folder / f"docker-credential-{name}"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)


def test_stdin_trims_one_newline_and_warns(tmp_path: Path) -> None:
    found = _resolve(CredentialRequest("alice", password_stdin=True), tmp_path, stdin="pw\n")
    assert found.secret is not None
    assert found.secret.reveal() == "pw"
    assert found.username == "alice"
    assert any("newline" in warning for warning in found.warnings)
    assert found.shape_code() is None  # nothing stray is left


def test_stdin_keeps_a_second_newline_and_says_so(tmp_path: Path) -> None:
    found = _resolve(CredentialRequest("alice", password_stdin=True), tmp_path, stdin="pw\n\n")
    assert found.shape_code() == "secret_whitespace"


@pytest.mark.parametrize(
    "request_",
    [
        CredentialRequest("alice"),
        CredentialRequest(None, password_stdin=True),
    ],
)
def test_half_given_flags_are_usage_errors(request_: CredentialRequest, tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        _resolve(request_, tmp_path, stdin="pw")


def test_empty_stdin_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="empty"):
        _resolve(CredentialRequest("alice", password_stdin=True), tmp_path, stdin="")


def _triplet(ident: str, server: str, user: str, password: str) -> dict[str, str]:
    return {
        f"{ident}_CONTAINER_REGISTRY_SERVER": server,
        f"{ident}_CONTAINER_REGISTRY_USER": user,
        f"{ident}_CONTAINER_REGISTRY_PASSWORD": password,
    }


def test_matching_env_triplet_beats_docker_config(tmp_path: Path) -> None:
    _config(tmp_path, {"auths": {SERVER.key: {"auth": base64.b64encode(b"cfg:pw").decode()}}})
    env = {
        **_triplet("A", "https://reg.example:5000/", "envuser", "pw"),
        **_triplet("B", "other.example", "nobody", "pw"),
    }
    found = _resolve(CredentialRequest(), tmp_path, environ=env)
    assert found.username == "envuser"
    assert "A" in found.source


def test_two_matching_triplets_say_which_was_used(tmp_path: Path) -> None:
    env = {**_triplet("A", SERVER.key, "one", "pw1"), **_triplet("B", SERVER.key, "two", "pw2")}
    found = _resolve(CredentialRequest(), tmp_path, environ=env)
    assert found.username == "one"
    assert any("--from-env" in warning for warning in found.warnings)
    chosen = _resolve(CredentialRequest(from_env="b"), tmp_path, environ=env)
    assert chosen.username == "two"


def test_unknown_from_env_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="NOPE"):
        _resolve(CredentialRequest(from_env="NOPE"), tmp_path)


def test_docker_config_auths_entry(tmp_path: Path) -> None:
    _config(tmp_path, {"auths": {SERVER.key: {"auth": base64.b64encode(b"cfg:pw").decode()}}})
    found = _resolve(CredentialRequest(), tmp_path)
    assert found.username == "cfg"
    assert "Docker's config" in found.source


def test_identity_token_in_config(tmp_path: Path) -> None:
    _config(tmp_path, {"auths": {SERVER.key: {"identitytoken": "refresh-token-value"}}})
    found = _resolve(CredentialRequest(), tmp_path)
    assert found.identity_token
    assert found.secret is not None
    assert found.secret.reveal() == "refresh-token-value"


def test_credential_helper_is_asked_with_the_key_on_stdin(tmp_path: Path) -> None:
    _helper(
        tmp_path,
        "fake",
        'read key\n[ "$1" = get ] && [ "$key" = "reg.example:5000" ] || exit 1\n'
        'echo \'{"ServerURL":"reg.example:5000","Username":"helped","Secret":"s3"}\'\n',
    )
    _config(tmp_path, {"credsStore": "fake"})
    found = _resolve(CredentialRequest(), tmp_path)
    assert found.username == "helped"
    assert "docker-credential-fake" in found.source


def test_hanging_helper_is_cut_off_at_the_given_timeout_and_kept_as_the_failure(
    tmp_path: Path,
) -> None:
    _helper(tmp_path, "slow", "sleep 30\n")
    _config(tmp_path, {"credHelpers": {SERVER.key: "slow"}})
    started = time.monotonic()
    found = resolve(
        CredentialRequest(),
        SERVER,
        environ={"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin"},
        stdin=io.StringIO(""),
        config_dir=tmp_path / "docker",
        helper_timeout=0.5,
    )
    assert time.monotonic() - started < 0.5 + 2.0
    assert found.anonymous
    assert found.helper == "slow"
    assert found.helper_failure is not None
    assert found.helper_failure.diagnosis is Code.CRED_HELPER_TIMEOUT
    assert "docker-credential-slow get did not answer within 0.5 s" in found.helper_failure.message


def test_helper_that_holds_nothing_is_anonymous_with_a_note(tmp_path: Path) -> None:
    _helper(tmp_path, "empty", "echo 'credentials not found in native keychain'\nexit 1\n")
    _config(tmp_path, {"credsStore": "empty"})
    found = _resolve(CredentialRequest(), tmp_path)
    assert found.anonymous
    assert found.helper_failure is None
    assert any("docker-credential-empty holds nothing" in w for w in found.warnings)


def test_nothing_anywhere_is_anonymous(tmp_path: Path) -> None:
    found = _resolve(CredentialRequest(), tmp_path)
    assert found.anonymous
    assert "anonymously" in found.source


def test_quoted_secret_shape() -> None:
    quoted = credentials.Credentials(source="x", username="u", secret=Secret('"pw"'))
    assert quoted.shape_code() == "secret_quoted"
