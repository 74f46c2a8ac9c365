"""The README is part of the contract: its codes table matches diagnosis.py."""

from __future__ import annotations

import re
from pathlib import Path

from cs_registry.diagnosis import Code
from cs_registry.explanations import EXPLANATIONS
from cs_registry.status import ExitStatus

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_diagnosis_code_is_documented_with_its_summary() -> None:
    text = README.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z_]+)` \| (.+?) \|$", text, flags=re.M))
    for code in Code:
        assert rows.get(code.value) == EXPLANATIONS[code].summary, code.value


def test_every_code_has_a_summary_and_a_remedy() -> None:
    assert set(EXPLANATIONS) == set(Code)
    for explanation in EXPLANATIONS.values():
        assert explanation.summary.endswith(".")
        assert len(explanation.remedy) > 10


def test_every_exit_code_is_documented() -> None:
    text = README.read_text(encoding="utf-8")
    for status in ExitStatus:
        assert f"| `{int(status)}` |" in text, status
