"""How a command's process ends: output flushed, the status kept, teardown skipped only
when nothing waits for it (``streams.exit_process``, used by every launcher)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.support.require import missing

AGENT = str(Path(__file__).resolve().parents[2] / "agent")


def _run(body: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run ``body`` in a fresh interpreter with the package importable."""
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kwargs}
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-c", textwrap.dedent(body)],
        env={**os.environ, "PYTHONPATH": AGENT},
        text=True,
        timeout=30,
        check=False,
        **streams,
    )


def test_output_is_flushed_and_the_status_kept() -> None:
    done = _run(
        """
        import sys
        from cs_registry.streams import exit_process
        sys.stdout.write("out without a newline")
        sys.stderr.write("err without a newline")
        exit_process(3)
        """
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        3,
        "out without a newline",
        "err without a newline",
    )


def test_the_interpreters_teardown_is_skipped_when_nothing_waits_for_it() -> None:
    # an object freed at teardown says so: with nothing registered, no teardown runs
    done = _run(
        """
        import sys
        from cs_registry.streams import exit_process
        class Noisy:
            def __del__(self):
                sys.stderr.write("torn down")
        kept = Noisy()
        exit_process(0)
        """
    )
    assert (done.returncode, done.stderr) == (0, "")


def test_an_atexit_callback_still_runs() -> None:
    done = _run(
        """
        import atexit, sys
        from cs_registry.streams import exit_process
        atexit.register(lambda: sys.stdout.write("callback ran"))
        exit_process(4)
        """
    )
    assert (done.returncode, done.stdout) == (4, "callback ran")


def test_a_running_thread_is_waited_for() -> None:
    done = _run(
        """
        import sys, threading, time
        from cs_registry.streams import exit_process
        def late():
            time.sleep(0.3)
            sys.stdout.write("thread finished")
        threading.Thread(target=late).start()
        exit_process(5)
        """
    )
    assert (done.returncode, done.stdout) == (5, "thread finished")


def test_a_profiler_still_writes_its_results(tmp_path: Path) -> None:
    script = tmp_path / "script.py"
    script.write_text("from cs_registry.streams import exit_process\nexit_process(0)\n")
    profile = tmp_path / "profile.out"
    done = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(profile), str(script)],
        env={**os.environ, "PYTHONPATH": AGENT},
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert profile.stat().st_size > 0


def test_python_i_still_reaches_its_prompt() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-i",
            "-c",
            "from cs_registry.streams import exit_process; exit_process(3)",
        ],
        env={**os.environ, "PYTHONPATH": AGENT},
        input='print("prompt reached")\n',
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert "prompt reached" in done.stdout


def test_an_output_that_cannot_be_flushed_ends_as_the_interpreter_would() -> None:
    if not os.path.exists("/dev/full"):
        missing("/dev/full")  # skips on a laptop without it, fails under CI
    # the interpreter's own rule for a failed flush at exit: a message and status 120
    body = """
        import sys
        from cs_registry.streams import exit_process
        sys.stdout = open("/dev/full", "w", buffering=1 << 16)
        sys.stdout.write("held in the buffer")
        {end}(0)
        """
    ours = _run(body.format(end="exit_process"))
    usual = _run(body.format(end="sys.exit"))
    assert ours.returncode == usual.returncode == 120
    assert "No space left on device" in ours.stderr
    assert ours.stderr == usual.stderr
