"""The credential helper's own files (token cache, salt, locks, log) under attack.

Issue 10, "Shared caches": a planted token, symlink, FIFO or hard link in a shared or
world-writable cache is never followed, read, chmodded or written through, also by a
root run; a token whose expiry is not a finite time in the future is never served; a
bad salt is replaced, not fatal; nothing hangs and nothing prints a traceback. Each
case runs the real ``docker-credential-cs-registry`` against a loopback fake ECR and
checks that stdout is exactly one protocol line.
"""

from __future__ import annotations

import json
import os
import resource
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from cs_registry.ecr.cache import FORMAT, TokenCache
from cs_registry.ecr.hashing import hmac_sha256
from tests.integration.hardening import cli, fake_ecr
from tests.support.users import other_user, run_as

HELPER = "docker-credential-cs-registry"
KEY_ID = "AKIASHAREDCACHE00001"
SALT = b"s" * 32
#: the helper's answer must come well inside this (a FIFO once blocked it forever)
BOUND = 20.0


def no_canary_in_files(top: Path, secret: str) -> None:
    """The AWS secret is never in a file: not in a token, the salt or a log."""
    for path in top.rglob("*"):
        if stat.S_ISREG(path.lstat().st_mode):
            assert secret.encode() not in path.read_bytes(), path


@pytest.fixture
def secret(tmp_path: Path) -> Iterator[str]:
    value = cli.canary("AWS")
    yield value
    no_canary_in_files(tmp_path, value)


@pytest.fixture
def watcher(secret: str) -> Iterator[cli.CmdlineWatcher]:
    """No child shows the secret in its command line (every user can read those)."""
    with cli.CmdlineWatcher([secret]) as watching:
        yield watching
    assert watching.hits == []
    assert watching.scans > 1


@pytest.fixture
def ecr() -> Iterator[fake_ecr.FakeEcr]:
    with fake_ecr.serve(fake_ecr.FakeEcr(password=cli.canary("TOK"))) as server:
        yield server


@pytest.fixture
def world(secret: str) -> Iterator[Path]:
    """A directory every local user can enter (pytest's tmp_path is root's alone)."""
    path = Path(tempfile.mkdtemp(prefix="csr-shared-cache-", dir="/tmp"))
    path.chmod(0o755)
    yield path
    no_canary_in_files(path, secret)
    subprocess.run(["rm", "-rf", "--one-file-system", str(path)], check=False, timeout=60)


def env_for(
    home: Path, ecr: fake_ecr.FakeEcr, secret: str, cache: Path | None = None
) -> dict[str, str]:
    env = cli.base_env(home, **ecr.env(), **cli.triplet("ECR", fake_ecr.HOST, KEY_ID, secret))
    if cache is not None:
        env["XDG_CACHE_HOME"] = str(cache)
    return env


def _limit_memory() -> None:  # a /dev/zero read must not take the machine down with it
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def get(env: dict[str, str], *, action: str = "get", stdin: bytes | None = None) -> cli.Result:
    argv = [*cli.program(HELPER), action]
    done = subprocess.run(
        argv,
        input=fake_ecr.HOST.encode() if stdin is None else stdin,
        capture_output=True,
        env=env,
        timeout=BOUND,
        check=False,
        preexec_fn=_limit_memory,
    )
    return cli.Result(argv, done.returncode, done.stdout, done.stderr, 0.0)


def answered(result: cli.Result, secret: str) -> str:
    """The password of the one-line protocol answer; no traceback, no canary shown."""
    assert result.returncode == 0, result.out + result.err
    assert result.stdout.count(b"\n") == 1, result.out
    assert result.stdout.endswith(b"}\n"), result.out
    assert "Traceback" not in result.err
    assert secret not in result.out + result.err
    document = json.loads(result.stdout)
    assert document["Username"] == "AWS"
    return str(document["Secret"])


def entry(root: Path, salt: bytes = SALT, secret: str = "") -> Path:
    """Where the token of (KEY_ID, ``secret``) lives in the cache ``root`` with ``salt``."""
    digest = hmac_sha256(salt, "\0".join((KEY_ID, secret, "")).encode())
    return Path(TokenCache(root).path(fake_ecr.HOST, digest))


def token_text(password: str, expires: float | str, issued: float | str) -> str:
    return f"{FORMAT}\n{expires}\n{issued}\n{fake_ecr.HOST}\n{password}\n"


def plant(root: Path, secret: str, *, mode: int, owner: tuple[int, int] | None = None) -> Path:
    """A cache at ``root`` holding a fresh-looking token ``PLANTED`` for our keys."""
    import time

    tokens = root / "ecr" / "tokens"
    tokens.mkdir(parents=True)
    (root / "ecr" / "salt").write_bytes(SALT)
    path = entry(root, secret=secret)
    now = time.time()
    path.write_text(token_text("PLANTED", now + 6 * 3600, now))
    for item in (root, root / "ecr", tokens, root / "ecr" / "salt", path):
        if owner is not None:
            os.lchown(item, *owner)
        item.chmod(mode if item.is_dir() else mode & 0o666)
    return path


def snapshot(root: Path) -> dict[str, tuple[int, int, bytes]]:
    found = {}
    for path in sorted(root.rglob("*")):
        st = path.lstat()
        data = path.read_bytes() if stat.S_ISREG(st.st_mode) else b""
        found[str(path.relative_to(root))] = (st.st_mode, st.st_uid, data)
    return found


# -- a cache that is not ours alone is not used ---------------------------------------


def test_world_writable_cache_is_neither_read_nor_written(
    tmp_path: Path, ecr: fake_ecr.FakeEcr, secret: str, watcher: cli.CmdlineWatcher
) -> None:
    root = tmp_path / ".cache" / "cs-registry"
    plant(root, secret, mode=0o777)
    before = snapshot(root)

    result = get(env_for(tmp_path, ecr, secret))

    assert answered(result, secret) == ecr.password
    assert snapshot(root) == before  # no token, salt, lock or log written in it
    assert result.err.count("writable by group or others") == 1, result.err
    assert str(root) in result.err


def test_cache_planted_by_another_user_in_a_shared_directory_is_not_used_by_root(
    world: Path, ecr: fake_ecr.FakeEcr, secret: str
) -> None:
    shared = world / "shared"
    shared.mkdir()
    shared.chmod(0o1777)  # like /tmp
    other = other_user()
    root = shared / "cs-registry"
    plant(root, secret, mode=0o700, owner=(other.uid, other.gid))
    before = snapshot(root)

    result = get(env_for(world, ecr, secret, cache=shared))

    assert answered(result, secret) == ecr.password
    assert snapshot(root) == before
    assert f"uid {other.uid}" in result.err


def test_roots_cache_is_not_used_by_another_user(
    world: Path, ecr: fake_ecr.FakeEcr, secret: str
) -> None:
    shared = world / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    root = shared / "cs-registry"
    plant(root, secret, mode=0o755)  # root's, readable by all
    home = world / "home"
    home.mkdir()
    other = other_user()
    other.chown(home)

    done = run_as(
        other,
        [*cli.program(HELPER), "get"],
        env=env_for(home, ecr, secret, cache=shared),
        input=fake_ecr.HOST.encode(),
        timeout=BOUND,
    )

    result = cli.Result([], done.returncode, done.stdout, done.stderr, 0.0)
    assert answered(result, secret) == ecr.password
    assert "uid 0" in result.err


def test_root_run_in_a_users_home_leaves_a_cache_the_user_can_use(
    world: Path, ecr: fake_ecr.FakeEcr, secret: str
) -> None:
    home = world / "home"
    home.mkdir(mode=0o700)
    other = other_user()
    other.chown(home)
    env = env_for(home, ecr, secret)

    assert answered(get(env), secret) == ecr.password  # root swaps and caches
    for path in [home / ".cache", *(home / ".cache").rglob("*")]:
        assert path.lstat().st_uid == other.uid, path
    done = run_as(other, [*cli.program(HELPER), "get"], env=env, input=fake_ecr.HOST.encode())
    result = cli.Result([], done.returncode, done.stdout, done.stderr, 0.0)

    assert answered(result, secret) == ecr.password
    assert ecr.swaps == 1  # the user's run was a cache hit


# -- planted links are never followed -------------------------------------------------


def test_planted_symlinks_are_never_followed_chmodded_or_written(
    tmp_path: Path, ecr: fake_ecr.FakeEcr, secret: str, watcher: cli.CmdlineWatcher
) -> None:
    victims = tmp_path / "victims"
    victims.mkdir()
    victims.chmod(0o755)
    for name in ("token", "lock", "log", "salt"):
        (victims / name).write_text(f"{name} of someone else\n")
        (victims / name).chmod(0o644)
    (victims / "dir").mkdir()
    (victims / "dir").chmod(0o755)
    root = tmp_path / ".cache" / "cs-registry"
    tokens = root / "ecr" / "tokens"
    tokens.mkdir(parents=True, mode=0o700)
    (root / "ecr" / "salt").symlink_to(victims / "salt")
    path = entry(root, secret=secret)
    path.symlink_to(victims / "token")
    Path(f"{path}.lock").symlink_to(victims / "lock")
    (root / "credhelper.log").symlink_to(victims / "log")
    before = snapshot(victims)

    result = get(env_for(tmp_path, ecr, secret))
    store = get(env_for(tmp_path, ecr, secret), action="store", stdin=b"{}")

    assert answered(result, secret) == ecr.password
    assert store.returncode == 1
    assert store.stdout.count(b"\n") == 1
    assert "Traceback" not in store.err
    assert snapshot(victims) == before  # bytes, modes and owners as they were
    for link in (root / "ecr" / "salt", path, Path(f"{path}.lock"), root / "credhelper.log"):
        assert link.is_symlink()  # reported, not replaced


def test_planted_directory_symlink_is_not_chmodded(
    tmp_path: Path, ecr: fake_ecr.FakeEcr, secret: str
) -> None:
    victim = tmp_path / "victim-dir"
    victim.mkdir()
    victim.chmod(0o755)
    root = tmp_path / ".cache" / "cs-registry"
    root.mkdir(parents=True, mode=0o700)
    (root / "ecr").symlink_to(victim)

    result = get(env_for(tmp_path, ecr, secret))

    assert answered(result, secret) == ecr.password
    assert stat.S_IMODE(victim.stat().st_mode) == 0o755
    assert list(victim.iterdir()) == []


def test_hard_linked_token_is_not_served(
    tmp_path: Path, ecr: fake_ecr.FakeEcr, secret: str
) -> None:
    root = tmp_path / ".cache" / "cs-registry"
    path = plant(root, secret, mode=0o700)
    elsewhere = tmp_path / "elsewhere"
    os.link(path, elsewhere)

    result = get(env_for(tmp_path, ecr, secret))

    assert answered(result, secret) == ecr.password
    assert "PLANTED" in elsewhere.read_text()  # the other name's file was not written


# -- expiry and salt ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expires", "issued"),
    [
        ("nan", "0.0"),
        ("inf", "0.0"),
        ("-inf", "0.0"),
        ("-1.0", "-2.0"),
        ("1e300", "0.0"),
        ("4102444800.0", "4102400000.0"),  # 2100: absurdly far
        ("NOW+6h", "nan"),
    ],
)
def test_token_whose_expiry_is_not_a_finite_future_time_is_never_served(
    tmp_path: Path, ecr: fake_ecr.FakeEcr, secret: str, expires: str, issued: str
) -> None:
    import time

    root = tmp_path / ".cache" / "cs-registry"
    path = plant(root, secret, mode=0o700)
    if expires == "NOW+6h":
        expires = repr(time.time() + 6 * 3600)
    path.write_text(token_text("PLANTED", expires, issued))

    assert answered(get(env_for(tmp_path, ecr, secret)), secret) == ecr.password
    assert answered(get(env_for(tmp_path, ecr, secret)), secret) == ecr.password
    assert ecr.swaps == 1  # the swapped token replaced the bad entry


@pytest.mark.parametrize("salt", [b"", b"short", b"x" * 33])
def test_salt_of_the_wrong_length_is_replaced(
    tmp_path: Path, ecr: fake_ecr.FakeEcr, secret: str, salt: bytes
) -> None:
    env = env_for(tmp_path, ecr, secret)
    assert answered(get(env), secret) == ecr.password
    salt_path = tmp_path / ".cache" / "cs-registry" / "ecr" / "salt"
    salt_path.write_bytes(salt)

    assert answered(get(env), secret) == ecr.password
    assert answered(get(env), secret) == ecr.password

    assert ecr.swaps == 2  # one swap under the new salt, then a cache hit
    assert len(salt_path.read_bytes()) == 32
    assert stat.S_IMODE(salt_path.stat().st_mode) == 0o600
    assert not [p for p in salt_path.parent.iterdir() if p.name.endswith(".tmp")]


# -- nothing hangs, nothing blows up --------------------------------------------------


@pytest.mark.parametrize("which", ["salt", "token", "lock"])
@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_fifo_or_dev_zero_in_the_cache_never_hangs_or_tracebacks(
    tmp_path: Path, ecr: fake_ecr.FakeEcr, secret: str, which: str, kind: str
) -> None:
    env = env_for(tmp_path, ecr, secret)
    assert answered(get(env), secret) == ecr.password
    root = tmp_path / ".cache" / "cs-registry"
    salt = (root / "ecr" / "salt").read_bytes()
    token = entry(root, salt, secret)
    target = {"salt": root / "ecr" / "salt", "token": token, "lock": Path(f"{token}.lock")}[which]
    if target.exists():
        target.unlink()
    if which == "lock":  # a stale token: the refresh takes the lock
        token.write_text(token_text(ecr.password, 1.0, 0.0))
    if kind == "fifo":
        os.mkfifo(target, 0o600)
    else:
        target.symlink_to("/dev/zero")

    for _ in range(2):
        assert answered(get(env), secret) == ecr.password  # within BOUND, one line

    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink() and stat.S_ISREG(path.lstat().st_mode):
            assert secret.encode() not in path.read_bytes()


def test_helper_keys_planted_in_a_shared_cache_are_never_used_by_root(
    world: Path, ecr: fake_ecr.FakeEcr, secret: str
) -> None:
    """Saved keys from another user's cache would make root pull with their account."""
    shared = world / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    other = other_user()
    root = shared / "cs-registry"
    (root / "ecr").mkdir(parents=True)
    planted = root / "ecr" / "helper-keys.json"
    keys = {"triplet_id": "ECR", "user": "AKIAPLANTEDKEY000001", "password": "planted"}
    planted.write_text(json.dumps({fake_ecr.HOST: keys}))
    for path in (root, root / "ecr", planted):
        os.lchown(path, other.uid, other.gid)
        path.chmod(0o700 if path.is_dir() else 0o600)
    env = cli.base_env(world, **ecr.env(), XDG_CACHE_HOME=str(shared))  # no triplet

    result = get(env)
    listed = get(env, action="list", stdin=b"")

    assert result.returncode == 1
    assert result.stdout == b"credentials not found in native keychain\n"
    assert "Traceback" not in result.err
    assert ecr.swaps == 0
    assert ecr.key_ids == []
    assert json.loads(listed.stdout) == {}


@pytest.fixture
def full_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs, filled to the last byte after the cache folders are made."""
    mount = tmp_path / "tmpfs"
    mount.mkdir(mode=0o700)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", str(mount)],
        check=True,
        timeout=30,
    )
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False, timeout=30)


def _fill(mount: Path) -> None:
    fd = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (4096, 512, 1):
            while True:
                try:
                    os.write(fd, b"x" * size)
                except OSError:
                    break
    finally:
        os.close(fd)


def test_a_full_cache_filesystem_never_breaks_the_helper(
    tmp_path: Path, full_tmpfs: Path, ecr: fake_ecr.FakeEcr, secret: str
) -> None:
    env = env_for(tmp_path, ecr, secret, cache=full_tmpfs)
    for directory in ("cs-registry", "cs-registry/ecr", "cs-registry/ecr/tokens"):
        (full_tmpfs / directory).mkdir(mode=0o700)
    _fill(full_tmpfs)

    got = get(env)
    stored = get(env, action="store", stdin=b"{}")

    assert answered(got, secret) == ecr.password  # swapped; the cache write failed quietly
    assert stored.returncode == 1
    assert stored.stdout.count(b"\n") == 1
    assert "Traceback" not in stored.err
    assert "logged in" not in stored.err  # the log could not be written, and that is fine
    leftovers = [p.name for p in full_tmpfs.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_a_refresh_lock_held_forever_delays_the_helper_by_the_bound_only(
    tmp_path: Path, ecr: fake_ecr.FakeEcr, secret: str
) -> None:
    import fcntl

    from cs_registry.files import LOCK_TIMEOUT

    env = env_for(tmp_path, ecr, secret)
    assert answered(get(env), secret) == ecr.password
    root = tmp_path / ".cache" / "cs-registry"
    token = entry(root, (root / "ecr" / "salt").read_bytes(), secret)
    token.write_text(token_text(ecr.password, 1.0, 0.0))  # stale: the refresh needs the lock
    held = os.open(f"{token}.lock", os.O_RDONLY)
    try:
        fcntl.flock(held, fcntl.LOCK_EX)  # a stuck helper (stopped, or hung on a keyring)
        argv = [*cli.program(HELPER), "get"]
        done = subprocess.run(
            argv,
            input=fake_ecr.HOST.encode(),
            capture_output=True,
            env=env,
            timeout=LOCK_TIMEOUT + 15,  # the documented bound plus slack
            check=False,
        )
    finally:
        os.close(held)

    result = cli.Result(argv, done.returncode, done.stdout, done.stderr, 0.0)
    assert answered(result, secret) == ecr.password
    assert "ecr_cache_lock_not_used" in result.err
    assert ecr.swaps == 2
