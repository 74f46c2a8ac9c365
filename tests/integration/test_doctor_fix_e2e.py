"""``doctor --fix`` against the real docker CLI, daemon and a loopback registry.

For each fix: a config where ``docker pull`` fails (or the CLI reads the wrong key),
``doctor --fix``, then the pull works (or the CLI sends the right credentials). Each
also holds: the backup's bytes equal the original, ``--dry-run`` leaves the bytes
identical, a second run finds nothing to fix, foreign keys survive byte for byte.
"""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest

from cs_registry.main import main
from cs_registry.servers import DOCKER_HUB_KEY
from tests.integration.conftest import TEST_REPOSITORY, TEST_TAG
from tests.integration.test_docker_view import _recording_daemon, _sent_credentials
from tests.support.captured import MakeCtx
from tests.support.images import remove_image
from tests.support.registry import Registry

pytestmark = pytest.mark.integration

DOCKER = "/usr/local/bin/docker" if os.access("/usr/local/bin/docker", os.X_OK) else "docker"
FOREIGN = {"proxies": {"default": {"httpProxy": "http://127.0.0.1:3128"}}, "detachKeys": "ctrl-x"}


def _pull(
    config_dir: Path, registry: Registry, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    reference = f"{registry.host}/{TEST_REPOSITORY}:{TEST_TAG}"
    remove_image(reference)  # the pull must fetch it through the registry
    done = subprocess.run(
        [DOCKER, "--config", str(config_dir), "pull", "-q", reference],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    remove_image(reference)
    return done


def _triplet(registry: Registry, ident: str = "LOCAL") -> dict[str, str]:
    assert registry.username is not None
    assert registry.password is not None
    return {
        f"{ident}_CONTAINER_REGISTRY_SERVER": registry.host,
        f"{ident}_CONTAINER_REGISTRY_USER": registry.username,
        f"{ident}_CONTAINER_REGISTRY_PASSWORD": registry.password,
    }


def _good(registry: Registry) -> str:
    return base64.b64encode(f"{registry.username}:{registry.password}".encode()).decode()


def _fix(make_ctx: MakeCtx, env: dict[str, str], config_dir: Path, *extra: str) -> dict[str, Any]:
    ctx = make_ctx(env)
    main(["doctor", "--fix", "--json", "--wait", "0.5", "--config", str(config_dir), *extra], ctx)
    document: dict[str, Any] = json.loads(ctx.stdout.getvalue())
    return document


def _applied(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["id"]: f for f in document["fixes"] if f["status"] in ("applied", "would apply")}


def _foreign_survive(config: Path) -> None:
    data = json.loads(config.read_text())
    for key, value in FOREIGN.items():
        assert json.dumps(data[key], sort_keys=True) == json.dumps(value, sort_keys=True)


def _dry_run_then_fix(
    make_ctx: MakeCtx, env: dict[str, str], config_dir: Path, fix_id: str
) -> dict[str, Any]:
    """--dry-run names the fix and leaves the bytes; --fix applies it after a byte-exact
    backup; a second --fix finds nothing. Returns the applying run's document."""
    config = config_dir / "config.json"
    original = config.read_bytes()
    dry = _fix(make_ctx, env, config_dir, "--dry-run")
    assert _applied(dry)[fix_id]["status"] == "would apply"
    assert config.read_bytes() == original
    assert dry["backup"] is None
    done = _fix(make_ctx, env, config_dir)
    assert _applied(done)[fix_id]["status"] == "applied"
    backup = Path(done["backup"])
    assert backup.parent == config_dir
    assert backup.name.startswith("config.json.bak-")
    assert backup.read_bytes() == original
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    again = _fix(make_ctx, env, config_dir)
    assert _applied(again) == {}
    assert again["backup"] is None
    assert len(list(config_dir.glob("config.json.bak-*"))) == 1
    _foreign_survive(config)
    return done


def test_fix_missing_creds_store_then_pull_works(
    registry_plain: Registry, make_ctx: MakeCtx, tmp_path: Path
) -> None:
    config_dir = tmp_path / "docker"
    config_dir.mkdir()
    config = config_dir / "config.json"
    # a host's Docker Desktop setting copied into a container: no such helper here
    config.write_text(json.dumps({"credsStore": "desktop", **FOREIGN}))
    config.chmod(0o600)
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path)}
    secrets = {**env, **_triplet(registry_plain)}
    ctx = make_ctx(secrets)
    main(["login", "--config", str(config_dir)], ctx)  # refused: the helper is missing
    failed = _pull(config_dir, registry_plain, env)
    assert failed.returncode != 0
    assert "no basic auth credentials" in failed.stderr or "unauthorized" in failed.stderr
    done = _dry_run_then_fix(make_ctx, secrets, config_dir, "helper:desktop")
    assert "credsStore" not in json.loads(config.read_text())
    assert registry_plain.host in _applied(done)["helper:desktop"]["message"]
    pulled = _pull(config_dir, registry_plain, env)
    assert pulled.returncode == 0, pulled.stderr


def test_fix_missing_cred_helper_entry_then_pull_works(
    registry_plain: Registry, make_ctx: MakeCtx, tmp_path: Path
) -> None:
    config_dir = tmp_path / "docker"
    config_dir.mkdir()
    config = config_dir / "config.json"
    keep = {"credHelpers": {"other.example:5000": "ecr-login", registry_plain.host: "gone"}}
    config.write_text(json.dumps({**keep, **FOREIGN}))
    config.chmod(0o600)
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path)}
    secrets = {**env, **_triplet(registry_plain)}
    assert _pull(config_dir, registry_plain, env).returncode != 0
    _dry_run_then_fix(make_ctx, secrets, config_dir, "helper:gone")
    helpers = json.loads(config.read_text())["credHelpers"]
    assert helpers == {"other.example:5000": "ecr-login"}  # another helper's entry: untouched
    pulled = _pull(config_dir, registry_plain, env)
    assert pulled.returncode == 0, pulled.stderr


def test_fix_open_mode_keeps_pull_working(
    registry_plain: Registry, make_ctx: MakeCtx, tmp_path: Path
) -> None:
    config_dir = tmp_path / "docker"
    config_dir.mkdir()
    config = config_dir / "config.json"
    config.write_text(
        json.dumps({"auths": {registry_plain.host: {"auth": _good(registry_plain)}}, **FOREIGN})
    )
    config.chmod(0o644)
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path)}
    original = config.read_bytes()
    _dry_run_then_fix(make_ctx, env, config_dir, "docker-config-mode")
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert config.read_bytes() == original  # only the mode changed
    pulled = _pull(config_dir, registry_plain, env)
    assert pulled.returncode == 0, pulled.stderr


def test_fix_hub_alias_makes_the_cli_send_credentials(make_ctx: MakeCtx, tmp_path: Path) -> None:
    config_dir = tmp_path / "docker"
    config_dir.mkdir()
    config = config_dir / "config.json"
    entry = {"auth": base64.b64encode(b"hubuser:hubpass").decode(), "email": "x@example.com"}
    config.write_text(json.dumps({"auths": {"docker.io": entry}, **FOREIGN}))
    config.chmod(0o600)
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path)}

    asked: list[Path] = []

    def cli_sends_credentials() -> bool:
        socket = tmp_path / f"docker-{len(asked)}.sock"  # a fresh daemon socket per pull
        asked.append(socket)
        with _recording_daemon(socket) as daemon:
            done = subprocess.run(
                [DOCKER, "--config", str(config_dir), "pull", "-q", "cs-registry-test/none:1"],
                env={**env, "DOCKER_HOST": f"unix://{socket}"},
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert daemon.seen, done.stderr
        return _sent_credentials(daemon.seen[0])

    assert not cli_sends_credentials()
    _dry_run_then_fix(make_ctx, env, config_dir, "dockerhub-alias")
    auths = json.loads(config.read_text())["auths"]
    assert auths == {DOCKER_HUB_KEY: entry}  # every field moved, nothing else
    assert cli_sends_credentials()


def test_hub_alias_is_left_alone_when_the_key_is_taken(make_ctx: MakeCtx, tmp_path: Path) -> None:
    config_dir = tmp_path / "docker"
    config_dir.mkdir()
    config = config_dir / "config.json"
    both = {"auths": {"docker.io": {"auth": "YTpi"}, DOCKER_HUB_KEY: {"auth": "Yzpk"}}}
    config.write_text(json.dumps(both))
    config.chmod(0o600)
    original = config.read_bytes()
    document = _fix(make_ctx, {"HOME": str(tmp_path)}, config_dir)
    skipped = {f["id"]: f for f in document["fixes"] if f["status"] == "skipped"}
    assert skipped["dockerhub-alias"]["code"] == "fix_blocked"
    assert config.read_bytes() == original
    assert document["backup"] is None


def test_fix_removes_the_entry_of_a_deleted_secret(
    registry_plain: Registry, make_ctx: MakeCtx, tmp_path: Path
) -> None:
    config_dir = tmp_path / "docker"
    config_dir.mkdir()
    config = config_dir / "config.json"
    config.write_text(json.dumps({"auths": {"foreign.example": {"auth": "YTpi"}}, **FOREIGN}))
    config.chmod(0o600)
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path)}
    main(["login", "--config", str(config_dir)], make_ctx({**env, **_triplet(registry_plain)}))
    assert _pull(config_dir, registry_plain, env).returncode == 0  # the stale credential works
    done = _dry_run_then_fix(make_ctx, env, config_dir, f"entry:{registry_plain.host}")
    assert _applied(done)[f"entry:{registry_plain.host}"]["code"] == "secret_gone"
    assert json.loads(config.read_text())["auths"] == {"foreign.example": {"auth": "YTpi"}}
    refused = _pull(config_dir, registry_plain, env)
    assert refused.returncode != 0
    assert "no basic auth credentials" in refused.stderr or "unauthorized" in refused.stderr


def test_post_start_login_removes_the_entry_of_a_deleted_secret(
    registry_plain: Registry, make_ctx: MakeCtx, tmp_path: Path
) -> None:
    config_dir = tmp_path / "docker"
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path)}
    main(["login", "--config", str(config_dir)], make_ctx({**env, **_triplet(registry_plain)}))
    assert _pull(config_dir, registry_plain, env).returncode == 0
    ctx = make_ctx(env)  # the next start: the secret was deleted
    assert main(["login", "--hook", "--config", str(config_dir)], ctx) == 0
    assert "removed" in ctx.stdout.getvalue()
    assert _pull(config_dir, registry_plain, env).returncode != 0


def test_nothing_is_fixed_during_a_prebuild(make_ctx: MakeCtx, tmp_path: Path) -> None:
    config_dir = tmp_path / "docker"
    config_dir.mkdir()
    config = config_dir / "config.json"
    config.write_text(
        json.dumps({"credsStore": "desktop", "auths": {"docker.io": {"auth": "YTpi"}}})
    )
    config.chmod(0o644)
    original = config.read_bytes()
    document = _fix(
        make_ctx, {"HOME": str(tmp_path), "ACTION_NAME": "createPrebuildTemplate"}, config_dir
    )
    assert document["fixes"] == []
    assert config.read_bytes() == original
    assert stat.S_IMODE(config.stat().st_mode) == 0o644
    assert list(config_dir.glob("config.json.bak-*")) == []
