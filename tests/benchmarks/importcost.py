"""Where a command's start-up time goes, from ``python -X importtime``, as medians.

    .venv/bin/python -m tests.benchmarks.importcost [--runs 9] [--expand MODULE ...] \\
        -- .venv/bin/cs-registry login

The command runs with ``PYTHONPROFILEIMPORTTIME=1`` (its environment otherwise as
given to this script, so export the triplets first). Prints the modules imported at
the top level (not from inside another import) with their median cumulative
milliseconds, then the direct imports of every ``--expand`` module. importtime's own
overhead inflates the figures; compare them with each other, not with wall time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

TOP = "<top>"


@dataclass(frozen=True)
class Line:
    """One ``import time:`` line: nesting depth, module, self and cumulative µs."""

    depth: int
    module: str
    self_us: int
    cumulative_us: int


def parse(stderr: str) -> list[Line]:
    """The import lines of one run, in importtime's order (children before parents)."""
    lines = []
    for raw in stderr.splitlines():
        if not raw.startswith("import time:") or "[us]" in raw:
            continue
        self_us, cumulative_us, name = raw[len("import time:") :].split("|")
        indent = len(name) - len(name.lstrip(" "))
        lines.append(Line(indent // 2, name.strip(), int(self_us), int(cumulative_us)))
    return lines


def parents(lines: list[Line]) -> dict[str, str]:
    """Each module's importer: the next line with a smaller depth (post-order)."""
    found: dict[str, str] = {}
    for index, line in enumerate(lines):
        found[line.module] = next(
            (later.module for later in lines[index + 1 :] if later.depth < line.depth), TOP
        )
    return found


def profile(argv: Sequence[str], runs: int) -> tuple[dict[str, float], dict[str, str]]:
    """Median cumulative ms per module over ``runs`` runs, and each module's importer."""
    samples: dict[str, list[int]] = defaultdict(list)
    importer: dict[str, str] = {}
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure with cached bytecode, as users run
    for _ in range(runs):
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        lines = parse(done.stderr)
        importer.update(parents(lines))
        for line in lines:
            samples[line.module].append(line.cumulative_us)
    return {name: statistics.median(values) / 1000 for name, values in samples.items()}, importer


def report(medians: dict[str, float], importer: dict[str, str], expand: Sequence[str]) -> str:
    """Top-level imports, then the direct imports of each expanded module."""
    out = ["| imported at top level | median cumulative ms |", "|---|---:|"]
    top = sorted((ms, name) for name, ms in medians.items() if importer.get(name) == TOP)
    out += [f"| {name} | {ms:.1f} |" for ms, name in reversed(top) if ms >= 0.5]
    out.append(f"| **sum** | {sum(ms for ms, _ in top):.1f} |")
    for module in expand:
        children = sorted(
            ((medians[name], name) for name, parent in importer.items() if parent == module),
            reverse=True,
        )
        listed = ", ".join(f"{name} {ms:.1f}" for ms, name in children if ms >= 0.3)
        out.append(f"\n{module} ({medians.get(module, 0.0):.1f} ms) imports: {listed or '-'}")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    """Profile the command after ``--`` and print the report."""
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.importcost")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--expand", action="append", default=[], metavar="MODULE")
    parser.add_argument("command", nargs="+")
    args = parser.parse_args(argv)
    medians, importer = profile(args.command, args.runs)
    print(report(medians, importer, args.expand))
    return 0


if __name__ == "__main__":
    sys.exit(main())
