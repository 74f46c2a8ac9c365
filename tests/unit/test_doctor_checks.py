"""Each doctor check on its own, with fakes: files, PATHs and a fake daemon socket."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cs_registry.checks import daemon
from cs_registry.checks.check import Check
from cs_registry.checks.devcontainer import check_devcontainers
from cs_registry.checks.dockerconfig import check_docker_config
from cs_registry.checks.ecr_tokens import check_ecr_tokens
from cs_registry.checks.environment import check_environment
from cs_registry.checks.triplets import check_triplets
from cs_registry.diagnosis import Code
from cs_registry.engine import Endpoint
from cs_registry.status import Status
from cs_registry.triplets import discover
from tests.support.fake_daemon import fake_daemon

SECRET = "s3cr3t-value-never-shown"


def by_id(checks: list[Check]) -> dict[str, Check]:
    return {c.id: c for c in checks}


def triplet_env(
    ident: str, server: str, user: str = "bob", password: str = SECRET
) -> dict[str, str]:
    return {
        f"{ident}_CONTAINER_REGISTRY_SERVER": server,
        f"{ident}_CONTAINER_REGISTRY_USER": user,
        f"{ident}_CONTAINER_REGISTRY_PASSWORD": password,
    }


# environment ---------------------------------------------------------------


def test_environment_outside_codespaces(tmp_path: Path) -> None:
    env = {"CS_REGISTRY_CODESPACES_ENV_FILE": str(tmp_path / "none.json")}
    checks = by_id(check_environment(env))
    assert checks["environment"].message.startswith("not in a codespace")
    assert checks["lifecycle"].status is Status.OK
    assert "env:DOCKER_CONFIG" not in checks


def test_environment_prebuild_phase_from_the_codespaces_file(tmp_path: Path) -> None:
    env_file = tmp_path / "environment-variables.json"
    env_file.write_text(json.dumps({"ACTION_NAME": "createPrebuildTemplate"}))
    env = {
        "CODESPACES": "true",
        "CODESPACE_NAME": "cool-space",
        "CS_REGISTRY_CODESPACES_ENV_FILE": str(env_file),
    }
    checks = by_id(check_environment(env))
    assert checks["environment"].message == "inside GitHub Codespaces (cool-space)"
    assert (checks["lifecycle"].status, checks["lifecycle"].code) == (
        Status.WARN,
        Code.PREBUILD_PHASE,
    )
    assert str(env_file) in checks["lifecycle"].message


def test_environment_names_the_tools_each_variable_affects(tmp_path: Path) -> None:
    env = {
        "CS_REGISTRY_CODESPACES_ENV_FILE": str(tmp_path / "none.json"),
        "DOCKER_CONFIG": "/cfg",
        "DOCKER_AUTH_CONFIG": '{"auths": {"x": {"auth": "' + SECRET + '"}}}',
        "REGISTRY_AUTH_FILE": "/run/auth.json",
    }
    checks = by_id(check_environment(env))
    assert "/cfg/config.json" in checks["env:DOCKER_CONFIG"].message
    assert "docker CLI (28.3+)" in checks["env:DOCKER_AUTH_CONFIG"].message
    assert SECRET not in checks["env:DOCKER_AUTH_CONFIG"].message
    assert "podman, skopeo" in checks["env:REGISTRY_AUTH_FILE"].message


# triplets ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "status", "code"),
    [
        (triplet_env("GHCR", "ghcr.io"), Status.OK, Code.OK),
        ({"GHCR_CONTAINER_REGISTRY_SERVER": "ghcr.io"}, Status.FAIL, Code.PARTIAL_TRIPLET),
        (triplet_env("GHCR", "ghcr io"), Status.FAIL, Code.MALFORMED_SERVER),
        (
            triplet_env("GHCR", "ghcr.io", password=SECRET + " "),
            Status.WARN,
            Code.SECRET_WHITESPACE,
        ),
        (triplet_env("GHCR", "ghcr.io", password=f'"{SECRET}"'), Status.WARN, Code.SECRET_QUOTED),
    ],
)
def test_triplet_status(env: dict[str, str], status: Status, code: Code) -> None:
    [check] = check_triplets(env)
    assert (check.id, check.status, check.code) == ("triplet:GHCR", status, code)
    assert SECRET not in check.message


def test_conflicting_triplets_fail_both() -> None:
    env = {**triplet_env("A", "ghcr.io"), **triplet_env("B", "ghcr.io", password="other")}
    checks = check_triplets(env)
    assert [(c.id, c.code) for c in checks] == [
        ("triplet:A", Code.CONFLICTING_TRIPLETS),
        ("triplet:B", Code.CONFLICTING_TRIPLETS),
    ]


def test_no_triplets_is_a_skip() -> None:
    [check] = check_triplets({})
    assert check.status is Status.SKIP


# docker CLI and daemon -----------------------------------------------------


def test_cli_missing_is_a_warning(tmp_path: Path) -> None:
    check = daemon.check_cli({"PATH": str(tmp_path)})
    assert (check.status, check.code) == (Status.WARN, Code.DOCKER_CLI_MISSING)


def test_cli_version_is_shown(tmp_path: Path) -> None:
    fake = tmp_path / "docker"
    fake.write_text('#!/bin/sh\n[ "$1" = --version ] && echo "Docker version 99.1.2, build abc"\n')
    fake.chmod(0o755)
    check = daemon.check_cli({"PATH": str(tmp_path)})
    assert check.status is Status.OK
    assert check.message == f"docker CLI 99.1.2 at {fake}"


@pytest.fixture
def daemon_socket(tmp_path: Path) -> Iterator[Path]:
    with fake_daemon(tmp_path / "d.sock") as path:
        yield path


def test_daemon_answers(daemon_socket: Path) -> None:
    check = daemon.check_daemon({"DOCKER_HOST": f"unix://{daemon_socket}"}, 1.0)
    assert check.status is Status.OK
    assert check.message.endswith("(Docker 27.0.1, API 1.46)")


def test_daemon_without_socket_fails_after_the_wait(tmp_path: Path) -> None:
    started = time.monotonic()
    check = daemon.check_daemon({"DOCKER_HOST": f"unix://{tmp_path}/none.sock"}, 0.3)
    elapsed = time.monotonic() - started
    assert (check.status, check.code) == (Status.FAIL, Code.DAEMON_UNREACHABLE)
    assert f"no socket at {tmp_path}/none.sock" in check.message
    assert 0.3 <= elapsed < 0.3 + 1.0  # the contract: at least --wait, at most --wait + 1 s


def test_daemon_refusing_connections(tmp_path: Path) -> None:
    path = tmp_path / "closed.sock"
    bound = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    bound.bind(str(path))  # bound, never listening: connect() is refused
    try:
        check = daemon.check_daemon({"DOCKER_HOST": f"unix://{path}"}, 0.0)
    finally:
        bound.close()
    assert check.code is Code.DAEMON_UNREACHABLE
    assert "nothing accepts connections" in check.message


def test_daemon_permission_reason_names_the_group() -> None:
    target = Endpoint("unix:///s", unix_path="/s")
    assert "docker" in daemon._reason(PermissionError(13, "denied"), target)


def test_daemon_missing_during_a_prebuild_is_only_a_warning(tmp_path: Path) -> None:
    env = {"DOCKER_HOST": f"unix://{tmp_path}/none.sock"}
    check = daemon.check_daemon(env, 0.0, prebuild=True)
    assert (check.status, check.code) == (Status.WARN, Code.DAEMON_UNREACHABLE)
    assert "prebuild" in check.message


def test_daemon_behind_tls_is_pinged_and_named_when_it_does_not_answer() -> None:
    env = {"DOCKER_HOST": "tcp://127.0.0.1:9", "DOCKER_TLS_VERIFY": "1"}
    check = daemon.check_daemon(env, 0.0)
    assert (check.status, check.code) == (Status.FAIL, Code.DAEMON_UNREACHABLE)
    assert "tcp://127.0.0.1:9" in check.message


def test_daemon_of_the_current_context(tmp_path: Path, daemon_socket: Path) -> None:
    import hashlib

    meta = tmp_path / "cfg" / "contexts" / "meta" / hashlib.sha256(b"rootless").hexdigest()
    meta.mkdir(parents=True)
    host = f"unix://{daemon_socket}"
    (meta / "meta.json").write_text(json.dumps({"Endpoints": {"docker": {"Host": host}}}))
    write_config(tmp_path / "cfg", {"currentContext": "rootless"})
    check = daemon.check_daemon({}, 0.0, config_dir=tmp_path / "cfg")
    assert check.status is Status.OK
    assert host in check.message


# Docker's config -----------------------------------------------------------


def write_config(directory: Path, data: object, mode: int = 0o600) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "config.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    path.chmod(mode)
    return path


def config_checks(directory: Path, env: dict[str, str] | None = None) -> dict[str, Check]:
    env = {"PATH": str(directory), **(env or {})}
    triplets = [t for t in discover(env).usable if t.server]
    _, checks = check_docker_config(env, str(directory), triplets)
    return by_id(checks)


def test_unreadable_config_points_at_line_and_column(tmp_path: Path) -> None:
    path = write_config(tmp_path, '{\n  "auths": {,}\n}')
    check = config_checks(tmp_path)["docker-config"]
    assert (check.status, check.code) == (Status.FAIL, Code.CONFIG_UNREADABLE)
    assert check.where == f"{path}:2:13"


def test_group_readable_config_is_a_warning(tmp_path: Path) -> None:
    write_config(tmp_path, {"auths": {}}, mode=0o644)
    check = config_checks(tmp_path)["docker-config-mode"]
    assert (check.status, check.code) == (Status.WARN, Code.CONFIG_TOO_OPEN)
    assert "0644" in check.message


def test_undecodable_and_empty_auth(tmp_path: Path) -> None:
    write_config(tmp_path, {"auths": {"a.io": {"auth": "not base64!"}, "b.io": {"auth": ""}}})
    checks = config_checks(tmp_path)
    assert (checks["auth:a.io"].status, checks["auth:a.io"].code) == (
        Status.FAIL,
        Code.CONFIG_UNREADABLE,
    )
    assert checks["auth:b.io"].status is Status.WARN


def test_missing_creds_store_binary_fails(tmp_path: Path) -> None:
    write_config(tmp_path, {"credsStore": "desktop", "credHelpers": {"gcr.io": "gcloud"}})
    checks = config_checks(tmp_path)
    assert checks["helper:desktop"].code is Code.CREDS_STORE_UNAVAILABLE
    assert checks["helper:gcloud"].code is Code.CREDS_STORE_UNAVAILABLE
    assert "docker-credential-desktop is not on PATH" in checks["helper:desktop"].message


def test_installed_helper_is_ok(tmp_path: Path) -> None:
    helper = tmp_path / "docker-credential-pass"
    helper.write_text("#!/bin/sh\n")
    helper.chmod(0o755)
    write_config(tmp_path, {"credsStore": "pass"})
    assert config_checks(tmp_path)["helper:pass"].status is Status.OK


@pytest.mark.parametrize(
    ("extra", "status"),
    [({}, Status.FAIL), ({"https://index.docker.io/v1/": {"auth": "dTpw"}}, Status.WARN)],
)
def test_docker_hub_alias_key(
    tmp_path: Path, extra: dict[str, dict[str, str]], status: Status
) -> None:
    write_config(tmp_path, {"auths": {"docker.io": {"auth": "dTpw"}, **extra}})
    check = config_checks(tmp_path)["dockerhub-alias"]
    assert (check.status, check.code) == (status, Code.DOCKERHUB_ALIAS_KEY)
    assert '"docker.io"' in check.message


def test_triplet_entry_behind_a_missing_store_is_what_login_says(tmp_path: Path) -> None:
    # one code in login, doctor and debug-login (docker_view): the helper is not installed
    write_config(tmp_path, {"credsStore": "desktop", "auths": {"ghcr.io": {"auth": "dTpw"}}})
    check = config_checks(tmp_path, triplet_env("GHCR", "ghcr.io"))["entry:ghcr.io"]
    assert (check.status, check.code) == (Status.FAIL, Code.CREDS_STORE_UNAVAILABLE)
    assert "docker-credential-desktop, which is not on PATH" in check.message
    assert 'pulls fall back to auths["ghcr.io"]' in check.message


def test_empty_cred_helper_name_means_auths_is_used(tmp_path: Path) -> None:
    import base64

    auth = base64.b64encode(f"bob:{SECRET}".encode()).decode()
    write_config(
        tmp_path,
        {
            "credsStore": "desktop",
            "credHelpers": {"ghcr.io": ""},
            "auths": {"ghcr.io": {"auth": auth}},
        },
    )
    check = config_checks(tmp_path, triplet_env("GHCR", "ghcr.io"))["entry:ghcr.io"]
    assert check.status is Status.OK


@pytest.mark.parametrize(
    ("auths", "status", "fragment"),
    [
        ({}, Status.WARN, "Docker has no credentials for ghcr.io"),
        ({"ghcr.io": {"auth": "Ym9iOm90aGVy"}}, Status.WARN, "other credentials"),
    ],
)
def test_triplet_entry_missing_or_stale(
    tmp_path: Path, auths: dict[str, dict[str, str]], status: Status, fragment: str
) -> None:
    write_config(tmp_path, {"auths": auths})
    check = config_checks(tmp_path, triplet_env("GHCR", "ghcr.io"))["entry:ghcr.io"]
    assert check.status is status
    assert fragment in check.message
    assert SECRET not in check.message


def test_no_config_yet_is_a_skip(tmp_path: Path) -> None:
    assert config_checks(tmp_path / "none")["docker-config"].status is Status.SKIP


# ECR expiries --------------------------------------------------------------


def test_ecr_token_expiry(tmp_path: Path) -> None:
    from cs_registry.ecr.records import StaticEntry, record_static

    config = tmp_path / "config.json"
    now = 1_800_000_000.0
    host = "123456789012.dkr.ecr.{}.amazonaws.com"
    entries = [
        StaticEntry(host.format("eu-west-1"), "OLD", now - 10, now - 43210, str(config)),
        StaticEntry(host.format("us-east-1"), "SOON", now + 600, now - 42600, str(config)),
        StaticEntry(host.format("us-west-2"), "FRESH", now + 40000, now - 3200, str(config)),
        StaticEntry(host.format("ap-south-1"), "ELSEWHERE", now - 10, now, "/other/config.json"),
    ]
    record_static(tmp_path / "cache", entries, [])
    checks = check_ecr_tokens(tmp_path / "cache", config, now)
    assert [(c.id.split(".")[3], c.status, c.code) for c in checks] == [
        ("eu-west-1", Status.FAIL, Code.TOKEN_EXPIRED),
        ("us-east-1", Status.WARN, Code.TOKEN_EXPIRED),
        ("us-west-2", Status.OK, Code.OK),
    ]


# devcontainer --------------------------------------------------------------


def test_clean_devcontainer_adds_only_the_summary_line(tmp_path: Path) -> None:
    (tmp_path / ".devcontainer.json").write_text('{"postCreateCommand": "hooks/post-create"}')
    checks = check_devcontainers({}, tmp_path, owner="acme", prebuild=False)
    assert [(c.id, c.status) for c in checks] == [("devcontainer", Status.OK)]


def test_devcontainer_findings_become_checks_with_where(tmp_path: Path) -> None:
    path = tmp_path / ".devcontainer.json"
    path.write_text('{\n "postCreateCommand": "hooks/post-create",\n "codespaces": {}\n}')
    [finding] = check_devcontainers({}, tmp_path, owner=None, prebuild=False)
    assert (finding.id, finding.status, finding.code) == (
        "devcontainer:deprecated_codespaces_key",
        Status.WARN,
        Code.DEPRECATED_CODESPACES_KEY,
    )
    assert finding.where == f"{path}:3:2"


def test_owner_from_github_repository_beats_the_flag(tmp_path: Path) -> None:
    (tmp_path / ".devcontainer.json").write_text(
        '{"postCreateCommand": "hooks/post-create", "customizations": {"codespaces": '
        '{"repositories": {"acme/x": {"permissions": "read-all"}}}}}'
    )
    env = {"GITHUB_REPOSITORY": "other/app"}
    checks = check_devcontainers(env, tmp_path, owner="acme", prebuild=False)
    assert [c.code for c in checks] == [Code.DIFFERENT_OWNER]
    [clean] = check_devcontainers({}, tmp_path, owner="acme", prebuild=False)
    assert (clean.id, clean.status) == ("devcontainer", Status.OK)


def test_no_devcontainer_is_a_skip(tmp_path: Path) -> None:
    [check] = check_devcontainers({}, tmp_path, owner=None, prebuild=False)
    assert check.status is Status.SKIP
