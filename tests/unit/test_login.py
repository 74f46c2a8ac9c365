"""``cs-registry login`` end to end in process: statuses, codes, output shapes, helpers."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from cs_registry.main import main
from tests.support.captured import CapturedContext, MakeCtx

CANARY = "canary-Secr3t-value-8f2a"


def triplet(ident: str, server: str, user: str = "octo", password: str = CANARY) -> dict[str, str]:
    return {
        f"{ident}_CONTAINER_REGISTRY_SERVER": server,
        f"{ident}_CONTAINER_REGISTRY_USER": user,
        f"{ident}_CONTAINER_REGISTRY_PASSWORD": password,
    }


def out(ctx: CapturedContext) -> str:
    return ctx.stdout.getvalue()


def err(ctx: CapturedContext) -> str:
    return ctx.stderr.getvalue()


def login_json(ctx: CapturedContext, *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["login", "--json", *args], ctx)
    return code, json.loads(out(ctx))


def rows_by_id(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in doc["registries"]}


@pytest.fixture
def config(isolated_home: Path) -> Path:
    return isolated_home / ".docker" / "config.json"


def write_config(path: Path, data: dict[str, Any]) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(data).encode()
    path.write_bytes(raw)
    return raw


# --- JSON contract ----------------------------------------------------------------------------


def test_json_shape_per_design(make_ctx: MakeCtx, config: Path) -> None:
    ecr = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
    ctx = make_ctx({**triplet("ECR", ecr, user="AWS"), **triplet("GHCR", "https://ghcr.io/")})
    code, doc = login_json(ctx)
    assert code == 0
    assert err(ctx) == ""
    assert set(doc) == {"config_path", "registries"}
    assert doc["config_path"] == str(config)
    contract = {"id", "server", "key", "kind", "status", "code", "message", "verified"}
    for row in doc["registries"]:
        assert contract <= set(row)
        assert set(row) - contract <= {"warnings"}
    rows = rows_by_id(doc)
    assert {k: rows["ECR"][k] for k in contract} == {
        "id": "ECR",
        "server": ecr,
        "key": ecr,
        "kind": "ecr-token",
        "status": "written",
        "code": "ok",
        "message": "",
        "verified": None,
    }
    assert (rows["GHCR"]["kind"], rows["GHCR"]["key"], rows["GHCR"]["status"]) == (
        "basic",
        "ghcr.io",
        "written",
    )
    assert rows["GHCR"]["warnings"] == [
        {
            "code": "malformed_server",
            "message": "GHCR_CONTAINER_REGISTRY_SERVER: removed scheme 'https://'; "
            "removed trailing slash (using ghcr.io)",
        }
    ]
    assert sorted(json.loads(config.read_bytes())["auths"]) == [ecr, "ghcr.io"]


def test_json_with_nothing_to_do(make_ctx: MakeCtx, config: Path) -> None:
    ctx = make_ctx()
    code, doc = login_json(ctx)
    assert (code, doc) == (0, {"config_path": str(config), "registries": []})
    assert not config.exists()


def test_second_run_is_unchanged(make_ctx: MakeCtx, config: Path) -> None:
    env = triplet("GHCR", "ghcr.io")
    assert login_json(make_ctx(env))[1]["registries"][0]["status"] == "written"
    first = config.read_bytes()
    assert login_json(make_ctx(env))[1]["registries"][0]["status"] == "unchanged"
    assert config.read_bytes() == first


# --- bad input never stops the others ---------------------------------------------------------


def test_one_failing_registry_never_stops_the_others(make_ctx: MakeCtx, config: Path) -> None:
    env = {
        **triplet("GOOD", "ghcr.io"),
        **triplet("BADSERVER", "ftp://nope"),
        "PARTIAL_CONTAINER_REGISTRY_SERVER": "quay.io",
        "PARTIAL_CONTAINER_REGISTRY_USER": "u",
        **triplet("A", "reg.example.com", password="one-password"),
        **triplet("B", "https://reg.example.com"),
    }
    ctx = make_ctx(env)
    code, doc = login_json(ctx)
    assert code == 1
    rows = rows_by_id(doc)
    assert {i: (r["status"], r["code"]) for i, r in rows.items()} == {
        "A": ("failed", "conflicting_triplets"),
        "B": ("failed", "conflicting_triplets"),
        "BADSERVER": ("failed", "malformed_server"),
        "GOOD": ("written", "ok"),
        "PARTIAL": ("failed", "partial_triplet"),
    }
    assert rows["PARTIAL"]["message"].startswith("PARTIAL_CONTAINER_REGISTRY_PASSWORD is not set")
    assert "BADSERVER_CONTAINER_REGISTRY_SERVER" in rows["BADSERVER"]["message"]
    assert json.loads(config.read_bytes()) == {
        "auths": {"ghcr.io": {"auth": "b2N0bzpjYW5hcnktU2VjcjN0LXZhbHVlLThmMmE="}}
    }
    assert CANARY not in out(ctx) + err(ctx)


def test_human_output_names_code_and_variable(make_ctx: MakeCtx) -> None:
    env = {"X_CONTAINER_REGISTRY_SERVER": "ghcr.io", "X_CONTAINER_REGISTRY_PASSWORD": CANARY}
    ctx = make_ctx(env)
    assert main(["login"], ctx) == 1
    text = out(ctx)
    assert "partial_triplet" in text
    assert "X_CONTAINER_REGISTRY_USER is not set" in text
    assert "Traceback" not in text + err(ctx)


def test_no_secrets_found_message(make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    assert main(["login"], ctx) == 0
    assert out(ctx).startswith("No registry secrets found")


def test_invalid_secret_name_is_a_warning_and_exit_0(make_ctx: MakeCtx) -> None:
    ctx = make_ctx(triplet("GITHUB_REG", "ghcr.io"))
    code, doc = login_json(ctx)
    assert code == 0
    assert doc["registries"] == []
    assert doc["warnings"][0]["code"] == "invalid_secret_name"
    assert "may not start with GITHUB_" in doc["warnings"][0]["message"]


# --- dry run ----------------------------------------------------------------------------------


def test_dry_run_writes_nothing_and_shows_a_redacted_secret(
    make_ctx: MakeCtx, config: Path
) -> None:
    ctx = make_ctx(triplet("GHCR", "ghcr.io"))
    assert main(["login", "--dry-run"], ctx) == 0
    text = out(ctx)
    assert "would write" in text
    assert "user octo, password ca…(24 chars)" in text
    assert CANARY not in text + err(ctx)
    assert not config.parent.exists()


def test_dry_run_json_on_an_existing_config_leaves_it(make_ctx: MakeCtx, config: Path) -> None:
    raw = write_config(config, {"auths": {"https://ghcr.io": {"auth": "b2xkOm9sZA=="}}})
    ctx = make_ctx(triplet("GHCR", "ghcr.io"))
    code, doc = login_json(ctx, "--dry-run")
    assert code == 0
    assert doc["dry_run"] is True
    assert doc["registries"][0]["status"] == "written"
    assert config.read_bytes() == raw


# --- hook mode --------------------------------------------------------------------------------


def test_hook_exits_0_on_failures_with_a_one_line_summary(make_ctx: MakeCtx) -> None:
    env = {**triplet("GOOD", "ghcr.io"), "BAD_CONTAINER_REGISTRY_SERVER": "quay.io"}
    ctx = make_ctx(env)
    assert main(["login", "--hook"], ctx) == 0
    lines = out(ctx).splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("cs-registry: ")
    assert "BAD (partial_triplet)" in lines[0]
    assert lines[0].endswith("run `cs-registry doctor` for details")


def test_hook_is_quiet_with_nothing_to_do(make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    assert main(["login", "--hook"], ctx) == 0
    assert (out(ctx), err(ctx)) == ("", "")


def test_hook_exits_0_on_a_config_error(make_ctx: MakeCtx, config: Path) -> None:
    config.parent.mkdir()
    config.write_text("{not json")
    ctx = make_ctx(triplet("GHCR", "ghcr.io"))
    assert main(["login", "--hook"], ctx) == 0
    (line,) = out(ctx).splitlines()
    assert line.startswith(f"cs-registry: {config}:1:2: Expecting property name")
    assert line.endswith("run `cs-registry doctor` for details")
    assert config.read_text() == "{not json"


def test_hook_exits_0_even_on_an_internal_error(
    make_ctx: MakeCtx, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cs_registry.commands import login

    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(login, "_report", boom)
    ctx = make_ctx(triplet("GHCR", "ghcr.io"))
    assert main(["login", "--hook"], ctx) == 0
    assert "internal error (RuntimeError)" in err(ctx)
    assert "Traceback" not in err(ctx)


# --- prebuild ---------------------------------------------------------------------------------


def test_prebuild_from_the_environment_writes_nothing(make_ctx: MakeCtx, config: Path) -> None:
    ctx = make_ctx({**triplet("GHCR", "ghcr.io"), "ACTION_NAME": "createPrebuildTemplate"})
    assert main(["login"], ctx) == 0
    assert "a Codespaces prebuild is being made" in out(ctx)
    assert "from the environment" in out(ctx)
    assert "no credentials are written" in out(ctx)
    assert not config.parent.exists()


@pytest.mark.parametrize(
    "content",
    [
        {"ACTION_NAME": "createPrebuildTemplate"},
        [{"name": "ACTION_NAME", "value": "createPrebuildTemplate"}],
    ],
)
def test_prebuild_from_the_codespaces_file_writes_nothing(
    make_ctx: MakeCtx, config: Path, tmp_path: Path, content: object
) -> None:
    env_file = tmp_path / "environment-variables.json"
    env_file.write_text(json.dumps(content))
    env = {**triplet("GHCR", "ghcr.io"), "CS_REGISTRY_CODESPACES_ENV_FILE": str(env_file)}
    ctx = make_ctx(env)
    code, doc = login_json(ctx)
    assert code == 0
    (row,) = doc["registries"]
    assert (row["status"], row["code"]) == ("skipped", "prebuild_phase")
    assert str(env_file) in row["message"]
    assert not config.parent.exists()


def test_from_prebuild_does_write(make_ctx: MakeCtx, config: Path) -> None:
    ctx = make_ctx({**triplet("GHCR", "ghcr.io"), "ACTION_NAME": "createFromPrebuild"})
    assert main(["login"], ctx) == 0
    assert "ghcr.io" in json.loads(config.read_bytes())["auths"]


# --- env file ---------------------------------------------------------------------------------


def test_env_file_supplies_triplets(make_ctx: MakeCtx, config: Path, tmp_path: Path) -> None:
    env_file = tmp_path / "registry.env"
    env_file.write_text(
        "# local secrets\nexport GHCR_CONTAINER_REGISTRY_SERVER=ghcr.io\n"
        "GHCR_CONTAINER_REGISTRY_USER=octo\n"
        f'GHCR_CONTAINER_REGISTRY_PASSWORD="{CANARY}"  # quoted: dotenv syntax, no warning\n'
    )
    ctx = make_ctx()
    code, doc = login_json(ctx, "--env-file", str(env_file))
    assert code == 0
    (row,) = doc["registries"]
    assert (row["status"], row["warnings"]) == ("written", [])
    assert "ghcr.io" in json.loads(config.read_bytes())["auths"]


def test_env_file_error_is_exit_2_naming_file_and_line(make_ctx: MakeCtx, tmp_path: Path) -> None:
    env_file = tmp_path / "registry.env"
    env_file.write_text(f"A=1\nGHCR_CONTAINER_REGISTRY_PASSWORD='{CANARY}\n")
    ctx = make_ctx()
    assert main(["login", "--env-file", str(env_file)], ctx) == 2
    assert f"{env_file}:2: unterminated ' quote" in err(ctx)
    assert CANARY not in err(ctx) + out(ctx)
    assert out(ctx) == ""


# --- credential helpers -----------------------------------------------------------------------

FAKE_HELPER = """#!{python}
import json, os, sys
state = os.path.join(os.path.dirname(os.path.abspath(__file__)), "state")
os.makedirs(state, exist_ok=True)
data = sys.stdin.read()
with open(os.path.join(state, "calls.jsonl"), "a") as log:
    log.write(json.dumps({{"argv": sys.argv[1:], "stdin": data}}) + "\\n")
store = os.path.join(state, "store.json")
entries = json.load(open(store)) if os.path.exists(store) else {{}}
if os.environ.get("FAKE_HELPER_FAIL") and sys.argv[1] == "store":
    print("store refused for " + json.loads(data)["Secret"])
    sys.exit(1)
if sys.argv[1] == "get":
    if data in entries:
        print(json.dumps({{"ServerURL": data, **entries[data]}}))
        sys.exit(0)
    print("credentials not found in native keychain")
    sys.exit(1)
if sys.argv[1] == "store":
    item = json.loads(data)
    entries[item["ServerURL"]] = {{"Username": item["Username"], "Secret": item["Secret"]}}
    json.dump(entries, open(store, "w"))
"""


@pytest.fixture
def helper_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "bin"
    directory.mkdir()
    program = directory / "docker-credential-fake"
    program.write_text(FAKE_HELPER.format(python=sys.executable))
    program.chmod(0o755)
    return directory


def calls(helper_dir: Path) -> list[dict[str, Any]]:
    path = helper_dir / "state" / "calls.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.mark.parametrize(
    "setup",
    [{"credsStore": "fake"}, {"credHelpers": {"ghcr.io": "fake"}}],
    ids=["credsStore", "credHelpers"],
)
def test_installed_helper_stores_the_credential_with_the_secret_on_stdin_only(
    make_ctx: MakeCtx, config: Path, helper_dir: Path, setup: dict[str, Any]
) -> None:
    raw = write_config(config, setup)
    env = {**triplet("GHCR", "ghcr.io"), "PATH": f"{helper_dir}:/usr/bin:/bin"}
    code, doc = login_json(make_ctx(env))
    assert code == 0
    (row,) = doc["registries"]
    assert (row["status"], row["code"]) == ("written", "ok")
    assert row["message"] == "stored through docker-credential-fake"
    assert config.read_bytes() == raw  # nothing in auths
    stored = json.loads((helper_dir / "state" / "store.json").read_text())
    assert stored == {"ghcr.io": {"Username": "octo", "Secret": CANARY}}
    seen = calls(helper_dir)
    assert [c["argv"] for c in seen] == [["get"], ["store"]]
    assert seen[0]["stdin"] == "ghcr.io"
    assert json.loads(seen[1]["stdin"]) == {
        "ServerURL": "ghcr.io",
        "Username": "octo",
        "Secret": CANARY,
    }
    assert all(CANARY not in " ".join(c["argv"]) for c in seen)

    code, doc = login_json(make_ctx(env))
    assert doc["registries"][0]["status"] == "unchanged"
    assert [c["argv"] for c in calls(helper_dir)] == [["get"], ["store"], ["get"]]


@pytest.mark.parametrize(
    ("setup", "source"),
    [
        ({"credsStore": "missing"}, "credsStore"),
        ({"credHelpers": {"ghcr.io": "missing"}}, 'credHelpers["ghcr.io"]'),
    ],
)
def test_helper_not_installed_is_creds_store_unavailable_and_nothing_written(
    make_ctx: MakeCtx, config: Path, setup: dict[str, Any], source: str
) -> None:
    raw = write_config(config, setup)
    ctx = make_ctx(triplet("GHCR", "ghcr.io"))
    code, doc = login_json(ctx)
    assert code == 1
    (row,) = doc["registries"]
    assert (row["status"], row["code"]) == ("failed", "creds_store_unavailable")
    expected = f"{source} sends Docker to docker-credential-missing, which is not on PATH"
    assert expected in row["message"]
    assert config.read_bytes() == raw


def test_helper_for_another_host_does_not_block_ours(make_ctx: MakeCtx, config: Path) -> None:
    write_config(config, {"credHelpers": {"gcr.io": "gcloud"}})
    code, doc = login_json(make_ctx(triplet("GHCR", "ghcr.io")))
    assert (code, doc["registries"][0]["status"]) == (0, "written")
    data = json.loads(config.read_bytes())
    assert data["credHelpers"] == {"gcr.io": "gcloud"}
    assert "ghcr.io" in data["auths"]


def test_helper_that_fails_to_store_is_cred_helper_failed_naming_it(
    make_ctx: MakeCtx, config: Path, helper_dir: Path
) -> None:
    raw = write_config(config, {"credsStore": "fake"})
    env = {
        **triplet("GHCR", "ghcr.io"),
        "PATH": f"{helper_dir}:/usr/bin:/bin",
        "FAKE_HELPER_FAIL": "1",
    }
    ctx = make_ctx(env)
    code, doc = login_json(ctx)
    assert code == 1
    (row,) = doc["registries"]
    assert (row["status"], row["code"]) == ("failed", "cred_helper_failed")
    assert "Docker asks docker-credential-fake for ghcr.io" in row["message"]
    assert "store refused for" in row["message"]  # the helper's own words ...
    assert CANARY not in out(ctx) + err(ctx)  # ... with the secret it echoed masked
    assert config.read_bytes() == raw


# --- exit codes and argparse ------------------------------------------------------------------


@pytest.mark.parametrize("argv", [["login", "--bogus"], [], ["nonsense"], ["login", "--env-file"]])
def test_usage_errors_exit_2_on_the_context_streams(make_ctx: MakeCtx, argv: list[str]) -> None:
    ctx = make_ctx()
    assert main(argv, ctx) == 2
    assert "usage: cs-registry" in err(ctx)
    assert out(ctx) == ""


def test_help_and_version_exit_0_on_stdout(make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    assert main(["login", "--help"], ctx) == 0
    assert out(ctx).startswith("usage: cs-registry login")
    ctx = make_ctx()
    assert main(["--version"], ctx) == 0
    assert out(ctx).startswith("cs-registry ")
    assert err(ctx) == ""


def test_our_own_helper_named_but_not_installed_is_a_failure_not_served(
    make_ctx: MakeCtx, config: Path
) -> None:
    # before: "unchanged — served by docker-credential-cs-registry", exit 0, and then
    # `docker pull` failed with "no basic auth credentials"
    raw = write_config(config, {"credHelpers": {"ghcr.io": "cs-registry"}})
    ctx = make_ctx({**triplet("GHCR", "ghcr.io"), "PATH": "/nonexistent"})
    code, doc = login_json(ctx)
    assert code == 1
    (row,) = doc["registries"]
    assert (row["status"], row["code"]) == ("failed", "creds_store_unavailable")
    assert "docker-credential-cs-registry, which is not on PATH" in row["message"]
    assert config.read_bytes() == raw
