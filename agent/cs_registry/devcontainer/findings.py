"""What the devcontainer.json lint reports, and what it needs to know to judge."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cs_registry.devcontainer.jsonc import Pos
from cs_registry.diagnosis import Code
from cs_registry.status import Severity


@dataclass(frozen=True)
class Entry:
    """One part of a file a finding is about (a repository entry), and why."""

    name: str
    reason: str
    pos: Pos


@dataclass(frozen=True)
class Finding:
    """One lint finding: a stable code, a message that says what to change, and where.

    ``entries`` name the parts of the file it is about when there are several (the
    repositories a prebuild needs a token for), so annotations can point at each.
    """

    code: Code
    severity: Severity
    message: str
    file: Path
    pos: Pos
    entries: tuple[Entry, ...] = ()

    @property
    def where(self) -> str:
        """``file:line:col``, as editors and terminals link it."""
        return f"{self.file}:{self.pos}"


@dataclass(frozen=True)
class LintOptions:
    """Facts about the repository the configs belong to.

    ``owner`` is the GitHub owner of the current repository (None: unknown, so
    ``different_owner`` is not judged); ``repository`` its ``owner/name``;
    ``prebuild`` whether the configs are (being) used for a prebuild, which turns
    prebuild-only rules into failures and enables ``prebuild_write_needs_token``.
    """

    owner: str | None = None
    repository: str | None = None
    prebuild: bool = False


#: every code the devcontainer.json lint reports, in a stable order (SARIF rule indexes)
LINT_CODES: tuple[Code, ...] = (
    Code.JSONC_SYNTAX,
    Code.INVALID_REPOSITORY_NAME,
    Code.DIFFERENT_OWNER,
    Code.UNKNOWN_PERMISSION,
    Code.INVALID_PERMISSION_VALUE,
    Code.PACKAGES_WRITE_NOT_ALLOWED,
    Code.WORKFLOWS_READ_NOT_ALLOWED,
    Code.WILDCARD_IN_PREBUILD,
    Code.PREBUILD_WRITE_NEEDS_TOKEN,
    Code.DOCKER_IN_PREBUILD_HOOK,
    Code.DEPRECATED_CODESPACES_KEY,
    Code.UNKNOWN_CODESPACES_KEY,
    Code.HOOK_NOT_WIRED,
    # a FIFO, device, directory or another user's file where a devcontainer.json was named
    Code.UNSAFE_FILE,
)
