"""``login``'s peak memory stays under issue 7's 40 MB target, however many triplets.

Measured per process (``wait4``'s ``ru_maxrss`` under a small trampoline), for the
sizes users have (5; GitHub allows 100 secrets per level) and for 1,000.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.benchmarks.cases_hardening import triplets
from tests.integration.hardening import cli

TARGET_KIB = 40 * 1024


@pytest.mark.parametrize("count", [5, 1000])
def test_login_peak_memory_is_under_40_mb(count: int, tmp_path: Path) -> None:
    home = tmp_path / "memory-home"
    home.mkdir()
    result = cli.run_measured(["login", "--json"], cli.base_env(home, **triplets(count)))
    assert result.returncode == 0, result.err
    assert len(json.loads(result.stdout)["registries"]) == count
    assert 0 < result.max_rss_kib < TARGET_KIB
