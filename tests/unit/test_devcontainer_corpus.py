"""The lint over the corpus in tests/data/devcontainer: exact codes on exact lines."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cs_registry.devcontainer import LintOptions, find_configs, lint_file
from cs_registry.devcontainer.findings import LINT_CODES
from cs_registry.diagnosis import Code

DATA = Path(__file__).resolve().parents[1] / "data" / "devcontainer"
VALID = sorted(p for p in (DATA / "valid").iterdir() if p.is_dir())
INVALID = sorted((DATA / "invalid").glob("*.jsonc"))
_EXPECT = re.compile(r"// expect: (.+)$")


def lint_options(text: str) -> LintOptions:
    """The options a corpus file's first line sets."""
    head = text.splitlines()[0]
    values = dict(re.findall(r"(\w+)=(\S+)", head)) if head.startswith("// lint:") else {}
    return LintOptions(
        owner=values.get("owner"),
        repository=values.get("repo"),
        prebuild=bool(re.search(r"\bprebuild\b", head)),
    )


def expected_findings(text: str) -> set[tuple[str, int, int]]:
    """``(code, line, column)`` of each ``// expect: CODE@COLUMN`` marker."""
    expected = set()
    for number, line in enumerate(text.splitlines(), 1):
        found = _EXPECT.search(line)
        if found:
            for marker in found.group(1).split(","):
                code, _, column = marker.strip().partition("@")
                expected.add((code, number, int(column)))
    return expected


def _expected(text: str) -> set[tuple[str, int]]:
    return {(code, line) for code, line, _ in expected_findings(text)}


@pytest.mark.parametrize("workspace", VALID, ids=[p.name for p in VALID])
def test_valid_configs_have_no_finding(workspace: Path) -> None:
    configs = find_configs(workspace)
    assert configs, f"{workspace} holds no devcontainer.json"
    options = LintOptions(owner="acme", repository="acme/app")
    assert [f.where for c in configs for f in lint_file(c, options)] == []


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_config_findings_match_their_markers(path: Path) -> None:
    text = path.read_text()
    findings = lint_file(path, lint_options(text))
    found = {(f.code.value, f.pos.line, f.pos.column) for f in findings}
    assert found == expected_findings(text)
    assert all(f.where.startswith(f"{path}:{f.pos.line}:") for f in findings)


def test_the_corpus_has_an_invalid_file_for_every_lint_code() -> None:
    covered = {code for path in INVALID for code, _ in _expected(path.read_text())}
    # every code the lint reports, but unsafe_file (a FIFO or device: no file content)
    assert covered == {code.value for code in LINT_CODES if code is not Code.UNSAFE_FILE}
