"""The safe file layer: regular files only, capped reads, atomic writes, bounded locks."""

from __future__ import annotations

import multiprocessing
import os
import stat
import time
from pathlib import Path

import pytest

from cs_registry import files
from cs_registry.diagnosis import Code
from cs_registry.status import ExitStatus


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def test_read_missing_is_none(tmp_path: Path) -> None:
    assert files.read_file(tmp_path / "absent", limit=10) is None


def test_read_regular(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"abc")
    assert files.read_file(tmp_path / "f", limit=10) == b"abc"


def test_read_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = _fifo(tmp_path / "config.json")
    with pytest.raises(files.UnsafeFile, match="is a FIFO") as caught:
        files.read_file(fifo, limit=10, what="Docker's config")
    assert caught.value.code == Code.UNSAFE_FILE
    assert caught.value.status == ExitStatus.USAGE
    assert str(fifo) in str(caught.value)


def test_read_device_is_refused(tmp_path: Path) -> None:
    with pytest.raises(files.UnsafeFile, match="character device"):
        files.read_file("/dev/zero", limit=10)


def test_read_through_symlink_to_device_is_refused(tmp_path: Path) -> None:
    (tmp_path / "config.json").symlink_to("/dev/zero")
    with pytest.raises(files.UnsafeFile, match="character device"):
        files.read_file(tmp_path / "config.json", limit=10)


def test_read_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(files.UnsafeFile, match="a directory"):
        files.read_file(tmp_path, limit=10)


def test_read_over_limit_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"x" * 11)
    with pytest.raises(files.UnsafeFile, match="over the"):
        files.read_file(tmp_path / "f", limit=10)


def test_read_own_refuses_symlink(tmp_path: Path) -> None:
    (tmp_path / "real").write_bytes(b"x")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(files.UnsafeFile, match="symbolic link"):
        files.read_file(tmp_path / "link", limit=10, own=True)


def test_read_own_refuses_hard_link(tmp_path: Path) -> None:
    (tmp_path / "real").write_bytes(b"x")
    os.link(tmp_path / "real", tmp_path / "second")
    with pytest.raises(files.UnsafeFile, match="hard link"):
        files.read_file(tmp_path / "second", limit=10, own=True)


def test_write_atomic_new_file_is_0600(tmp_path: Path) -> None:
    tmp_path = tmp_path / "dir"
    tmp_path.mkdir()
    target = tmp_path / "config.json"
    assert files.write_atomic(target, b"{}") is None
    assert target.read_bytes() == b"{}"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["config.json"]


def _counting_fsyncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        calls.append(fd)
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return calls


def test_write_atomic_makes_the_file_and_its_rename_durable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _counting_fsyncs(monkeypatch)
    files.write_atomic(tmp_path / "config.json", b"{}", private=True)
    assert len(calls) == 2  # the temp file's data, then the directory's new entry


def test_a_cache_write_is_atomic_without_fsync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _counting_fsyncs(monkeypatch)
    cache = tmp_path / "cache"
    cache.mkdir()
    target = cache / "record.json"
    target.write_bytes(b"old")
    target.chmod(0o600)
    files.write_atomic(target, b"new", private=True, own=True, durable=False)
    assert calls == []
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in cache.iterdir()] == ["record.json"]


def test_unless_same_leaves_a_file_that_already_says_it_alone(tmp_path: Path) -> None:
    target = tmp_path / "record.json"
    files.write_atomic(target, b"same", private=True, own=True)
    before = target.stat()
    assert files.write_atomic(target, b"same", private=True, own=True, unless_same=b"same") is None
    after = target.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_unless_same_still_repairs_a_loose_mode(tmp_path: Path) -> None:
    target = tmp_path / "record.json"
    target.write_bytes(b"same")
    target.chmod(0o644)
    assert files.write_atomic(target, b"same", private=True, own=True, unless_same=b"same") == 0o644
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_write_atomic_keeps_mode_unless_private(tmp_path: Path) -> None:
    target = tmp_path / "config.json"
    target.write_bytes(b"{}")
    target.chmod(0o644)
    assert files.write_atomic(target, b"{ }") is None
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert files.write_atomic(target, b"{  }", private=True) == 0o644
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_write_atomic_follows_symlink_to_regular_file(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_bytes(b"{}")
    link = tmp_path / "config.json"
    link.symlink_to(real)
    files.write_atomic(link, b"new")
    assert link.is_symlink()
    assert real.read_bytes() == b"new"


def test_write_atomic_follows_dangling_symlink(tmp_path: Path) -> None:
    link = tmp_path / "config.json"
    link.symlink_to(tmp_path / "later.json")
    files.write_atomic(link, b"new")
    assert link.is_symlink()
    assert (tmp_path / "later.json").read_bytes() == b"new"


@pytest.mark.parametrize("kind", ["fifo", "dev_null", "directory"])
def test_write_atomic_never_replaces_a_non_regular_target(tmp_path: Path, kind: str) -> None:
    link = tmp_path / "config.json"
    if kind == "fifo":
        _fifo(link)
        before = os.lstat(link)
    elif kind == "dev_null":
        link.symlink_to("/dev/null")
        before = os.stat("/dev/null")
    else:
        link.mkdir()
        before = os.lstat(link)
    with pytest.raises(files.UnsafeFile):
        files.write_atomic(link, b"secret")
    after = os.stat("/dev/null") if kind == "dev_null" else os.lstat(link)
    assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_ensure_dir_creates_0700_parents(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b"
    files.ensure_dir(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o700


def test_ensure_dir_refuses_a_file(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"")
    with pytest.raises(files.UnwritableFile, match="not a directory"):
        files.ensure_dir(tmp_path / "a" / "b")


def test_private_dir_problem(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir(mode=0o700)
    assert files.private_dir_problem(mine) is None
    mine.chmod(0o777)
    assert "writable by group or others" in (files.private_dir_problem(mine) or "")
    (tmp_path / "link").symlink_to(mine)
    assert "symbolic link" in (files.private_dir_problem(tmp_path / "link") or "")


def test_append_text_refuses_symlink_and_fifo(tmp_path: Path) -> None:
    (tmp_path / "victim").write_bytes(b"keep")
    (tmp_path / "log").symlink_to(tmp_path / "victim")
    with pytest.raises(files.UnsafeFile):
        files.append_text(tmp_path / "log", "line\n")
    assert (tmp_path / "victim").read_bytes() == b"keep"
    _fifo(tmp_path / "fifo.log")
    with pytest.raises(files.UnsafeFile, match="FIFO"):
        files.append_text(tmp_path / "fifo.log", "line\n")


def test_append_text_appends_0600(tmp_path: Path) -> None:
    log = tmp_path / "cs.log"
    files.append_text(log, "one\n")
    files.append_text(log, "two\n")
    assert log.read_text() == "one\ntwo\n"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def _hold(path: str, seconds: float, ready: multiprocessing.synchronize.Event) -> None:
    with files.Lock(path):
        ready.set()
        time.sleep(seconds)


def test_lock_wait_is_bounded(tmp_path: Path) -> None:
    lock_path = str(tmp_path / ".config.json.lock")
    ready = multiprocessing.get_context("fork").Event()
    holder = multiprocessing.get_context("fork").Process(target=_hold, args=(lock_path, 30, ready))
    holder.start()
    try:
        assert ready.wait(10)
        started = time.monotonic()
        locked = pytest.raises(files.FileLocked, match=r"\.config\.json\.lock")
        with locked as caught, files.Lock(lock_path, timeout=0.5):
            pass
        assert time.monotonic() - started < 0.5 + 2.0  # the documented bound plus slack
        assert caught.value.code == Code.CONFIG_LOCKED
    finally:
        holder.kill()
        holder.join()


def test_lock_refuses_fifo(tmp_path: Path) -> None:
    _fifo(tmp_path / "x.lock")
    with pytest.raises(files.UnsafeFile, match="FIFO"), files.Lock(tmp_path / "x.lock"):
        pass


def test_lock_beside_names_target_directory(tmp_path: Path) -> None:
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    (tmp_path / "config.json").symlink_to(real_dir / "config.json")
    lock = files.lock_beside(tmp_path / "config.json")
    assert lock.path == str(real_dir / ".config.json.lock")


def test_sweep_stale_temps_keeps_others(tmp_path: Path) -> None:
    tmp_path = tmp_path / "dir"
    tmp_path.mkdir()
    (tmp_path / "config.json").write_bytes(b"{}")
    (tmp_path / ".config.json.abc.tmp").write_bytes(b"secret")
    (tmp_path / ".other.abc.tmp").write_bytes(b"x")
    files.sweep_stale_temps(tmp_path / "config.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.abc.tmp", "config.json"]


@pytest.mark.usefixtures("as_root")
def test_root_gives_what_it_creates_in_a_users_directory_to_that_user(tmp_path: Path) -> None:
    home = tmp_path / "user-home"
    home.mkdir()
    os.chown(home, 12345, 12345)
    docker = home / ".docker"
    files.ensure_dir(docker)
    files.write_atomic(docker / "config.json", b"{}")
    with files.lock_beside(docker / "config.json"):
        pass
    files.append_text(docker / "cs.log", "x\n")
    for path in (docker, docker / "config.json", docker / ".config.json.lock", docker / "cs.log"):
        assert (path.stat().st_uid, path.stat().st_gid) == (12345, 12345), path
    # and root can use its own earlier files there again
    with files.lock_beside(docker / "config.json"):
        pass
    assert files.read_file(docker / "cs.log", limit=10, own=True) == b"x\n"


def test_read_socket_is_refused_naming_it(tmp_path: Path) -> None:
    import socket

    path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
    with pytest.raises(files.UnsafeFile) as caught:
        files.read_file(path, limit=100, what="Docker config")
    assert caught.value.message.startswith(f"Docker config {path} is a socket")
    assert caught.value.code == Code.UNSAFE_FILE


def test_write_atomic_own_refuses_a_symlink(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_bytes(b"keep")
    link = tmp_path / "record.json"
    link.symlink_to(elsewhere)
    with pytest.raises(files.UnsafeFile) as caught:
        files.write_atomic(link, b"new", what="record", own=True)
    assert "symbolic link" in caught.value.message
    assert elsewhere.read_bytes() == b"keep"
    assert link.is_symlink()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_write_atomic_own_writes_a_regular_file(tmp_path: Path) -> None:
    path = tmp_path / "record.json"
    files.write_atomic(path, b"one", own=True)
    files.write_atomic(path, b"two", own=True)
    assert path.read_bytes() == b"two"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.usefixtures("as_root")
def test_read_with_owners_refuses_another_users_file_before_its_kind(tmp_path: Path) -> None:
    """``owners`` (the settings trust rule): checked on the opened file, before its kind,
    so another user's FIFO is untrusted rather than an error; a symlink is followed."""
    stranger = 54321
    theirs = tmp_path / "theirs.yaml"
    theirs.write_bytes(b"verify: true\n")
    os.chown(theirs, stranger, -1)
    fifo = _fifo(tmp_path / "fifo.yaml")
    os.chown(fifo, stranger, -1)
    for path in (theirs, fifo):
        with pytest.raises(files.UntrustedFile) as caught:
            files.read_file(path, limit=100, what="repository file", owners={0})
        assert caught.value.owner == stranger
        assert caught.value.message == (
            f"repository file {path} belongs to uid {stranger}, which this run does not trust"
        )
        assert caught.value.status == ExitStatus.USAGE
    assert files.read_file(theirs, limit=100, owners={0, stranger}) == b"verify: true\n"
    mine = tmp_path / "mine.yaml"
    mine.write_bytes(b"ok")
    link = tmp_path / "link.yaml"
    link.symlink_to(mine)
    os.lchown(link, stranger, -1)
    assert files.read_file(link, limit=100, owners={0}) == b"ok"


@pytest.mark.usefixtures("as_root")
def test_root_follows_another_users_link_only_onto_that_users_files(tmp_path: Path) -> None:
    user = 4321
    mine = tmp_path / "mine.json"
    mine.write_bytes(b"{}")
    os.chown(mine, user, user)
    roots = tmp_path / "roots.json"
    roots.write_bytes(b"{}")
    root_dir = tmp_path / "root-dir"
    root_dir.mkdir()
    for name, target in (("to-mine", mine), ("to-roots", roots), ("to-new", root_dir / "new")):
        (tmp_path / name).symlink_to(target)
        os.lchown(tmp_path / name, user, user)
    assert files.target_of(tmp_path / "to-mine") == str(mine)
    for name in ("to-roots", "to-new"):
        with pytest.raises(files.UnsafeFile) as caught:
            files.write_atomic(tmp_path / name, b"secret")
        assert f"a symlink of uid {user}" in caught.value.message
        assert "belongs to uid 0" in caught.value.message
    assert roots.read_bytes() == b"{}"
    assert list(root_dir.iterdir()) == []
    (tmp_path / "dir-link").symlink_to(root_dir)  # a directory link on the way counts too
    os.lchown(tmp_path / "dir-link", user, user)
    with pytest.raises(files.UnsafeFile):
        files.write_atomic(tmp_path / "dir-link" / "config.json", b"secret")
    assert list(root_dir.iterdir()) == []
    (tmp_path / "roots-link").symlink_to(roots)  # root's own links are followed
    files.write_atomic(tmp_path / "roots-link", b"[]")
    assert roots.read_bytes() == b"[]"


@pytest.mark.usefixtures("as_root")
def test_root_judges_a_missing_path_by_the_nearest_existing_directory(tmp_path: Path) -> None:
    root_dir = tmp_path / "root-dir"
    root_dir.mkdir()
    home = tmp_path / "user-home"
    home.symlink_to(root_dir)
    os.lchown(home, 4321, 4321)
    with pytest.raises(files.UnsafeFile):
        files.target_of(home / ".docker" / "config.json")  # .docker would be made in root-dir
    os.chown(root_dir, 4321, 4321)
    assert files.target_of(home / ".docker" / "config.json") == str(home / ".docker/config.json")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert files.target_of(blocker / "config.json") == str(blocker / "config.json")


def test_private_dir_problem_refuses_a_parent_others_could_swap_it_in(tmp_path: Path) -> None:
    holder = tmp_path / "holder"
    holder.mkdir()
    mine = holder / "mine"
    mine.mkdir(mode=0o700)
    holder.chmod(0o777)  # anyone may rename "mine" away and put their own there
    assert "which others may write to (mode 0777)" in (files.private_dir_problem(mine) or "")
    holder.chmod(0o1777)  # sticky, like /tmp: only the owner may rename it
    assert files.private_dir_problem(mine) is None


def test_private_dir_of_another_user_is_roots_only_in_that_users_directory(
    tmp_path: Path,
) -> None:
    from tests.support.users import other_user

    other = other_user()
    home = tmp_path / "user-home"
    home.mkdir(mode=0o700)
    cache = home / "cache"
    cache.mkdir(mode=0o700)
    other.chown(cache)
    assert "belongs to uid" in (files.private_dir_problem(cache) or "")  # in root's directory
    other.chown(home)
    assert files.private_dir_problem(cache) is None  # root running in the user's home


def test_ensure_private_dir_creates_nothing_where_others_may_write(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)

    problem = files.ensure_private_dir(shared / "a" / "b")

    assert problem is not None
    assert "others may write to" in problem
    assert list(shared.iterdir()) == []
    assert files.ensure_private_dir(tmp_path / "ok" / "b") is None
    assert stat.S_IMODE((tmp_path / "ok" / "b").stat().st_mode) == 0o700


def test_write_atomic_own_never_inherits_another_users_owner(tmp_path: Path) -> None:
    """Root rewriting one of our files never hands it (and the secret in it) to whoever
    owned the file that was there: it belongs to the directory's owner, as a new one."""
    from tests.support.users import other_user

    other = other_user()
    directory = tmp_path / "cache"
    directory.mkdir(mode=0o700)
    record = directory / "helper-keys.json"
    record.write_text("{}")
    other.chown(record)

    files.write_atomic(record, b'{"secret": 1}', what="record", private=True, own=True)

    assert record.stat().st_uid == os.geteuid()
    assert stat.S_IMODE(record.stat().st_mode) == 0o600


def test_ensure_dir_from_racing_threads_never_calls_a_directory_a_file(tmp_path: Path) -> None:
    # helpers started together make the same cache directories at once
    import threading

    for trial in range(20):
        target = tmp_path / f"t{trial}" / "a" / "b" / "c"
        errors: list[BaseException] = []

        def make(target: Path = target, errors: list[BaseException] = errors) -> None:
            try:
                files.ensure_dir(target)
            except files.FileError as exc:
                errors.append(exc)

        threads = [threading.Thread(target=make) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert target.is_dir()
