"""Print an :class:`~cs_registry.explain.fold.Analysis` for people or as one JSON document."""

from __future__ import annotations

from typing import Any

from cs_registry.context import Context
from cs_registry.explain.fold import Analysis, Failure
from cs_registry.explain.text import redact
from cs_registry.ui import inert, mark, paint, print_json

_MAX_SHOWN = 400  # characters of a quoted line in human output


def as_json(analysis: Analysis) -> dict[str, Any]:
    """``{"source", "format", "failures": [...]}`` (design.md, explain)."""
    return {
        "source": analysis.source,
        "format": analysis.format.value,
        "lines_read": analysis.lines_read,
        "failures": [_failure_json(f) for f in analysis.failures],
        "more_failures": analysis.more_failures,
    }


def _failure_json(failure: Failure) -> dict[str, Any]:
    return {
        "code": failure.code.value,
        "phase": failure.phase,
        "lines": [{"number": n, "text": redact(t)} for n, t in failure.lines],
        "more_lines": failure.more_lines,
        "cause": redact(failure.cause),
        "remedy": failure.remedy,
        "next": redact(failure.next),
    }


def _shown(text: str) -> str:
    text = inert(redact(text))
    return text if len(text) <= _MAX_SHOWN else text[:_MAX_SHOWN] + "…"


def print_text(ctx: Context, analysis: Analysis) -> None:
    """One block per failure: phase and code, the quoted lines, cause, remedy, next."""
    source = inert(analysis.source)
    count = len(analysis.failures)
    if not count:
        ctx.print(
            f"explain: {source} ({analysis.format.value}, {analysis.lines_read} lines): "
            f"{paint(ctx, 'no failure found', 'green')}"
        )
        return
    noun = "failure" if count == 1 else "failures"
    ctx.print(
        f"explain: {source} ({analysis.format.value}, {analysis.lines_read} lines): "
        f"{paint(ctx, f'{count} {noun}', 'red')}"
    )
    width = len(str(max(n for f in analysis.failures for n, _ in f.lines)))
    for failure in analysis.failures:
        ctx.print()
        ctx.print(f"{mark(ctx, 'fail')} {failure.phase}: {paint(ctx, failure.code.value, 'bold')}")
        for index, (number, text) in enumerate(failure.lines):
            if index == failure.lead:
                ctx.print(paint(ctx, "    then (consequences):", "dim"))
            ctx.print(f"    {number:>{width}} | {_shown(text)}")
        if failure.more_lines:
            ctx.print(
                paint(ctx, f"    … {failure.more_lines} more line(s) of the same failure", "dim")
            )
        ctx.print(f"  cause:  {_shown(failure.cause)}")
        ctx.print(f"  remedy: {failure.remedy}")
        ctx.print(f"  next:   {_shown(failure.next)}")
    if analysis.more_failures:
        ctx.print(f"\n… and {analysis.more_failures} more failure(s) not shown")


def print_json_document(ctx: Context, analysis: Analysis) -> None:
    """The one JSON document of ``explain --json``."""
    print_json(ctx, as_json(analysis))
