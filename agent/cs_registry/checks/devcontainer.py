"""The devcontainer.json lint as doctor checks: one summary line, then one per finding."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from cs_registry.checks.record import Check, ok, problem, skip
from cs_registry.devcontainer import (
    Finding,
    LintOptions,
    Severity,
    find_configs,
    identify,
    lint_file,
)
from cs_registry.status import Status


def check_devcontainers(
    environ: Mapping[str, str],
    workspace: Path,
    *,
    owner: str | None,
    prebuild: bool,
) -> list[Check]:
    """Lint every config of ``workspace``; a clean config adds no line of its own."""
    configs = find_configs(workspace)
    if not configs:
        return [skip("devcontainer", f"no devcontainer.json under {workspace}")]
    identity = identify(environ, workspace, owner)
    options = LintOptions(owner=identity.owner, repository=identity.repository, prebuild=prebuild)
    findings = [f for path in configs for f in lint_file(path, options, shown=_shown(path))]
    if findings:
        return [_check(f) for f in findings]  # the findings name their files
    names = ", ".join(str(_shown(p)) for p in configs)
    summary = f"{names}: no findings"
    if identity.owner is None:
        summary += " (owner unknown: set GITHUB_REPOSITORY or --owner to check owners)"
    return [ok("devcontainer", summary)]


def _shown(path: Path) -> Path:
    """Relative to the current directory when below it: short and clickable."""
    cwd = Path.cwd()
    return path.relative_to(cwd) if path.is_relative_to(cwd) else path


def _check(finding: Finding) -> Check:
    status = Status.FAIL if finding.severity is Severity.FAIL else Status.WARN
    return problem(
        f"devcontainer:{finding.code.value}",
        status,
        finding.code,
        finding.message,
        where=finding.where,
    )
