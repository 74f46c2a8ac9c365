"""``--format json`` (and ``--json``): one document with every finding and its position."""

from __future__ import annotations

from typing import Any

from cs_registry import jsontext
from cs_registry.devcontainer.findings import Finding
from cs_registry.devcontainer.runner import LintReport


def finding_json(finding: Finding) -> dict[str, Any]:
    """One finding: code, severity, message, file, line, column, and its entries."""
    return {
        "code": finding.code.value,
        "severity": finding.severity.value,
        "message": finding.message,
        "file": str(finding.file),
        "line": finding.pos.line,
        "column": finding.pos.column,
        "where": finding.where,
        "entries": [
            {"name": e.name, "reason": e.reason, "line": e.pos.line, "column": e.pos.column}
            for e in finding.entries
        ],
    }


def document(report: LintReport) -> str:
    """``{"ok", "repository", "prebuild", "files", "findings"}`` as indented JSON."""
    identity = report.identity
    body = {
        "ok": not report.failed,
        "repository": {
            "owner": identity.owner,
            "name": identity.repository,
            "source": identity.source,
        },
        "prebuild": report.options.prebuild,
        "files": [str(f) for f in report.files],
        "findings": [finding_json(f) for f in report.findings],
    }
    return jsontext.dumps(body) + "\n"
