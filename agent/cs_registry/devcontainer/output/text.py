"""``--format text``: one line per finding, ``file:line:col: level: message [code]``."""

from __future__ import annotations

from cs_registry.devcontainer.runner import LintReport
from cs_registry.status import Severity
from cs_registry.ui import inert

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning"}


def _where(where: str) -> str:
    """``file:line:col``, never the start of a GitHub Actions workflow command.

    The runner reads any stdout line that starts, after blanks, with ``::`` as a
    command; a path given on the command line may start so (``::stop-commands::x``
    would silence every annotation after it). ``./`` names the same file.
    """
    shown = inert(where)
    return f"./{shown}" if shown.lstrip().startswith("::") else shown


def text(report: LintReport) -> str:
    """Findings as editors and terminals link them, then one summary line."""
    lines = [
        f"{_where(f.where)}: {LEVEL[f.severity]}: {inert(f.message)} [{f.code.value}]"
        for f in report.findings
    ]
    errors = sum(f.severity is Severity.ERROR for f in report.findings)
    warnings = len(report.findings) - errors
    count = len(report.files)
    checked = f"{count} file{'s' if count != 1 else ''} checked"
    if not report.files:
        summary = "cs-registry lint: no devcontainer.json found"
    elif report.findings:
        summary = f"cs-registry lint: {errors} error(s), {warnings} warning(s); {checked}"
    else:
        summary = f"cs-registry lint: no findings; {checked}"
    if report.files and report.identity.owner is None:
        summary += " (owner unknown: pass --repository OWNER/NAME to check owners)"
    lines.append(summary)
    return "\n".join(lines) + "\n"
