"""Login's record covers credentials stored through a credential helper: removed when the
triplet is gone, only while the helper holds exactly what login stored; real helper
scripts on PATH that keep their credentials in a file."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from cs_registry.helper_client import DEFAULT_TIMEOUT
from cs_registry.main import main
from tests.support.captured import MakeCtx

CANARY = "canary-Secr3t-helper-41d7"
SLACK = 3.0  # process start-up on a loaded machine; the bound asserted is the helper timeout

# get/store/erase against state/store.json; FAKE_HELPER_STALL=1 hangs every call
KEEPER = """#!{python}
import json, os, sys, time
state = os.path.join(os.path.dirname(os.path.abspath(__file__)), "state")
os.makedirs(state, exist_ok=True)
data = sys.stdin.read()
with open(os.path.join(state, "calls.jsonl"), "a") as log:
    log.write(json.dumps({{"argv": sys.argv[1:], "stdin": data}}) + "\\n")
if os.environ.get("FAKE_HELPER_STALL"):
    time.sleep(120)
store = os.path.join(state, "store.json")
entries = json.load(open(store)) if os.path.exists(store) else {{}}
action = sys.argv[1]
if action in ("get", "erase") and data not in entries:
    print("credentials not found in native keychain")
    sys.exit(1)
if action == "get":
    print(json.dumps({{"ServerURL": data, **entries[data]}}))
elif action == "erase":
    del entries[data]
elif action == "store":
    item = json.loads(data)
    entries[item["ServerURL"]] = {{"Username": item["Username"], "Secret": item["Secret"]}}
json.dump(entries, open(store, "w"))
"""

ONE, TWO = "one.example:5000", "two.example:5000"


def triplet(ident: str, server: str) -> dict[str, str]:
    return {
        f"{ident}_CONTAINER_REGISTRY_SERVER": server,
        f"{ident}_CONTAINER_REGISTRY_USER": "octo",
        f"{ident}_CONTAINER_REGISTRY_PASSWORD": CANARY,
    }


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "bin"
    directory.mkdir()
    program = directory / "docker-credential-keep"
    program.write_text(KEEPER.format(python=sys.executable))
    program.chmod(0o755)
    return directory


@pytest.fixture
def config(isolated_home: Path) -> Path:
    path = isolated_home / ".docker" / "config.json"
    path.parent.mkdir(mode=0o700)
    path.write_text(json.dumps({"credHelpers": {ONE: "keep"}}))
    path.chmod(0o600)
    return path


@pytest.fixture
def record(isolated_home: Path) -> Path:
    return isolated_home / ".cache" / "cs-registry" / "login-record.json"


def env(bin_dir: Path, *idents: str, **extra: str) -> dict[str, str]:
    found: dict[str, str] = {"PATH": f"{bin_dir}:/usr/bin:/bin", **extra}
    for ident in idents:
        found.update(triplet(ident, ONE if ident == "ONE" else TWO))
    return found


def login(make_ctx: MakeCtx, environ: dict[str, str], *args: str) -> tuple[int, dict[str, Any]]:
    ctx = make_ctx(environ)
    code = main(["login", "--json", *args], ctx)
    return code, json.loads(ctx.stdout.getvalue())


def rows(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["key"]: row for row in doc["registries"]}


def held(bin_dir: Path) -> dict[str, Any]:
    path = bin_dir / "state" / "store.json"
    stored: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    return stored


def actions(bin_dir: Path) -> list[str]:
    path = bin_dir / "state" / "calls.jsonl"
    return [json.loads(line)["argv"][0] for line in path.read_text().splitlines()]


def test_stored_via_helper_is_recorded_by_hash_only(
    make_ctx: MakeCtx, config: Path, record: Path, bin_dir: Path
) -> None:
    code, doc = login(make_ctx, env(bin_dir, "ONE", "TWO"))
    assert code == 0
    assert rows(doc)[ONE]["message"] == "stored through docker-credential-keep"
    text = record.read_text()
    assert CANARY not in text
    entries = json.loads(text)["configs"][str(config)]
    assert entries[ONE]["to"] == "helper:keep"
    assert entries[ONE]["id"] == "ONE"
    assert entries[TWO]["to"] == "auths"


def test_login_erases_from_the_helper_what_it_stored_when_the_triplet_is_gone(
    make_ctx: MakeCtx, config: Path, record: Path, bin_dir: Path
) -> None:
    login(make_ctx, env(bin_dir, "ONE", "TWO"))
    assert ONE in held(bin_dir)
    code, doc = login(make_ctx, env(bin_dir, "TWO"))
    assert code == 0
    gone = rows(doc)[ONE]
    assert (gone["status"], gone["code"], gone["id"]) == ("removed", "secret_gone", "ONE")
    assert "docker-credential-keep" in gone["message"]
    assert held(bin_dir) == {}
    assert ONE not in json.loads(record.read_text())["configs"][str(config)]
    assert json.loads(config.read_text())["credHelpers"] == {ONE: "keep"}  # not ours to drop
    _code, again = login(make_ctx, env(bin_dir, "TWO"))
    assert ONE not in rows(again)


def test_dry_run_says_what_it_would_erase_and_erases_nothing(
    make_ctx: MakeCtx, config: Path, bin_dir: Path
) -> None:
    login(make_ctx, env(bin_dir, "ONE", "TWO"))
    before = held(bin_dir)
    _code, doc = login(make_ctx, env(bin_dir, "TWO"), "--dry-run")
    assert rows(doc)[ONE]["status"] == "removed"
    assert "would remove" in rows(doc)[ONE]["message"]
    assert held(bin_dir) == before
    assert "erase" not in actions(bin_dir)


def test_credential_changed_in_the_helper_is_kept_and_reported(
    make_ctx: MakeCtx, config: Path, record: Path, bin_dir: Path
) -> None:
    login(make_ctx, env(bin_dir, "ONE", "TWO"))
    store = bin_dir / "state" / "store.json"
    changed = held(bin_dir)
    changed[ONE] = {"Username": "octo", "Secret": "someone-else-stored-this"}
    store.write_text(json.dumps(changed))
    _code, doc = login(make_ctx, env(bin_dir, "TWO"))
    kept = rows(doc)[ONE]
    assert (kept["status"], kept["code"]) == ("skipped", "entry_changed")
    assert held(bin_dir)[ONE] == changed[ONE]
    assert "erase" not in actions(bin_dir)
    assert ONE not in json.loads(record.read_text())["configs"][str(config)]  # not ours now


def test_stalled_helper_removes_nothing_within_its_timeout_and_says_why(
    make_ctx: MakeCtx, config: Path, record: Path, bin_dir: Path
) -> None:
    login(make_ctx, env(bin_dir, "ONE", "TWO"))
    before = held(bin_dir)
    started = time.monotonic()
    code, doc = login(make_ctx, env(bin_dir, "TWO", FAKE_HELPER_STALL="1"))
    assert time.monotonic() - started < DEFAULT_TIMEOUT + SLACK
    row = rows(doc)[ONE]
    assert (row["status"], row["code"]) == ("failed", "cred_helper_timeout")
    assert "docker-credential-keep" in row["message"]
    assert code == 1
    assert held(bin_dir) == before
    # still recorded: the next login (helper answering again) removes it
    assert ONE in json.loads(record.read_text())["configs"][str(config)]
    _code, later = login(make_ctx, env(bin_dir, "TWO"))
    assert rows(later)[ONE]["status"] == "removed"
    assert held(bin_dir) == {}


def test_failing_helper_removes_nothing_and_names_its_code(
    make_ctx: MakeCtx, config: Path, bin_dir: Path
) -> None:
    login(make_ctx, env(bin_dir, "ONE", "TWO"))
    before = held(bin_dir)
    (bin_dir / "docker-credential-keep").write_text("#!/bin/sh\necho locked >&2\nexit 3\n")
    code, doc = login(make_ctx, env(bin_dir, "TWO"))
    row = rows(doc)[ONE]
    assert (row["status"], row["code"]) == ("failed", "cred_helper_failed")
    assert "locked" in row["message"]
    assert code == 1
    assert held(bin_dir) == before


@pytest.mark.parametrize("kind", ["symlink", "corrupt", "helper-named-by-path"])
def test_hostile_record_never_erases_anything(
    make_ctx: MakeCtx, config: Path, record: Path, bin_dir: Path, tmp_path: Path, kind: str
) -> None:
    login(make_ctx, env(bin_dir, "ONE", "TWO"))
    before = held(bin_dir)
    if kind == "symlink":
        elsewhere = tmp_path / "elsewhere.json"
        elsewhere.write_bytes(record.read_bytes())
        record.unlink()
        record.symlink_to(elsewhere)
    elif kind == "corrupt":
        record.write_text("{not json")
    else:  # a record naming a program by path: never run
        document = json.loads(record.read_text())
        document["configs"][str(config)][ONE]["to"] = f"helper:{bin_dir}/docker-credential-keep"
        record.write_text(json.dumps(document))
    _code, doc = login(make_ctx, env(bin_dir, "TWO"))
    assert all(row["status"] != "removed" for row in doc["registries"])
    assert held(bin_dir) == before
    assert "erase" not in actions(bin_dir)


def test_doctor_fix_erases_the_stale_helper_credential(
    make_ctx: MakeCtx, config: Path, record: Path, bin_dir: Path
) -> None:
    login(make_ctx, env(bin_dir, "ONE", "TWO"))
    ctx = make_ctx(env(bin_dir, "TWO"))
    main(["doctor", "--wait", "0.1", "--json", "--fix", "--dry-run"], ctx)
    planned = {f["id"]: f for f in json.loads(ctx.stdout.getvalue())["fixes"]}
    assert planned[f"entry:{ONE}"]["status"] == "would apply"
    assert ONE in held(bin_dir)
    ctx = make_ctx(env(bin_dir, "TWO"))
    main(["doctor", "--wait", "0.1", "--json", "--fix"], ctx)
    fixes = {f["id"]: f for f in json.loads(ctx.stdout.getvalue())["fixes"]}
    fix = fixes[f"entry:{ONE}"]
    assert (fix["status"], fix["code"]) == ("applied", "secret_gone")
    assert "docker-credential-keep" in fix["before"]
    assert held(bin_dir) == {}
    assert ONE not in json.loads(record.read_text())["configs"][str(config)]


def test_doctor_fix_with_a_failing_helper_erases_nothing_and_a_second_fix_is_quiet(
    make_ctx: MakeCtx, config: Path, record: Path, bin_dir: Path
) -> None:
    login(make_ctx, env(bin_dir, "ONE", "TWO"))
    before, program = held(bin_dir), bin_dir / "docker-credential-keep"
    working = program.read_text()
    program.write_text("#!/bin/sh\necho locked >&2\nexit 3\n")
    ctx = make_ctx(env(bin_dir, "TWO"))
    main(["doctor", "--wait", "0.1", "--json", "--fix"], ctx)
    fix = {f["id"]: f for f in json.loads(ctx.stdout.getvalue())["fixes"]}[f"entry:{ONE}"]
    assert (fix["status"], fix["code"]) == ("skipped", "cred_helper_failed")
    assert "locked" in fix["message"]
    assert held(bin_dir) == before
    assert ONE in json.loads(record.read_text())["configs"][str(config)]  # tried again later
    program.write_text(working)
    for _ in range(2):
        ctx = make_ctx(env(bin_dir, "TWO"))
        main(["doctor", "--wait", "0.1", "--json", "--fix"], ctx)
    assert json.loads(ctx.stdout.getvalue())["fixes"] == []
    assert held(bin_dir) == {}
