"""``doctor --fix`` swaps an expired static ECR entry again, against a real moto server."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from cs_registry.main import main
from tests.integration.ecr.test_ecr_login import HOST, MOTO_AUTH, triplet
from tests.support.captured import CapturedContext, MakeCtx
from tests.support.moto import MOTO_EXPIRES_AT, Moto


def _fix(ctx: CapturedContext, *extra: str) -> dict[str, Any]:
    main(["doctor", "--fix", "--json", "--wait", "0.2", *extra], ctx)
    document: dict[str, Any] = json.loads(ctx.stdout.getvalue())
    return document


def test_expired_static_ecr_entry_is_swapped_again(
    make_ctx: MakeCtx, moto: Moto, docker_config: Path
) -> None:
    env = {**moto.endpoint_env(), **triplet("ECR", HOST, "AKIAEXAMPLEKEY000001", "k")}
    assert main(["login"], make_ctx(env)) == 0
    data = json.loads(docker_config.read_text())
    data["auths"][HOST] = {"auth": base64.b64encode(b"AWS:an-old-dead-token").decode()}
    docker_config.write_text(json.dumps(data))
    later = MOTO_EXPIRES_AT + 60  # the recorded token has expired

    dry = make_ctx(env)
    dry.clock = lambda: later
    planned = {f["id"]: f for f in _fix(dry, "--dry-run")["fixes"]}
    assert planned[f"ecr-token:{HOST}"]["status"] == "would apply"
    assert (
        "an-old-dead-token"
        in base64.b64decode(json.loads(docker_config.read_text())["auths"][HOST]["auth"]).decode()
    )

    ctx = make_ctx(env)
    ctx.clock = lambda: later
    fixes = {f["id"]: f for f in _fix(ctx)["fixes"]}
    assert (fixes[f"ecr-token:{HOST}"]["status"], fixes[f"ecr-token:{HOST}"]["code"]) == (
        "applied",
        "token_expired",
    )
    assert json.loads(docker_config.read_text())["auths"][HOST] == {"auth": MOTO_AUTH}


def test_expired_ecr_entry_without_its_triplet_is_reported_not_fixed(
    make_ctx: MakeCtx, moto: Moto, docker_config: Path
) -> None:
    env = {**moto.endpoint_env(), **triplet("ECR", HOST, "AKIAEXAMPLEKEY000001", "k")}
    assert main(["login"], make_ctx(env)) == 0
    ctx = make_ctx(moto.endpoint_env())  # the secret is gone
    ctx.clock = lambda: MOTO_EXPIRES_AT + 60
    fixes = {f["id"]: f for f in _fix(ctx)["fixes"]}
    assert (fixes[f"ecr-token:{HOST}"]["status"], fixes[f"ecr-token:{HOST}"]["code"]) == (
        "skipped",
        "fix_blocked",
    )
    assert fixes[f"entry:{HOST}"]["code"] == "secret_gone"  # and its entry goes
    assert HOST not in json.loads(docker_config.read_text()).get("auths", {})
