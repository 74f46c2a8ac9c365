"""``cs-registry lint [PATH ...]``: the devcontainer.json lint alone, for pre-commit and CI.

No Docker, secret or config check and no network: only the files. A directory is
searched as ``doctor`` searches a workspace; no PATH means this repository's top
level. Exit 0 when clean or only warnings, 1 when an error-level finding exists.
The lint itself is :func:`cs_registry.devcontainer.runner.lint_configs`, the one
``doctor`` runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cs_registry.context import Context
from cs_registry.devcontainer.locate import Identity, default_workspace, identify
from cs_registry.devcontainer.output import Format, render
from cs_registry.devcontainer.repositories import valid_name
from cs_registry.devcontainer.runner import expand, lint_configs
from cs_registry.errors import UsageError
from cs_registry.status import ExitStatus


@dataclass(frozen=True)
class LintCommandOptions:
    """What ``lint`` was asked to do (parsed by :mod:`cs_registry.main`)."""

    paths: tuple[str, ...] = ()
    owner: str | None = None
    repository: str | None = None
    prebuild: bool = False
    output: Format = Format.TEXT


def choose_format(*, json: bool, name: str | None) -> Format:
    """``--json`` is ``--format json``; asking for two formats is a usage error."""
    if json and name not in (None, "json"):
        raise UsageError(f"--json and --format {name} ask for two formats; pick one")
    return Format.JSON if json else Format(name or "text")


def resolve_identity(
    environ: Mapping[str, str], workspace: Path, *, owner: str | None, repository: str | None
) -> Identity:
    """Whose repository the files belong to: the flags, else ``GITHUB_REPOSITORY`` or the
    git remote (as ``doctor`` learns it)."""
    if repository is not None:
        if not valid_name(repository) or repository.endswith("/*"):
            raise UsageError(f"--repository must be OWNER/NAME, not {repository!r}")
        return Identity(repository.split("/", 1)[0], repository, "--repository")
    if owner is not None:
        if not valid_name(f"{owner}/x"):
            raise UsageError(f"--owner must be a GitHub owner name, not {owner!r}")
        known = identify(environ, workspace, None)
        # the repository's own name is still known when it belongs to that owner
        same = known.owner is not None and known.owner.lower() == owner.lower()
        return Identity(owner, known.repository if same else None, "--owner")
    return identify(environ, workspace, None)


def run(ctx: Context, options: LintCommandOptions) -> ExitStatus:
    """Lint the named files (or the repository's), print them in the chosen format."""
    cwd = Path.cwd()
    root = default_workspace(cwd)
    identity = resolve_identity(
        ctx.environ, root, owner=options.owner, repository=options.repository
    )
    # no PATH: the repository's top level, searched as doctor searches a workspace
    configs = expand([Path(p) for p in options.paths] or [root])
    report = lint_configs(configs, identity, prebuild=options.prebuild, cwd=cwd)
    ctx.stdout.write(render(report, options.output, root=root, cwd=cwd))
    return ExitStatus.FAILED if report.failed else ExitStatus.OK
