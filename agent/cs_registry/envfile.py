"""``--env-file``: dotenv files for running locally what Codespaces does with secrets."""

from __future__ import annotations

import re

from cs_registry import files
from cs_registry.errors import UsageError

_LINE = re.compile(r"(?:export\s+)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<value>.*)", re.S)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "$": "$"}


def _closing_quote(raw: str, quote: str) -> int:
    """Index of the quote that closes ``raw[0]``: backslash escapes count only in ``"…"``."""
    index = 1
    while index < len(raw):
        if raw[index] == "\\" and quote == '"':
            index += 2
            continue
        if raw[index] == quote:
            return index
        index += 1
    return -1


def _unquote_double(body: str) -> str:
    out: list[str] = []
    chars = iter(body)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, "")
            out.append(_ESCAPES.get(nxt, "\\" + nxt))
        else:
            out.append(ch)
    return "".join(out)


def _value(raw: str, where: str) -> str:
    raw = raw.strip()
    if raw[:1] in ("'", '"'):
        quote = raw[0]
        end = _closing_quote(raw, quote)
        if end < 0:
            raise UsageError(f"{where}: unterminated {quote} quote (values must fit on one line)")
        rest = raw[end + 1 :].strip()
        if rest and not rest.startswith("#"):
            raise UsageError(f"{where}: unexpected text after the closing {quote} quote")
        body = raw[1:end]
        return _unquote_double(body) if quote == '"' else body
    # unquoted: an inline comment starts at " #"
    return re.split(r"\s+#", raw, maxsplit=1)[0].rstrip()


def parse(text: str, source: str) -> dict[str, str]:
    """``NAME=value`` lines; ``export``, comments, blank lines and quotes as dotenv has them.

    Quotes in a dotenv file are syntax, so a quoted value is unquoted here and is
    not a ``secret_quoted`` finding. Errors name ``source:line``, never a value.
    """
    values: dict[str, str] = {}
    if "\0" in text:
        # no environment variable can hold a NUL: this is a binary file, or
        # NUL-separated like /proc/PID/environ, never a dotenv file; no value is quoted
        at = text.count("\n", 0, text.index("\0")) + 1
        raise UsageError(f"{source}:{at}: a NUL byte; this is not a dotenv file")
    # only \n (and \r\n) end a line: str.splitlines would also split a value at
    # \x0b, \x0c, \x1c-\x1e, \x85 or \u2028, all legal inside a password
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.removesuffix("\r").strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _LINE.fullmatch(stripped)
        if match is None:
            raise UsageError(f"{source}:{number}: expected NAME=value")
        values[match["name"]] = _value(match["value"], f"{source}:{number}")
    return values


#: 100 secrets of 48 KB (GitHub's limits) fit many times over
MAX_BYTES = 16 << 20


def load(path: str) -> dict[str, str]:
    """Read and parse a dotenv file; errors name the file.

    Through the safe file layer: a FIFO, device or directory is refused at once
    (never read, so ``--env-file`` cannot hang ``login``), and the read is capped.
    """
    what = "--env-file"
    try:
        raw = files.read_file(path, limit=MAX_BYTES, what=what)
    except files.FileError as exc:
        raise UsageError(exc.message, code=exc.code) from None
    if raw is None:
        raise UsageError(f"{what} {path}: no such file")
    try:
        # utf-8-sig: editors on Windows start files with a byte-order mark
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{what} {path}: not UTF-8 text") from None
    return parse(text, path)
