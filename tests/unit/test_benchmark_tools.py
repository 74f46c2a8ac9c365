"""The benchmark runner's table and the import-cost parser (tools others extend)."""

from __future__ import annotations

import pytest

from tests.benchmarks import cases
from tests.benchmarks.cases import Case, Command, case
from tests.benchmarks.importcost import TOP, Line, parents, parse
from tests.benchmarks.run import paired_ratio, table

IMPORTTIME = """\
import time: self [us] | cumulative | imported package
import time:       100 |        100 |     _b
import time:       200 |        300 |   b
import time:        50 |         50 |   c
import time:      1000 |       1350 | a
import time:        70 |         70 | d
"""


def test_parse_reads_depth_module_and_times() -> None:
    assert parse(IMPORTTIME)[:2] == [Line(2, "_b", 100, 100), Line(1, "b", 200, 300)]


def test_parents_follow_importtime_post_order() -> None:
    assert parents(parse(IMPORTTIME)) == {"_b": "b", "b": "a", "c": "a", "a": TOP, "d": TOP}


def test_table_has_one_row_per_baseline_with_ratio() -> None:
    benches = [
        Case("floor", lambda ctx: Command([], {})),
        Case("tool", lambda ctx: Command([], {}), baselines=("floor", "other")),
        Case("other", lambda ctx: Command([], {})),
    ]
    samples = {"floor": [10.0, 20.0, 10.0], "tool": [25.0, 30.0, 25.0], "other": [100.0]}
    text = table(benches, samples)
    assert text.splitlines()[2:] == [
        "| floor | 10.0 | | | | |",
        "| tool | 25.0 | floor | 10.0 | 2.50x | 2.50x |",
        "| tool | 25.0 | other | 100.0 | 0.25x | |",
        "| other | 100.0 | | | | |",
    ]


def test_paired_ratio_is_the_median_of_per_round_ratios() -> None:
    # round 2 ran under load for both: its ratio (1.5x) is not the ratio of medians
    assert paired_ratio([30.0, 90.0, 40.0], [10.0, 60.0, 10.0]) == 3.0
    assert paired_ratio([30.0], [10.0, 20.0]) is None


def test_case_names_are_unique() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        case(cases.BARE_PYTHON)(cases.bare_python)
