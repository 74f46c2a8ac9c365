"""The one error boundary: expected errors become one line, bugs a pointer to the log."""

from __future__ import annotations

from cs_registry import log
from cs_registry.errors import CsRegistryError
from cs_registry.status import ExitStatus

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~4 ms)
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
        if isinstance(exc, CsRegistryError):
            self._expected(exc)
        elif isinstance(exc, KeyboardInterrupt):
            self._ctx.stderr.write("cs-registry: interrupted\n")
            raise Exit(ExitStatus.INTERRUPTED) from None
        elif isinstance(exc, Exception):  # the last resort: a bug
            self._bug(exc)

    def _expected(self, exc: CsRegistryError) -> NoReturn:
        ctx, json_output = self._ctx, self._json_output
        message = log.scrub(exc.message)
        code = f" [{exc.code}]" if str(exc.code) != "ok" else ""
        ctx.stderr.write(f"cs-registry: {message}{code}\n")
        if json_output:
            _json_error(ctx, str(exc.code), message)
        raise Exit(exc.status) from None

    def _bug(self, exc: Exception) -> NoReturn:
        import traceback  # only on this path: it costs every run a few ms at start-up

        ctx, json_output = self._ctx, self._json_output
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        where = log.append_to_log_file(ctx.cache_dir, text)
        pointer = f"the traceback is in {where}" if where else "no log file could be written"
        message = (
            f"internal error ({type(exc).__name__}); {pointer}. Please report it with that file."
        )
        ctx.stderr.write(f"cs-registry: {message}\n")
        if json_output:
            _json_error(ctx, "internal_error", message)
        raise Exit(ExitStatus.INTERNAL) from None
