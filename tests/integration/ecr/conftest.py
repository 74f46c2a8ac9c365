"""moto servers for the ECR tests: one open, one with IAM enforced."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.moto import Moto, start_moto


@pytest.fixture(scope="session")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Moto]:
    """A moto server that accepts any keys."""
    with start_moto(tmp_path_factory.mktemp("moto")) as server:
        yield server


@dataclass
class IamMoto:
    """A moto server enforcing IAM, with a user who may swap and one who may not."""

    moto: Moto
    puller: tuple[str, str]
    nobody: tuple[str, str]


@pytest.fixture(scope="session")
def moto_iam(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IamMoto]:
    with start_moto(tmp_path_factory.mktemp("moto-iam")) as server:
        server.reset_auth(1000)  # set-up calls are free ...
        puller = server.iam_user("puller", ("ecr:GetAuthorizationToken",))
        nobody = server.iam_user("nobody")
        server.reset_auth(0)  # ... from here on every call is checked
        yield IamMoto(server, puller, nobody)


@pytest.fixture
def docker_config(isolated_home: Path) -> Path:
    return isolated_home / ".docker" / "config.json"
