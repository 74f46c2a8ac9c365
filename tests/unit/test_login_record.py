"""Login's record of what it wrote: removal of its own entries, never on a bad record's word."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from cs_registry.main import main
from tests.support.captured import MakeCtx

CANARY = "canary-Secr3t-value-8f2a"


def triplet(ident: str, server: str, password: str = CANARY) -> dict[str, str]:
    return {
        f"{ident}_CONTAINER_REGISTRY_SERVER": server,
        f"{ident}_CONTAINER_REGISTRY_USER": "octo",
        f"{ident}_CONTAINER_REGISTRY_PASSWORD": password,
    }


def login(make_ctx: MakeCtx, environ: dict[str, str], *args: str) -> dict[str, Any]:
    ctx = make_ctx(environ)
    assert main(["login", "--json", *args], ctx) == 0
    document: dict[str, Any] = json.loads(ctx.stdout.getvalue())
    return document


def rows(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["key"]: row for row in doc["registries"]}


@pytest.fixture
def config(isolated_home: Path) -> Path:
    return isolated_home / ".docker" / "config.json"


@pytest.fixture
def record(isolated_home: Path) -> Path:
    return isolated_home / ".cache" / "cs-registry" / "login-record.json"


BOTH = {**triplet("ONE", "one.example:5000"), **triplet("TWO", "two.example:5000")}
ONLY_TWO = triplet("TWO", "two.example:5000")


def test_record_is_private_and_holds_no_credential(
    make_ctx: MakeCtx, config: Path, record: Path
) -> None:
    login(make_ctx, BOTH)
    assert stat.S_IMODE(record.stat().st_mode) == 0o600
    text = record.read_text()
    auth = json.loads(config.read_text())["auths"]["one.example:5000"]["auth"]
    assert CANARY not in text
    assert auth not in text
    entries = json.loads(text)["configs"][str(config)]
    assert set(entries) == {"one.example:5000", "two.example:5000"}
    assert entries["one.example:5000"]["id"] == "ONE"
    assert entries["one.example:5000"]["to"] == "auths"


def test_a_record_that_already_says_it_is_not_rewritten(
    make_ctx: MakeCtx, config: Path, record: Path
) -> None:
    login(make_ctx, BOTH)
    before = record.stat()
    config.unlink()  # the entries are written again, and recorded as they were
    assert set(rows(login(make_ctx, BOTH))) == {"one.example:5000", "two.example:5000"}
    after = record.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    login(make_ctx, ONLY_TWO)  # a change is still written
    assert set(json.loads(record.read_text())["configs"][str(config)]) == {"two.example:5000"}


def test_an_unchanged_record_with_a_loose_mode_is_still_made_private(
    make_ctx: MakeCtx, config: Path, record: Path
) -> None:
    login(make_ctx, BOTH)
    record.chmod(0o644)
    config.unlink()
    login(make_ctx, BOTH)
    assert stat.S_IMODE(record.stat().st_mode) == 0o600


def test_login_removes_exactly_the_entry_whose_triplet_is_gone(
    make_ctx: MakeCtx, config: Path
) -> None:
    login(make_ctx, BOTH)
    data = json.loads(config.read_text())
    data["auths"]["foreign.example"] = {"auth": "Zm9vOmJhcg=="}
    data["proxies"] = {"default": {"httpProxy": "http://127.0.0.1:3128"}}
    config.write_text(json.dumps(data))
    doc = login(make_ctx, ONLY_TWO)
    removed = rows(doc)["one.example:5000"]
    assert (removed["status"], removed["code"], removed["id"]) == ("removed", "secret_gone", "ONE")
    after = json.loads(config.read_text())
    assert set(after["auths"]) == {"two.example:5000", "foreign.example"}
    assert after["proxies"] == data["proxies"]
    again = login(make_ctx, ONLY_TWO)  # the record forgot it: nothing more to say
    assert "one.example:5000" not in rows(again)


def test_human_output_says_removed(make_ctx: MakeCtx, config: Path) -> None:
    login(make_ctx, BOTH)
    ctx = make_ctx(ONLY_TWO)
    assert main(["login"], ctx) == 0
    text = ctx.stdout.getvalue()
    assert "removed" in text
    assert "one.example:5000" in text
    assert "secret_gone" in text


def test_dry_run_names_the_removal_and_changes_nothing(make_ctx: MakeCtx, config: Path) -> None:
    login(make_ctx, BOTH)
    before = config.read_bytes()
    doc = login(make_ctx, ONLY_TWO, "--dry-run")
    assert rows(doc)["one.example:5000"]["status"] == "removed"
    assert "would remove" in rows(doc)["one.example:5000"]["message"]
    assert config.read_bytes() == before


def test_hand_edited_entry_is_kept_and_reported(make_ctx: MakeCtx, config: Path) -> None:
    login(make_ctx, BOTH)
    data = json.loads(config.read_text())
    data["auths"]["one.example:5000"] = {"auth": "b2N0bzpvdGhlcg=="}  # octo:other
    config.write_text(json.dumps(data))
    doc = login(make_ctx, ONLY_TWO)
    kept = rows(doc)["one.example:5000"]
    assert (kept["status"], kept["code"]) == ("skipped", "entry_changed")
    assert json.loads(config.read_text())["auths"]["one.example:5000"] == {
        "auth": "b2N0bzpvdGhlcg=="
    }


def test_entry_from_before_the_record_is_never_removed(make_ctx: MakeCtx, config: Path) -> None:
    login(make_ctx, BOTH)  # the same bytes, but unrecorded: written "before the record"
    raw = config.read_bytes()
    (config.parent.parent / ".cache" / "cs-registry" / "login-record.json").unlink()
    login(make_ctx, BOTH)  # unchanged entries are not adopted by the new record
    assert config.read_bytes() == raw
    login(make_ctx, {})
    assert config.read_bytes() == raw


def _planted(kind: str, record: Path, tmp_path: Path) -> None:
    if kind == "corrupt":
        record.write_text("{not json")
        record.chmod(0o600)
    elif kind == "missing":
        record.unlink()
    elif kind == "symlink":
        elsewhere = tmp_path / "elsewhere.json"
        elsewhere.write_bytes(record.read_bytes())
        record.unlink()
        record.symlink_to(elsewhere)
    elif kind == "fifo":
        record.unlink()
        os.mkfifo(record, 0o600)
    elif kind == "not-a-record":
        record.write_text(json.dumps({"format": 99, "configs": {}}))


@pytest.mark.parametrize("kind", ["corrupt", "missing", "symlink", "fifo", "not-a-record"])
def test_bad_record_never_makes_login_remove_anything(
    make_ctx: MakeCtx, config: Path, record: Path, tmp_path: Path, kind: str
) -> None:
    login(make_ctx, BOTH)
    before = json.loads(config.read_text())["auths"]
    _planted(kind, record, tmp_path)
    doc = login(make_ctx, ONLY_TWO)
    assert json.loads(config.read_text())["auths"] == before
    assert all(row["status"] != "removed" for row in doc["registries"])
    if kind in ("symlink", "fifo"):  # reported, never clobbered nor followed
        assert any(w["code"] == "record_unusable" for w in doc.get("warnings", []))
        assert record.is_symlink() if kind == "symlink" else stat.S_ISFIFO(record.lstat().st_mode)


@pytest.mark.usefixtures("as_root")  # only root can give a file to another user
def test_record_of_another_owner_is_never_trusted(
    make_ctx: MakeCtx, config: Path, record: Path
) -> None:
    login(make_ctx, BOTH)
    before = json.loads(config.read_text())["auths"]
    os.chown(record, 12345, 12345)
    doc = login(make_ctx, ONLY_TWO)
    assert json.loads(config.read_text())["auths"] == before
    assert any(w["code"] == "record_unusable" for w in doc.get("warnings", []))
    assert record.stat().st_uid == 12345  # left as it was


def test_record_in_a_shared_cache_is_never_trusted(
    make_ctx: MakeCtx, config: Path, record: Path
) -> None:
    login(make_ctx, BOTH)
    before = json.loads(config.read_text())["auths"]
    record.parent.chmod(0o777)
    try:
        doc = login(make_ctx, ONLY_TWO)
    finally:
        record.parent.chmod(0o700)
    assert json.loads(config.read_text())["auths"] == before
    assert any(w["code"] == "record_unusable" for w in doc.get("warnings", []))


def test_record_keeps_configs_apart(make_ctx: MakeCtx, tmp_path: Path, config: Path) -> None:
    other = tmp_path / "other-docker"
    login(make_ctx, BOTH, "--config", str(other))
    login(make_ctx, BOTH)
    login(make_ctx, ONLY_TWO, "--config", str(other))
    assert "one.example:5000" in json.loads(config.read_text())["auths"]
    assert "one.example:5000" not in json.loads((other / "config.json").read_text())["auths"]


def test_an_env_file_login_and_a_plain_login_never_remove_each_others_entries(
    make_ctx: MakeCtx, config: Path, tmp_path: Path
) -> None:
    # each sees only its own triplets: the other's entries only look gone
    env_file = tmp_path / "local.env"
    env_file.write_text(
        "LOCAL_CONTAINER_REGISTRY_SERVER=local.example:5000\n"
        "LOCAL_CONTAINER_REGISTRY_USER=me\n"
        f"LOCAL_CONTAINER_REGISTRY_PASSWORD={CANARY}\n"
    )
    login(make_ctx, ONLY_TWO, "--env-file", str(env_file))
    login(make_ctx, triplet("ONE", "one.example:5000"))
    assert set(json.loads(config.read_text())["auths"]) == {
        "local.example:5000",
        "two.example:5000",
        "one.example:5000",
    }
    # within one source the rule holds: the plain login's own entry goes with its secret
    doc = login(make_ctx, {})
    assert rows(doc)["one.example:5000"]["status"] == "removed"
    assert set(json.loads(config.read_text())["auths"]) == {
        "local.example:5000",
        "two.example:5000",
    }
