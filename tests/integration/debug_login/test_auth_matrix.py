"""debug-login against real registries: Basic (htpasswd) and token auth, right and wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.conftest import TEST_REPOSITORY
from tests.integration.debug_login.conftest import PULLABLE, TOKEN_PASSWORD, TOKEN_USER, Run
from tests.support.registry import Registry, start_registry
from tests.support.token_server import (
    SERVICE,
    TokenServer,
    start_token_registry,
    start_token_server,
)


def test_healthy_basic_registry_is_ok(debug_login: Run, registry_plain: Registry) -> None:
    assert registry_plain.password is not None
    outcome = debug_login(
        registry_plain.host, "-u", "alice", "--password-stdin", stdin=registry_plain.password
    )
    assert outcome.code == "ok"
    assert outcome.status == 0
    assert outcome.document["ok"] is True
    assert outcome.step("auth")["status"] == "ok"
    assert outcome.step("docker")["status"] == "ok"  # the daemon agreed


def test_healthy_token_registry_is_ok(
    debug_login: Run, token_registry: Registry, token_server: TokenServer
) -> None:
    before = len(token_server.seen)
    outcome = debug_login(
        token_registry.host, "-u", TOKEN_USER, "--password-stdin", stdin=TOKEN_PASSWORD
    )
    assert outcome.code == "ok"
    assert outcome.status == 0
    assert "Bearer" in outcome.step("auth")["detail"]
    assert outcome.step("docker")["status"] == "ok"
    # our token request is shaped like Docker's (the daemon's is in `seen` too)
    assert any(
        seen.query
        == {
            "service": [SERVICE],
            "account": [TOKEN_USER],
            "client_id": ["docker"],
            "offline_token": ["true"],
        }
        and (seen.authorization or "").startswith("Basic ")
        for seen in token_server.seen[before:]
    )


@pytest.mark.parametrize(("user", "password"), [("alice", "wrong"), ("mallory", None)])
def test_basic_registry_rejects_wrong_credentials(
    debug_login: Run, registry_plain: Registry, user: str, password: str | None
) -> None:
    secret = password or registry_plain.password or ""
    outcome = debug_login(registry_plain.host, "-u", user, "--password-stdin", stdin=secret)
    assert outcome.code == "bad_credentials"
    assert outcome.status == 1
    assert outcome.step("auth")["status"] == "fail"


@pytest.mark.parametrize(("user", "password"), [(TOKEN_USER, "wrong"), ("mallory", TOKEN_PASSWORD)])
def test_token_registry_rejects_wrong_credentials(
    debug_login: Run, token_registry: Registry, user: str, password: str
) -> None:
    outcome = debug_login(token_registry.host, "-u", user, "--password-stdin", stdin=password)
    assert outcome.code == "bad_credentials"
    assert outcome.status == 1
    assert "token server" in outcome.step("auth")["detail"]


def test_repository_without_pull_rights_is_insufficient_scope(
    debug_login: Run, token_registry: Registry
) -> None:
    outcome = debug_login(
        token_registry.host,
        "-u",
        TOKEN_USER,
        "--password-stdin",
        "--repository",
        "other/secret-app",
        stdin=TOKEN_PASSWORD,
    )
    assert outcome.code == "insufficient_scope"
    assert outcome.step("auth")["status"] == "ok"  # the login itself works
    assert outcome.status == 1


def test_repository_with_pull_rights_but_missing_is_told_apart(
    debug_login: Run, token_registry: Registry
) -> None:
    outcome = debug_login(
        token_registry.host,
        "-u",
        TOKEN_USER,
        "--password-stdin",
        "--repository",
        PULLABLE,
        stdin=TOKEN_PASSWORD,
    )
    assert outcome.code == "repository_not_found"


def test_repository_that_exists_on_basic_registry_passes(
    debug_login: Run, registry_plain: Registry
) -> None:
    assert registry_plain.password is not None
    outcome = debug_login(
        registry_plain.host,
        "-u",
        "alice",
        "--password-stdin",
        "--repository",
        TEST_REPOSITORY,
        stdin=registry_plain.password,
    )
    assert outcome.code == "ok"
    assert outcome.step("scope")["status"] == "ok"


def test_token_realm_on_closed_port_is_unreachable(
    debug_login: Run, docker_available: None, tmp_path: Path
) -> None:
    from tests.support.fake_servers import closed_port

    with start_token_server(tmp_path / "ts", users={TOKEN_USER: TOKEN_PASSWORD}) as server:
        realm = f"http://127.0.0.1:{closed_port()}/token"
        with start_token_registry(tmp_path / "reg", server.bundle_path, realm) as registry:
            outcome = debug_login(
                registry.host, "-u", TOKEN_USER, "--password-stdin", stdin=TOKEN_PASSWORD
            )
    assert outcome.code == "token_endpoint_unreachable"
    assert "connection_refused" in outcome.step("auth")["detail"]


def test_token_realm_on_another_host_is_untrusted_and_gets_nothing(
    debug_login: Run, docker_available: None, tmp_path: Path
) -> None:
    # 127.0.0.2 plays "another host": all traffic stays on loopback
    with (
        start_token_server(
            tmp_path / "ts", users={TOKEN_USER: TOKEN_PASSWORD}, host="127.0.0.2"
        ) as server,
        start_token_registry(tmp_path / "reg", server.bundle_path, server.realm) as reg,
    ):
        refused = debug_login(reg.host, "-u", TOKEN_USER, "--password-stdin", stdin=TOKEN_PASSWORD)
        seen_when_refused = list(server.seen)
        allowed = debug_login(
            reg.host,
            "-u",
            TOKEN_USER,
            "--password-stdin",
            "--allow-realm",
            "127.0.0.2",
            stdin=TOKEN_PASSWORD,
        )
    assert refused.code == "untrusted_realm"
    assert "127.0.0.2" in refused.step("auth")["detail"]
    assert refused.step("docker")["status"] == "skip"  # the daemon would have sent them
    assert seen_when_refused == []  # not one request, so no credentials
    assert allowed.code == "ok"
    assert any(seen.authorization for seen in server.seen)


def test_anonymous_200_is_unverified(
    debug_login: Run, docker_available: None, tmp_path: Path
) -> None:
    with start_registry(tmp_path) as registry:
        outcome = debug_login(registry.host, "-u", "anyone", "--password-stdin", stdin="anything")
    assert outcome.code == "unverified_anonymous"
    assert outcome.step("ping")["status"] == "warn"
    assert outcome.status == 0  # docker login does print Login Succeeded here


def test_trailing_newline_on_stdin_is_trimmed_like_docker(
    debug_login: Run, registry_plain: Registry
) -> None:
    assert registry_plain.password is not None
    outcome = debug_login(
        registry_plain.host, "-u", "alice", "--password-stdin", stdin=registry_plain.password + "\n"
    )
    assert outcome.code == "ok"
    assert outcome.step("input")["code"] == "secret_whitespace"
    assert outcome.step("input")["status"] == "warn"


def test_stray_whitespace_in_env_secret_explains_the_rejection(
    debug_login: Run, registry_plain: Registry
) -> None:
    assert registry_plain.password is not None
    env = {
        "REG_CONTAINER_REGISTRY_SERVER": registry_plain.host,
        "REG_CONTAINER_REGISTRY_USER": "alice",
        # one newline is trimmed like docker does; the second one stays in the secret
        "REG_CONTAINER_REGISTRY_PASSWORD": registry_plain.password + "\n\n",
    }
    outcome = debug_login(registry_plain.host, env=env)
    assert outcome.code == "secret_whitespace"
    assert outcome.step("auth")["status"] == "fail"


def test_quoted_env_secret_explains_the_rejection(
    debug_login: Run, registry_plain: Registry
) -> None:
    assert registry_plain.password is not None
    env = {
        "REG_CONTAINER_REGISTRY_SERVER": registry_plain.host,
        "REG_CONTAINER_REGISTRY_USER": "alice",
        "REG_CONTAINER_REGISTRY_PASSWORD": f'"{registry_plain.password}"',
    }
    outcome = debug_login(registry_plain.host, "--from-env", "REG", env=env)
    assert outcome.code == "secret_quoted"


def test_no_credentials_anywhere_is_said_plainly(
    debug_login: Run, registry_plain: Registry
) -> None:
    outcome = debug_login(registry_plain.host)
    assert outcome.code == "missing_credentials"
    assert outcome.step("docker")["status"] == "skip"
    assert "anonymous" in outcome.step("input")["detail"]


def test_credentials_from_docker_config_are_used(
    debug_login: Run, registry_plain: Registry, tmp_path: Path
) -> None:
    import base64
    import json

    assert registry_plain.password is not None
    config = tmp_path / "docker-config"
    config.mkdir()
    auth = base64.b64encode(f"alice:{registry_plain.password}".encode()).decode()
    (config / "config.json").write_text(
        json.dumps({"auths": {registry_plain.host: {"auth": auth}}})
    )
    outcome = debug_login(registry_plain.host, "--config", str(config))
    assert outcome.code == "ok"
    assert "Docker's config" in outcome.step("input")["detail"]
    assert outcome.step("config")["status"] == "ok"
