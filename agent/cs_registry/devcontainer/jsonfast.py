"""The fast path of :func:`cs_registry.devcontainer.jsonc.parse`: JSONC that is plain JSON
once its comments and trailing commas are blanked out.

json-five's parser costs ~3-5 ms for a typical devcontainer.json and ~30-60 ms to
import; ``json.loads`` reads the same file in well under 0.1 ms, and one regular
expression scan finds where each key and value starts (measured in README,
"Benchmarks": 1,000 files in one call). Blanking keeps every character's offset, so
positions are those of the original text. Whatever this path refuses (a syntax
error, a JSON5 extension, ``NaN``, an unterminated comment) returns ``None`` and goes
to json-five, which names the error and where it is.
"""

from __future__ import annotations

import bisect
import json
import re
from typing import Any

from cs_registry.devcontainer.jsonc import Document, JsonPath, Pos

# every character of the text belongs to exactly one token; OTHER sends the text to json-five
_TOKEN = re.compile(
    r'(?P<string>"(?:[^"\\\n]|\\.)*")'
    r"|(?P<comment>//[^\n]*|/\*.*?\*/)"
    r"|(?P<punct>[\[\]{}:,])"
    r"|(?P<scalar>[A-Za-z0-9.+\-]+)"
    r"|(?P<space>[ \t\r\n]+)"
    r"|(?P<other>.)",
    re.S,
)
# what a value ends with: a comma after one of these, before } or ], is a trailing comma
_VALUE_END = ("string", "scalar", "]", "}")


def _reject(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def parse_fast(text: str) -> Document | None:
    """``text`` as a :class:`Document` when it is JSON plus comments and trailing commas;
    ``None`` for anything else (the caller then asks json-five)."""
    tokens: list[tuple[str, str, int, int]] = []  # significant: kind, text, offset, piece
    pieces: list[str] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        token = match.group()
        if kind == "other":
            return None
        if kind == "comment":
            pieces.append(re.sub(r"[^\n]", " ", token))  # same length, same lines
            continue
        if kind == "punct":
            kind = token
        if kind in ("]", "}") and tokens and tokens[-1][0] == ",":
            if len(tokens) < 2 or tokens[-2][0] not in _VALUE_END:
                return None  # "[,]", "{,}", "[1,,]": json-five says what is wrong
            pieces[tokens.pop()[3]] = " "  # a trailing comma, blanked out
        if kind != "space":
            tokens.append((kind, token, match.start(), len(pieces)))
        pieces.append(token)
    try:
        value = json.loads("".join(pieces), parse_constant=_reject)
    except (ValueError, RecursionError):
        return None
    return _positions(text, tokens, value)


def _positions(text: str, tokens: list[tuple[str, str, int, int]], value: Any) -> Document:
    """Where each key and value starts, from the tokens of text ``json.loads`` accepted."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def pos(offset: int) -> Pos:
        line = bisect.bisect_right(starts, offset)
        return Pos(line, offset - starts[line - 1] + 1)

    doc = Document(value=value)
    # one frame per open container: its path, and for an array the next item's index
    frames: list[tuple[JsonPath, list[int] | None]] = []
    pending: JsonPath | None = ()  # the path of the next value; None: a key comes next
    for kind, token, offset, _ in tokens:
        if kind in ("}", "]"):
            frames.pop()
            continue
        if kind == ":":
            continue
        if kind == ",":
            path, counter = frames[-1]
            if counter is None:
                pending = None
            else:
                counter[0] += 1
                pending = (*path, counter[0])
            continue
        if pending is None:  # an object key
            key = json.loads(token)
            pending = (*frames[-1][0], key)
            doc.keys[pending] = pos(offset)
            continue
        doc.values[pending] = pos(offset)
        if kind == "{":
            frames.append((pending, None))
            pending = None
        elif kind == "[":
            frames.append((pending, [0]))
            pending = (*pending, 0)
    return doc
