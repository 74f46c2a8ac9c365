"""The process's own stdout, made to fail in one known way.

A ``print`` into a closed pipe, a full disk (``>/dev/full``) or a closed descriptor
(``>&-``) raises wherever it happens, as a bare ``OSError`` (or, with no stdout at
all, an ``AttributeError`` on ``None``). :class:`Output` turns each of those into
:class:`OutputError`, which the error boundary reads as "the output went away": quiet
for a reader that left, one line on stderr otherwise, never a bug report.
"""

from __future__ import annotations

import atexit
import errno
import os
import sys

TYPE_CHECKING = False  # not typing's: importing typing adds 0.3x python's start-up (README)
if TYPE_CHECKING:
    from typing import Any, NoReturn, TextIO


class OutputError(Exception):
    """Writing or flushing stdout failed; ``errno`` says why (EPIPE: the reader left)."""

    def __init__(self, number: int, reason: str) -> None:
        super().__init__(reason)
        self.errno = number
        self.reason = reason


class Output:
    """A text stream (``sys.stdout``, possibly ``None``) whose failures are :class:`OutputError`."""

    def __init__(self, stream: TextIO | None) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        if self._stream is None:
            raise OutputError(errno.EBADF, "stdout is closed")
        try:
            return self._stream.write(text)
        except (OSError, ValueError) as exc:  # ValueError: "I/O operation on closed file"
            raise _output_error(exc) from None

    def flush(self) -> None:
        if self._stream is None:
            return
        try:
            self._stream.flush()
        except (OSError, ValueError) as exc:
            raise _output_error(exc) from None

    def __getattr__(self, name: str) -> Any:
        # isatty, fileno, encoding...: the stream's own (AttributeError when there is none)
        return getattr(self._stream, name)


def _output_error(exc: OSError | ValueError) -> OutputError:
    if isinstance(exc, UnicodeError):
        return OutputError(errno.EILSEQ, f"its encoding cannot show the text ({exc})")
    if isinstance(exc, OSError) and exc.errno is not None:
        return OutputError(exc.errno, exc.strerror or os.strerror(exc.errno))
    return OutputError(errno.EBADF, "stdout is closed")


#: how long, in all, a process waits for a stderr that is full but not broken (a
#: non-blocking pipe or terminal its reader is slow to drain) before dropping the rest
STDERR_PATIENCE_S = 2.0


class BestEffort:
    """A process's stderr: what it cannot take (closed, ``/dev/full``) is dropped, since
    there is nowhere left to say so; the exit status still tells what happened. A
    non-blocking stderr that is only full is waited for, up to ``STDERR_PATIENCE_S``
    over the whole run, before it is given up."""

    def __init__(self, stream: TextIO | None, patience: float = STDERR_PATIENCE_S) -> None:
        self._stream = stream
        self._patience = patience
        self._deadline: float | None = None

    def write(self, text: str) -> int:
        stream = self._stream  # once: another thread may give up meanwhile
        if stream is not None:
            try:
                stream.write(text)
            except BlockingIOError:  # the text stays in the stream's buffer
                self._wait_and_flush(stream)
            except (OSError, ValueError):
                self._give_up(stream)
        return len(text)

    def flush(self) -> None:
        stream = self._stream
        if stream is not None:
            try:
                stream.flush()
            except BlockingIOError:
                self._wait_and_flush(stream)
            except (OSError, ValueError):
                self._give_up(stream)

    def _wait_and_flush(self, stream: TextIO) -> None:
        """Flush what is buffered as the reader makes room, until the patience is spent."""
        import select
        import time

        if self._deadline is None:
            self._deadline = time.monotonic() + self._patience
        while (left := self._deadline - time.monotonic()) > 0:
            try:
                select.select([], [stream.fileno()], [], left)
                stream.flush()
                return
            except BlockingIOError:
                continue
            except (OSError, ValueError):
                break
        self._give_up(stream)

    def _give_up(self, stream: TextIO) -> None:
        silence(stream)  # what stays buffered goes to /dev/null at the next flush
        self._stream = None

    def __getattr__(self, name: str) -> Any:
        # isatty, fileno, encoding...: the stream's own (AttributeError when there is none)
        return getattr(self._stream, name)


def process_streams() -> tuple[TextIO, TextIO]:
    """stdout and stderr for a process's Context: stdout as :class:`Output`, stderr as
    :class:`BestEffort`."""
    # a character stdout's encoding lacks (PYTHONIOENCODING=ascii) is shown as an escape,
    # as stderr always does, instead of failing the run
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="backslashreplace")
    return Output(sys.stdout), process_stderr()  # type: ignore[return-value]  # a TextIO


def process_stderr() -> TextIO:
    """The process's stderr as :class:`BestEffort`; a closed one (``2>&-``) as /dev/null,
    so that no file the run opens becomes descriptor 2."""
    stderr = sys.stderr or open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115  # the run's
    return BestEffort(stderr)  # type: ignore[return-value]  # a TextIO to its readers


def is_broken_pipe(exc: BaseException) -> bool:
    """Whether ``exc`` says the reader of stdout went away."""
    if isinstance(exc, OutputError):
        return exc.errno == errno.EPIPE
    return isinstance(exc, BrokenPipeError)


def silence(stream: object) -> None:
    """Point ``stream``'s descriptor at /dev/null, so that the interpreter's own flush at
    exit does not fail again on a closed or full output (and print "Exception ignored")."""
    try:
        fd = stream.fileno()  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):
        return  # not a real file (a test's StringIO), or no stream at all
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def exit_process(status: int) -> NoReturn:
    """End the process with ``status``: stdout and stderr flushed, teardown skipped.

    The interpreter's teardown frees every object of every module one by one, work
    the kernel does at once when the process ends: about 0.3x of the bare
    interpreter's start-up for ``login`` (README, "Benchmarks"). It is skipped only
    when it has nothing else to do: no other thread to wait for, no ``atexit``
    callback (logging, ``weakref.finalize`` and others register one), no profiler,
    tracer or ``python -i`` prompt waiting for the end, and output that flushed;
    otherwise the process exits the usual way.
    """
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        raise SystemExit(status) from None  # the interpreter reports it, as it always has
    threading = sys.modules.get("threading")
    alone = threading is None or threading.active_count() == 1
    watched = sys.getprofile() is not None or sys.gettrace() is not None or sys.flags.inspect
    callbacks = getattr(atexit, "_ncallbacks", None)  # CPython's; elsewhere: the usual way
    if alone and not watched and callbacks is not None and callbacks() == 0:
        os._exit(status)
    raise SystemExit(status)
