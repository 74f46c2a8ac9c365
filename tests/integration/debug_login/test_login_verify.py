"""``cs-registry login --verify``: each written credential is checked, in parallel."""

from __future__ import annotations

import json
import time
from contextlib import ExitStack
from typing import Any

from cs_registry.main import main
from tests.integration.debug_login.conftest import TOKEN_PASSWORD, TOKEN_USER
from tests.support.captured import MakeCtx
from tests.support.fake_servers import black_hole
from tests.support.registry import Registry


def _login(make_ctx: MakeCtx, env: dict[str, str]) -> tuple[int, dict[str, Any]]:
    ctx = make_ctx(env)
    status = main(["login", "--verify", "--json"], ctx)
    return status, json.loads(ctx.stdout.getvalue())


def _triplet(ident: str, server: str, user: str, password: str) -> dict[str, str]:
    return {
        f"{ident}_CONTAINER_REGISTRY_SERVER": server,
        f"{ident}_CONTAINER_REGISTRY_USER": user,
        f"{ident}_CONTAINER_REGISTRY_PASSWORD": password,
    }


def test_verify_marks_each_row(
    make_ctx: MakeCtx, registry_plain: Registry, token_registry: Registry
) -> None:
    assert registry_plain.password is not None
    env = {
        **_triplet("GOOD", registry_plain.host, "alice", registry_plain.password),
        **_triplet("BAD", token_registry.host, TOKEN_USER, TOKEN_PASSWORD + "-wrong"),
    }
    status, document = _login(make_ctx, env)
    rows = {row["id"]: row for row in document["registries"]}
    assert rows["GOOD"]["status"] == "written"
    assert rows["GOOD"]["verified"] is True
    assert rows["GOOD"]["code"] == "ok"
    assert rows["BAD"]["status"] == "written"
    assert rows["BAD"]["verified"] is False
    assert rows["BAD"]["code"] == "bad_credentials"
    assert status == 1


def test_verify_runs_in_parallel(make_ctx: MakeCtx) -> None:
    with ExitStack() as stack:
        hosts = [stack.enter_context(black_hole()) for _ in range(3)]
        env = {"CS_REGISTRY_TIMEOUT": "1.5"}
        for index, host in enumerate(hosts):
            env.update(_triplet(f"HOLE{index}", host, "user", "password"))
        started = time.monotonic()
        status, document = _login(make_ctx, env)
        elapsed = time.monotonic() - started
    codes = {row["code"] for row in document["registries"]}
    assert codes == {"read_timeout"}
    assert all(row["verified"] is False for row in document["registries"])
    assert status == 1
    assert elapsed < 3.0  # one after another would take 4.5 s


def test_hook_mode_names_what_failed_verification_and_exits_0(
    make_ctx: MakeCtx, registry_plain: Registry
) -> None:
    ctx = make_ctx(_triplet("BAD", registry_plain.host, "alice", "wrong-password"))
    status = main(["login", "--verify", "--hook"], ctx)
    out = ctx.stdout.getvalue()
    assert "not verified: BAD (bad_credentials)" in out
    assert status == 0
