"""Stream the lines of a log that can matter, in bounded memory and linear time.

A 50 MB log has half a million lines and almost none of them matter. Rather than
decoding and testing each line in Python, each chunk of bytes is searched once with
one compiled pattern of every word a recogniser or a phase marker needs
(:data:`cs_registry.explain.rules.TRIGGER`); only the lines holding a hit are decoded.
Line numbers are kept by counting newlines in C (``bytes.count``).

Any bytes are accepted: invalid UTF-8 is replaced, a line longer than
:data:`MAX_LINE` bytes is cut there (the rest is skipped, never held), so a single
100 MB line costs one pass and ``MAX_LINE`` bytes of memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

CHUNK = 1 << 20
MAX_LINE = 8192


class Readable(Protocol):
    """What the reader needs of a stream: ``read(size) -> bytes``, ``b""`` at the end."""

    def read(self, size: int = ..., /) -> bytes: ...


class Pattern(Protocol):
    """What :func:`interesting_lines` needs of a compiled bytes pattern."""

    def search(self, string: bytes, pos: int = ..., endpos: int = ...) -> object: ...

    def finditer(self, string: bytes) -> Iterator[_Match]: ...


class _Match(Protocol):
    def start(self) -> int: ...

    def end(self) -> int: ...


def decode(raw: bytes) -> str:
    """Bytes of one line as text: UTF-8, invalid bytes replaced, line ending dropped."""
    return raw.rstrip(b"\r").decode("utf-8", errors="replace")


class Reader:
    """Yields ``(number, text)`` of each line ``trigger`` finds something in.

    ``lines`` counts every line read; ``head`` keeps the first bytes (format sniffing);
    ``truncated`` counts lines cut at :data:`MAX_LINE`.
    """

    def __init__(self, stream: Readable, trigger: Pattern, head_size: int = 1 << 16) -> None:
        self._stream = stream
        self._trigger = trigger
        self._head_size = head_size
        self.head = b""
        self.lines = 0
        self.truncated = 0
        self.bytes_read = 0

    def __iter__(self) -> Iterator[tuple[int, str]]:
        carry = b""  # the start of an unfinished line, at most MAX_LINE bytes
        dropping = False  # the unfinished line passed MAX_LINE: skip to its end
        while chunk := self._stream.read(CHUNK):
            self.bytes_read += len(chunk)
            if len(self.head) < self._head_size:
                self.head += chunk[: self._head_size - len(self.head)]
            if dropping:
                newline = chunk.find(b"\n")
                if newline < 0:
                    continue
                yield from self._finish(carry)
                carry, dropping = b"", False
                chunk = chunk[newline + 1 :]
            data = carry + chunk if carry else chunk
            last = data.rfind(b"\n")
            body, tail = (data[: last + 1], data[last + 1 :]) if last >= 0 else (b"", data)
            yield from self._complete(body)
            if len(tail) > MAX_LINE:
                carry, dropping = tail[:MAX_LINE], True
            else:
                carry = tail
        if carry:
            yield from self._finish(carry)

    def _finish(self, line: bytes) -> Iterator[tuple[int, str]]:
        """The last (or an over-long) line, which has no newline inside ``line``."""
        self.lines += 1
        if len(line) >= MAX_LINE:
            self.truncated += 1
        if self._trigger.search(line):
            yield self.lines, decode(line[:MAX_LINE])

    def _complete(self, body: bytes) -> Iterator[tuple[int, str]]:
        """Every line of ``body`` (which ends with a newline) that holds a hit."""
        base = self.lines
        counted_to, counted = 0, 0
        next_start = 0  # a line already yielded is not yielded again for its next hit
        for hit in self._trigger.finditer(body):
            if hit.start() < next_start:
                continue
            start = body.rfind(b"\n", 0, hit.start()) + 1
            end = body.find(b"\n", hit.end())
            counted += body.count(b"\n", counted_to, start)
            counted_to = start
            if end - start > MAX_LINE:
                self.truncated += 1
            yield base + counted + 1, decode(body[start : min(end, start + MAX_LINE)])
            next_start = end + 1
        self.lines = base + body.count(b"\n")
