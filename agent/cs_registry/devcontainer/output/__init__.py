"""How a lint report is printed: text for people, JSON, SARIF 2.1.0, GitHub workflow commands.

Each format is a pure function of a :class:`~cs_registry.devcontainer.runner.LintReport`
and returns the whole text to print; :func:`render` picks one.
"""

from __future__ import annotations

import enum
from pathlib import Path

from cs_registry.devcontainer.runner import LintReport


class Format(str, enum.Enum):
    """The values of ``cs-registry lint --format``."""

    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    GITHUB = "github"

    def __str__(self) -> str:
        return self.value


def render(report: LintReport, output: Format, *, root: Path, cwd: Path) -> str:
    """``report`` in ``output`` format; paths in SARIF and GitHub output are relative to
    ``root`` (the repository's top level), as code scanning and annotations expect."""
    if output is Format.JSON:
        from cs_registry.devcontainer.output.document import document

        return document(report)
    if output is Format.SARIF:
        from cs_registry.devcontainer.output.sarif import sarif

        return sarif(report, root=root, cwd=cwd)
    if output is Format.GITHUB:
        from cs_registry.devcontainer.output.github import workflow_commands

        return workflow_commands(report, root=root, cwd=cwd)
    from cs_registry.devcontainer.output.text import text

    return text(report)


__all__ = ["Format", "render"]
