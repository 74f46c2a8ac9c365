"""The streaming reader finds the same lines, with the same numbers, as a naive split."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cs_registry.explain import reader

WORDS = (b"error", b"denied")
PIECES = st.lists(
    st.sampled_from([b"error", b"Denied", b"x", b"\n", b"\r\n", b"\xff", b"ab", b"ERROR\n"]),
    max_size=60,
)


def _naive(data: bytes, limit: int) -> list[tuple[int, str]]:
    found = []
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for number, line in enumerate(lines, 1):
        kept = line[:limit]
        if any(word in kept.lower() for word in WORDS):
            found.append((number, reader.decode(kept)))
    return found


@given(pieces=PIECES, chunk=st.integers(1, 9), limit=st.integers(3, 12))
def test_lines_and_numbers_match_a_naive_split(pieces: list[bytes], chunk: int, limit: int) -> None:
    data = b"".join(pieces)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reader, "CHUNK", chunk)
        patch.setattr(reader, "MAX_LINE", limit)
        stream = reader.Reader(io.BytesIO(data), WORDS)
        got = list(stream)
    expected = _naive(data, limit)
    # a keyword cut by MAX_LINE is not seen: both sides look at the first `limit` bytes only
    assert got == expected
    assert stream.lines == len(_naive_count(data))


def _naive_count(data: bytes) -> list[bytes]:
    lines = data.split(b"\n")
    return lines[:-1] if lines and lines[-1] == b"" else lines


def test_head_keeps_the_first_bytes_for_format_sniffing() -> None:
    stream = reader.Reader(io.BytesIO(b"a\n" * 100), WORDS, head_size=10)
    assert list(stream) == []
    assert stream.head == b"a\na\na\na\na\n"
    assert stream.lines == 100
