"""``--format sarif``: a SARIF 2.1.0 log (OASIS SARIF 2.1.0 Errata 01) for code scanning.

One rule per lint code (its summary as the short description, its remedy as help,
``helpUri`` the README's "Diagnosis codes" section); one result per finding with its
level, message and physical location: the file relative to the repository root
(``uriBaseId`` ``SRCROOT``, declared in ``originalUriBaseIds``), line and column in
Unicode code points as the JSONC parser counts them. The entries of a finding about
several repositories become ``relatedLocations`` and ``properties.entries``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cs_registry import __version__, jsontext
from cs_registry.devcontainer.findings import LINT_CODES, Finding
from cs_registry.devcontainer.jsonc import Pos
from cs_registry.devcontainer.output.paths import repository_path
from cs_registry.devcontainer.runner import LintReport
from cs_registry.diagnosis import explain
from cs_registry.status import Severity

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
README_URL = "https://github.com/cs-registry/cs-registry/blob/main/README.md"
HELP_URI = f"{README_URL}#diagnosis-codes"
SRCROOT = "SRCROOT"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning"}


def _sentence(text: str) -> str:
    # SARIF's guidance (and the multitool's SARIF2001) wants messages to end as sentences
    return text if text.endswith((".", "!", "?")) else text + "."


def _rule(code_index: int) -> dict[str, Any]:
    code = LINT_CODES[code_index]
    explanation = explain(code)
    return {
        "id": code.value,
        "name": "".join(part.capitalize() for part in code.value.split("_")),
        "shortDescription": {"text": explanation.summary},
        "help": {"text": explanation.remedy},
        "helpUri": HELP_URI,
    }


class _Locator:
    def __init__(self, root: Path, cwd: Path) -> None:
        self.root = root
        self.cwd = cwd

    def physical(self, file: Path, pos: Pos) -> dict[str, Any]:
        relative = repository_path(file, root=self.root, cwd=self.cwd)
        if relative is not None:
            artifact = {"uri": _uri_path(relative), "uriBaseId": SRCROOT}
        else:  # outside the repository: an absolute file URI
            absolute = file if file.is_absolute() else self.cwd / file
            artifact = {"uri": absolute.resolve().as_uri()}
        region = {"startLine": pos.line, "startColumn": pos.column}
        return {"artifactLocation": artifact, "region": region}


def _uri_path(relative: str) -> str:
    from urllib.parse import quote

    # the name's own bytes: a byte that is not UTF-8 is percent-encoded as itself
    return quote(os.fsencode(relative), safe="/")


def _result(finding: Finding, locate: _Locator) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.code.value,
        "ruleIndex": LINT_CODES.index(finding.code),
        "level": LEVELS[finding.severity],
        "message": {"text": _sentence(finding.message)},
        "locations": [{"physicalLocation": locate.physical(finding.file, finding.pos)}],
    }
    if finding.entries:
        result["relatedLocations"] = [
            {
                "id": number,
                "message": {"text": _sentence(f"{entry.name}: {entry.reason}")},
                "physicalLocation": locate.physical(finding.file, entry.pos),
            }
            for number, entry in enumerate(finding.entries, 1)
        ]
        result["properties"] = {
            "entries": [{"name": e.name, "reason": e.reason} for e in finding.entries]
        }
    return result


def sarif_log(report: LintReport, *, root: Path, cwd: Path) -> dict[str, Any]:
    """The SARIF log as a JSON-ready dict."""
    locate = _Locator(root, cwd)
    root_uri = root.resolve().as_uri().rstrip("/") + "/"  # a base URI ends with a slash
    run = {
        "tool": {
            "driver": {
                "name": "cs-registry",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": README_URL,
                "rules": [_rule(index) for index in range(len(LINT_CODES))],
            }
        },
        "originalUriBaseIds": {SRCROOT: {"uri": root_uri}},
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, locate) for f in report.findings],
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def sarif(report: LintReport, *, root: Path, cwd: Path) -> str:
    """The SARIF log as indented JSON text."""
    return jsontext.dumps(sarif_log(report, root=root, cwd=cwd)) + "\n"
