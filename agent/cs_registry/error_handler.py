"""The one error boundary: expected errors become one line, bugs a pointer to the log.

Every way a run can end passes here: an expected failure (its code and exit
status), Ctrl-C (130) and SIGTERM (143, raised as
:class:`~cs_registry.signals.Terminated` by the handler the entry point installs), a reader that
left (``| head``: exit 141, silently), and a bug (3, traceback to the log file).
With ``--json`` each of them still prints exactly one document on stdout.
"""

from __future__ import annotations

import errno
import os

from cs_registry import log
from cs_registry.errors import CsRegistryError
from cs_registry.signals import Terminated
from cs_registry.status import ExitStatus

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~4 ms)
if TYPE_CHECKING:
    from types import TracebackType
    from typing import NoReturn, TextIO

    from cs_registry.context import Context


class Exit(Exception):
    """Carries an exit status out of the boundary."""

    def __init__(self, status: ExitStatus) -> None:
        super().__init__(int(status))
        self.status = status


def is_broken_pipe(exc: BaseException) -> bool:
    """Whether ``exc`` says the reader of a pipe went away."""
    return isinstance(exc, BrokenPipeError) or (
        isinstance(exc, OSError) and exc.errno == errno.EPIPE
    )


def silence(stream: TextIO) -> None:
    """Point ``stream``'s descriptor at /dev/null, so that the interpreter's own flush at
    exit does not fail again on a closed or full output (and print "Exception ignored")."""
    try:
        fd = stream.fileno()
    except (AttributeError, ValueError, OSError):
        return  # not a real file (a test's StringIO): nothing is flushed at exit
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def _json_error(ctx: Context, code: str, message: str) -> None:
    """With ``--json``, stdout still carries one document, even when the run stops early."""
    import json

    document = {"ok": False, "error": {"code": code, "message": message}}
    ctx.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def boundary(ctx: Context, *, json_output: bool = False) -> _Boundary:
    """Turn exceptions into exit statuses and one clear line on stderr.

    With ``json_output`` the error is also printed on stdout as
    ``{"ok": false, "error": {"code", "message"}}``.
    """
    return _Boundary(ctx, json_output)


class _Boundary:
    """The ``with`` block of :func:`boundary` (a class, not a ``contextlib`` generator:
    contextlib would cost every run its import)."""

    def __init__(self, ctx: Context, json_output: bool) -> None:
        self._ctx = ctx
        self._json_output = json_output

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        _kind: type[BaseException] | None,
        exc: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        if exc is None:
            return
        if is_broken_pipe(exc):
            # the reader stopped early (`| head`): nothing to say, nothing to log
            silence(self._ctx.stdout)
            raise Exit(ExitStatus.BROKEN_PIPE) from None
        if isinstance(exc, CsRegistryError):
            self._expected(exc)
        elif isinstance(exc, KeyboardInterrupt):
            self._stopped("interrupted", ExitStatus.INTERRUPTED)
        elif isinstance(exc, Terminated):
            self._stopped("terminated", ExitStatus.TERMINATED)
        elif isinstance(exc, Exception):  # the last resort: a bug
            self._bug(exc)

    def _say(self, code: str, message: str, status: ExitStatus) -> NoReturn:
        from cs_registry.ui import inert  # messages may quote files and servers

        message = inert(log.scrub(message))
        # the contract codes say no more than the line itself; diagnosis codes do
        shown = f" [{code}]" if code not in ("usage_error", "interrupted", "internal_error") else ""
        self._ctx.stderr.write(f"cs-registry: {message}{shown}\n")
        if self._json_output:
            _json_error(self._ctx, code, message)
        raise Exit(status) from None

    def _expected(self, exc: CsRegistryError) -> NoReturn:
        self._say(str(exc.code), exc.message, exc.status)

    def _stopped(self, word: str, status: ExitStatus) -> NoReturn:
        self._say("interrupted", word, status)

    def _bug(self, exc: Exception) -> NoReturn:
        import traceback  # only on this path: it costs every run a few ms at start-up

        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        where = log.append_to_log_file(self._ctx.cache_dir, text)
        pointer = f"the traceback is in {where}" if where else "no log file could be written"
        message = (
            f"internal error ({type(exc).__name__}); {pointer}. Please report it with that file."
        )
        self._say("internal_error", message, ExitStatus.INTERNAL)
