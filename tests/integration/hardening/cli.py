"""Running the real ``cs-registry`` executables as child processes, and watching them.

The hardening suites test the product the way users meet it: whole processes with
their own environment, killed, raced and fed bytes. Everything here keeps the
child away from the real home and the real Docker config.
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

_BIN = Path(sys.executable).parent

#: what every child gets, whatever the test environment holds (PYTHONPATH: a worktree's
#: tests run its own package, not the one the shared virtualenv's editable install names)
_KEEP = ("PATH", "LANG", "LC_ALL", "TZ", "SYSTEMROOT", "PYTHONPATH")


def program(name: str) -> list[str]:
    """argv prefix of a console script installed next to this interpreter.

    ``cs-registry`` falls back to ``python -m cs_registry`` when the script is not
    installed (an unusual venv layout); other programs must exist.
    """
    script = _BIN / name
    if script.exists():
        return [str(script)]
    if name == "cs-registry":
        return [sys.executable, "-m", "cs_registry"]
    raise FileNotFoundError(f"{name} is not installed next to {sys.executable}")


def has_program(name: str) -> bool:
    return (_BIN / name).exists()


def base_env(home: Path, **extra: str) -> dict[str, str]:
    """A clean environment rooted in ``home`` (no inherited triplets or Docker config)."""
    env = {k: os.environ[k] for k in _KEEP if k in os.environ}
    env.update(
        HOME=str(home),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_CONFIG_HOME=str(home / ".config"),
        CS_REGISTRY_CODESPACES_ENV_FILE=str(home / "no-codespaces.json"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(extra)
    return env


def triplet(ident: str, server: str, user: str, password: str) -> dict[str, str]:
    """The three variables of one registry secret triplet."""
    return {
        f"{ident}_CONTAINER_REGISTRY_SERVER": server,
        f"{ident}_CONTAINER_REGISTRY_USER": user,
        f"{ident}_CONTAINER_REGISTRY_PASSWORD": password,
    }


def auth(user: str, password: str) -> str:
    """The ``auth`` value Docker stores for ``user``/``password``."""
    return base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def canary(label: str = "") -> str:
    """A secret no program would print by accident: unique per call."""
    return f"CANARY{label}{secrets.token_hex(12)}"


@dataclass
class Result:
    """What one finished child process left behind."""

    argv: list[str]
    returncode: int
    stdout: bytes
    stderr: bytes
    seconds: float

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8", "replace")

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", "replace")


def run(
    args: Sequence[str],
    env: Mapping[str, str] | Mapping[bytes, bytes],
    *,
    name: str = "cs-registry",
    stdin: bytes = b"",
    timeout: float = 30.0,
    cwd: Path | None = None,
) -> Result:
    """Run ``name args`` to completion (killed and failed after ``timeout`` seconds)."""
    argv = [*program(name), *args]
    started = time.monotonic()
    done = subprocess.run(
        argv,
        input=stdin,
        capture_output=True,
        env=env,  # bytes or str mappings are both fine
        timeout=timeout,
        check=False,
        cwd=cwd,
    )
    return Result(argv, done.returncode, done.stdout, done.stderr, time.monotonic() - started)


# fork+exec from a small interpreter: a child forked (or vforked) straight from pytest
# would report pytest's own resident size as its peak
_RSS_TRAMPOLINE = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(str(usage.ru_maxrss))
code = os.waitstatus_to_exitcode(status)
if code < 0:
    os.kill(os.getpid(), -code)
sys.exit(code)
"""


@dataclass
class Measured(Result):
    """A :class:`Result` with the child's peak resident memory."""

    max_rss_kib: int = 0


def run_measured(
    args: Sequence[str],
    env: Mapping[str, str] | Mapping[bytes, bytes],
    *,
    name: str = "cs-registry",
    stdin: bytes = b"",
    timeout: float = 30.0,
) -> Measured:
    """Like :func:`run`, and also report peak memory (``wait4``'s ``ru_maxrss``).

    The child is killed and the test failed when it outlives ``timeout``.
    """
    argv = [*program(name), *args]
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile() as rss,
    ):
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _RSS_TRAMPOLINE, rss.name, *argv],
            stdin=subprocess.PIPE,
            stdout=out,
            stderr=err,
            env=env,  # bytes or str mappings are both fine
        )
        assert proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            proc.stdin.write(stdin)
        proc.stdin.close()
        while True:
            pid, status = os.waitpid(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > timeout:
                proc.kill()
                proc.wait()
                raise AssertionError(f"{argv[-len(args) :]} still running after {timeout}s")
            time.sleep(0.005)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        return Measured(
            argv,
            proc.returncode,
            out.read(),
            err.read(),
            seconds,
            max_rss_kib=int(Path(rss.name).read_text() or 0),
        )


def assert_no_traceback(result: Result) -> None:
    """A user never sees a Python traceback, whatever we feed the program."""
    for stream in (result.out, result.err):
        assert "Traceback (most recent call last)" not in stream, stream[-3000:]
    assert result.returncode != 3, f"internal error: {result.err[-2000:]}"


@dataclass
class CmdlineWatcher:
    """Polls every process's ``/proc/PID/cmdline`` while a test runs.

    A secret passed as a program argument is visible to every user of the machine
    (``ps``); the watcher records any command line that contains one of ``needles``.
    Children that live for a few milliseconds (credential helpers) are caught by
    polling every ``interval`` seconds.
    """

    needles: Sequence[str]
    interval: float = 0.003
    hits: list[str] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)
    scans: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> CmdlineWatcher:
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join()

    def _loop(self) -> None:
        encoded = [n.encode() for n in self.needles]
        own = os.getpid()
        while not self._stop.is_set():
            self.scan(encoded, own)
            self._stop.wait(self.interval)

    def scan(self, encoded: Sequence[bytes], own: int) -> None:
        self.scans += 1
        for name in os.listdir("/proc"):
            if not name.isdigit() or int(name) == own:
                continue
            try:  # os.open/os.read: a third of the cost of open(), and this runs hot
                fd = os.open(f"/proc/{name}/cmdline", os.O_RDONLY)
            except OSError:
                continue  # gone already
            try:
                cmdline = os.read(fd, 1 << 20)
            except OSError:
                continue
            finally:
                os.close(fd)
            self.seen.add(int(name))
            if any(needle in cmdline for needle in encoded):
                self.hits.append(cmdline.replace(b"\0", b" ").decode("utf-8", "replace"))


def files_under(root: Path) -> list[Path]:
    """Every regular file below ``root``."""
    return [p for p in root.rglob("*") if p.is_file() and not p.is_symlink()]
