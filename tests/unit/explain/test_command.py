"""``cs-registry explain`` and ``doctor`` as commands: sources, JSON contract, exit codes."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from cs_registry.main import main
from tests.support.captured import MakeCtx
from tests.support.fake_daemon import fake_daemon
from tests.unit.explain.helpers import LOGS


def test_json_is_one_document_with_the_documented_fields(
    make_ctx: MakeCtx,
) -> None:
    ctx = make_ctx()
    path = LOGS / "codespaces/old-image-no-auth.log"
    assert main(["explain", "--json", str(path)], ctx) == 1
    document = json.loads(ctx.stdout.getvalue())
    assert document["source"] == str(path)
    assert document["format"] == "codespaces-creation-log"
    (failure,) = document["failures"]
    assert {"code", "phase", "lines", "cause", "remedy", "next"} <= set(failure)
    assert failure["code"] == "missing_credentials"
    assert failure["phase"] == "host image pull"
    first = failure["lines"][0]
    assert first["number"] == 39
    assert re.fullmatch(
        r'Error response from daemon: Head "http://localhost:\d+/v2/app/manifests/1": '
        r"no basic auth credentials",
        first["text"],
    )
    assert re.fullmatch(r"cs-registry debug-login localhost:\d+/app:1", failure["next"])


def test_text_output_puts_the_root_first_then_cause_remedy_next(
    make_ctx: MakeCtx,
) -> None:
    ctx = make_ctx()
    assert main(["explain", str(LOGS / "docker28-login-helper-missing.log")], ctx) == 1
    lines = ctx.stdout.getvalue().splitlines()
    assert lines[0].endswith("1 failure")
    assert "login: creds_store_unavailable" in lines[2]
    assert "docker-credential-desktop" in lines[3]
    assert [line.split(":")[0].strip() for line in lines[4:]] == ["cause", "remedy", "next"]


def test_standard_input_is_read_with_a_dash(make_ctx: MakeCtx) -> None:
    text = (LOGS / "docker20-pull-rate-limited.log").read_text()
    ctx = make_ctx(stdin=text)
    assert main(["explain", "--json", "-"], ctx) == 1
    document = json.loads(ctx.stdout.getvalue())
    assert document["source"] == "<stdin>"
    assert [f["code"] for f in document["failures"]] == ["rate_limited"]


def test_a_clean_log_exits_0(make_ctx: MakeCtx, tmp_path: Path) -> None:
    path = tmp_path / "ok.log"
    path.write_text("1: Pulling from app\nStatus: Downloaded newer image for app:1\n")
    ctx = make_ctx()
    assert main(["explain", str(path)], ctx) == 0
    assert "no failure found" in ctx.stdout.getvalue()


def test_no_argument_reads_the_creation_log_at_the_codespaces_path(
    make_ctx: MakeCtx, tmp_path: Path
) -> None:
    creation = tmp_path / "persistedshare" / "creation.log"
    creation.parent.mkdir()
    shutil.copyfile(LOGS / "codespaces/new-manifest-unknown.log", creation)
    ctx = make_ctx({"CS_REGISTRY_CREATION_LOG": str(creation), "CODESPACES": "true"})
    assert main(["explain", "--json"], ctx) == 1
    document = json.loads(ctx.stdout.getvalue())
    assert document["source"] == str(creation)
    assert [f["code"] for f in document["failures"]] == ["manifest_unknown"]


def test_no_argument_and_no_creation_log_says_how_to_get_one(
    make_ctx: MakeCtx, tmp_path: Path
) -> None:
    ctx = make_ctx({"CS_REGISTRY_CREATION_LOG": str(tmp_path / "absent.log")})
    assert main(["explain"], ctx) == 2
    message = ctx.stderr.getvalue()
    assert "no log given" in message
    assert "gh codespace logs" in message
    assert "Codespaces: View Creation Log" in message
    assert "Actions tab" in message


def test_doctor_adds_one_line_per_failure_in_the_creation_log(
    make_ctx: MakeCtx, tmp_path: Path
) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / ".devcontainer.json").write_text('{"postCreateCommand": "hooks/post-create"}')
    creation = tmp_path / "creation.log"
    logs = ("docker28-login-helper-missing.log", "codespaces/new-manifest-unknown.log")
    creation.write_bytes(b"\n".join((LOGS / name).read_bytes() for name in logs))
    with fake_daemon(tmp_path / "d.sock") as sock:
        ctx = make_ctx({"DOCKER_HOST": f"unix://{sock}", "CS_REGISTRY_CREATION_LOG": str(creation)})
        main(["doctor", "--json", "--workspace", str(workspace), "--owner", "acme"], ctx)
    checks = json.loads(ctx.stdout.getvalue())["checks"]
    found = [c for c in checks if c["id"] == "creation-log"]
    assert [(c["code"], c["status"]) for c in found] == [
        ("creds_store_unavailable", "warn"),
        ("manifest_unknown", "warn"),
    ]
    assert found[0]["where"] == f"{creation}:2"
    assert "cs-registry doctor" in found[0]["remedy"]


def test_doctor_says_nothing_of_a_creation_log_that_is_not_there(
    make_ctx: MakeCtx, tmp_path: Path
) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    with fake_daemon(tmp_path / "d.sock") as sock:
        ctx = make_ctx(
            {
                "DOCKER_HOST": f"unix://{sock}",
                "CS_REGISTRY_CREATION_LOG": str(tmp_path / "absent.log"),
            }
        )
        main(["doctor", "--json", "--workspace", str(workspace), "--owner", "acme"], ctx)
    checks = json.loads(ctx.stdout.getvalue())["checks"]
    assert not [c for c in checks if c["id"] == "creation-log"]
