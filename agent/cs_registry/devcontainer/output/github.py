"""``--format github``: one GitHub Actions workflow command per finding, which the runner
turns into an annotation on the file and line.

Escaping follows actions/toolkit ``packages/core/src/command.ts``: in the message
``%``, CR and LF become ``%25``, ``%0D``, ``%0A``; in a property value ``:`` and ``,``
also become ``%3A`` and ``%2C``. Control characters are escaped before that
(:func:`cs_registry.ui.inert`), so nothing quoted from a file
can end the line and start a command of its own.
"""

from __future__ import annotations

from pathlib import Path

from cs_registry.devcontainer.findings import Finding
from cs_registry.devcontainer.output.paths import repository_path
from cs_registry.devcontainer.runner import LintReport
from cs_registry.status import Severity
from cs_registry.ui import inert

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning"}


def escape_data(text: str) -> str:
    """A workflow command's message, escaped as ``escapeData`` does."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value, escaped as ``escapeProperty`` does."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(finding: Finding, file: str) -> str:
    """``::error file=…,line=…,col=…,title=CODE::message`` for one finding."""
    properties = {
        "file": file,
        "line": str(finding.pos.line),
        "col": str(finding.pos.column),
        "title": finding.code.value,
    }
    listed = ",".join(f"{name}={escape_property(inert(v))}" for name, v in properties.items())
    return f"::{COMMANDS[finding.severity]} {listed}::{escape_data(inert(finding.message))}"


def workflow_commands(report: LintReport, *, root: Path, cwd: Path) -> str:
    """Every finding as a workflow command, ``file`` relative to the repository root."""
    lines = []
    for finding in report.findings:
        file = repository_path(finding.file, root=root, cwd=cwd) or str(finding.file)
        lines.append(command(finding, file))
    return "".join(line + "\n" for line in lines)
