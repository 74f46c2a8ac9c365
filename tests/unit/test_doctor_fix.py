"""``doctor --fix`` in process: flags, the JSON document, unsafe files, what doctor lists."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from cs_registry.main import main
from tests.support.captured import CapturedContext, MakeCtx


@pytest.fixture
def config(isolated_home: Path) -> Path:
    path = isolated_home / ".docker" / "config.json"
    path.parent.mkdir(mode=0o700)
    return path


def run(ctx: CapturedContext, *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["doctor", "--wait", "0.1", "--json", *args], ctx)
    return code, json.loads(ctx.stdout.getvalue())


def test_dry_run_without_fix_is_a_usage_error(make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    assert main(["doctor", "--dry-run"], ctx) == 2
    assert "--dry-run goes with --fix" in ctx.stderr.getvalue()


def test_fix_refuses_to_run_as_a_hook(make_ctx: MakeCtx, config: Path) -> None:
    config.write_text('{"credsStore": "desktop"}')
    config.chmod(0o600)
    ctx = make_ctx()
    assert main(["doctor", "--fix", "--hook"], ctx) == 0  # hooks never fail the lifecycle
    said = ctx.stdout.getvalue() + ctx.stderr.getvalue()
    assert "--fix cannot run as a lifecycle hook" in said
    assert config.read_text() == '{"credsStore": "desktop"}'


def test_json_lists_fixes_with_codes_and_the_checks_after(make_ctx: MakeCtx, config: Path) -> None:
    config.write_text(
        json.dumps({"credsStore": "desktop", "auths": {"docker.io": {"auth": "YTpi"}}})
    )
    config.chmod(0o600)
    code, document = run(make_ctx(), "--fix")
    assert set(document) == {"ok", "dry_run", "config_path", "backup", "fixes", "checks"}
    fixes = {f["id"]: f for f in document["fixes"]}
    assert fixes["helper:desktop"]["code"] == "creds_store_unavailable"
    assert fixes["dockerhub-alias"]["code"] == "dockerhub_alias_key"
    assert {f["status"] for f in fixes.values()} == {"applied"}
    ids = {c["id"]: c for c in document["checks"]}
    assert "helper:desktop" not in ids
    assert "dockerhub-alias" not in ids
    assert code == (1 if not document["ok"] else 0)


def test_human_output_shows_before_and_after(make_ctx: MakeCtx, config: Path) -> None:
    config.write_text(json.dumps({"credHelpers": {"a.example": "nothere"}}))
    config.chmod(0o600)
    ctx = make_ctx()
    main(["doctor", "--wait", "0.1", "--fix"], ctx)
    text = ctx.stdout.getvalue()
    assert 'helper:nothere: credHelpers["a.example"]: "nothere" → removed' in text
    assert "backup: " in text


@pytest.mark.parametrize("kind", ["fifo", "not-json"])
def test_unusable_config_is_never_touched(make_ctx: MakeCtx, config: Path, kind: str) -> None:
    if kind == "fifo":
        os.mkfifo(config, 0o644)
    else:
        config.write_text('{"credsStore": "desktop",')
        config.chmod(0o644)
    before = config.lstat()
    code, document = run(make_ctx(), "--fix")
    assert code == 1
    assert document["fixes"] == []
    assert document["backup"] is None
    assert config.lstat().st_mode == before.st_mode
    assert list(config.parent.glob("config.json.bak-*")) == []


def test_a_symlinked_config_stays_a_symlink(
    make_ctx: MakeCtx, config: Path, tmp_path: Path
) -> None:
    real = config.parent / "real.json"
    real.write_text(json.dumps({"credsStore": "desktop", "auths": {}}))
    real.chmod(0o600)
    config.symlink_to(real.name)
    _code, document = run(make_ctx(), "--fix")
    assert config.is_symlink()
    assert "credsStore" not in json.loads(real.read_text())
    assert Path(document["backup"]).parent == config.parent


def test_doctor_lists_entries_login_never_recorded(make_ctx: MakeCtx, config: Path) -> None:
    config.write_text(json.dumps({"auths": {"old.example": {"auth": "YTpi"}}}))
    config.chmod(0o600)
    _code, document = run(make_ctx())
    checks = {c["id"]: c for c in document["checks"]}
    assert checks["login-record"]["code"] == "unrecorded_entry"
    assert '"old.example"' in checks["login-record"]["message"]
    # and --fix never removes it
    run(make_ctx(), "--fix")
    assert "old.example" in json.loads(config.read_text())["auths"]


def test_mode_only_fix_keeps_bytes_and_backs_up(make_ctx: MakeCtx, config: Path) -> None:
    config.write_text('{"auths": {}}')
    config.chmod(0o640)
    _code, document = run(make_ctx(), "--fix")
    assert [f["id"] for f in document["fixes"]] == ["docker-config-mode"]
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert config.read_text() == '{"auths": {}}'
    assert Path(document["backup"]).read_text() == '{"auths": {}}'


def test_no_config_means_nothing_to_fix_and_nothing_created(
    make_ctx: MakeCtx, isolated_home: Path
) -> None:
    ctx = make_ctx()
    main(["doctor", "--wait", "0.1", "--fix"], ctx)
    assert "doctor --fix: nothing to fix" in ctx.stdout.getvalue()
    assert not (isolated_home / ".docker").exists()
