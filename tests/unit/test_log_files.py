"""Our log files (cs-registry.log, credhelper.log): one appender, our own files only.

Issue 10: O_NOFOLLOW, a single-link regular file of ours, 0600, in a private
directory; a log that cannot be written never breaks the command, never produces a
traceback, and never makes the error boundary say "the traceback is in None".
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from cs_registry import log
from cs_registry.credhelper import cli
from cs_registry.credhelper.entry import main as helper_main
from cs_registry.credhelper.store import EnvironmentStore
from cs_registry.error_handler import Exit, boundary
from cs_registry.status import ExitStatus
from tests.support.captured import MakeCtx


def _victim(tmp_path: Path) -> Path:
    victim = tmp_path / "victim"
    victim.write_text("someone else's file\n")
    victim.chmod(0o644)
    return victim


@pytest.mark.parametrize("name", ["cs-registry.log", "credhelper.log"])
def test_a_log_symlink_is_never_written_through(tmp_path: Path, name: str) -> None:
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    victim = _victim(tmp_path)
    (cache / name).symlink_to(victim)

    assert log.append_to_log_file(cache, "entry", name=name) is None

    assert victim.read_text() == "someone else's file\n"
    assert stat.S_IMODE(victim.stat().st_mode) == 0o644
    assert (cache / name).is_symlink()


def test_a_fifo_log_never_hangs(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    os.mkfifo(cache / "cs-registry.log")

    assert log.append_to_log_file(cache, "entry") is None


def test_a_hard_linked_log_is_not_written(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    victim = _victim(tmp_path)
    os.link(victim, cache / "cs-registry.log")

    assert log.append_to_log_file(cache, "entry") is None
    assert victim.read_text() == "someone else's file\n"


def test_no_log_is_written_in_a_directory_others_may_write(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o777)

    assert log.append_to_log_file(cache, "entry") is None
    assert list(cache.iterdir()) == []


def test_rotation_renames_the_entry_and_never_follows_it(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    (cache / "credhelper.log").write_bytes(b"x" * 101)

    path = log.append_to_log_file(cache, "new", name="credhelper.log", rotate_at=100)

    assert path == cache / "credhelper.log"
    assert path.read_text() == "new\n"
    assert (cache / "credhelper.log.1").stat().st_size == 101
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_boundary_says_why_when_the_log_cannot_be_written(
    make_ctx: MakeCtx, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    ctx = make_ctx({"XDG_CACHE_HOME": str(blocker)})

    with pytest.raises(Exit) as caught, boundary(ctx):
        raise ZeroDivisionError("oops")

    assert caught.value.status is ExitStatus.INTERNAL
    text = ctx.stderr.getvalue()
    assert text.count("\n") == 1
    assert "None" not in text
    assert "with that file" not in text
    assert "no log file could be written (" in text
    assert f"{blocker} exists and is not a directory). Please report it.\n" in text


def test_helper_bug_with_an_unwritable_log_never_says_none(
    make_ctx: MakeCtx, tmp_path: Path
) -> None:
    class Broken(EnvironmentStore):
        def get(self, server_url: str) -> tuple[str, str]:
            raise RuntimeError("a bug")

    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o777)
    ctx = make_ctx({"XDG_CACHE_HOME": str(cache)}, stdin="ghcr.io")

    status = cli.run(["get"], ctx, store=Broken(ctx))

    assert status == 1
    out, err = ctx.stdout.getvalue(), ctx.stderr.getvalue()
    assert out.count("\n") == 1
    assert "None" not in out + err
    assert "Traceback" not in out + err
    assert list(cache.iterdir()) == []


def test_helper_failure_logs_only_in_a_private_directory(make_ctx: MakeCtx, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o777)
    ctx = make_ctx({"XDG_CACHE_HOME": str(cache)}, stdin="{}")

    status = helper_main(["store"], ctx)

    assert status == 1
    err = ctx.stderr.getvalue()
    assert "logged in" not in err
    assert list(cache.iterdir()) == []


def test_log_lines_are_inert_but_keep_their_line_breaks(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    text = "registry said: \x1b]0;owned\x07\x1b[2J\rDiagnosis: ok\nsecond line\n"

    path = log.append_to_log_file(cache, text)

    assert path is not None
    written = path.read_text()
    assert "\x1b" not in written
    assert "\x07" not in written
    assert "\r" not in written
    assert written.splitlines() == [
        "registry said: \\x1b]0;owned\\x07\\x1b[2J\\rDiagnosis: ok",
        "second line",
    ]


def test_the_traceback_log_is_rotated_too(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    (cache / "cs-registry.log").write_bytes(b"x" * (log.LOG_LIMIT + 1))

    path = log.append_to_log_file(cache, "new")

    assert path is not None
    assert path.read_text() == "new\n"
    assert (cache / "cs-registry.log.1").stat().st_size == log.LOG_LIMIT + 1
