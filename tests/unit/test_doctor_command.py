"""``cs-registry doctor`` end to end in process: output, JSON contract, exit status."""

from __future__ import annotations

import json
from pathlib import Path

from cs_registry.context import Context
from cs_registry.main import main
from tests.support.captured import MakeCtx
from tests.support.fake_daemon import fake_daemon

SECRET = "s3cr3t-value-never-shown"
CLEAN = '{"postCreateCommand": "hooks/post-create"}'


def setup(tmp_path: Path, devcontainer: str = CLEAN) -> Path:
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / ".devcontainer.json").write_text(devcontainer)
    return tmp_path / "ws"


def doctor(ctx: Context, workspace: Path, *args: str) -> int:
    return main(["doctor", "--workspace", str(workspace), "--owner", "acme", *args], ctx)


def test_json_contract_and_exit_0_when_nothing_fails(tmp_path: Path, make_ctx: MakeCtx) -> None:
    workspace = setup(tmp_path)
    with fake_daemon(tmp_path / "d.sock") as sock:
        ctx = make_ctx(
            {
                "DOCKER_HOST": f"unix://{sock}",
                "GHCR_CONTAINER_REGISTRY_SERVER": "ghcr.io",
                "GHCR_CONTAINER_REGISTRY_USER": "bob",
                "GHCR_CONTAINER_REGISTRY_PASSWORD": SECRET,
            }
        )
        status = doctor(ctx, workspace, "--json")
    output = ctx.stdout.getvalue()
    document = json.loads(output)
    assert status == 0
    assert document["ok"] is True
    ids = [c["id"] for c in document["checks"]]
    assert ids[:3] == ["environment", "lifecycle", "triplet:GHCR"]
    assert {"docker-daemon", "docker-config", "entry:ghcr.io", "devcontainer"} <= set(ids)
    for check in document["checks"]:
        assert set(check) == {"id", "status", "code", "message", "remedy", "where"}
        assert check["status"] in ("ok", "warn", "fail", "skip")
    assert SECRET not in output


def test_unreachable_daemon_fails_with_remedy_and_summary(
    tmp_path: Path, make_ctx: MakeCtx
) -> None:
    workspace = setup(tmp_path)
    ctx = make_ctx({"DOCKER_HOST": f"unix://{tmp_path}/none.sock"})
    assert doctor(ctx, workspace, "--wait", "0.1") == 1
    lines = ctx.stdout.getvalue().splitlines()
    [daemon] = [i for i, line in enumerate(lines) if "docker-daemon" in line]
    assert lines[daemon].startswith("x docker-daemon")
    assert "no socket at" in lines[daemon]
    assert lines[daemon + 1].strip().startswith("→ Start Docker")
    assert lines[-1].startswith("doctor: problems found (")
    assert "1 failed" in lines[-1]


def test_clean_devcontainer_prints_no_lint_line(tmp_path: Path, make_ctx: MakeCtx) -> None:
    workspace = setup(tmp_path)
    with fake_daemon(tmp_path / "d.sock") as sock:
        ctx = make_ctx({"DOCKER_HOST": f"unix://{sock}"})
        doctor(ctx, workspace)
    lines = ctx.stdout.getvalue().splitlines()
    lint_lines = [line.split(None, 2) for line in lines if line.split()[1].startswith("devc")]
    assert lint_lines == [["ok", "devcontainer", f"{workspace}/.devcontainer.json: no findings"]]


def test_prebuild_flag_turns_a_wildcard_into_a_failure(tmp_path: Path, make_ctx: MakeCtx) -> None:
    config = (
        '{"postCreateCommand": "hooks/post-create",\n "customizations": {"codespaces": '
        '{"repositories": {\n "acme/*": {"permissions": "read-all"}}}}}'
    )
    workspace = setup(tmp_path, config)
    with fake_daemon(tmp_path / "d.sock") as sock:
        ctx = make_ctx({"DOCKER_HOST": f"unix://{sock}"})
        assert doctor(ctx, workspace, "--json") == 0
        prebuild = make_ctx({"DOCKER_HOST": f"unix://{sock}"})
        assert doctor(prebuild, workspace, "--json", "--prebuild") == 1
    [finding] = [
        c for c in json.loads(prebuild.stdout.getvalue())["checks"] if c["id"].startswith("devc")
    ]
    assert (finding["status"], finding["code"]) == ("fail", "wildcard_in_prebuild")
    assert finding["where"].endswith(".devcontainer.json:3:2")


def test_while_a_prebuild_is_made_no_daemon_is_expected_but_wildcards_fail(
    tmp_path: Path, make_ctx: MakeCtx
) -> None:
    workspace = setup(
        tmp_path,
        '{"postCreateCommand": "hooks/post-create", "customizations": {"codespaces": '
        '{"repositories": {"acme/*": {"permissions": "read-all"}}}}}',
    )
    ctx = make_ctx(
        {"ACTION_NAME": "createPrebuildTemplate", "DOCKER_HOST": f"unix://{tmp_path}/none.sock"}
    )
    assert doctor(ctx, workspace, "--json", "--wait", "0.1") == 1
    checks = {c["id"]: c for c in json.loads(ctx.stdout.getvalue())["checks"]}
    assert (checks["lifecycle"]["status"], checks["lifecycle"]["code"]) == (
        "warn",
        "prebuild_phase",
    )
    assert checks["docker-daemon"]["status"] == "warn"
    assert [c["id"] for c in checks.values() if c["status"] == "fail"] == [
        "devcontainer:wildcard_in_prebuild"
    ]
