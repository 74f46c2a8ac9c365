"""Running a child process that cannot be trusted to finish, or to stop talking.

What :mod:`cs_registry.helper_client` needs from a process: the payload written and
both outputs read without ever blocking past one deadline, stdout capped, and on a
timeout (or any exception, Ctrl-C included) the child's whole process group killed,
so whatever it forked (a password prompt) dies with it. The child runs in a session
of its own (``start_new_session``), which makes it the leader of that group.
"""

from __future__ import annotations

import contextlib
import os
import time

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~4 ms)
if TYPE_CHECKING:
    import subprocess

_CHUNK = 1 << 16


class Stalled(Exception):
    """The child did not finish before the deadline (it has been killed)."""


class Flooded(Exception):
    """The child wrote more than the output limit (it has been killed)."""


def run_bounded(
    argv: list[str],
    payload: bytes,
    *,
    env: dict[str, str],
    timeout: float,
    output_limit: int,
    stderr_kept: int,
) -> tuple[int, bytes, bytes]:
    """Run ``argv`` with ``payload`` on stdin: (exit status, stdout, stderr).

    Raises :class:`Stalled` when it has not finished within ``timeout`` seconds and
    :class:`Flooded` when stdout passes ``output_limit`` bytes (stderr beyond
    ``stderr_kept`` bytes is read and dropped); either way, and on any exception
    (Ctrl-C), its whole process group is killed first. ``OSError`` when it cannot start.
    """
    import subprocess

    deadline = time.monotonic() + timeout
    process = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        # its own session and process group: a timeout kills everything it started
        start_new_session=True,
    )
    try:
        out, err = _pump(process, payload, deadline, output_limit, stderr_kept)
        try:
            process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise Stalled from None
        return process.returncode, out, err
    finally:
        if process.returncode is None:  # stalled, flooded or interrupted
            _kill_group(process)
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream is not None and not stream.closed:
                with contextlib.suppress(OSError):
                    stream.close()


def _pump(
    process: subprocess.Popen[bytes],
    payload: bytes,
    deadline: float,
    output_limit: int,
    stderr_kept: int,
) -> tuple[bytes, bytes]:
    """Write ``payload``, read both outputs, all without blocking past ``deadline``."""
    import selectors

    stdin, stdout, stderr = process.stdin, process.stdout, process.stderr
    assert stdin is not None
    assert stdout is not None
    assert stderr is not None
    out, err = bytearray(), bytearray()
    view, sent = memoryview(payload), 0
    with selectors.DefaultSelector() as selector:
        if payload:
            os.set_blocking(stdin.fileno(), False)
            selector.register(stdin, selectors.EVENT_WRITE)
        else:
            stdin.close()
        selector.register(stdout, selectors.EVENT_READ)
        selector.register(stderr, selectors.EVENT_READ)
        while selector.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                raise Stalled
            for key, _ in selector.select(left):
                if key.fileobj is stdin:
                    sent = _write_chunk(key.fd, view, sent)
                    if sent >= len(payload):
                        selector.unregister(stdin)
                        stdin.close()
                    continue
                chunk = os.read(key.fd, _CHUNK)
                if not chunk:
                    selector.unregister(key.fileobj)
                elif key.fileobj is stdout:
                    out += chunk
                    if len(out) > output_limit:
                        raise Flooded
                elif len(err) < stderr_kept:
                    err += chunk[: stderr_kept - len(err)]
    return bytes(out), bytes(err)


def _write_chunk(fd: int, view: memoryview, sent: int) -> int:
    """Write the payload's next chunk to a non-blocking pipe; how much is sent now."""
    try:
        return sent + os.write(fd, view[sent : sent + _CHUNK])
    except BlockingIOError:  # the pipe is full after all: the selector will call again
        return sent
    except BrokenPipeError:  # it stopped reading: its answer will say why
        return len(view)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the helper's whole process group (a forked prompt too), then reap it."""
    import signal
    import subprocess

    with contextlib.suppress(OSError):  # the group is gone already
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):  # stuck in the kernel: leave it
        process.wait(2.0)


__all__ = ["Flooded", "Stalled", "run_bounded"]
