"""JSONC (JSON with comments and trailing commas) with the source position of every value.

devcontainer.json is JSONC. We parse it with json-five (``json5`` module), whose model
loader keeps each node's line and column, then turn the model into plain Python
values plus a position table keyed by JSON path. JSON5 allows more than JSONC
(single quotes, bare keys, hex numbers, ``Infinity``…); the devcontainers CLI's
parser does not, so those are reported as syntax errors at their own position.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from cs_registry.errors import CsRegistryError

#: a path into the document: object keys and array indexes from the root
JsonPath = tuple["str | int", ...]

#: deeper than any real devcontainer.json; json-five's parser and the position table
#: recurse per level, and a hostile file must not cost seconds or a RecursionError
MAX_DEPTH = 64
# strings and comments (whose brackets do not count), then the brackets themselves
_STRUCTURE = re.compile(
    r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|//[^\n]*|/\*.*?(?:\*/|\Z)|[\[\]{}]', re.S
)
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?", re.ASCII)
_CHAR_IN_MESSAGE = re.compile(r"\(char (\d+)\)")
# the lexer's error names the character and its index only: "Illegal character '#' at index 21"
_ILLEGAL_CHAR = re.compile(r"Illegal character (.+?) at index (\d+)", re.S)


@dataclass(frozen=True, order=True)
class Pos:
    """A 1-based line and column."""

    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.line}:{self.column}"


class JsoncError(CsRegistryError):
    """The text is not valid JSONC; ``pos`` is where the parser stopped."""

    def __init__(self, message: str, pos: Pos) -> None:
        super().__init__(message)
        self.pos = pos


@dataclass
class Document:
    """A parsed JSONC document: plain ``value`` and where each part of it starts."""

    value: Any
    values: dict[JsonPath, Pos] = field(default_factory=dict)
    keys: dict[JsonPath, Pos] = field(default_factory=dict)

    def where(self, path: JsonPath, *, key: bool = True) -> Pos:
        """Where ``path`` is written: its key (or its value), else its nearest ancestor's."""
        while path:
            table = (self.keys, self.values) if key else (self.values, self.keys)
            for positions in table:
                if path in positions:
                    return positions[path]
            path = path[:-1]
        return self.values.get((), Pos(1, 1))


def pos_of_index(text: str, index: int) -> Pos:
    """The 1-based line and column of character ``index`` of ``text``."""
    index = max(0, min(index, len(text)))
    line = text.count("\n", 0, index) + 1
    return Pos(line, index - (text.rfind("\n", 0, index) + 1) + 1)


def _node_pos(node: Any) -> Pos:
    line = getattr(node, "lineno", None) or 1
    column = getattr(node, "col_offset", None)
    return Pos(line, (column or 0) + 1)


def _error_pos(exc: ValueError, text: str) -> Pos:
    index = getattr(exc, "pos", None)
    primary = str(exc).partition("Additionally")[0]
    if "EOF" in primary:
        # point just after the last thing written, not at a blank last line
        index = len(text.rstrip())
    elif not isinstance(index, int):
        illegal = _ILLEGAL_CHAR.search(primary)
        if illegal:
            return pos_of_index(text, int(illegal.group(2)))
        found = _CHAR_IN_MESSAGE.search(str(exc))
        # errors at the end of the text carry no token, only "(char N)" or nothing
        index = int(found.group(1)) if found else len(text.rstrip())
    return pos_of_index(text, index)


_TOKENS = {
    "COMMA": "','",
    "COLON": "':'",
    "RBRACE": "'}'",
    "LBRACE": "'{'",
    "RBRACKET": "']'",
    "LBRACKET": "'['",
}
_EXPECTING = re.compile(r"[Ww]as expecting ([A-Za-z_]+(?: or [A-Za-z_]+)*)")


def _friendly(exc: ValueError) -> str:
    """json-five's message, reworded for people: what was found and what was expected."""
    text = str(exc)
    # several errors come as "The primary error was: … Additionally, …": keep the first
    text = text.partition("primary error was:")[2] or text
    text = text.partition("Additionally")[0]
    if "multiple trailing commas" in text:
        return "two commas in a row"
    if "line terminator" in text:
        return "line break inside a string (write \\n instead)"
    illegal = _ILLEGAL_CHAR.search(text)
    if illegal:
        found = f"unexpected {illegal.group(1)}"
    elif "EOF" in text:
        found = "unexpected end of file"
    else:
        token = getattr(exc, "token", None)
        value = getattr(token, "value", None)
        found = f"unexpected {value!r}" if value else "unexpected text"
    expecting = _EXPECTING.search(text)
    if expecting:
        names = expecting.group(1).split(" or ")
        wanted = [_TOKENS.get(n, "a value" if n == "value" else n.lower()) for n in names]
        found += f"; expected {' or '.join(wanted)}"
    return found


class _Builder:
    """Turns a json-five model into plain values, rejecting what JSONC does not allow."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.doc = Document(value=None)
        self._line_starts = [0]
        for index, char in enumerate(text):
            if char == "\n":
                self._line_starts.append(index + 1)

    def fail(self, node: Any, what: str) -> JsoncError:
        pos = _node_pos(node)
        return JsoncError(f"{what} (JSON5, not JSONC)", pos)

    def value(self, node: Any, path: JsonPath) -> Any:
        from json5 import model

        self.doc.values[path] = _node_pos(node)
        if isinstance(node, model.JSONObject):
            return self.object(node, path)
        if isinstance(node, model.JSONArray):
            return [self.value(item, (*path, i)) for i, item in enumerate(node.values)]
        if isinstance(node, model.DoubleQuotedString):
            return self.string(node)
        if isinstance(node, model.SingleQuotedString):
            raise self.fail(node, "strings must be in double quotes")
        if isinstance(node, model.BooleanLiteral):
            return bool(node.value)
        if isinstance(node, model.NullLiteral):
            return None
        return self.signed(node)

    def object(self, node: Any, path: JsonPath) -> dict[str, Any]:
        """An object's members, each key's position recorded; keys must be double-quoted."""
        from json5 import model

        result: dict[str, Any] = {}
        for key_node, value_node in zip(node.keys, node.values, strict=True):
            if not isinstance(key_node, model.DoubleQuotedString):
                raise self.fail(key_node, "object keys must be in double quotes")
            key = self.string(key_node)
            child = (*path, key)
            self.doc.keys[child] = _node_pos(key_node)
            result[key] = self.value(value_node, child)
        return result

    def signed(self, node: Any) -> int | float:
        """A number with at most one leading minus (JSON has no ``+`` and no ``--``)."""
        from json5 import model

        if isinstance(node, model.UnaryOp):
            if node.op != "-":
                raise self.fail(node, f"a leading {node.op!r} on a number is not allowed")
            return -self.number(node.value)
        return self.number(node)

    def number(self, node: Any) -> int | float:
        from json5 import model

        if isinstance(node, (model.Integer, model.Float)) and _JSON_NUMBER.fullmatch(
            node.raw_value
        ):
            number: int | float = node.value
            return number
        raw = getattr(node, "raw_value", None) or type(node).__name__
        raise self.fail(node, f"{raw} is not a JSON number")

    def _source(self, node: Any) -> str:
        """The node's text as the file has it (json-five saw ``\\\\`` as ``\\/``)."""
        start = self._line_starts[node.lineno - 1] + node.col_offset
        end = self._line_starts[node.end_lineno - 1] + node.end_col_offset
        return self.text[start:end]

    def string(self, node: Any) -> str:
        try:
            # json-five accepts JSON5 escapes and line continuations; JSON does not
            return str(json.loads(self._source(node), strict=False))
        except ValueError:
            message = "string has an escape or line break JSON does not allow"
            raise self.fail(node, message) from None


def parse(text: str) -> Document:
    """Parse JSONC ``text``; raises :class:`JsoncError` with the position of the first error."""
    from cs_registry.devcontainer.jsonfast import parse_fast

    if not text.strip():
        raise JsoncError("the file is empty; it must hold one JSON object", Pos(1, 1))
    too_deep = _too_deep(text)
    if too_deep is not None:
        raise JsoncError(f"nested more than {MAX_DEPTH} levels deep", pos_of_index(text, too_deep))
    fast = parse_fast(text)
    return fast if fast is not None else parse_json5(text)


def parse_json5(text: str) -> Document:
    """Parse ``text`` with json-five: every JSONC file, and the position of any error."""
    from json5.loader import ModelLoader, loads

    try:
        # json-five 1.1.2 reads the "x" of an escaped backslash as a \x escape
        # ("C:\\xampp" fails, "\\x41" becomes "A"). Each escaped backslash is handed to
        # it as "\/" (same length, so every position holds), and strings are decoded
        # from the original text.
        model = loads(text.replace("\\\\", "\\/"), loader=ModelLoader())
    except RecursionError:
        raise JsoncError("nested too deeply", Pos(1, 1)) from None
    except ValueError as exc:  # json5.JSON5DecodeError is a ValueError
        raise JsoncError(_friendly(exc), _error_pos(exc, text)) from None
    builder = _Builder(text)
    try:
        builder.doc.value = builder.value(model.value, ())
    except RecursionError:
        raise JsoncError("nested too deeply", Pos(1, 1)) from None
    return builder.doc


def _too_deep(text: str) -> int | None:
    """Where nesting first passes :data:`MAX_DEPTH`, or ``None``."""
    depth = 0
    for match in _STRUCTURE.finditer(text):
        token = match.group()
        if token in ("{", "["):
            depth += 1
            if depth > MAX_DEPTH:
                return match.start()
        elif token in ("}", "]"):
            depth -= 1
    return None
