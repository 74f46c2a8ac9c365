"""Shared by the explain tests: the committed fixtures and a one-call analysis."""

from __future__ import annotations

from pathlib import Path

from cs_registry.explain import Analysis, analyse

LOGS = Path(__file__).resolve().parents[2] / "data" / "logs"


def analysed(name: str) -> Analysis:
    """The analysis of ``tests/data/logs/NAME`` (a committed, captured fixture)."""
    path = LOGS / name
    with path.open("rb") as stream:
        return analyse(stream, str(path))


def physical_line(name: str, number: int) -> str:
    """Line ``number`` (1-based) of the fixture as stored, prefixes and all."""
    return (LOGS / name).read_bytes().split(b"\n")[number - 1].decode("utf-8", "replace")
