"""The one error boundary: expected errors become one line, bugs a pointer to the log.

Every way a run can end passes here: an expected failure (its code and exit
status), Ctrl-C (130) and SIGTERM (143, raised as
:class:`~cs_registry.signals.Terminated` by the handler the entry point installs), a reader that
left (``| head``: exit 141, silently), and a bug (3, traceback to the log file).
With ``--json`` each of them still prints exactly one document on stdout.
"""

from __future__ import annotations

from cs_registry import log
from cs_registry.errors import CsRegistryError
from cs_registry.signals import Terminated
from cs_registry.status import ExitStatus
from cs_registry.streams import OutputError, is_broken_pipe, silence

TYPE_CHECKING = False  # not typing's: importing typing adds 0.3x python's start-up (README)
if TYPE_CHECKING:
    from types import TracebackType
    from typing import NoReturn

    from cs_registry.context import Context


class Exit(Exception):
    """Carries an exit status out of the boundary."""

    def __init__(self, status: ExitStatus) -> None:
        super().__init__(int(status))
        self.status = status


def _json_error(ctx: Context, code: str, message: str) -> None:
    """With ``--json``, stdout still carries one document, even when the run stops early."""
    from cs_registry import jsontext

    document = {"ok": False, "error": {"code": code, "message": message}}
    ctx.stdout.write(jsontext.dumps(document) + "\n")


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
        if isinstance(exc, OutputError):  # a full disk, a closed descriptor
            silence(self._ctx.stdout)
            self._json_output = False  # stdout cannot take the document either
            self._say("usage_error", f"cannot write to stdout: {exc.reason}", ExitStatus.FAILED)
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
        try:  # noqa: SIM105  # contextlib.suppress would cost every run its import
            self._ctx.stderr.write(f"cs-registry: {message}{shown}\n")
        except (OSError, ValueError, AttributeError):  # no stderr (2>&-): the status says it
            pass
        if self._json_output:
            try:
                _json_error(self._ctx, code, message)
                self._ctx.stdout.flush()
            except (OutputError, OSError, ValueError):
                silence(self._ctx.stdout)
        raise Exit(status) from None

    def _expected(self, exc: CsRegistryError) -> NoReturn:
        self._say(str(exc.code), exc.message, exc.status)

    def _stopped(self, word: str, status: ExitStatus) -> NoReturn:
        self._say("interrupted", word, status)

    def _bug(self, exc: Exception) -> NoReturn:
        import traceback  # only on this path: it costs every run a few ms at start-up

        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        pointer = log.traceback_pointer(self._ctx.cache_dir, text)
        # "with that file" only when there is one; otherwise the pointer says why not
        tail = " with that file" if pointer.startswith("the traceback is in") else ""
        message = f"internal error ({type(exc).__name__}); {pointer}. Please report it{tail}."
        self._say("internal_error", message, ExitStatus.INTERNAL)
