"""debug-login IMAGE on a token-auth registry, judged against a real ``docker pull``.

The token server grants ``bob`` pull on ``team/app`` only, anonymous clients pull on
``public/app`` only, and ``admin`` push everywhere (to upload through the API). A
third repository, ``secret/app``, is private to everyone but admin.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.integration.debug_login.conftest import Run
from tests.support.images import docker_pull
from tests.support.oci import Uploader
from tests.support.registry import Registry
from tests.support.token_server import TokenServer, start_token_registry, start_token_server

BOB, BOB_PASSWORD = "bob", "bob-password-1"
ADMIN = "admin"


@dataclass
class TokenImages:
    """The token server and registry holding team/app, public/app and secret/app."""

    server: TokenServer
    registry: Registry


@pytest.fixture(scope="module")
def token_images(
    registry_image: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TokenImages]:
    admin_password = secrets.token_urlsafe(18)
    with (
        start_token_server(
            tmp_path_factory.mktemp("image-token-server"),
            users={BOB: BOB_PASSWORD, ADMIN: admin_password},
            pull={"": {"public/app"}, BOB: {"team/app"}},
            push={ADMIN: {"*"}},
        ) as server,
        start_token_registry(
            tmp_path_factory.mktemp("image-token-registry"), server.bundle_path, server.realm
        ) as registry,
    ):
        upload = Uploader(registry.url, ADMIN, admin_password)
        for name in ("team/app", "public/app", "secret/app"):
            upload.index(name, "1", ["amd64", "arm64"], oci=True)
        yield TokenImages(server, registry)


#: (repository, as bob?, our code, what docker pull says)
CASES = [
    ("team/app", True, "ok", None),
    ("public/app", False, "ok", None),
    ("secret/app", True, "insufficient_scope", "pull access denied"),
    ("team/app", False, "insufficient_scope", "pull access denied"),
]


@pytest.mark.parametrize(("repository", "as_bob", "code", "docker_says"), CASES)
def test_diagnosis_agrees_with_docker_pull(
    debug_login: Run,
    token_images: TokenImages,
    repository: str,
    as_bob: bool,
    code: str,
    docker_says: str | None,
) -> None:
    reference = f"{token_images.registry.host}/{repository}:1"
    if as_bob:
        outcome = debug_login(reference, "-u", BOB, "--password-stdin", stdin=BOB_PASSWORD)
        pulled, message, _ = docker_pull(reference, username=BOB, password=BOB_PASSWORD)
    else:
        outcome = debug_login(reference)
        pulled, message, _ = docker_pull(reference)
    assert outcome.document["ok"] is pulled, (outcome.document, message)
    assert outcome.code == code, outcome.document
    if docker_says is not None:
        assert docker_says in message
    if code == "insufficient_scope":
        who = f"user {BOB!r}" if as_bob else "anonymous (no credentials)"
        assert who in outcome.step("manifest")["detail"]


def test_anonymous_pull_of_a_public_image_is_not_a_failure(
    debug_login: Run, token_images: TokenImages
) -> None:
    outcome = debug_login(f"{token_images.registry.host}/public/app:1")
    assert outcome.status == 0
    assert outcome.step("auth")["status"] == "warn"
    assert outcome.step("auth")["code"] == "missing_credentials"
    assert outcome.step("manifest")["status"] == "ok"


def test_token_server_rate_limit_on_the_pull_scope(
    debug_login: Run, token_images: TokenImages
) -> None:
    reference = f"{token_images.registry.host}/team/app:1"
    token_images.server.retry_after = "12"
    try:
        outcome = debug_login(reference, "-u", BOB, "--password-stdin", stdin=BOB_PASSWORD)
        pulled, message, _ = docker_pull(reference, username=BOB, password=BOB_PASSWORD)
    finally:
        token_images.server.retry_after = None
    assert not pulled
    assert "429" in message or "toomanyrequests" in message.lower()
    assert outcome.code == "rate_limited"
    assert outcome.step("scope")["status"] == "fail"
