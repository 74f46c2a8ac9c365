"""Which kind of log this is, and the prefixes each kind puts before a tool's own words.

Facts from knowledge.md ("Logs"): Codespaces creation logs (2023-25 copies prefix
``YYYY-MM-DD HH:MM:SS.mmmZ: ``, the newest none; ``=`` banners, ``Error code: 1302``,
the recovery container, the devcontainers CLI's JSON outcome line), the devcontainers
CLI / VS Code log (``[N ms]`` and ``[ISO time]`` prefixes), GitHub Actions logs
(``2022-11-10T01:06:35.0172860Z `` with 7 fractional digits, ANSI colours,
``##[error]``), and plain tool output. Prefixes nest (a creation log quotes the CLI's
lines), so :func:`strip` removes them until none is left.
"""

from __future__ import annotations

import enum
import re


class Format(str, enum.Enum):
    """The ``format`` field of ``explain --json``."""

    CODESPACES = "codespaces-creation-log"
    ACTIONS = "github-actions"
    DEVCONTAINERS = "devcontainers-cli"
    PLAIN = "plain"

    def __str__(self) -> str:
        return self.value


_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_PREFIX = re.compile(
    r"(?:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z ?"  # Actions
    r"|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z: ?"  # Codespaces creation log
    r"|\[\d+ ms\] ?"  # devcontainers CLI / VS Code
    r"|\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z\] ?"  # devcontainers CLI, ISO time
    r"|##\[(?:error|warning|group|endgroup|debug|notice|command|section)\])"
)
_ACTIONS_LINE = re.compile(rb"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z ", re.MULTILINE)
_CODESPACES_LINE = re.compile(rb"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z: ", re.MULTILINE)
_CLI_LINE = re.compile(rb"^\[(?:\d+ ms|\d{4}-\d\d-\d\dT[\d:.]+Z)\] ", re.MULTILINE)
#: lines only a Codespaces creation log has (also in its newest, unprefixed form)
CODESPACES_MARKERS = re.compile(
    r"Error code: 13\d\d \(|Creating recovery container|Container creation failed|"
    r"devcontainer up --id-label Type=codespaces|^={10,}$|/\.codespaces/"
)


def strip(line: str) -> tuple[str, bool]:
    """``line`` without ANSI codes and format prefixes; and whether it was ``##[error]``."""
    if "\x1b" in line:
        line = _ANSI.sub("", line)
    marked = False
    for _ in range(4):  # prefixes nest at most this deep
        found = _PREFIX.match(line)
        if found is None:
            break
        marked = marked or found.group().startswith("##[error]")
        line = line[found.end() :]
    return line, marked


class Sniffer:
    """Collects evidence of the format: the first bytes, then marker lines as they come."""

    def __init__(self) -> None:
        self.codespaces = False

    def see(self, text: str) -> None:
        """A stripped line the reader yielded."""
        if not self.codespaces and CODESPACES_MARKERS.search(text):
            self.codespaces = True

    def verdict(self, head: bytes) -> Format:
        """The format, given the log's first bytes and what :meth:`see` saw."""
        if _ACTIONS_LINE.search(head):  # a prebuild run quotes creation-log lines too
            return Format.ACTIONS
        if self.codespaces or _CODESPACES_LINE.search(head):
            return Format.CODESPACES
        if _CLI_LINE.search(head):
            return Format.DEVCONTAINERS
        return Format.PLAIN
