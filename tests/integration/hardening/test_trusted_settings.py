"""A settings file another local user planted gets no secret (issue 10, item 3).

The attack: another user creates ``.git`` and ``.devcontainer/cs-registry.yaml`` in a
shared 1777 folder (as ``/tmp`` is); the file names a secret we hold
(``GITHUB_TOKEN``, ``AWS_SECRET_ACCESS_KEY``, a triplet's password) as the
``password_env`` of a server they run, with ``verify: true``. Whoever runs
``cs-registry login`` below that folder would store the secret for that server and
send it there. Here the planting user is real (``tests/support/users.py``), the
"server" is a loopback listener that records every connection, and the secrets are
canaries searched for in every output and log. The same files owned by the user
who runs ``login`` still work (the listener is reached), so the test can fail.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import stat
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.hardening import cli
from tests.support import loopback_names
from tests.support.users import User, other_user, run_as

pytestmark = pytest.mark.integration


class Listener:
    """A loopback TCP server that records whether anything connected (and closes)."""

    def __init__(self, host: str) -> None:
        self.sock = socket.create_server((host, 0))
        self.address = f"{host}:{self.sock.getsockname()[1]}"
        self.sock.settimeout(0.2)
        self.received: list[bytes] = []
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            with conn:
                conn.settimeout(1)
                with contextlib.suppress(OSError):
                    self.received.append(conn.recv(65536))

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def listeners() -> Iterator[list[Listener]]:
    """One server per stolen variable (one server named twice would be a conflict)."""
    servers = [Listener(f"127.0.0.{n}") for n in (1, 2, 3)]
    yield servers
    for server in servers:
        server.close()


def connections(listeners: list[Listener]) -> int:
    return sum(server.connections for server in listeners)


@pytest.fixture
def shared() -> Iterator[Path]:
    """A world-writable sticky folder as ``/tmp`` is, that the other user can reach."""
    folder = Path(tempfile.mkdtemp(prefix="csr-shared-", dir="/tmp"))
    folder.chmod(0o1777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def stranger() -> User:
    return other_user()


STOLEN = ("GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "GHCR_CONTAINER_REGISTRY_PASSWORD")


def settings_text(listeners: list[Listener]) -> str:
    entries = "".join(
        f"  - id: STOLEN{i}\n"
        f"    server: {server.address}\n"
        f"    user_env: GITHUB_USER\n"
        f"    password_env: {variable}\n"
        for i, (variable, server) in enumerate(zip(STOLEN, listeners, strict=True))
    )
    return f"verify: true\ntimeout: 2\nregistries:\n{entries}"


def plant(stranger: User, shared: Path, text: str) -> Path:
    """What the other user does: ``.git`` and the settings file, all theirs."""
    script = (
        'mkdir -p "$1/.git" "$1/.devcontainer" && '
        'printf "%s" "$2" > "$1/.devcontainer/cs-registry.yaml"'
    )
    done = run_as(
        stranger, ["sh", "-c", script, "plant", str(shared), text], env={"PATH": "/usr/bin:/bin"}
    )
    assert done.returncode == 0, done.stderr
    path = shared / ".devcontainer" / "cs-registry.yaml"
    assert path.stat().st_uid == stranger.uid
    return path


def victim_env(home: Path, secrets: dict[str, str]) -> dict[str, str]:
    # `verify: true` would log in to ghcr.io too: its lookup gets "no such name" here
    return loopback_names.child_env(
        cli.base_env(
            home,
            GITHUB_USER="victim",
            GITHUB_TOKEN=secrets["github"],
            AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE",
            AWS_SECRET_ACCESS_KEY=secrets["aws"],
            GHCR_CONTAINER_REGISTRY_SERVER="ghcr.io",
            GHCR_CONTAINER_REGISTRY_USER="victim",
            GHCR_CONTAINER_REGISTRY_PASSWORD=secrets["ghcr"],
            CS_REGISTRY_SYSTEM_CONFIG=str(home / "no-system.yaml"),
            GIT_CONFIG_NOSYSTEM="1",  # a CI image's /etc/gitconfig may say safe.directory=*
        )
    )


@pytest.fixture
def secrets() -> dict[str, str]:
    return {name: cli.canary(name.upper()) for name in ("github", "aws", "ghcr")}


def assert_no_canary(result: cli.Result, home: Path, secrets: dict[str, str]) -> None:
    logs = b"".join(p.read_bytes() for p in cli.files_under(home / ".cache"))
    for value in secrets.values():
        for blob in (result.stdout, result.stderr, logs):
            assert value.encode() not in blob


def test_a_planted_settings_file_in_a_shared_folder_receives_nothing(
    tmp_path: Path,
    shared: Path,
    stranger: User,
    listeners: list[Listener],
    secrets: dict[str, str],
) -> None:
    planted = plant(stranger, shared, settings_text(listeners))
    work = shared / "victim-work"
    work.mkdir()
    home = tmp_path / "victim-home"
    home.mkdir(mode=0o700)
    with cli.CmdlineWatcher(list(secrets.values())) as watcher:
        result = cli.run(["login", "--json"], victim_env(home, secrets), cwd=work)
    cli.assert_no_traceback(result)
    assert result.returncode == 0, result.err
    assert connections(listeners) == 0
    assert watcher.hits == []

    document = json.loads(result.out)
    servers = {row["server"] for row in document["registries"]}
    assert servers == {"ghcr.io"}  # the environment's own triplet, nothing planted
    config = json.loads((home / ".docker" / "config.json").read_text())
    assert list(config["auths"]) == ["ghcr.io"]
    (warning,) = document["warnings"]
    assert warning["code"] == "untrusted_settings"
    assert str(planted.parent) in warning["message"]
    assert stranger.name in warning["message"]
    assert_no_canary(result, home, secrets)

    human = cli.run(["login"], victim_env(home, secrets), cwd=work)
    assert human.returncode == 0, human.err
    assert f"{planted.parent} belongs to {stranger.name}" in human.out
    assert connections(listeners) == 0


def test_the_hook_and_doctor_below_a_planted_file_send_nothing_and_name_it(
    tmp_path: Path,
    shared: Path,
    stranger: User,
    listeners: list[Listener],
    secrets: dict[str, str],
) -> None:
    """The lifecycle path (``login --hook``) and the command its summary points to."""
    planted = plant(stranger, shared, settings_text(listeners))
    home = tmp_path / "victim-home"
    home.mkdir(mode=0o700)
    env = victim_env(home, secrets)
    env["DOCKER_HOST"] = f"unix://{tmp_path}/no-daemon.sock"
    with cli.CmdlineWatcher(list(secrets.values())) as watcher:
        hook = cli.run(["login", "--hook"], env, cwd=shared)
        doctor = cli.run(["doctor", "--json", "--wait", "0.1"], env, cwd=shared)
    for result in (hook, doctor):
        cli.assert_no_traceback(result)
        assert_no_canary(result, home, secrets)
    assert watcher.hits == []
    assert connections(listeners) == 0
    assert hook.returncode == 0
    assert "1 warning(s); run `cs-registry doctor`" in hook.out
    (check,) = [c for c in json.loads(doctor.out)["checks"] if c["id"] == "settings"]
    assert (check["status"], check["code"]) == ("warn", "untrusted_settings")
    assert f"{planted.parent} belongs to {stranger.name}" in check["message"]


def test_a_planted_fifo_neither_hangs_nor_stops_the_run(
    tmp_path: Path, shared: Path, stranger: User, secrets: dict[str, str]
) -> None:
    """Planted as a FIFO, the file is still the other user's: ignored, never opened."""
    done = run_as(
        stranger,
        [
            "sh",
            "-c",
            'mkdir -p "$1/.git" "$1/.devcontainer" && mkfifo "$1/.devcontainer/cs-registry.yaml"',
            "plant",
            str(shared),
        ],
        env={"PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    home = tmp_path / "victim-home"
    home.mkdir(mode=0o700)
    result = cli.run(["login", "--json"], victim_env(home, secrets), cwd=shared, timeout=20)
    cli.assert_no_traceback(result)
    assert result.returncode == 0, result.err
    (warning,) = json.loads(result.out)["warnings"]
    assert warning["code"] == "untrusted_settings"


def test_the_same_files_owned_by_the_user_still_work(
    tmp_path: Path, shared: Path, listeners: list[Listener], secrets: dict[str, str]
) -> None:
    (shared / ".git").mkdir()
    path = shared / ".devcontainer" / "cs-registry.yaml"
    path.parent.mkdir()
    path.write_text(settings_text(listeners))
    assert path.stat().st_uid == os.geteuid()
    home = tmp_path / "victim-home"
    home.mkdir(mode=0o700)
    work = shared / "work"
    work.mkdir()
    result = cli.run(["login", "--json"], victim_env(home, secrets), cwd=work)
    cli.assert_no_traceback(result)
    document = json.loads(result.out)
    assert {row["id"] for row in document["registries"]} >= {"STOLEN0", "STOLEN1", "STOLEN2"}
    assert "warnings" not in document
    assert all(server.connections for server in listeners)  # verify reached each one


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("verify: true\ntimeout: 3\x1b[2J\n", 2),
        ("verify: " + "[" * 5000 + "]" * 5000 + "\n", 1),
        ("verify: [true\n", 2),
    ],
)
def test_a_broken_yaml_file_is_exit_2_naming_file_and_line(
    tmp_path: Path, text: str, line: int
) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    path = repo / ".devcontainer" / "cs-registry.yaml"
    path.parent.mkdir()
    path.write_text(text)
    home = tmp_path / "victim-home"
    home.mkdir(mode=0o700)
    result = cli.run(["login"], cli.base_env(home), cwd=repo)
    cli.assert_no_traceback(result)
    assert result.returncode == 2
    assert f"{path}:{line}: " in result.err
    assert "\x1b" not in result.out + result.err


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_fifo_or_device_of_our_own_is_exit_2_at_once(tmp_path: Path, kind: str) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    path = repo / ".devcontainer" / "cs-registry.yaml"
    path.parent.mkdir()
    if kind == "fifo":
        os.mkfifo(path)
    else:
        os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 5))  # /dev/zero
    home = tmp_path / "victim-home"
    home.mkdir(mode=0o700)
    result = cli.run(["login"], cli.base_env(home), cwd=repo, timeout=20)
    cli.assert_no_traceback(result)
    assert result.returncode == 2
    assert str(path) in result.err
