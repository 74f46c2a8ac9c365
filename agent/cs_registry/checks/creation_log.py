"""The Codespaces creation log, read by ``explain``'s analysis: one line per failure in it.

Failures in the log are warnings: they tell how this codespace was created (a recovery
container, a Feature that was skipped), not whether the setup works now.
"""

from __future__ import annotations

from collections.abc import Mapping

from cs_registry.checks.check import Check, ok, problem, skip
from cs_registry.errors import UsageError
from cs_registry.explain import analyse
from cs_registry.explain.source import creation_log, open_log
from cs_registry.explain.text import redact
from cs_registry.status import Status
from cs_registry.ui import inert

CHECK_ID = "creation-log"


def check_creation_log(environ: Mapping[str, str]) -> list[Check]:
    """Nothing when there is no creation log; else one line per failure (or one ok line)."""
    path = creation_log(environ)
    if path is None:
        return []
    try:
        with open_log(path) as stream:
            analysis = analyse(stream, path)
    except UsageError as exc:
        return [skip(CHECK_ID, str(exc))]
    if not analysis.failures:
        return [ok(CHECK_ID, f"{path}: no failure found ({analysis.lines_read} lines)")]
    checks = []
    for failure in analysis.failures:
        number, text = failure.lines[0]
        checks.append(
            problem(
                CHECK_ID,
                Status.WARN,
                failure.code,
                f"{failure.phase}: {inert(redact(failure.cause))} (line {number}: "
                f"{inert(redact(text))[:160]})",
                remedy=f"{failure.remedy} Next: `{inert(redact(failure.next))}`; "
                f"`cs-registry explain` shows the whole failure.",
                where=f"{path}:{number}",
            )
        )
    return checks
