"""The settings files ``login`` would read: which ones, which were ignored and why.

``login --hook`` counts an ignored settings file as a warning and points to
``doctor``; this check is where its message (the file, its owner, the rule) is
shown, and where a broken settings file is reported without stopping the others.
"""

from __future__ import annotations

from pathlib import Path

from cs_registry import settings
from cs_registry.checks.check import Check, ok, problem
from cs_registry.context import Context
from cs_registry.diagnosis import Code
from cs_registry.errors import CsRegistryError
from cs_registry.status import Status

CHECK_ID = "settings"


def check_settings(ctx: Context, workspace: Path) -> list[Check]:
    """One line per ignored or broken settings file, else one line naming those read."""
    try:
        resolved = settings.load(ctx, cwd=workspace)
    except CsRegistryError as exc:
        return [problem(CHECK_ID, Status.FAIL, _code(exc.code), exc.message)]
    checks = [
        problem(CHECK_ID, Status.WARN, finding.code, finding.message)
        for finding in resolved.warnings
    ]
    # a file's origins read "<layer> <file>:<line>": the files that set something
    files = {
        origin.rsplit(":", 1)[0]
        for origin in resolved.origins.values()
        if origin.startswith(settings.FILE_LAYERS)
    }
    used = sorted(files)
    if used:
        checks.append(ok(CHECK_ID, "settings from " + ", ".join(used)))
    elif not checks:
        checks.append(ok(CHECK_ID, "no settings file sets anything (defaults, flags, variables)"))
    return checks


def _code(value: str) -> Code:
    try:
        return Code(value)
    except ValueError:
        return Code.USAGE_ERROR
