"""Where a finding's file is, relative to the repository's top level (for SARIF and GitHub)."""

from __future__ import annotations

from pathlib import Path


def repository_path(file: Path, *, root: Path, cwd: Path) -> str | None:
    """``file`` (as shown, relative to ``cwd`` or absolute) as a POSIX path below ``root``,
    or ``None`` when it lies outside the repository."""
    absolute = file if file.is_absolute() else cwd / file
    try:
        relative = Path(_normal(absolute)).relative_to(_normal(root))
    except ValueError:
        return None
    return relative.as_posix()


def _normal(path: Path) -> str:
    # resolve() follows symlinks (a checkout under a symlinked /tmp still matches its root)
    return str(path.resolve())
