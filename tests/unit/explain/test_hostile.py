"""Hostile input: bounded, no traceback, the documented exit codes."""

from __future__ import annotations

import io
import os
import random
import tracemalloc
from pathlib import Path

from cs_registry.diagnosis import Code
from cs_registry.explain import analyse
from cs_registry.explain.reader import CHUNK, MAX_LINE
from cs_registry.main import main
from tests.support.captured import MakeCtx


class _Endless:
    """``size`` bytes of one line, produced chunk by chunk (never held whole)."""

    def __init__(self, head: bytes, size: int) -> None:
        self._head = head
        self._left = size

    def read(self, size: int = -1) -> bytes:
        del size
        if self._head:
            chunk, self._head = self._head, b""
            return chunk
        if self._left <= 0:
            return b""
        step = min(CHUNK, self._left)
        self._left -= step
        return b"A" * step


def test_a_100_mb_line_is_read_in_bounded_memory_and_quoted_cut() -> None:
    stream = _Endless(b"Error response from daemon: no basic auth credentials ", 100 << 20)
    tracemalloc.start()
    try:
        analysis = analyse(stream, "long")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20  # a few chunks, not 100 MB
    (failure,) = analysis.failures
    assert failure.code is Code.MISSING_CREDENTIALS
    assert len(failure.lines[0][1]) <= MAX_LINE
    assert analysis.lines_read == 1


def test_binary_garbage_gives_no_traceback(make_ctx: MakeCtx, tmp_path: Path) -> None:
    noise = random.Random(13).randbytes(3 << 20)
    path = tmp_path / "garbage.bin"
    path.write_bytes(noise)
    ctx = make_ctx()
    status = main(["explain", str(path)], ctx)
    assert status in (0, 1)
    assert "Traceback" not in ctx.stderr.getvalue()
    output = ctx.stdout.getvalue()
    assert len(output) < 64_000
    assert not {"\x1b", "\x00"} & set(output)


def test_invalid_utf8_is_replaced_not_fatal() -> None:
    log = b"Error response from daemon: \xff\xfe\xc3( no basic auth credentials\n"
    (failure,) = analyse(io.BytesIO(log), "latin").failures
    assert failure.code is Code.MISSING_CREDENTIALS
    assert "\ufffd" in failure.lines[0][1]


def test_a_log_of_only_ansi_codes_has_no_failure(make_ctx: MakeCtx, tmp_path: Path) -> None:
    path = tmp_path / "ansi.log"
    codes = b"\x1b[31m\x1b[0m\x1b[2J\x1b]0;title\x07"
    path.write_bytes(codes * 50_000 + b"\n" + b"\x1b[1m\n" * 1000)
    ctx = make_ctx()
    assert main(["explain", str(path)], ctx) == 0
    assert "no failure found" in ctx.stdout.getvalue()
    assert "\x1b" not in ctx.stdout.getvalue()


def test_control_sequences_in_a_quoted_line_are_escaped(make_ctx: MakeCtx, tmp_path: Path) -> None:
    path = tmp_path / "evil.log"
    # ANSI sequences are stripped; a lone BEL and a C1 CSI are shown escaped
    evil = b"Error response from daemon: \x1b]0;pwned\x07\x1b[2J\x07\xc2\x9b no basic auth"
    path.write_bytes(evil + b"\n")
    ctx = make_ctx()
    assert main(["explain", str(path)], ctx) == 1
    output = ctx.stdout.getvalue()
    assert not {"\x1b", "\x07", "\x9b"} & set(output)
    assert "\\x07\\x9b no basic auth" in output


def test_a_fifo_is_refused_without_blocking(make_ctx: MakeCtx, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    ctx = make_ctx()
    assert main(["explain", str(fifo)], ctx) == 2
    assert f"{fifo} is a FIFO" in ctx.stderr.getvalue()


def test_a_directory_and_a_missing_file_are_usage_errors(make_ctx: MakeCtx, tmp_path: Path) -> None:
    for target, words in ((tmp_path, "is a directory"), (tmp_path / "nope.log", "cannot read")):
        ctx = make_ctx()
        assert main(["explain", str(target)], ctx) == 2
        assert words in ctx.stderr.getvalue()
        assert "Traceback" not in ctx.stderr.getvalue()
