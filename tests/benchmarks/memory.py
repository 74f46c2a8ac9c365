"""Peak resident memory of ``cs-registry login``, as medians (target: under 40 MB).

    .venv/bin/python -m tests.benchmarks.memory [--runs 7]

Each login runs under a small fork-and-exec trampoline, so ``wait4``'s
``ru_maxrss`` is the login's own peak and not that of the process that started it.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from tests.benchmarks.cases_hardening import triplets
from tests.integration.hardening import cli

TARGET_MIB = 40.0
COUNTS = (5, 100, 1000)


def peak_mib(count: int, home: Path) -> float:
    """One ``login`` of ``count`` triplets into an empty config; its peak RSS in MiB."""
    shutil.rmtree(home / ".docker", ignore_errors=True)
    env = cli.base_env(home, **triplets(count))
    result = cli.run_measured(["login"], env, timeout=120)
    if result.returncode != 0:
        raise SystemExit(f"login of {count} triplets exited {result.returncode}: {result.err}")
    return result.max_rss_kib / 1024


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.memory", description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="runs per size (default 7)")
    args = parser.parse_args(argv)
    print("| benchmark | median peak RSS MiB | target |")
    print("|---|---:|---|")
    with tempfile.TemporaryDirectory(prefix="cs-registry-memory-") as tmp:
        home = Path(tmp)
        for count in COUNTS:
            peak = statistics.median(peak_mib(count, home) for _ in range(args.runs))
            verdict = "met" if peak < TARGET_MIB else "MISSED"
            print(
                f"| cs-registry login, {count:,} plain triplets | {peak:.1f} | "
                f"< {TARGET_MIB:g} MiB: {verdict} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
