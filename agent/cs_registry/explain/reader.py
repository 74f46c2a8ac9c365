"""Stream the lines of a log that can matter, in bounded memory and linear time.

A 50 MB log has half a million lines and almost none of them matter. Rather than
decoding and testing each line in Python, each chunk of bytes is lowercased and
searched with ``bytes.find`` for each word a recogniser or a phase marker needs
(:data:`cs_registry.explain.phases.KEYWORDS`); only the lines holding one are decoded.
(One regular expression of all the words is ~50x slower: ``re`` tries every branch
at every byte.) Line numbers are kept by counting newlines in C (``bytes.count``).

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


def decode(raw: bytes) -> str:
    """Bytes of one line as text: UTF-8, invalid bytes replaced, line ending dropped."""
    return raw.rstrip(b"\r").decode("utf-8", errors="replace")


class Reader:
    """Yields ``(number, text)`` of each line holding one of ``keywords`` (any case).

    ``lines`` counts every line read; ``head`` keeps the first bytes (format sniffing);
    ``truncated`` counts lines cut at :data:`MAX_LINE`.
    """

    def __init__(
        self, stream: Readable, keywords: tuple[bytes, ...], head_size: int = 1 << 16
    ) -> None:
        self._stream = stream
        self._keywords = keywords
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
        lowered = line.lower()
        if any(word in lowered for word in self._keywords):
            yield self.lines, decode(line[:MAX_LINE])

    def _starts(self, body: bytes) -> list[int]:
        """Offsets of the lines of ``body`` that hold a keyword, in order."""
        lowered = body.lower()
        starts: set[int] = set()
        for word in self._keywords:
            found = lowered.find(word)
            while found >= 0:
                start = lowered.rfind(b"\n", 0, found) + 1
                if found + len(word) - start <= MAX_LINE:  # only a line's first bytes count
                    starts.add(start)
                # body ends with a newline: the next line starts after this one's end
                found = lowered.find(word, lowered.find(b"\n", found) + 1)
        return sorted(starts)

    def _complete(self, body: bytes) -> Iterator[tuple[int, str]]:
        """Every line of ``body`` (which ends with a newline) that holds a keyword."""
        base = self.lines
        counted_to, counted = 0, 0
        for start in self._starts(body):
            end = body.find(b"\n", start)
            counted += body.count(b"\n", counted_to, start)
            counted_to = start
            if end - start > MAX_LINE:
                self.truncated += 1
            yield base + counted + 1, decode(body[start : min(end, start + MAX_LINE)])
        self.lines = base + body.count(b"\n")
