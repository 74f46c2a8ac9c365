"""``cs-registry explain [FILE | -]``: what broke in a log, and what to do.

Reads a file, standard input (``-``), or with no argument the Codespaces creation log
(when it exists). Exit 0 when nothing failed, 1 when failures were found, 2 for usage
errors (no log, an unreadable file, a FIFO or device).
"""

from __future__ import annotations

from dataclasses import dataclass

from cs_registry import log
from cs_registry.context import Context
from cs_registry.errors import UsageError
from cs_registry.explain import analyse
from cs_registry.explain.render import print_json_document, print_text
from cs_registry.explain.source import HOW_TO_GET_ONE, binary_stdin, creation_log, open_log
from cs_registry.lifecycle import creation_log_path
from cs_registry.status import ExitStatus
from cs_registry.triplets import discover


@dataclass
class ExplainOptions:
    """What ``explain`` was asked to do (parsed by :mod:`cs_registry.main`)."""

    path: str | None = None
    json: bool = False


def run(ctx: Context, options: ExplainOptions) -> ExitStatus:
    """Analyse the log and print its failures; exit 1 when there are any."""
    # a log may quote this environment's registry passwords: they are masked too
    for triplet in discover(ctx.environ).triplets:
        log.register_secret(triplet.password.reveal())
    path = options.path
    if path is None:
        path = creation_log(ctx.environ)
        if path is None:
            raise UsageError(HOW_TO_GET_ONE.format(path=creation_log_path(ctx.environ)))
    if path == "-":
        analysis = analyse(binary_stdin(ctx.stdin), "<stdin>")
    else:
        with open_log(path) as stream:
            analysis = analyse(stream, path)
    if options.json:
        print_json_document(ctx, analysis)
    else:
        print_text(ctx, analysis)
    return ExitStatus.FAILED if analysis.failures else ExitStatus.OK
