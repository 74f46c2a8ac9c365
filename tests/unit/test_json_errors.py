"""With --json, stdout carries exactly one document even when the run stops on an error."""

from __future__ import annotations

import io
import json
from pathlib import Path

from cs_registry.main import main
from tests.support.captured import MakeCtx


def test_unreadable_config_gives_an_error_document(make_ctx: MakeCtx, isolated_home: Path) -> None:
    docker = isolated_home / ".docker"
    docker.mkdir()
    (docker / "config.json").write_text('{"auths": {,}}')
    ctx = make_ctx(
        {
            "A_CONTAINER_REGISTRY_SERVER": "ghcr.io",
            "A_CONTAINER_REGISTRY_USER": "octo",
            "A_CONTAINER_REGISTRY_PASSWORD": "canary-9f8e7d6c5b",
        }
    )
    assert main(["login", "--json"], ctx) == 2
    assert isinstance(ctx.stdout, io.StringIO)
    document = json.loads(ctx.stdout.getvalue())
    assert document["ok"] is False
    assert document["error"]["code"] == "config_unreadable"
    assert "config.json:1:" in document["error"]["message"]
    assert "canary-9f8e7d6c5b" not in ctx.stdout.getvalue()


def test_without_json_stdout_stays_empty_on_error(make_ctx: MakeCtx, isolated_home: Path) -> None:
    ctx = make_ctx(
        {
            "A_CONTAINER_REGISTRY_SERVER": "ghcr.io",
            "A_CONTAINER_REGISTRY_USER": "octo",
            "A_CONTAINER_REGISTRY_PASSWORD": "pw-123456",
        }
    )
    (isolated_home / ".docker").mkdir()
    (isolated_home / ".docker" / "config.json").write_text("[]")
    assert main(["login"], ctx) == 2
    assert isinstance(ctx.stdout, io.StringIO)
    assert isinstance(ctx.stderr, io.StringIO)
    assert ctx.stdout.getvalue() == ""
    assert "config_unreadable" in ctx.stderr.getvalue()
