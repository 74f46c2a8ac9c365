"""Docker's config and the input files through the one safe file layer (issue 10, items 1, 2, 7).

Real FIFOs, ``mknod`` devices, sockets, a 64 KiB tmpfs and a second local user:
``login`` and ``doctor`` refuse what is not a regular file at once, with one line
naming the path and what it is (exit 2), leave it exactly as it was, never wait on
a lock without bound, tighten a config.json others can read (and say so), leave
nothing root-owned in a user's home, and read ``DOCKER_CONFIG`` as the docker CLI
does. Every run uses canary secrets, searched for in stdout, stderr, every file left
behind but Docker's config (logs included) and every process's command line.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import socket
import stat
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.integration.hardening import cli
from tests.support.users import User, other_user, run_as

#: files.LOCK_TIMEOUT, the documented bound on a lock wait
LOCK_TIMEOUT = 10.0
#: generous: a loaded 2-core machine, an interpreter start and a config write
SLACK = 10.0
USER = "robot"
SERVER = "good.registry.test"
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def password() -> str:
    return cli.canary("CFG")


@pytest.fixture(autouse=True)
def no_canary_in_any_command_line(password: str) -> Iterator[None]:
    """No process on the machine shows the canary in its argv while a test runs."""
    with cli.CmdlineWatcher([password]) as watching:
        yield
    assert watching.hits == []
    assert watching.scans > 1


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    (path / ".docker").mkdir(parents=True, mode=0o700)
    return path


def _env(home: Path, password: str, **extra: str) -> dict[str, str]:
    return cli.base_env(home, **cli.triplet("GOOD", SERVER, USER, password), **extra)


def _assert_no_canary(result: cli.Result, password: str, *roots: Path) -> None:
    """The canary is nowhere but in Docker's config (as base64 ``auth``)."""
    forms = [password.encode(), base64.b64encode(f"{USER}:{password}".encode())]
    for stream in (result.stdout, result.stderr):
        assert not any(form in stream for form in forms), stream[-500:]
    for root in roots:
        for path in cli.files_under(root):
            if path.name == "config.json":
                continue
            data = path.read_bytes()
            assert not any(form in data for form in forms), path


def _one_line(result: cli.Result) -> str:
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("cs-registry: "), lines[0]
    return lines[0]


# -- config.json that is not a regular file ---------------------------------------------


def _fifo(path: Path) -> str:
    os.mkfifo(path)
    return "a FIFO"


def _char_device(path: Path) -> str:
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # what /dev/null is
    return "a character device"


def _socket(path: Path) -> str:
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    sock.close()  # the socket node stays
    return "a socket"


def _directory(path: Path) -> str:
    path.mkdir()
    return "a directory"


def _device_link(path: Path, minor: int) -> str:
    """``path`` -> a private copy of /dev/null (1, 3) or /dev/zero (1, 5): the product
    sees what a link to the real node is, and a broken build cannot replace the
    machine's own /dev/null."""
    device = path.parent.parent / f"device-{minor}"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
    path.symlink_to(device)
    return "a character device"


def _to_dev_zero(path: Path) -> str:
    return _device_link(path, 5)


def _to_dev_null(path: Path) -> str:
    return _device_link(path, 3)


def _huge(path: Path) -> str:
    with path.open("wb") as handle:
        handle.truncate(90 * 1024 * 1024)  # sparse: refused on its size, never read
    return "over the 16 MiB limit"


KINDS: dict[str, Callable[[Path], str]] = {
    "fifo": _fifo,
    "char-device": _char_device,
    "socket": _socket,
    "directory": _directory,
    "symlink-to-dev-zero": _to_dev_zero,
    "symlink-to-dev-null": _to_dev_null,
    "90mb": _huge,
}


def _snapshot(path: Path) -> tuple[int, int, int, int, str | None]:
    st = path.lstat()
    target = os.readlink(path) if path.is_symlink() else None
    return (st.st_mode, st.st_rdev, st.st_size, st.st_mtime_ns, target)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_login_refuses_a_config_that_is_not_a_regular_file(
    kind: str, home: Path, password: str
) -> None:
    config = home / ".docker" / "config.json"
    said = KINDS[kind](config)
    before = _snapshot(config)
    env = _env(home, password)
    result = cli.run(["login"], env, timeout=LOCK_TIMEOUT + SLACK, cwd=home)
    cli.assert_no_traceback(result)
    assert result.returncode == 2, result.err
    line = _one_line(result)
    assert str(config) in line or str(home.parent / "device-") in line, line
    assert said in line, line
    assert _snapshot(config) == before  # the node, its bytes and its link: untouched
    if config.is_symlink():
        assert stat.S_ISCHR(os.stat(config).st_mode)  # the device behind the link too
    assert [p.name for p in (home / ".docker").iterdir() if p.name.endswith(".tmp")] == []
    _assert_no_canary(result, password, home)
    # nothing holds the lock: the next run is not queued behind this one
    if (home / ".docker" / ".config.json.lock").exists():
        with (home / ".docker" / ".config.json.lock").open("rb") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    # --json carries the same refusal as one document
    result = cli.run(["login", "--json"], env, timeout=LOCK_TIMEOUT + SLACK, cwd=home)
    assert result.returncode == 2
    assert said in result.out + result.err


@pytest.mark.parametrize("kind", ["fifo", "symlink-to-dev-zero", "90mb", "directory"])
def test_doctor_reports_a_config_that_is_not_a_regular_file(
    kind: str, home: Path, password: str
) -> None:
    config = home / ".docker" / "config.json"
    said = KINDS[kind](config)
    before = _snapshot(config)
    result = cli.run(
        ["doctor", "--json", "--wait", "0.1"],
        _env(home, password),
        timeout=LOCK_TIMEOUT + SLACK,
        cwd=home,
    )
    cli.assert_no_traceback(result)
    assert result.returncode == 1, result.err
    document = json.loads(result.stdout)
    (check,) = [c for c in document["checks"] if c["id"] == "docker-config"]
    assert check["status"] == "fail"
    assert check["code"] == "unsafe_file"
    assert said in check["message"]
    assert _snapshot(config) == before
    _assert_no_canary(result, password, home)


def test_a_held_lock_ends_the_run_within_its_bound(home: Path, password: str) -> None:
    config = home / ".docker" / "config.json"
    config.write_bytes(b'{"auths": {}}\n')
    lock_path = home / ".docker" / ".config.json.lock"
    with lock_path.open("wb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run that never finishes
        result = cli.run(["login"], _env(home, password), timeout=LOCK_TIMEOUT + SLACK, cwd=home)
    cli.assert_no_traceback(result)
    assert result.returncode == 1, result.err
    line = _one_line(result)
    assert "config_locked" in line or str(lock_path) in line
    assert str(lock_path) in line
    assert result.seconds < LOCK_TIMEOUT + SLACK
    assert config.read_bytes() == b'{"auths": {}}\n'
    _assert_no_canary(result, password, home)


# -- tightening a config others can read --------------------------------------------------


@pytest.mark.parametrize("old_mode", [0o644, 0o640, 0o604])
def test_login_tightens_a_config_others_can_read_and_says_so(
    old_mode: int, home: Path, password: str
) -> None:
    config = home / ".docker" / "config.json"
    config.write_bytes(b'{"auths": {"other.test": {"auth": "dTpw"}}, "keep": 1}\n')
    config.chmod(old_mode)
    result = cli.run(["login", "--json"], _env(home, password), cwd=home)
    assert result.returncode == 0, result.err
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    data = json.loads(config.read_bytes())
    assert data["keep"] == 1
    assert data["auths"]["other.test"] == {"auth": "dTpw"}
    assert data["auths"][SERVER] == {"auth": cli.auth(USER, password)}
    warnings = json.loads(result.stdout).get("warnings", [])
    (warning,) = [w for w in warnings if w["code"] == "config_too_open"]
    assert f"{old_mode:04o}" in warning["message"]
    assert "0600" in warning["message"]
    _assert_no_canary(result, password, home)


def test_human_login_says_it_tightened_the_config(home: Path, password: str) -> None:
    config = home / ".docker" / "config.json"
    config.write_bytes(b"{}")
    config.chmod(0o644)
    result = cli.run(["login"], _env(home, password), cwd=home)
    assert result.returncode == 0, result.err
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert "mode 0644" in result.out, result.out
    assert "now 0600" in result.out, result.out
    _assert_no_canary(result, password, home)


def test_a_private_config_gets_no_warning(home: Path, password: str) -> None:
    config = home / ".docker" / "config.json"
    config.write_bytes(b"{}")
    config.chmod(0o600)
    result = cli.run(["login", "--json"], _env(home, password), cwd=home)
    assert result.returncode == 0, result.err
    assert "config_too_open" not in result.out


# -- ENOSPC mid-write ----------------------------------------------------------------------


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "tmpfs"
    mount.mkdir()
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", str(mount)],
        check=True,
        capture_output=True,
        timeout=30,
    )
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False, timeout=30)


def test_a_full_disk_mid_write_leaves_the_old_config_and_no_temp(
    small_tmpfs: Path, home: Path
) -> None:
    password = cli.canary("ENOSPC") + "x" * 60_000  # the new config needs ~80 KB of base64
    old = json.dumps({"auths": {"old.test": {"auth": "dTpw"}}, "pad": "p" * 8000}).encode()
    config = small_tmpfs / "config.json"
    config.write_bytes(old)
    config.chmod(0o600)
    result = cli.run(
        ["login", "--json"], _env(home, password, DOCKER_CONFIG=str(small_tmpfs)), cwd=home
    )
    cli.assert_no_traceback(result)
    assert result.returncode == 2, result.err
    assert "config_unwritable" in result.out + result.err
    assert "No space left on device" in result.out + result.err
    assert config.read_bytes() == old
    assert sorted(p.name for p in small_tmpfs.iterdir()) == [".config.json.lock", "config.json"]
    _assert_no_canary(result, password, home, small_tmpfs)


# -- input files ---------------------------------------------------------------------------


def test_a_fifo_env_file_is_refused_at_once(home: Path, password: str) -> None:
    fifo = home / "secrets.env"
    os.mkfifo(fifo)
    result = cli.run(
        ["login", "--env-file", str(fifo)], _env(home, password), timeout=SLACK, cwd=home
    )
    cli.assert_no_traceback(result)
    assert result.returncode == 2
    line = _one_line(result)
    assert f"{fifo} is a FIFO" in line, line
    assert not (home / ".docker" / "config.json").exists()


@pytest.mark.parametrize("command", [["login"], ["doctor", "--wait", "0.1"]])
def test_a_fifo_codespaces_environment_file_does_not_hang(
    command: list[str], home: Path, password: str
) -> None:
    fifo = home / "codespaces-env.json"
    os.mkfifo(fifo)
    env = _env(home, password, CS_REGISTRY_CODESPACES_ENV_FILE=str(fifo))
    result = cli.run(command, env, timeout=SLACK, cwd=home)
    cli.assert_no_traceback(result)
    assert result.returncode in (0, 1), result.err
    if command == ["login"]:
        assert result.returncode == 0
        data = json.loads((home / ".docker" / "config.json").read_bytes())
        assert data["auths"][SERVER] == {"auth": cli.auth(USER, password)}
    _assert_no_canary(result, password, home)


# -- DOCKER_CONFIG and --config edges (item 7) ----------------------------------------------


@pytest.mark.parametrize("value", ["~/alt", "~", "~nosuchuser/x", "~root/alt"])
@pytest.mark.parametrize(
    "command",
    [["login"], ["doctor", "--wait", "0.1"], ["debug-login", "127.0.0.1:1", "--timeout", "2"]],
)
def test_docker_config_starting_with_a_tilde_is_refused(
    value: str, command: list[str], home: Path, tmp_path: Path, password: str
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    result = cli.run(command, _env(home, password, DOCKER_CONFIG=value), timeout=SLACK, cwd=work)
    cli.assert_no_traceback(result)
    assert result.returncode == 2, result.out + result.err
    line = _one_line(result)
    assert "DOCKER_CONFIG" in line, line
    # what the docker CLI reads instead: the value taken literally, from the working directory
    assert str(work / value / "config.json") in line, line
    assert list(work.iterdir()) == []
    assert not (home / "alt").exists()
    assert list((home / ".docker").iterdir()) == []


def test_config_flag_starting_with_a_tilde_is_refused(
    home: Path, tmp_path: Path, password: str
) -> None:
    result = cli.run(["login", "--config=~/alt"], _env(home, password), cwd=tmp_path)
    cli.assert_no_traceback(result)
    assert result.returncode == 2
    line = _one_line(result)
    assert line.startswith("cs-registry: --config='~/alt' starts with '~'"), line
    assert str(tmp_path / "~/alt/config.json") in line, line
    assert not (home / "alt").exists()


def test_a_relative_docker_config_is_used_from_the_working_directory_with_a_warning(
    home: Path, tmp_path: Path, password: str
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    result = cli.run(["login", "--json"], _env(home, password, DOCKER_CONFIG="rel/dc"), cwd=work)
    assert result.returncode == 0, result.err
    written = work / "rel" / "dc" / "config.json"
    data = json.loads(written.read_bytes())  # where `docker` run from here reads it
    assert data["auths"][SERVER] == {"auth": cli.auth(USER, password)}
    document = json.loads(result.stdout)
    assert document["config_path"] == str(written)
    (warning,) = [w for w in document.get("warnings", []) if w["code"] == "docker_config_relative"]
    assert "rel/dc" in warning["message"]
    assert str(work) in warning["message"]
    _assert_no_canary(result, password, home, work / "rel" / "dc" / ".docker")


# -- ownership: root in a user's home (item 2) ---------------------------------------------


def _user_base(user: User) -> Iterator[Path]:
    """A directory the user can reach (pytest's tmp_path is root's, mode 0700)."""
    base = Path(tempfile.mkdtemp(prefix="csr-owner-"))
    base.chmod(0o711)
    try:
        yield base
    finally:
        subprocess.run(["rm", "-rf", "--", str(base)], check=False, timeout=60)


@pytest.fixture
def user() -> User:
    return other_user()


@pytest.fixture
def user_home(user: User) -> Iterator[Path]:
    for base in _user_base(user):
        home = base / "home"
        home.mkdir(mode=0o700)
        user.chown(home)
        yield home


def _as_user(user: User, home: Path, args: list[str], env: dict[str, str]) -> cli.Result:
    """Run cs-registry as ``user`` with Debian's python3 (the venv's interpreter lives
    under root's 0700 home); the login path needs only the standard library."""
    argv = ["/usr/bin/python3", "-m", "cs_registry", *args]
    env = {**env, "PYTHONPATH": str(REPO / "agent"), "PYTHONDONTWRITEBYTECODE": "1"}
    done = run_as(user, argv, env=env, cwd=home, timeout=LOCK_TIMEOUT + SLACK)
    return cli.Result(argv, done.returncode, done.stdout, done.stderr, 0.0)


def test_root_in_a_users_home_leaves_everything_to_that_user(
    user: User, user_home: Path, password: str
) -> None:
    env = _env(user_home, password)
    result = cli.run(["login"], env, cwd=user_home)  # as root, HOME the user's
    assert result.returncode == 0, result.err
    docker_dir = user_home / ".docker"
    for path in (docker_dir, docker_dir / "config.json", docker_dir / ".config.json.lock"):
        st = path.lstat()
        assert (st.st_uid, st.st_gid) == (user.uid, user.gid), path
    assert stat.S_IMODE(docker_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((docker_dir / "config.json").stat().st_mode) == 0o600

    # the user's own later run works (a new password forces a write)
    second = cli.canary("USER")
    as_user = _as_user(user, user_home, ["login"], _env(user_home, second))
    assert as_user.returncode == 0, as_user.err
    data = json.loads((docker_dir / "config.json").read_bytes())
    assert data["auths"][SERVER] == {"auth": cli.auth(USER, second)}
    _assert_no_canary(as_user, second, user_home)

    # and `docker` as the user reads (and rewrites) the file
    docker = run_as(
        user,
        ["docker", "--config", str(docker_dir), "logout", SERVER],
        env={"HOME": str(user_home), "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        cwd=user_home,
        timeout=30,
    )
    assert docker.returncode == 0, docker.stderr
    assert b"WARNING" not in docker.stderr, docker.stderr
    assert SERVER not in json.loads((docker_dir / "config.json").read_bytes()).get("auths", {})


def test_a_docker_dir_the_user_cannot_read_is_one_line_exit_2(
    user: User, user_home: Path, password: str
) -> None:
    docker_dir = user_home / ".docker"
    docker_dir.mkdir(mode=0o700)
    (docker_dir / "config.json").write_bytes(b"{}")
    user.chown(docker_dir, docker_dir / "config.json")
    docker_dir.chmod(0o000)
    try:
        result = _as_user(user, user_home, ["login"], _env(user_home, password))
    finally:
        docker_dir.chmod(0o700)
    cli.assert_no_traceback(result)
    assert result.returncode == 2, result.out + result.err
    line = _one_line(result)
    assert str(docker_dir) in line, line
    assert "Permission denied" in line, line
    assert (docker_dir / "config.json").read_bytes() == b"{}"
    _assert_no_canary(result, password, user_home)


def test_a_config_the_user_cannot_read_is_one_line_exit_2(
    user: User, user_home: Path, password: str
) -> None:
    docker_dir = user_home / ".docker"
    docker_dir.mkdir(mode=0o700)
    config = docker_dir / "config.json"
    config.write_bytes(b'{"auths": {}}')
    user.chown(docker_dir, config)
    config.chmod(0o000)
    result = _as_user(user, user_home, ["login"], _env(user_home, password))
    cli.assert_no_traceback(result)
    assert result.returncode == 2, result.out + result.err
    line = _one_line(result)
    assert f"{config}: Permission denied" in line, line
    assert "config_unreadable" in line
    assert config.read_bytes() == b'{"auths": {}}'
    assert stat.S_IMODE(config.stat().st_mode) == 0
    _assert_no_canary(result, password, user_home)


# -- root never follows another user's symlink onto a file that user does not own ----------


ROOT_JSON = b'{"log-level": "info"}\n'


@pytest.fixture
def root_file(user_home: Path) -> Path:
    """A root-owned JSON file next to the user's home (as /etc/docker/daemon.json is)."""
    victim = user_home.parent / "root-owned" / "daemon.json"
    victim.parent.mkdir(mode=0o755)
    victim.write_bytes(ROOT_JSON)
    victim.chmod(0o644)
    return victim


def test_root_does_not_write_through_a_users_link_to_a_root_file(
    user: User, user_home: Path, root_file: Path, password: str
) -> None:
    docker_dir = user_home / ".docker"
    docker_dir.mkdir(mode=0o700)
    (docker_dir / "config.json").symlink_to(root_file)
    user.chown(docker_dir, docker_dir / "config.json")
    result = cli.run(["login"], _env(user_home, password), cwd=user_home)
    cli.assert_no_traceback(result)
    assert result.returncode == 2, result.out + result.err
    line = _one_line(result)
    assert f"uid {user.uid}" in line, line
    assert str(root_file) in line, line
    assert root_file.read_bytes() == ROOT_JSON
    assert stat.S_IMODE(root_file.stat().st_mode) == 0o644
    assert sorted(p.name for p in root_file.parent.iterdir()) == ["daemon.json"]
    _assert_no_canary(result, password, user_home, root_file.parent)


def test_root_does_not_write_into_a_root_directory_a_users_link_leads_to(
    user: User, user_home: Path, root_file: Path, password: str
) -> None:
    (user_home / ".docker").symlink_to(root_file.parent)
    user.chown(user_home / ".docker")
    result = cli.run(["login"], _env(user_home, password), cwd=user_home)
    cli.assert_no_traceback(result)
    assert result.returncode == 2, result.out + result.err
    _one_line(result)
    assert sorted(p.name for p in root_file.parent.iterdir()) == ["daemon.json"]


def test_root_follows_a_users_link_to_that_users_own_file(
    user: User, user_home: Path, password: str
) -> None:
    dotfiles = user_home / "dotfiles"
    dotfiles.mkdir(mode=0o700)
    real = dotfiles / "docker-config.json"
    real.write_bytes(b"{}")
    real.chmod(0o600)
    docker_dir = user_home / ".docker"
    docker_dir.mkdir(mode=0o700)
    (docker_dir / "config.json").symlink_to(real)
    user.chown(dotfiles, real, docker_dir, docker_dir / "config.json")
    result = cli.run(["login"], _env(user_home, password), cwd=user_home)
    assert result.returncode == 0, result.err
    assert (docker_dir / "config.json").is_symlink()
    assert json.loads(real.read_bytes())["auths"][SERVER] == {"auth": cli.auth(USER, password)}
    assert (real.stat().st_uid, real.stat().st_gid) == (user.uid, user.gid)
    lock = dotfiles / ".docker-config.json.lock"
    assert (lock.stat().st_uid, lock.stat().st_gid) == (user.uid, user.gid)


def test_no_home_at_all_is_a_usage_error_not_a_config_in_the_working_directory(
    user_home: Path, password: str
) -> None:
    """No HOME and no password-database entry: Python's expanduser leaves "~" as it is,
    which would put Docker's config at ./~/.docker in the working directory."""
    nobody = User("uid-without-passwd-entry", 54321, 54321)
    work = user_home.parent / "work"
    work.mkdir()
    work.chmod(0o777)
    env = cli.base_env(user_home, **cli.triplet("GOOD", SERVER, USER, password))
    del env["HOME"]
    cache = user_home.parent / "cache"
    cache.mkdir(mode=0o700)
    nobody.chown(cache)
    env.update(XDG_CACHE_HOME=str(cache), XDG_CONFIG_HOME=str(cache))
    result = _as_user(nobody, work, ["login"], env)
    cli.assert_no_traceback(result)
    assert result.returncode == 2, result.out + result.err
    line = _one_line(result)
    assert "HOME" in line, line
    assert "DOCKER_CONFIG" in line, line
    assert list(work.iterdir()) == []
    _assert_no_canary(result, password, work, cache)


def test_doctor_warns_about_a_relative_docker_config(
    home: Path, tmp_path: Path, password: str
) -> None:
    work = tmp_path / "work"
    (work / "rel").mkdir(parents=True)
    (work / "rel" / "config.json").write_bytes(b"{}")
    (work / "rel" / "config.json").chmod(0o600)
    result = cli.run(
        ["doctor", "--json", "--wait", "0.1"],
        _env(home, password, DOCKER_CONFIG="rel"),
        timeout=SLACK,
        cwd=work,
    )
    cli.assert_no_traceback(result)
    checks = {c["id"]: c for c in json.loads(result.stdout)["checks"]}
    assert checks["docker-config-dir"]["status"] == "warn"
    assert checks["docker-config-dir"]["code"] == "docker_config_relative"
    assert checks["docker-config"]["status"] == "ok"
    assert str(work / "rel" / "config.json") in checks["docker-config"]["message"]
    _assert_no_canary(result, password, home)


def test_root_does_not_read_a_root_file_through_a_users_link(
    user: User, user_home: Path, root_file: Path, password: str
) -> None:
    root_file.write_bytes(b'{"auths": {"root-only.test": {"auth": "cm9vdDpzM2NyZXQ="}}}')
    root_file.chmod(0o600)
    docker_dir = user_home / ".docker"
    docker_dir.mkdir(mode=0o700)
    (docker_dir / "config.json").symlink_to(root_file)
    user.chown(docker_dir, docker_dir / "config.json")
    result = cli.run(
        ["doctor", "--json", "--wait", "0.1"], _env(user_home, password), cwd=user_home
    )
    cli.assert_no_traceback(result)
    assert "root-only.test" not in result.out + result.err
    checks = {c["id"]: c for c in json.loads(result.stdout)["checks"]}
    assert checks["docker-config"]["code"] == "unsafe_file"
    assert f"a symlink of uid {user.uid}" in checks["docker-config"]["message"]


def test_root_creates_nothing_where_a_users_home_link_leads(
    user: User, user_home: Path, root_file: Path, password: str
) -> None:
    linked_home = user_home.parent / "linked-home"
    linked_home.symlink_to(root_file.parent)  # the user's "home" is a link to root's dir
    user.chown(linked_home)
    result = cli.run(["login"], _env(linked_home, password), cwd=user_home)
    cli.assert_no_traceback(result)
    assert result.returncode == 2, result.out + result.err
    assert f"a symlink of uid {user.uid}" in _one_line(result)
    assert sorted(p.name for p in root_file.parent.iterdir()) == ["daemon.json"]
