"""``cs-registry explain`` on a 50 MB log (issue target: under 2 s), as a whole process.

The log is built once from the committed captured fixtures: devcontainers CLI logs
(timestamps, ``Start: Run:`` lines, docker's errors, stack traces) and creation logs,
between blocks of ordinary progress lines, repeated to 50 MB. Baseline: ``grep -c -i
error`` over the same file, the least a person would do by hand. explain exits 1 when it
finds failures (it does here), so the case runs it through ``sh`` and accepts 1.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.benchmarks.cases import BenchContext, Command, case

EXPLAIN_50MB = "explain, 50 MB log (captured failures among progress lines)"
GREP_50MB = "grep -c -i error, same 50 MB log"
SIZE = 50 * 1000 * 1000
_LOGS = Path(__file__).resolve().parents[1] / "data" / "logs"


def big_log(directory: Path) -> Path:
    """Write (once) the 50 MB log; returns its path."""
    path = directory / "explain-50mb.log"
    if path.exists() and path.stat().st_size == SIZE:
        return path
    captured = [p.read_bytes() for p in sorted(_LOGS.glob("devcontainer-up-*.log"))]
    captured += [p.read_bytes() for p in sorted((_LOGS / "codespaces").glob("*.log"))]
    progress = b"".join(
        b"[2026-12-07T00:47:%02d.%03dZ] 7f3a%04x: Downloading [=====>      ] %d.%dMB/48.2MB\n"
        % (n % 60, n % 1000, n, n % 48, n % 10)
        for n in range(3000)
    )
    blocks = [progress + part for part in captured]
    data = bytearray()
    while len(data) < SIZE:
        for block in blocks:
            data += block
    path.write_bytes(bytes(data[:SIZE]))
    return path


@case(EXPLAIN_50MB, baselines=(GREP_50MB,), runs=5)
def explain_50mb(ctx: BenchContext) -> Command:
    """The whole analysis: read, find, fold, render."""
    log = big_log(ctx.tmp)
    script = f'"{ctx.script("cs-registry")}" explain "{log}" >/dev/null; test $? -le 1'
    # a worktree's package first, as when running its tests (an empty value is harmless)
    return Command(["sh", "-c", script], env=ctx.env(PYTHONPATH=os.environ.get("PYTHONPATH", "")))


@case(GREP_50MB, runs=5)
def grep_50mb(ctx: BenchContext) -> Command:
    """``grep -c -i error``: one pass over the same bytes, nothing understood."""
    log = big_log(ctx.tmp)
    return Command(["grep", "-c", "-i", "error", str(log)], env=ctx.env())
