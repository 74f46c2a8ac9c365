"""A process's stderr (``streams.BestEffort``): a broken one is dropped, a full one that
is only slow is waited for, a closed one never lends its descriptor to a file."""

from __future__ import annotations

import fcntl
import io
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cs_registry.streams import BestEffort

AGENT = str(Path(__file__).resolve().parents[2] / "agent")


def _stderr_like(fd: int) -> io.TextIOWrapper:
    """A text stream over ``fd`` buffered as Python's stderr is: by line."""
    return io.TextIOWrapper(open(fd, "wb"), encoding="utf-8", line_buffering=True)


@pytest.fixture
def full_pipe() -> Iterator[tuple[int, io.TextIOWrapper]]:
    """A non-blocking pipe already full, as stderr: (read end, text writer)."""
    read, write = os.pipe()
    fcntl.fcntl(read, fcntl.F_SETPIPE_SZ, 4096)
    fcntl.fcntl(write, fcntl.F_SETFL, fcntl.fcntl(write, fcntl.F_GETFL) | os.O_NONBLOCK)
    try:
        while True:
            os.write(write, b"x" * 512)
    except BlockingIOError:
        pass
    writer = _stderr_like(write)
    yield read, writer
    os.close(read)
    writer.close()


def _drain(read: int, after: float, into: bytearray) -> threading.Thread:
    def run() -> None:
        time.sleep(after)
        os.set_blocking(read, False)
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            try:
                chunk = os.read(read, 65536)
            except BlockingIOError:
                time.sleep(0.01)
                continue
            into.extend(chunk)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_full_stderr_that_drains_gets_its_line(full_pipe: tuple[int, io.TextIOWrapper]) -> None:
    read, writer = full_pipe
    received = bytearray()
    drainer = _drain(read, 0.2, received)
    err = BestEffort(writer, patience=5.0)
    err.write("cs-registry: unrecognized arguments: --bogus\n")
    err.flush()
    drainer.join()
    assert received.endswith(b"cs-registry: unrecognized arguments: --bogus\n")


def test_a_stderr_that_never_drains_is_given_up_within_the_patience(
    full_pipe: tuple[int, io.TextIOWrapper],
) -> None:
    _read, writer = full_pipe
    err = BestEffort(writer, patience=0.3)
    started = time.monotonic()
    err.write("first\n")
    err.write("second\n")  # given up already: no second wait
    err.flush()
    assert time.monotonic() - started < 1.5


def test_a_broken_stderr_is_dropped_without_an_error() -> None:
    read, write = os.pipe()
    os.close(read)
    writer = _stderr_like(write)
    err = BestEffort(writer)
    assert err.write("into a closed pipe\n") == len("into a closed pipe\n")
    err.flush()
    err.write("and again\n")
    writer.close()  # the descriptor now points at /dev/null: closing flushes nothing


def test_a_closed_stderr_never_lends_fd_2_to_a_file(tmp_path: Path) -> None:
    probe = (
        "import os\n"
        "from cs_registry.streams import process_streams\n"
        "out, err = process_streams()\n"
        f"fd = os.open({str(tmp_path / 'lock')!r}, os.O_CREAT | os.O_WRONLY)\n"
        "print(fd)\n"
    )
    done = subprocess.run(
        ["bash", "-c", f'"{sys.executable}" -c "$PROBE" 2>&-'],
        env={**os.environ, "PYTHONPATH": AGENT, "PROBE": probe},
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert int(done.stdout) != 2
