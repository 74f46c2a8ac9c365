"""Human output: marks and colours, honouring the terminal and ``NO_COLOR``; and
:func:`inert`, the one escape for text that comes from outside."""

from __future__ import annotations

import re

from cs_registry import log
from cs_registry.context import Context
from cs_registry.secret import redact

TYPE_CHECKING = False  # not typing's: importing typing adds 0.3x python's start-up (README)
if TYPE_CHECKING:
    from typing import Any

_COLORS = {"green": "32", "red": "31", "yellow": "33", "dim": "2", "bold": "1"}
_MARKS = {
    "ok": ("✓", "ok", "green"),
    "written": ("✓", "+", "green"),
    "unchanged": ("=", "=", "dim"),
    "removed": ("\u2212", "-", "yellow"),  # a minus sign
    "applied": ("✓", "+", "green"),
    "skipped": ("-", "-", "dim"),
    "skip": ("-", "-", "dim"),
    "warn": ("!", "!", "yellow"),
    "warning": ("!", "!", "yellow"),
    "fail": ("✗", "x", "red"),
    "failed": ("✗", "x", "red"),
    "error": ("✗", "x", "red"),
}


#: what a terminal acts on: C0 (CR, LF, ESC, BEL, TAB...), DEL, C1 (a lone U+009B is
#: an 8-bit CSI), the line and paragraph separators, and the bidi overrides that make
#: text read differently from what it is (Trojan Source), and lone surrogates: a byte
#: that was not UTF-8 (a file name), which a strict UTF-8 stdout cannot write at all
_CONTROL = (
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the undecodable byte itself
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def inert(text: str) -> str:
    """``text`` safe to print on a terminal: every control character written as an escape.

    For every string from outside (a registry, token server, helper, the daemon, a
    file's contents) shown in human output: an escape sequence cannot retitle or
    clear the terminal, and CR/LF cannot forge a line of ours. JSON output needs no
    such step (json.dumps escapes control characters).
    """
    if text.isprintable():  # the usual case, in C: printable text has no control character
        return text
    return re.sub(_CONTROL, _escape, text)


def _unicode(ctx: Context) -> bool:
    """Whether stdout takes any character (else: ASCII marks, ``\\u`` escapes in JSON)."""
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
    from cs_registry import jsontext

    short = log.short_secrets()
    if short:
        document = _scrub_free_text(document, short)
    text = log.scrub_json(jsontext.dumps(document))  # masked in the form secrets take there
    if not _unicode(ctx):
        text = jsontext.as_ascii(text)  # \u escapes: the same JSON for an ASCII stdout
    ctx.stdout.write(text + "\n")


#: the fields that quote other programs' words; a short secret is masked only there,
#: where a registry or helper may echo it (elsewhere it could mangle a host or a path)
_FREE_TEXT = frozenset({"message", "detail", "trace"})


def _scrub_free_text(value: Any, short: list[str], key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _scrub_free_text(v, short, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_free_text(item, short, key) for item in value]
    if isinstance(value, str) and key in _FREE_TEXT:
        for secret in short:
            value = value.replace(secret, redact(secret))
    return value
