"""Fixtures for the debug-login fault matrix: a token-auth registry and a runner."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cs_registry.main import main
from tests.support.captured import MakeCtx
from tests.support.registry import Registry
from tests.support.token_server import TokenServer, start_token_registry, start_token_server

TOKEN_USER = "bob"
TOKEN_PASSWORD = "token-password-1"
PULLABLE = "team/app"


@dataclass
class Outcome:
    """One ``debug-login --json`` run: exit status, the document, and the steps by name."""

    status: int
    document: dict[str, Any]
    stderr: str

    @property
    def code(self) -> str:
        return str(self.document["diagnosis"]["code"])

    def step(self, name: str) -> dict[str, Any]:
        return next(s for s in self.document["steps"] if s["name"] == name)


Run = Callable[..., Outcome]


@pytest.fixture
def debug_login(make_ctx: MakeCtx, tmp_path: Path) -> Run:
    """Run ``cs-registry debug-login ARGS --json`` in process; certs.d is an empty dir."""
    certs_d = tmp_path / "certs.d"
    certs_d.mkdir()

    def run(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> Outcome:
        ctx = make_ctx({"CS_REGISTRY_DOCKER_CERTS_D": str(certs_d), **(env or {})}, stdin=stdin)
        status = main(["debug-login", *args, "--json"], ctx)
        output = ctx.stdout.getvalue()
        stderr = ctx.stderr.getvalue()
        document = json.loads(output) if output.strip() else {}
        return Outcome(status, document, stderr)

    return run


@pytest.fixture(scope="module")
def token_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TokenServer]:
    """A token server on 127.0.0.1 knowing ``bob``, who may pull ``team/app`` only."""
    with start_token_server(
        tmp_path_factory.mktemp("token-server"),
        users={TOKEN_USER: TOKEN_PASSWORD},
        pull={TOKEN_USER: {PULLABLE}},
    ) as server:
        yield server


@pytest.fixture(scope="module")
def token_registry(
    docker_available: None, token_server: TokenServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Registry]:
    """A real registry with ``auth: token`` trusting ``token_server``'s signing key."""
    with start_token_registry(
        tmp_path_factory.mktemp("token-registry"), token_server.bundle_path, token_server.realm
    ) as registry:
        yield registry
