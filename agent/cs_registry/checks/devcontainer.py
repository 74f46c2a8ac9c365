"""The devcontainer.json lint as doctor checks: one summary line, then one per finding."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from cs_registry.checks.check import Check, ok, problem, skip
from cs_registry.devcontainer import Finding, find_configs, identify
from cs_registry.devcontainer.runner import lint_configs


def check_devcontainers(
    environ: Mapping[str, str],
    workspace: Path,
    *,
    owner: str | None,
    prebuild: bool,
) -> list[Check]:
    """Lint every config of ``workspace``; a clean config adds no line of its own.

    The lint is :func:`cs_registry.devcontainer.runner.lint_configs`, the one that
    ``cs-registry lint`` runs too.
    """
    configs = find_configs(workspace)
    if not configs:
        return [skip("devcontainer", f"no devcontainer.json under {workspace}")]
    identity = identify(environ, workspace, owner)
    report = lint_configs(configs, identity, prebuild=prebuild, cwd=Path.cwd())
    if report.findings:
        return [_check(f) for f in report.findings]  # the findings name their files
    summary = f"{', '.join(str(name) for name in report.files)}: no findings"
    if identity.owner is None:
        summary += " (owner unknown: set GITHUB_REPOSITORY or --owner to check owners)"
    return [ok("devcontainer", summary)]


def _check(finding: Finding) -> Check:
    status = finding.severity.status
    return problem(
        f"devcontainer:{finding.code.value}",
        status,
        finding.code,
        finding.message,
        where=finding.where,
    )
