"""Human output: marks and colours, honouring the terminal and ``NO_COLOR``."""

from __future__ import annotations

import json

from cs_registry import log
from cs_registry.context import Context

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~4 ms)
if TYPE_CHECKING:
    from typing import Any

_COLORS = {"green": "32", "red": "31", "yellow": "33", "dim": "2", "bold": "1"}
_MARKS = {
    "ok": ("✓", "ok", "green"),
    "written": ("✓", "+", "green"),
    "unchanged": ("=", "=", "dim"),
    "skipped": ("-", "-", "dim"),
    "skip": ("-", "-", "dim"),
    "warn": ("!", "!", "yellow"),
    "warning": ("!", "!", "yellow"),
    "fail": ("✗", "x", "red"),
    "failed": ("✗", "x", "red"),
    "error": ("✗", "x", "red"),
}


def _unicode(ctx: Context) -> bool:
    encoding = getattr(ctx.stdout, "encoding", None) or ""
    return encoding.lower().replace("-", "") in ("utf8", "utf16", "utf32")


def paint(ctx: Context, text: str, color: str) -> str:
    """``text`` in ``color`` on a colour terminal, as is otherwise."""
    if not ctx.colors:
        return text
    return f"\x1b[{_COLORS[color]}m{text}\x1b[0m"


def mark(ctx: Context, status: str) -> str:
    """A one-character mark for a status (``ok``, ``fail``, ``written``…)."""
    fancy, plain, color = _MARKS.get(status, ("?", "?", "dim"))
    return paint(ctx, fancy if _unicode(ctx) else plain, color)


def print_json(ctx: Context, document: Any) -> None:
    """The one JSON document a ``--json`` run prints on stdout.

    Strings are scrubbed on the way out: a detail quoting a registry's or a
    helper's own words may carry a secret it echoed back.
    """
    text = json.dumps(document, indent=2, ensure_ascii=False)
    ctx.stdout.write(log.scrub_json(text) + "\n")
