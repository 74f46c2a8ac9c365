"""Every diagnosis code has a summary and a remedy, and the probe only uses known codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import cs_registry.probe
from cs_registry.diagnosis import Code, explain
from cs_registry.explanations import EXPLANATIONS

_PROBE = Path(cs_registry.probe.__file__).parent


@pytest.mark.parametrize("code", list(Code))
def test_every_code_is_explained(code: Code) -> None:
    explanation = explain(code)
    assert explanation.summary.strip().endswith(".")
    assert len(explanation.remedy.strip()) > 10


def test_table_has_no_stray_entries() -> None:
    assert set(EXPLANATIONS) == set(Code)


def test_codes_are_unique_snake_case() -> None:
    values = [code.value for code in Code]
    assert len(values) == len(set(values))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", value) for value in values)


def test_probe_names_only_existing_codes() -> None:
    used = set()
    for path in _PROBE.glob("*.py"):
        used.update(re.findall(r"\bCode\.([A-Z][A-Z0-9_]*)\b", path.read_text()))
    assert used
    assert used <= set(Code.__members__)
