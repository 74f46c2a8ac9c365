"""One lint run over several configs: what ``doctor`` and ``cs-registry lint`` both call.

The caller says which files (``find_configs`` for a workspace, or the paths a user
named) and whose repository they belong to; this module lints each file once and
names it the way a terminal or an editor links it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cs_registry.devcontainer.findings import Finding, LintOptions
from cs_registry.devcontainer.lint import lint_file
from cs_registry.devcontainer.locate import Identity, find_configs
from cs_registry.errors import UsageError
from cs_registry.status import Severity


@dataclass(frozen=True)
class LintReport:
    """The files linted (as shown), whose repository they were judged for, and the findings."""

    files: tuple[Path, ...]
    identity: Identity
    options: LintOptions
    findings: tuple[Finding, ...]

    @property
    def failed(self) -> bool:
        """Whether an error-level finding exists (warnings leave the exit status at 0)."""
        return any(f.severity is Severity.ERROR for f in self.findings)


def shown(path: Path, cwd: Path) -> Path:
    """Relative to ``cwd`` when below it (short and clickable), else as given."""
    return path.relative_to(cwd) if path.is_absolute() and path.is_relative_to(cwd) else path


def expand(paths: Sequence[Path]) -> list[Path]:
    """The configs ``paths`` name: a directory is searched as a workspace, a file is itself.

    A path that does not exist is a usage error. Anything else that is not a
    directory (a FIFO, a device) is kept: the lint's reader reports it as a finding.
    """
    configs: list[Path] = []
    for path in paths:
        if path.is_dir():
            configs.extend(find_configs(path))
        elif path.exists() or path.is_symlink():
            configs.append(path)
        else:
            raise UsageError(f"{path}: no such file or directory")
    # the same file named twice (a file and its directory) is linted once
    return list(dict.fromkeys(configs))


def lint_configs(
    configs: Sequence[Path], identity: Identity, *, prebuild: bool, cwd: Path
) -> LintReport:
    """Lint each of ``configs`` for the repository ``identity``; findings in file order."""
    options = LintOptions(owner=identity.owner, repository=identity.repository, prebuild=prebuild)
    files = tuple(shown(path, cwd) for path in configs)
    findings: list[Finding] = []
    for path, name in zip(configs, files, strict=True):
        findings += lint_file(path, options, shown=name)
    return LintReport(files, identity, options, tuple(findings))
