"""moto servers for the ECR tests: one open, one with IAM enforced."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.moto import IamMoto, Moto, start_iam_moto, start_moto


@pytest.fixture(scope="session")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Moto]:
    """A moto server that accepts any keys."""
    with start_moto(tmp_path_factory.mktemp("moto")) as server:
        yield server


@pytest.fixture(scope="session")
def moto_iam(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IamMoto]:
    """A moto server enforcing IAM, with a user who may swap and one who may not."""
    with start_iam_moto(tmp_path_factory.mktemp("moto-iam")) as server:
        yield server


@pytest.fixture
def docker_config(isolated_home: Path) -> Path:
    return isolated_home / ".docker" / "config.json"
