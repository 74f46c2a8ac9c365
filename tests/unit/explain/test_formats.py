"""Each format is recognised, its prefixes stripped, and line numbers kept as in the file."""

from __future__ import annotations

import pytest

from cs_registry.explain.formats import Format, strip
from tests.unit.explain.helpers import analysed, physical_line

FORMATS = [
    ("codespaces/old-image-no-auth.log", Format.CODESPACES, "2026-12-01 09:30:01.443Z: "),
    ("codespaces/new-manifest-unknown.log", Format.CODESPACES, None),
    ("actions/prebuild-feature-no-auth.log", Format.ACTIONS, "2026-12-01T09:30:01.443000"),
    ("actions/prebuild-oncreate-docker.log", Format.ACTIONS, None),
    ("devcontainer-up-image-no-auth.log", Format.DEVCONTAINERS, "[2026-12-07T"),
    ("docker28-pull-no-auth.log", Format.PLAIN, None),
    ("git-clone-403.log", Format.PLAIN, None),
]


@pytest.mark.parametrize(("name", "fmt", "_prefix"), FORMATS)
def test_format_is_detected(name: str, fmt: Format, _prefix: str | None) -> None:
    assert analysed(name).format is fmt


@pytest.mark.parametrize(("name", "fmt", "_prefix"), FORMATS)
def test_quoted_lines_lose_their_prefixes_and_keep_their_file_line_numbers(
    name: str, fmt: Format, _prefix: str | None
) -> None:
    del fmt
    for failure in analysed(name).failures:
        for number, text in failure.lines:
            raw = physical_line(name, number)
            assert raw.rstrip("\r").endswith(text.strip()) or text in strip(raw)[0]
            assert not text.startswith(("[20", "20", "##[", "\x1b"))


def test_actions_prefix_ansi_and_error_marker_are_stripped() -> None:
    line = "2022-11-10T01:06:35.0172860Z ##[error]\x1b[31mProcess completed with exit code 1."
    assert strip(line) == ("Process completed with exit code 1.", True)


def test_codespaces_and_cli_prefixes_nest() -> None:
    line = "2024-03-01 10:00:00.123Z: [2024-03-01T10:00:00.120Z] [1234 ms] Start: Run: docker x"
    assert strip(line) == ("Start: Run: docker x", False)


def test_the_json_outcome_line_of_the_newest_creation_logs_is_quoted() -> None:
    name = "codespaces/new-feature-no-auth.log"
    (failure,) = analysed(name).failures
    assert physical_line(name, 57).startswith('{"outcome":"error"')
    assert physical_line(name, 58).startswith("Error code: 1302")
    assert {57, 58} <= {n for n, _ in failure.lines}
