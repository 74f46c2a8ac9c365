"""Writing Docker's config.json: every rule of design.md "Writing Docker's config"."""

from __future__ import annotations

import json
import multiprocessing
import os
import stat
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cs_registry import dockerconfig
from cs_registry.dockerconfig import ConfigUnreadable, ConfigUnwritable, config_dir
from cs_registry.errors import UsageError
from cs_registry.main import main
from tests.support.captured import CapturedContext, MakeCtx

GHCR = {
    "GHCR_CONTAINER_REGISTRY_SERVER": "ghcr.io",
    "GHCR_CONTAINER_REGISTRY_USER": "octo",
    "GHCR_CONTAINER_REGISTRY_PASSWORD": "s3cret",
}
GHCR_AUTH = "b2N0bzpzM2NyZXQ="  # base64("octo:s3cret")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def run_login(ctx: CapturedContext, *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["login", "--json", *args], ctx)
    out = ctx.stdout.getvalue()
    return code, json.loads(out) if out else {}


# --- where ---------------------------------------------------------------------------------


def test_config_dir_precedence(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path / "h"), "DOCKER_CONFIG": str(tmp_path / "dc")}
    assert config_dir(env, str(tmp_path / "flag")) == tmp_path / "flag"
    assert config_dir(env) == tmp_path / "dc"
    assert config_dir({"HOME": str(tmp_path / "h")}) == tmp_path / "h" / ".docker"
    assert (
        config_dir({"HOME": str(tmp_path / "h"), "DOCKER_CONFIG": ""}) == tmp_path / "h" / ".docker"
    )


@pytest.mark.parametrize("value", ["~/dc", "~", "~root/dc", "~nosuchuser/x", "~~"])
def test_a_leading_tilde_is_refused_saying_what_docker_reads(
    value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the docker CLI takes DOCKER_CONFIG literally (cli/config/config.go): "~/dc" is ./~/dc
    monkeypatch.chdir(tmp_path)
    env = {"HOME": str(tmp_path / "h"), "DOCKER_CONFIG": value}
    with pytest.raises(UsageError) as caught:
        dockerconfig.locate(env)
    message = caught.value.message
    assert message.startswith(f"DOCKER_CONFIG={value!r} starts with '~'")
    assert f"it would read {os.path.normpath(tmp_path / value / 'config.json')};" in message
    assert caught.value.status == 2
    with pytest.raises(UsageError) as caught:
        dockerconfig.locate({"HOME": str(tmp_path / "h")}, value)
    assert caught.value.message.startswith(f"--config={value!r} starts with '~'")


def test_a_home_tilde_suggests_the_expanded_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError) as caught:
        dockerconfig.locate({"HOME": "/h", "DOCKER_CONFIG": "~/alt"})
    assert caught.value.message.endswith('set DOCKER_CONFIG="$HOME/alt" (the shell expands $HOME)')


def test_a_relative_value_is_relative_to_the_working_directory_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    location = dockerconfig.locate({"HOME": "/h", "DOCKER_CONFIG": "rel/../dc/"})
    assert location.directory == str(tmp_path / "dc")  # cleaned as Go's filepath.Join does
    assert location.file == str(tmp_path / "dc" / "config.json")
    assert location.warning is not None
    assert "DOCKER_CONFIG='rel/../dc/' is relative" in location.warning
    assert str(tmp_path) in location.warning
    assert dockerconfig.locate({"HOME": "/h", "DOCKER_CONFIG": "/abs"}).warning is None
    assert dockerconfig.locate({"HOME": "/h"}).warning is None


def test_login_honours_docker_config_and_the_flag(make_ctx: MakeCtx, tmp_path: Path) -> None:
    ctx = make_ctx({**GHCR, "DOCKER_CONFIG": str(tmp_path / "dc")})
    assert run_login(ctx)[0] == 0
    assert (tmp_path / "dc" / "config.json").exists()
    ctx = make_ctx({**GHCR, "DOCKER_CONFIG": str(tmp_path / "dc2")})
    code, doc = run_login(ctx, "--config", str(tmp_path / "flag"))
    assert code == 0
    assert doc["config_path"] == str(tmp_path / "flag" / "config.json")
    assert (tmp_path / "flag" / "config.json").exists()
    assert not (tmp_path / "dc2").exists()


def test_default_is_home_dot_docker(make_ctx: MakeCtx, isolated_home: Path) -> None:
    assert run_login(make_ctx(GHCR))[0] == 0
    assert json.loads((isolated_home / ".docker" / "config.json").read_bytes()) == {
        "auths": {"ghcr.io": {"auth": GHCR_AUTH}}
    }


# --- modes, bytes, symlinks -------------------------------------------------------------------


def test_new_file_is_0600_in_a_new_0700_dir(make_ctx: MakeCtx, isolated_home: Path) -> None:
    assert run_login(make_ctx(GHCR))[0] == 0
    directory = isolated_home / ".docker"
    assert mode(directory) == 0o700
    assert mode(directory / "config.json") == 0o600


def test_existing_private_modes_are_kept(make_ctx: MakeCtx, isolated_home: Path) -> None:
    directory = isolated_home / ".docker"
    directory.mkdir(mode=0o755)
    directory.chmod(0o755)
    path = directory / "config.json"
    path.write_text("{}")
    path.chmod(0o400)
    assert run_login(make_ctx(GHCR))[0] == 0
    assert mode(directory) == 0o755
    assert mode(path) == 0o400


def test_a_mode_others_can_read_is_tightened_with_a_warning(
    make_ctx: MakeCtx, isolated_home: Path
) -> None:
    path = isolated_home / ".docker" / "config.json"
    path.parent.mkdir()
    path.write_text("{}")
    path.chmod(0o640)
    code, doc = run_login(make_ctx(GHCR))
    assert code == 0
    assert mode(path) == 0o600
    assert doc["warnings"] == [
        {
            "code": "config_too_open",
            "message": f"{path} was mode 0640, readable by other users; it holds "
            "credentials, so it is now 0600",
        }
    ]


@pytest.mark.usefixtures("as_root")
def test_root_keeps_the_owner_of_an_existing_file(make_ctx: MakeCtx, isolated_home: Path) -> None:
    path = isolated_home / ".docker" / "config.json"
    path.parent.mkdir()
    path.write_text("{}")
    os.chown(path, 4321, 4321)
    assert run_login(make_ctx(GHCR))[0] == 0
    assert (path.stat().st_uid, path.stat().st_gid) == (4321, 4321)
    assert "ghcr.io" in json.loads(path.read_bytes())["auths"]


def test_written_bytes_are_docker_style_and_a_rerun_is_unchanged(
    make_ctx: MakeCtx, isolated_home: Path
) -> None:
    path = isolated_home / ".docker" / "config.json"
    code, doc = run_login(make_ctx(GHCR))
    assert (code, doc["registries"][0]["status"]) == (0, "written")
    first = path.read_bytes()
    assert (
        first
        == b'{\n\t"auths": {\n\t\t"ghcr.io": {\n\t\t\t"auth": "'
        + GHCR_AUTH.encode()
        + b'"\n\t\t}\n\t}\n}\n'
    )
    inode, mtime = path.stat().st_ino, path.stat().st_mtime_ns
    code, doc = run_login(make_ctx(GHCR))
    assert (code, doc["registries"][0]["status"]) == (0, "unchanged")
    assert path.read_bytes() == first
    assert (path.stat().st_ino, path.stat().st_mtime_ns) == (inode, mtime)


def test_unknown_keys_and_fields_survive(make_ctx: MakeCtx, isolated_home: Path) -> None:
    path = isolated_home / ".docker" / "config.json"
    path.parent.mkdir()
    original = {
        "auths": {
            "quay.io": {"auth": "cTpx", "email": "q@example.com"},
            "ghcr.io": {"auth": "b2xkOm9sZA==", "x-note": "kept"},
            "https://ghcr.io": {"auth": "b2xkOm9sZA=="},
        },
        "credHelpers": {"gcr.io": "gcloud"},
        "currentContext": "remote",
        "plugins": {"x": {"y": "z"}},
        "détails": "ünïcode",
    }
    path.write_text(json.dumps(original, indent=2))
    assert run_login(make_ctx(GHCR))[0] == 0
    data = json.loads(path.read_bytes())
    assert data == {
        **original,
        "auths": {
            "quay.io": {"auth": "cTpx", "email": "q@example.com"},
            "ghcr.io": {"auth": GHCR_AUTH, "x-note": "kept"},
        },
    }


def test_docker_hub_is_written_under_the_index_key(make_ctx: MakeCtx, isolated_home: Path) -> None:
    path = isolated_home / ".docker" / "config.json"
    path.parent.mkdir()
    path.write_text(json.dumps({"auths": {"docker.io": {"auth": "b2xkOm9sZA=="}}}))
    env = {
        "HUB_CONTAINER_REGISTRY_SERVER": "docker.io",
        "HUB_CONTAINER_REGISTRY_USER": "octo",
        "HUB_CONTAINER_REGISTRY_PASSWORD": "s3cret",
    }
    code, doc = run_login(make_ctx(env))
    assert code == 0
    assert doc["registries"][0]["key"] == "https://index.docker.io/v1/"
    assert json.loads(path.read_bytes()) == {
        "auths": {"https://index.docker.io/v1/": {"auth": GHCR_AUTH}}
    }


def test_symlinked_config_stays_a_link_and_its_target_is_updated(
    make_ctx: MakeCtx, isolated_home: Path, tmp_path: Path
) -> None:
    real = tmp_path / "dotfiles" / "docker-config.json"
    real.parent.mkdir()
    real.write_text('{"psFormat": "x"}')
    real.chmod(0o644)
    link = isolated_home / ".docker" / "config.json"
    link.parent.mkdir()
    link.symlink_to(real)
    assert run_login(make_ctx(GHCR))[0] == 0
    assert link.is_symlink()
    assert os.readlink(link) == str(real)
    assert json.loads(real.read_bytes()) == {
        "psFormat": "x",
        "auths": {"ghcr.io": {"auth": GHCR_AUTH}},
    }
    assert mode(real) == 0o600  # it holds credentials now: tightened through the link
    assert sorted(p.name for p in real.parent.iterdir()) == [
        ".docker-config.json.lock",
        "docker-config.json",
    ]


def test_empty_existing_file_is_an_empty_config(make_ctx: MakeCtx, isolated_home: Path) -> None:
    path = isolated_home / ".docker" / "config.json"
    path.parent.mkdir()
    path.write_bytes(b"  \n")
    assert run_login(make_ctx(GHCR))[0] == 0
    assert json.loads(path.read_bytes()) == {"auths": {"ghcr.io": {"auth": GHCR_AUTH}}}


# --- malformed and unwritable ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "where", "words"),
    [
        (b'{\n  "auths": {\n    "ghcr.io": {},\n  }\n}\n', ":4:3:", "Expecting property name"),
        (b'{"auths": {}}\n{"again": 1}', ":2:1:", "Extra data"),
        (b"[1, 2]", ":1:1:", "the top level is a JSON array, not an object"),
        (b"\n  null", ":2:3:", "the top level is a JSON null, not an object"),
        (b'{\n  "auths": ["ghcr.io"]\n}', ":2:12:", "'auths' is not an object"),
        (b'{"credHelpers": "gh"}', ":1:17:", "'credHelpers' is not an object"),
        (b'{"credsStore": 1}', ":1:16:", "'credsStore' is not a string"),
        (b'{"auths": {},\n "psFormat": "\xff"}', ":2:15:", "not UTF-8 text"),
        (b"\xef\xbb\xbf{}", ":1:1:", "Unexpected UTF-8 BOM"),
    ],
)
def test_malformed_config_is_reported_and_left_byte_for_byte(
    make_ctx: MakeCtx, isolated_home: Path, raw: bytes, where: str, words: str
) -> None:
    path = isolated_home / ".docker" / "config.json"
    path.parent.mkdir()
    path.write_bytes(raw)
    path.chmod(0o644)
    before = path.stat()
    for args in ([], ["--dry-run"]):
        ctx = make_ctx(GHCR)
        assert main(["login", *args], ctx) == 2
        err = ctx.stderr.getvalue()
        assert f"{path}{where}" in err
        assert words in err
        assert "[config_unreadable]" in err
        assert "Traceback" not in err
        assert ctx.stdout.getvalue() == ""
    assert path.read_bytes() == raw
    assert (path.stat().st_mtime_ns, mode(path)) == (before.st_mtime_ns, 0o644)
    assert sorted(p.name for p in path.parent.iterdir()) == [".config.json.lock", "config.json"]


def test_parse_error_carries_line_and_column() -> None:
    with pytest.raises(ConfigUnreadable) as caught:
        dockerconfig.parse(b'{\n "a": }', Path("c.json"))
    assert (caught.value.line, caught.value.column) == (2, 7)


def test_config_that_is_a_directory_is_unreadable(make_ctx: MakeCtx, isolated_home: Path) -> None:
    (isolated_home / ".docker" / "config.json").mkdir(parents=True)
    ctx = make_ctx(GHCR)
    assert main(["login"], ctx) == 2
    err = ctx.stderr.getvalue()
    assert "config.json is a directory, not a regular file" in err
    assert err.rstrip().endswith("[unsafe_file]")


@pytest.mark.parametrize("kind", ["file-in-the-way", "proc"])
def test_unwritable_directory_is_a_clear_usage_error(
    make_ctx: MakeCtx, tmp_path: Path, kind: str
) -> None:
    # tests run as root, so permission bits do not stop us: use paths no one can create
    if kind == "file-in-the-way":
        blocker = tmp_path / "not-a-dir"
        blocker.write_text("x")
        directory = blocker / "docker"
    else:
        directory = Path("/proc/self/cs-registry-test-docker")
    ctx = make_ctx(GHCR)
    assert main(["login", "--config", str(directory)], ctx) == 2
    err = ctx.stderr.getvalue()
    assert err.startswith("cs-registry: ")
    assert str(directory) in err
    assert "pass --config DIR or set DOCKER_CONFIG to a writable directory" in err
    assert err.rstrip().endswith("[config_unwritable]")
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1


def test_config_dir_is_a_regular_file(make_ctx: MakeCtx, tmp_path: Path) -> None:
    blocker = tmp_path / "docker"
    blocker.write_text("x")
    ctx = make_ctx(GHCR)
    assert main(["login", "--config", str(blocker)], ctx) == 2
    assert f"{blocker} exists and is not a directory" in ctx.stderr.getvalue()
    assert blocker.read_text() == "x"


# --- atomicity and concurrency -----------------------------------------------------------------


def test_write_goes_through_a_0600_temp_file_in_the_same_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config.json"
    seen: list[tuple[Path, int, bytes]] = []
    real_replace = os.replace

    def spy(src: str, dst: Any) -> None:
        seen.append((Path(src), mode(Path(src)), Path(src).read_bytes()))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    dockerconfig.update(path, lambda data: bool(data.setdefault("auths", {"a": {}})))
    ((temp, temp_mode, content),) = seen
    assert temp.parent == tmp_path
    assert temp.name.startswith(".config.json.")
    assert temp.name.endswith(".tmp")
    assert temp_mode == 0o600
    assert content == path.read_bytes()
    assert not temp.exists()


def test_a_failed_replace_leaves_the_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cfg" / "config.json"
    path.parent.mkdir()
    path.write_bytes(b'{"old": true}')

    def broken(src: str, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(ConfigUnwritable) as caught:
        dockerconfig.update(path, lambda data: bool(data.update(new=1)) or True)
    assert "No space left on device" in caught.value.message
    assert path.read_bytes() == b'{"old": true}'
    assert sorted(p.name for p in path.parent.iterdir()) == [".config.json.lock", "config.json"]


def _add_key(path: str, key: str) -> None:
    def change(data: dict[str, Any]) -> bool:
        data.setdefault("auths", {})[key] = {"auth": "dTpw"}
        time.sleep(0.02)  # widen the read-modify-write window: without the lock, entries get lost
        return True

    dockerconfig.update(Path(path), change)


def test_concurrent_writers_never_lose_an_entry(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "config.json"
    path.parent.mkdir()
    path.write_text('{"keep": 1}')
    keys = [f"reg{i}.example.com" for i in range(12)]
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_add_key, args=(str(path), key)) for key in keys]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=20)
        assert worker.exitcode == 0
    data = json.loads(path.read_bytes())
    assert data["keep"] == 1
    assert sorted(data["auths"]) == sorted(keys)
    assert sorted(p.name for p in path.parent.iterdir()) == [".config.json.lock", "config.json"]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.dictionaries(
        st.text(max_size=12),
        st.recursive(
            st.none()
            | st.booleans()
            | st.integers(-(2**63), 2**63 - 1)
            | st.floats(allow_nan=False, allow_infinity=False)
            | st.text(),
            lambda inner: (
                st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3)
            ),
            max_leaves=8,
        ),
        max_size=5,
    )
)
def test_written_file_always_parses_back_to_the_same_document(
    tmp_path: Path, document: dict[str, Any]
) -> None:
    document.pop("auths", None)
    document.pop("credHelpers", None)
    document.pop("credsStore", None)
    path = Path(tempfile.mkdtemp(dir=tmp_path)) / "docker" / "config.json"
    dockerconfig.update(path, lambda data: bool(data.update(document)) or True)
    assert dockerconfig.parse(path.read_bytes(), path) == document
