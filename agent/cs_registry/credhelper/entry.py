"""Console script ``docker-credential-cs-registry``: ``get``'s fast paths first, cheaply.

Imports only the standard library and :mod:`.fast` for a cached ECR token, and
triplet discovery for a plain triplet's host; the full protocol (:mod:`.cli`) with
its Context, settings and, for a swap, botocore, is loaded when neither answers.
A ``get`` on every ``docker pull`` stays close to the bare interpreter's start-up time.
"""

from __future__ import annotations

import os
import sys
import time

from cs_registry.streams import BestEffort, process_stderr, silence

TYPE_CHECKING = False  # not typing's: importing typing adds 0.3x python's start-up (README)
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import TextIO

    from cs_registry.context import Context


_NAME = "docker-credential-cs-registry"  # wire.NAME, without importing wire here
_MAX_INPUT = 1 << 20  # wire.MAX_INPUT, likewise
#: exit statuses of a helper run that did not finish (Docker reads the stdout line)
_INTERRUPTED = 130
_TERMINATED = 143


def main(argv: Sequence[str] | None = None, ctx: Context | None = None) -> int:
    """Run one helper action; returns the exit status.

    However the run ends, Docker gets at most one line on stdout and no traceback
    anywhere: Ctrl-C during a pull (130) and SIGTERM (143) answer one error line;
    a stdout that is closed or full ends in one line on stderr and exit 1.
    """
    from cs_registry import signals

    if ctx is None:
        signals.install()
        if sys.stdout is None:  # started with stdout closed: no answer can reach Docker
            _quietly(sys.stderr, f"{_NAME}: cannot write the answer: stdout is closed\n")
            return 1
    out = ctx.stdout if ctx is not None else sys.stdout
    try:
        status = _main(argv, ctx)
        out.flush()  # here, not at interpreter exit, where a failure is a traceback
        return status
    except KeyboardInterrupt:
        return _stopped(out, "interrupted", _INTERRUPTED)
    except signals.Terminated:
        return _stopped(out, "terminated", _TERMINATED)
    except OSError as exc:  # only writing stdout gets here: the run caught everything else
        err = ctx.stderr if ctx is not None else sys.stderr
        _quietly(err, f"{_NAME}: cannot write the answer: {exc.strerror}\n")
        silence(out)
        return 1


def _stopped(out: TextIO, word: str, status: int) -> int:
    """The one error line Docker shows for a run that was stopped."""
    _quietly(out, f"{_NAME}: {word}\n")
    return status


def _quietly(stream: TextIO | None, text: str) -> None:
    """Write and flush ``text``; a stream that cannot take it (or none: 2>&-) stays silent."""
    quiet = BestEffort(stream)
    quiet.write(text)
    quiet.flush()


def _main(argv: Sequence[str] | None, ctx: Context | None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    stdin_text: str | None = None
    if ctx is None and args in (["get"], ["store"], ["erase"]):
        # bytes, decoded leniently: a UTF-8 locale's strict stdin raises on a stray byte;
        # capped: one byte over the cap is enough for run() to refuse the input
        stdin_text = sys.stdin.buffer.read(_MAX_INPUT + 1).decode("utf-8", "replace")
    if args == ["get"]:
        from cs_registry.credhelper.fast import cached_get, plain_get

        if stdin_text is None:
            stdin_text = (ctx.stdin if ctx is not None else sys.stdin).read(_MAX_INPUT + 1)
        environ = ctx.environ if ctx is not None else os.environ
        now = ctx.clock() if ctx is not None else time.time()
        try:
            # an oversized input is the full path's error line, never a fast answer
            fits = len(stdin_text) <= _MAX_INPUT
            answer = (
                cached_get(stdin_text, environ, now) or plain_get(stdin_text, environ, os.getcwd())
                if fits
                else None
            )
        except (OSError, ValueError):
            answer = None  # the full path reports the real problem
        if answer is not None:
            (ctx.stdout if ctx is not None else sys.stdout).write(answer)
            return 0
    from cs_registry.context import Context
    from cs_registry.credhelper.cli import run

    if ctx is None:
        # stderr closed (2>&-) or full: the cause goes to the log file only
        ctx = Context(stderr=process_stderr())
    return run(args, ctx, stdin_text=stdin_text)


if __name__ == "__main__":
    from cs_registry.streams import exit_process

    exit_process(main())
