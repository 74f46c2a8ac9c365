"""`cs-registry login` swaps AWS keys for ECR tokens against a real moto server."""

from __future__ import annotations

import base64
import json
import stat
import sys
from pathlib import Path
from typing import Any

from cs_registry.ecr import records
from cs_registry.main import main
from tests.support.captured import CapturedContext, MakeCtx
from tests.support.moto import MOTO_EXPIRES_AT, MOTO_PASSWORD, IamMoto, Moto

HOST = "210987654321.dkr.ecr.eu-west-1.amazonaws.com"
#: where docker-credential-cs-registry is installed (next to this interpreter)
PATH = f"{Path(sys.executable).parent}:/usr/bin:/bin"
MOTO_AUTH = base64.b64encode(f"AWS:{MOTO_PASSWORD}".encode()).decode()


def triplet(ident: str, server: str, user: str, password: str) -> dict[str, str]:
    return {
        f"{ident}_CONTAINER_REGISTRY_SERVER": server,
        f"{ident}_CONTAINER_REGISTRY_USER": user,
        f"{ident}_CONTAINER_REGISTRY_PASSWORD": password,
    }


def login(ctx: CapturedContext, *flags: str) -> tuple[int, dict[str, Any]]:
    status = main(["login", "--json", *flags], ctx)
    stdout = ctx.stdout.getvalue()
    return status, json.loads(stdout)


def rows(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in document["registries"]}


def test_swap_writes_the_token_under_the_host_the_user_gave(
    make_ctx: MakeCtx, moto: Moto, docker_config: Path
) -> None:
    ctx = make_ctx(
        {**moto.endpoint_env(), **triplet("ECR", HOST, "AKIAEXAMPLEKEY000001", "s3cret")}
    )

    status, document = login(ctx)

    assert status == 0, ctx.stderr.getvalue()
    row = rows(document)["ECR"]
    assert (row["kind"], row["status"], row["code"]) == ("ecr", "written", "ok")
    config = json.loads(docker_config.read_text())
    # moto's proxyEndpoint names its own account (123456789012); we keep the user's host
    assert config["auths"] == {HOST: {"auth": MOTO_AUTH}}
    assert "s3cret" not in ctx.stdout.getvalue() + ctx.stderr.getvalue()


def test_several_registries_are_swapped_in_one_run(
    make_ctx: MakeCtx, moto: Moto, docker_config: Path
) -> None:
    hosts = {
        "ECR_A": "111111111111.dkr.ecr.us-east-1.amazonaws.com",
        "ECR_B": "222222222222.dkr.ecr.eu-central-1.amazonaws.com",
        "ECR_C": "333333333333.dkr-ecr.ap-southeast-2.on.aws",
    }
    env = dict(moto.endpoint_env())
    for ident, host in hosts.items():
        env.update(triplet(ident, host, f"AKIA{ident[-1]}EXAMPLE00000000", "secret-" + ident))
    ctx = make_ctx(env)

    status, document = login(ctx)

    assert status == 0
    assert {i: r["status"] for i, r in rows(document).items()} == dict.fromkeys(hosts, "written")
    auths = json.loads(docker_config.read_text())["auths"]
    assert auths == {host: {"auth": MOTO_AUTH} for host in hosts.values()}


def test_user_aws_means_a_ready_token_written_as_is(make_ctx: MakeCtx, docker_config: Path) -> None:
    # nothing listens on port 9: any AWS call would fail the row
    env = {
        "AWS_ENDPOINT_URL_ECR": "http://127.0.0.1:9",
        **triplet("ECR", HOST, "AWS", "eyJ0b2tlbiJ9"),
    }
    ctx = make_ctx(env)

    status, document = login(ctx)

    assert status == 0
    assert rows(document)["ECR"]["kind"] == "ecr-token"
    expected = base64.b64encode(b"AWS:eyJ0b2tlbiJ9").decode()
    assert json.loads(docker_config.read_text())["auths"] == {HOST: {"auth": expected}}


def test_ready_token_expiry_is_recorded_for_doctor(make_ctx: MakeCtx, docker_config: Path) -> None:
    # the shape of an ECR password: base64 JSON with the expiry in epoch seconds
    body = {"payload": "p", "datakey": "d", "version": "2", "type": "DATA_KEY"}
    ready = base64.b64encode(json.dumps({**body, "expiration": 1893456000}).encode()).decode()
    ctx = make_ctx(triplet("ECR", HOST, "AWS", ready))

    assert login(ctx)[0] == 0

    entry = records.static_expiries(ctx.cache_dir)[HOST]
    assert (entry.triplet_id, entry.expires_at) == ("ECR", 1893456000.0)


def test_static_entry_records_its_expiry_for_doctor(
    make_ctx: MakeCtx, moto: Moto, docker_config: Path
) -> None:
    ctx = make_ctx({**moto.endpoint_env(), **triplet("ECR", HOST, "AKIAEXAMPLEKEY000001", "k")})

    assert login(ctx)[0] == 0

    entry = records.static_expiries(ctx.cache_dir)[HOST]
    assert (entry.triplet_id, entry.expires_at) == ("ECR", MOTO_EXPIRES_AT)
    assert entry.config_path == str(docker_config)
    path = ctx.cache_dir / "ecr" / records.STATIC_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "AKIAEXAMPLEKEY000001" not in path.read_text()


def test_ecr_helper_flag_writes_cred_helpers_instead_of_a_token(
    make_ctx: MakeCtx, moto: Moto, docker_config: Path
) -> None:
    env = {**moto.endpoint_env(), **triplet("ECR", HOST, "AKIAEXAMPLEKEY000001", "k"), "PATH": PATH}
    ctx = make_ctx(env)
    docker_config.parent.mkdir(mode=0o700)
    docker_config.write_text(json.dumps({"auths": {"ghcr.io": {"auth": "dTpw"}}}))

    status, _document = login(ctx, "--ecr-helper")

    assert status == 0
    config = json.loads(docker_config.read_text())
    assert config == {"auths": {"ghcr.io": {"auth": "dTpw"}}, "credHelpers": {HOST: "cs-registry"}}
    saved = ctx.cache_dir / "ecr" / records.HELPER_KEYS_NAME
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert records.helper_keys(ctx.cache_dir, HOST) == records.HelperKeys(
        "ECR", "AKIAEXAMPLEKEY000001", "k", None
    )

    # and back: without the flag the static entry replaces our own credHelpers entry
    ctx2 = make_ctx(env)
    assert login(ctx2)[0] == 0
    config = json.loads(docker_config.read_text())
    assert config["credHelpers"] == {}
    assert config["auths"][HOST] == {"auth": MOTO_AUTH}
    assert records.helper_keys(ctx.cache_dir, HOST) is None  # the saved keys are gone


def test_ecr_helper_not_on_path_falls_back_to_a_static_token(
    make_ctx: MakeCtx, moto: Moto, docker_config: Path
) -> None:
    ctx = make_ctx({**moto.endpoint_env(), **triplet("ECR", HOST, "AKIAEXAMPLEKEY000001", "k")})

    status, document = login(ctx, "--ecr-helper")

    assert status == 0
    warning = rows(document)["ECR"]["warnings"][0]
    assert warning["code"] == "creds_store_unavailable"
    assert "not on PATH" in warning["message"]
    assert json.loads(docker_config.read_text()) == {"auths": {HOST: {"auth": MOTO_AUTH}}}


def test_access_key_of_a_user_who_may_swap(
    make_ctx: MakeCtx, moto_iam: IamMoto, docker_config: Path
) -> None:
    key_id, secret = moto_iam.puller
    ctx = make_ctx({**moto_iam.moto.endpoint_env(), **triplet("ECR", HOST, key_id, secret)})

    status, document = login(ctx)

    assert (status, rows(document)["ECR"]["status"]) == (0, "written")


def test_unknown_key_id(make_ctx: MakeCtx, moto_iam: IamMoto, docker_config: Path) -> None:
    ctx = make_ctx(
        {**moto_iam.moto.endpoint_env(), **triplet("ECR", HOST, "AKIANOTKNOWN00000000", "x")}
    )

    status, document = login(ctx)

    row = rows(document)["ECR"]
    assert (status, row["status"], row["code"]) == (1, "failed", "ecr_invalid_key_id")
    assert "ECR_CONTAINER_REGISTRY_USER" in row["message"]
    assert not docker_config.exists()


def test_wrong_secret(make_ctx: MakeCtx, moto_iam: IamMoto, docker_config: Path) -> None:
    key_id, _secret = moto_iam.puller
    ctx = make_ctx({**moto_iam.moto.endpoint_env(), **triplet("ECR", HOST, key_id, "wrong")})

    status, document = login(ctx)

    row = rows(document)["ECR"]
    assert (status, row["code"]) == (1, "ecr_invalid_secret")
    assert "ECR_CONTAINER_REGISTRY_PASSWORD" in row["message"]


def test_user_without_ecr_permission(
    make_ctx: MakeCtx, moto_iam: IamMoto, docker_config: Path
) -> None:
    key_id, secret = moto_iam.nobody
    ctx = make_ctx({**moto_iam.moto.endpoint_env(), **triplet("ECR", HOST, key_id, secret)})

    status, document = login(ctx)

    row = rows(document)["ECR"]
    assert (status, row["code"]) == (1, "ecr_access_denied")
    assert "ecr:GetAuthorizationToken" in row["message"]
    assert "arn:aws:iam::123456789012:user/nobody" in row["message"]
    assert row["message"].startswith("ECR (")


def test_one_bad_registry_does_not_stop_the_others(
    make_ctx: MakeCtx, moto_iam: IamMoto, docker_config: Path
) -> None:
    good_host = "111111111111.dkr.ecr.us-east-1.amazonaws.com"
    env = {
        **moto_iam.moto.endpoint_env(),
        **triplet("GOOD", good_host, *moto_iam.puller),
        **triplet("BAD", HOST, "AKIANOTKNOWN00000000", "x"),
    }
    ctx = make_ctx(env)

    status, document = login(ctx)

    assert status == 1
    assert {i: r["code"] for i, r in rows(document).items()} == {
        "GOOD": "ok",
        "BAD": "ecr_invalid_key_id",
    }
    assert list(json.loads(docker_config.read_text())["auths"]) == [good_host]
