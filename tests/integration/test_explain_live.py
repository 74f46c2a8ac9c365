"""``explain`` on failures captured live, not from the committed fixtures.

The real docker CLI pulls from the real loopback registry without credentials, and
logs in through a credential helper that is not installed; explain must name each.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from cs_registry.main import main
from tests.integration.conftest import TEST_REPOSITORY, TEST_TAG, TEST_USER
from tests.support.captured import MakeCtx
from tests.support.registry import Registry


def _docker(config: Path, *args: str, stdin: str = "") -> str:
    done = subprocess.run(
        ["docker", "--config", str(config), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0, done.stdout
    return done.stdout + done.stderr


def _explain(make_ctx: MakeCtx, output: str) -> dict[str, Any]:
    ctx = make_ctx(stdin=output)
    assert main(["explain", "--json", "-"], ctx) == 1
    document: dict[str, Any] = json.loads(ctx.stdout.getvalue())
    return document


def test_a_live_pull_without_credentials_is_missing_credentials(
    registry_plain: Registry, make_ctx: MakeCtx, tmp_path: Path
) -> None:
    reference = f"{registry_plain.host}/{TEST_REPOSITORY}:{TEST_TAG}"
    output = _docker(tmp_path, "pull", reference)
    document = _explain(make_ctx, output)
    (failure,) = document["failures"]
    assert failure["code"] == "missing_credentials"
    assert failure["phase"] == "pull"
    assert failure["next"] == f"cs-registry debug-login {reference}"


def test_a_live_login_through_a_missing_helper_is_creds_store_unavailable(
    registry_plain: Registry, make_ctx: MakeCtx, tmp_path: Path
) -> None:
    (tmp_path / "config.json").write_text('{"credsStore": "desktop"}')
    assert registry_plain.password is not None
    output = _docker(
        tmp_path,
        "login",
        "-u",
        TEST_USER,
        "--password-stdin",
        registry_plain.host,
        stdin=registry_plain.password,
    )
    document = _explain(make_ctx, output)
    (failure,) = document["failures"]
    assert failure["code"] == "creds_store_unavailable"
    assert "docker-credential-desktop" in failure["cause"]
    assert registry_plain.password not in json.dumps(document)
