"""JSON to and from outside text: one parser whose only error is ``ValueError``, and one
writer whose output is always valid UTF-8.

``json.loads`` raises ``RecursionError`` (not a ``ValueError``) on valid JSON nested
deeper than the interpreter recurses: ``[`` a hundred thousand times fits in any
body cap. Every reader of a registry's, token server's, daemon's, helper's or
file's JSON goes through :func:`loads`, so its ``except ValueError`` covers that too.

A path or value decoded with ``surrogateescape`` (a file name that is not UTF-8)
holds lone surrogates; ``json.dumps(..., ensure_ascii=False)`` keeps them and the
document stops being UTF-8. :func:`dumps` writes them as ``\\udcXX`` escapes, which
every JSON parser reads, and which Python turns back into the original bytes
(``os.fsencode``).
"""

from __future__ import annotations

import json
import re

TYPE_CHECKING = False  # not typing's: importing typing adds 0.3x python's start-up (README)
if TYPE_CHECKING:
    from typing import Any

#: compiled by ``re`` on first use only: most documents are ASCII
_SURROGATE = "[\ud800-\udfff]"


class TooDeep(ValueError):
    """Valid JSON nested deeper than we parse."""


def loads(data: str | bytes, **options: Any) -> Any:
    """``json.loads(data)``; every failure, nesting too deep included, is a ``ValueError``."""
    try:
        return json.loads(data, **options)
    except RecursionError:
        raise TooDeep("JSON nested too deeply") from None


def dumps(value: Any, *, indent: int | str | None = 2) -> str:
    """``value`` as JSON text (non-ASCII kept readable), lone surrogates escaped."""
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    if text.isascii():  # the usual case: nothing to look for
        return text
    return re.sub(_SURROGATE, lambda m: f"\\u{ord(m.group(0)):04x}", text)


def as_ascii(text: str) -> str:
    """JSON ``text`` (from :func:`dumps`) with every non-ASCII character as a ``\\u``
    escape: the same document, for an output that cannot encode the characters."""
    if text.isascii():
        return text
    return re.sub("[^\\x00-\\x7f]", lambda m: json.dumps(m.group(0))[1:-1], text)


__all__ = ["TooDeep", "as_ascii", "dumps", "loads"]
