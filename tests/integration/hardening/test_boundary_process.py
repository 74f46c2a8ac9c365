"""Issue 10, items 5 and 6 (BOUNDARY): how a whole process ends, and what it prints.

The real console scripts as child processes: bad configuration exits 2 naming the
variable or flag; a reader that stops early ends the run quietly (exit 141, the
status a shell reports for a program ended by SIGPIPE); SIGINT exits 130 and
SIGTERM 143 with one line and the lock released; the credential helper answers
Docker with one protocol line and never a traceback; a registry's words reach the
terminal inert.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.hardening import cli
from tests.integration.hardening import raw_http as R
from tests.support.fake_servers import black_hole, closed_port

#: what a hostile registry writes into its error text: retitle, clear, forge a line
HOSTILE = "\x1b]0;pwned\x07\x1b[2J\r\nDiagnosis: ok \x9b31m\u202e"
RAW_CONTROLS = ("\x1b", "\x07", "\r", "\x9b", "\u202e")


def _traceback_free(result: cli.Result) -> None:
    cli.assert_no_traceback(result)
    assert "Exception ignored" not in result.err, result.err


def _one_line(text: str) -> str:
    lines = text.strip("\n").split("\n")
    assert len(lines) == 1, text
    return lines[0]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "run-home"
    path.mkdir()
    return path


# -- configuration and flags: exit 2, naming what is wrong ---------------------------


@pytest.mark.parametrize("value", ["tcp://127.0.0.1:99999", "tcp://[::1", "tcp://:abc"])
@pytest.mark.parametrize("command", ["doctor", "debug-login"])
def test_a_bad_docker_host_is_a_configuration_error(home: Path, value: str, command: str) -> None:
    args = ["doctor", "--wait", "0.1"] if command == "doctor" else [command, "127.0.0.1:1"]
    result = cli.run(args, cli.base_env(home, DOCKER_HOST=value))
    _traceback_free(result)
    assert result.returncode == 2, result.err
    assert "DOCKER_HOST" in _one_line(result.err)


@pytest.mark.parametrize("name", ["é/app", "my app", "Owner/App", "a//b", "app:tag"])
def test_debug_login_refuses_a_repository_name_docker_would_refuse(home: Path, name: str) -> None:
    server = f"127.0.0.1:{closed_port()}"
    result = cli.run(["debug-login", server, "--repository", name], cli.base_env(home))
    _traceback_free(result)
    assert result.returncode == 2, result.out + result.err
    assert "--repository" in _one_line(result.err)
    assert "not_a_registry" not in result.out + result.err


@pytest.mark.parametrize("encoding", [None, "utf-8:strict"])
def test_a_password_on_stdin_that_is_not_utf8_is_a_usage_error(
    home: Path, encoding: str | None
) -> None:
    env = cli.base_env(home)
    if encoding:
        env["PYTHONIOENCODING"] = encoding
    server = f"127.0.0.1:{closed_port()}"
    result = cli.run(
        ["debug-login", "--json", server, "-u", "octo", "--password-stdin"],
        env,
        stdin=b"pass\xff\xfeword",
    )
    _traceback_free(result)
    assert result.returncode == 2, result.err
    assert "--password-stdin" in _one_line(result.err)
    assert json.loads(result.out)["error"]["code"] == "usage_error"


# -- a reader that stops early ------------------------------------------------------


def _closed_pipe_run(args: list[str], env: dict[str, str], name: str = "cs-registry") -> cli.Result:
    """Run with stdout a pipe whose reader is already gone (`| head -0`)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run(
            [*cli.program(name), *args],
            stdin=subprocess.DEVNULL,
            stdout=write_end,
            stderr=subprocess.PIPE,
            env=env,
            timeout=30,
            check=False,
        )
    finally:
        os.close(write_end)
    return cli.Result(proc.args, proc.returncode, b"", proc.stderr, 0.0)


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_doctor_into_a_closed_pipe_ends_quietly(home: Path, json_flag: list[str]) -> None:
    env = cli.base_env(home, DOCKER_HOST=f"tcp://127.0.0.1:{closed_port()}")
    result = _closed_pipe_run(["doctor", "--wait", "0.1", *json_flag], env)
    assert result.returncode == 141, result.err
    assert result.err == "", result.err
    assert not (home / ".cache" / "cs-registry" / "cs-registry.log").exists()


def test_doctor_piped_into_head_prints_the_first_line_and_exits_quietly(home: Path) -> None:
    env = cli.base_env(home, DOCKER_HOST=f"tcp://127.0.0.1:{closed_port()}")
    argv = " ".join(cli.program("cs-registry"))
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", f"{argv} doctor --wait 0.1 | head -1"],
        capture_output=True,
        env=env,
        timeout=30,
        check=False,
    )
    assert done.stderr == b"", done.stderr
    assert len(done.stdout.decode().splitlines()) == 1
    # doctor's own verdict (1: the daemon check fails here) when it finished writing
    # before head left, 141 when it did not
    assert done.returncode in (1, 141)


def _shell(line: str, env: dict[str, str]) -> cli.Result:
    """``line`` run by bash (for redirections such as ``>&-``), its argv[0] our scripts."""
    done = subprocess.run(
        ["bash", "-c", line], capture_output=True, env=env, timeout=30, check=False
    )
    return cli.Result(["bash", "-c", line], done.returncode, done.stdout, done.stderr, 0.0)


@pytest.mark.parametrize("json_flag", ["", "--json"])
@pytest.mark.parametrize("redirect", [">/dev/full", ">&-"])
def test_cs_registry_into_a_full_or_closed_stdout_says_so_in_one_line(
    home: Path, redirect: str, json_flag: str
) -> None:
    env = cli.base_env(home, DOCKER_HOST=f"tcp://127.0.0.1:{closed_port()}")
    argv = " ".join(cli.program("cs-registry"))
    result = _shell(f"{argv} doctor --wait 0.1 {json_flag} {redirect}", env)
    _traceback_free(result)
    assert result.returncode == 1, result.err
    assert "cannot write to stdout" in _one_line(result.err)
    assert not (home / ".cache" / "cs-registry" / "cs-registry.log").exists()


def test_a_usage_error_with_stderr_closed_still_exits_2(home: Path) -> None:
    argv = " ".join(cli.program("cs-registry"))
    result = _shell(f"{argv} doctor --wait nan 2>&-", cli.base_env(home))
    assert result.returncode == 2
    assert result.out == ""  # the usage text does not move to stdout


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_a_stdout_that_cannot_encode_the_text_still_gets_it(
    home: Path, json_flag: list[str]
) -> None:
    # PYTHONIOENCODING=ascii: the run ends as with UTF-8, the text escaped, JSON still JSON
    env = cli.base_env(home, **cli.triplet("ONE", "r\u00e9gistry.example", "u", "pw-one"))
    utf8 = cli.run(["login", *json_flag], {**env, "PYTHONIOENCODING": "utf-8"})
    ascii_only = cli.run(["login", *json_flag], {**env, "PYTHONIOENCODING": "ascii"})
    assert ascii_only.returncode == utf8.returncode, ascii_only.err
    assert "stdout" not in ascii_only.err
    assert ascii_only.out.isascii()
    if json_flag:
        assert json.loads(ascii_only.out) == json.loads(utf8.out)
    else:
        assert "r\\xe9gistry.example" in ascii_only.out


@pytest.mark.parametrize(
    ("command", "status"),
    [
        ("login --bogus", 2),
        ("login --json --bogus", 2),
        ("debug-login", 2),
        ("doctor --wait nan", 2),
        ("login --env-file /nonexistent/env", 2),
        ("login", 0),
    ],
)
def test_a_full_stderr_never_changes_the_exit_status(home: Path, command: str, status: int) -> None:
    # stderr is where we would report a failure to write stderr: it is best effort
    argv = " ".join(cli.program("cs-registry"))
    env = cli.base_env(home, **cli.triplet("ONE", "127.0.0.1:5000", "u", "pw-one"))
    result = _shell(f"{argv} {command} 2>/dev/full", env)
    assert result.returncode == status, result.out
    assert not (home / ".cache" / "cs-registry" / "cs-registry.log").exists()


@pytest.mark.parametrize("redirect", [">&-", ">&- 2>&-", "2>&-"])
def test_the_helper_with_closed_streams_never_crashes(home: Path, redirect: str) -> None:
    argv = " ".join(cli.program(HELPER))
    result = _shell(f"printf ghcr.io | {argv} get {redirect}", cli.base_env(home))
    _traceback_free(result)
    assert result.returncode == 1
    if redirect == "2>&-":
        assert result.out == "credentials not found in native keychain\n"


# -- signals -----------------------------------------------------------------------


def _wait_for_open(pid: int, path: Path, timeout: float = 20.0) -> None:
    """Until process ``pid`` has ``path`` open (it is waiting for that lock)."""
    deadline = time.monotonic() + timeout
    target = str(path)
    while time.monotonic() < deadline:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                        return
                except OSError:
                    continue
        except OSError:
            pass
        time.sleep(0.02)
    raise AssertionError(f"process {pid} never opened {path}")


@pytest.fixture
def held_lock(home: Path) -> Iterator[Path]:
    """Docker's config lock, held by this test: a login waits for it."""
    docker = home / ".docker"
    docker.mkdir(mode=0o700)
    (docker / "config.json").write_text("{}")
    lock = docker / ".config.json.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield lock
    finally:
        os.close(fd)


@pytest.mark.parametrize(
    ("sig", "status", "word"),
    [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")],
)
@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_a_signal_ends_login_with_one_line_and_its_status(
    home: Path, held_lock: Path, sig: signal.Signals, status: int, word: str, json_flag: list[str]
) -> None:
    secret = cli.canary("sig")
    env = cli.base_env(home, **cli.triplet("SIG", "ghcr.io", "octo", secret))
    argv = [*cli.program("cs-registry"), "login", *json_flag]
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        _wait_for_open(proc.pid, held_lock)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
        proc.wait()
    result = cli.Result(argv, proc.returncode, out, err, 0.0)
    _traceback_free(result)
    assert proc.returncode == status, result.err
    assert word in _one_line(result.err)
    assert secret not in result.out + result.err
    if json_flag:
        document = json.loads(result.out)
        assert document["ok"] is False
        assert document["error"]["code"] == "interrupted"
    else:
        assert result.out == ""
    docker = held_lock.parent
    assert sorted(p.name for p in docker.iterdir()) == [".config.json.lock", "config.json"]
    assert (docker / "config.json").read_text() == "{}"


# -- the credential helper ---------------------------------------------------------

HELPER = "docker-credential-cs-registry"


def _helper(args: list[str], env: dict[str, str], stdin: bytes, stdout: int) -> cli.Result:
    proc = subprocess.run(
        [*cli.program(HELPER), *args],
        input=stdin,
        stdout=stdout,
        stderr=subprocess.PIPE,
        env=env,
        timeout=30,
        check=False,
    )
    return cli.Result(proc.args, proc.returncode, proc.stdout or b"", proc.stderr, 0.0)


@pytest.mark.parametrize(
    ("action", "stdin"),
    [("get", b"ghcr.io"), ("store", b"{}"), ("list", b""), ("version", b"")],
)
def test_the_helper_writing_to_a_full_disk_fails_without_a_traceback(
    home: Path, action: str, stdin: bytes
) -> None:
    with open("/dev/full", "wb") as full:
        result = _helper([action], cli.base_env(home), stdin, full.fileno())
    _traceback_free(result)
    assert result.returncode == 1, result.err
    # at most the cause of the failure and that its answer could not be written
    assert len(result.err.splitlines()) <= 2, result.err
    assert "cannot write the answer" in result.err


@pytest.mark.parametrize("action", ["get", "list", "version"])
def test_the_helper_writing_to_a_closed_pipe_fails_without_a_traceback(
    home: Path, action: str
) -> None:
    result = _closed_pipe_run([action], cli.base_env(home), name=HELPER)
    _traceback_free(result)
    assert result.returncode == 1, result.err
    assert len(result.err.splitlines()) <= 2, result.err
    assert "cannot write the answer" in result.err


@pytest.mark.parametrize(
    ("action", "stdin"),
    [
        ("store", b"\xff\xfe\x00{garbage"),
        ("store", b'{"ServerURL": ["x"], "Username": {}, "Secret": 5}'),
        ("store", b"[" * 100_000),
        ("get", b"\xff\xfe\x00\x1b[2J"),
        ("get", b"\x00" * 10_000),
    ],
)
def test_the_helper_answers_garbage_with_one_protocol_line(
    home: Path, action: str, stdin: bytes
) -> None:
    result = _helper([action], cli.base_env(home), stdin, subprocess.PIPE)
    _traceback_free(result)
    assert result.returncode == 1, result.err
    assert len(result.out.splitlines()) == 1, result.out
    assert not any(c in result.out + result.err for c in RAW_CONTROLS)


@pytest.mark.parametrize(("sig", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_during_an_ecr_swap_gets_one_protocol_line(
    home: Path, sig: signal.Signals, status: int
) -> None:
    secret = cli.canary("ecr")
    host = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
    with black_hole() as endpoint:
        env = cli.base_env(
            home,
            **cli.triplet("ECR", host, "AKIAIOSFODNN7EXAMPLE", secret),
            AWS_ENDPOINT_URL_ECR=f"http://{endpoint}",
            AWS_EC2_METADATA_DISABLED="true",
        )
        argv = [*cli.program(HELPER), "get"]
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        assert proc.stdin is not None
        proc.stdin.write(host.encode())
        proc.stdin.close()
        proc.stdin = None  # communicate() must not flush it again
        time.sleep(2.0)  # start-up and the botocore import; the swap then waits on the hole
        proc.send_signal(sig)
        try:
            out, err = proc.communicate(timeout=20)
        finally:
            proc.kill()
            proc.wait()
    result = cli.Result(argv, proc.returncode, out, err, 0.0)
    _traceback_free(result)
    assert proc.returncode == status, result.err
    assert len(result.out.splitlines()) == 1, result.out
    assert secret not in result.out + result.err


# -- text from outside is inert ----------------------------------------------------


def _hostile_registry(req: R.Request, conn: socket.socket, srv: R.RawServer) -> None:
    body = json.dumps(
        {"errors": [{"code": "UNAUTHORIZED", "message": HOSTILE, "detail": HOSTILE}]}
    ).encode()
    headers = {"WWW-Authenticate": 'Basic realm="hostile"', "Content-Type": "application/json"}
    conn.sendall(R.response("401 Unauthorized", headers, body))


def _assert_inert(text: str) -> None:
    assert not any(c in text for c in RAW_CONTROLS), repr(text[-2000:])
    lines = text.split("\n")
    assert not any(line.startswith("Diagnosis: ok") for line in lines), text
    assert sum(line.startswith("Diagnosis:") for line in lines) <= 1, text


def test_debug_login_shows_a_registry_error_text_inert(home: Path) -> None:
    with R.serve(_hostile_registry) as registry:
        result = cli.run(
            ["debug-login", "--verbose", registry.host, "-u", "octo", "--password-stdin"],
            cli.base_env(home),
            stdin=b"hostile-password",
        )
    _traceback_free(result)
    assert result.returncode == 1, result.err
    _assert_inert(result.out + result.err)
    assert "pwned" in result.out  # shown, escaped, not dropped


def test_login_verify_shows_a_registry_error_text_inert(home: Path) -> None:
    with R.serve(_hostile_registry) as registry:
        env = cli.base_env(home, **cli.triplet("EVIL", registry.host, "octo", cli.canary()))
        result = cli.run(["login", "--verify"], env)
    _traceback_free(result)
    assert result.returncode == 1, result.out + result.err
    _assert_inert(result.out + result.err)


def test_doctor_shows_a_hostile_path_and_file_inert(home: Path, tmp_path: Path) -> None:
    # a cloned repository's directory name and devcontainer.json are someone else's text
    workspace = tmp_path / f"clone{HOSTILE}"
    (workspace / ".devcontainer").mkdir(parents=True)
    # json.dumps escapes the controls: the parsed key holds them raw
    repositories = {HOSTILE: {"permissions": "read-all"}}
    document = {"customizations": {"codespaces": {"repositories": repositories}}}
    (workspace / ".devcontainer" / "devcontainer.json").write_text(json.dumps(document))
    env = cli.base_env(home, DOCKER_HOST=f"tcp://127.0.0.1:{closed_port()}")
    for args in (["doctor", "--wait", "0.1"], ["doctor", "--hook"]):
        result = cli.run([*args, "--workspace", str(workspace)], env)
        _traceback_free(result)
        _assert_inert(result.out + result.err)
        assert "pwned" in result.out, result.out


@pytest.mark.parametrize("hook", [["--hook"], []])
def test_login_shows_a_hostile_path_in_its_error_inert(
    home: Path, tmp_path: Path, hook: list[str]
) -> None:
    missing = tmp_path / f"env{HOSTILE}"
    result = cli.run(["login", *hook, "--env-file", str(missing)], cli.base_env(home))
    _traceback_free(result)
    assert result.returncode == (0 if hook else 2), result.err
    _assert_inert(result.out + result.err)
    assert "pwned" in result.out + result.err


def test_login_hook_with_json_prints_one_document_when_it_stops(home: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no-such.env"
    result = cli.run(["login", "--hook", "--json", "--env-file", str(missing)], cli.base_env(home))
    _traceback_free(result)
    assert result.returncode == 0  # the hook never fails the lifecycle
    document = json.loads(result.out)
    assert document["ok"] is False
    assert document["error"]["code"] == "usage_error"
    assert str(missing) in document["error"]["message"]


def test_doctor_hook_with_json_prints_one_document(home: Path, tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    (workspace / ".devcontainer").mkdir(parents=True)
    (workspace / ".devcontainer" / "devcontainer.json").write_text("{,}")
    args = ["doctor", "--hook", "--json", "--workspace", str(workspace)]
    result = cli.run(args, cli.base_env(home, ACTION_NAME="createPrebuildTemplate"))
    _traceback_free(result)
    assert result.returncode == 0  # the hook never fails the lifecycle
    document = json.loads(result.out)
    codes = {check["code"] for check in document["checks"]}
    assert {"prebuild_phase", "jsonc_syntax"} <= codes, codes
    assert document["ok"] is False
