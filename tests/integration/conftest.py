"""Session fixtures for integration tests: the daemon, a plain and a TLS registry.

Every test in this directory carries the ``integration`` marker. A missing part of
the test bed skips locally and fails under ``CI`` (see ``tests.support.require``).
"""

from __future__ import annotations

import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.ca import make_ca
from tests.support.images import push_with_login
from tests.support.registry import (
    REGISTRY_IMAGE,
    Registry,
    registry_image_present,
    start_registry,
)
from tests.support.require import missing

TEST_USER = "alice"
TEST_REPOSITORY = "test/tiny"
TEST_TAG = "1"
_HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test collected under tests/integration as ``integration``."""
    for item in items:
        if _HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def docker_available() -> None:
    """The docker CLI is installed and the daemon answers within 10 s."""
    try:
        result = subprocess.run(
            ["docker", "info", "--format", "{{.ServerVersion}}"],
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        missing("docker daemon")
    if result.returncode != 0:
        missing("docker daemon")


@pytest.fixture(scope="session")
def registry_image(docker_available: None) -> str:
    """The registry image is in the daemon (tests/run builds it when it cannot be pulled)."""
    if not registry_image_present():
        missing(f"registry image {REGISTRY_IMAGE}")
    return REGISTRY_IMAGE


@pytest.fixture(scope="session")
def registry_plain(
    registry_image: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Registry]:
    """A plain-HTTP htpasswd registry (user ``alice``) holding ``test/tiny:1``."""
    users = {TEST_USER: secrets.token_urlsafe(18)}
    with start_registry(tmp_path_factory.mktemp("registry-plain"), users=users) as registry:
        push_with_login(registry, TEST_REPOSITORY, TEST_TAG)
        yield registry


@pytest.fixture(scope="session")
def registry_tls(
    registry_image: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Registry]:
    """A TLS htpasswd registry holding ``test/tiny:1``; its CA is trusted by the daemon."""
    directory = tmp_path_factory.mktemp("registry-tls")
    ca = make_ca(directory / "ca")
    tls_cert = ca.issue(directory / "server", ["127.0.0.1", "localhost"])
    users = {TEST_USER: secrets.token_urlsafe(18)}
    with start_registry(
        directory, users=users, tls_cert=tls_cert, ca_path=ca.cert_path
    ) as registry:
        push_with_login(registry, TEST_REPOSITORY, TEST_TAG)
        yield registry
