"""The permissions ``customizations.codespaces.repositories`` may grant, and which name a
misspelt one means (GitHub Docs, "Managing access to other repositories within your
codespace")."""

from __future__ import annotations

import difflib
import re

#: permission → the values Codespaces accepts for it
PERMISSIONS: dict[str, frozenset[str]] = {
    **{
        name: frozenset({"read", "write"})
        for name in (
            "actions",
            "checks",
            "contents",
            "deployments",
            "discussions",
            "issues",
            "pages",
            "pull_requests",
            "repository_projects",
            "statuses",
        )
    },
    "packages": frozenset({"read"}),
    "workflows": frozenset({"write"}),
}
WHOLE_SET = ("read-all", "write-all")
#: GitHub token permissions (GitHub Docs, "Permissions for the GITHUB_TOKEN" and GitHub App
#: permissions) that have no Codespaces equivalent: a near spelling of one of these is not a
#: typo of a Codespaces name ("attestations" is not "actions")
GITHUB_ONLY = frozenset(
    {
        "administration",
        "attestations",
        "environments",
        "id_token",
        "metadata",
        "models",
        "repository_hooks",
        "secret_scanning_alerts",
        "secrets",
        "security_events",
        "vulnerability_alerts",
    }
)
#: how alike a name must be to a permission to suggest it: real typos score 0.8 or more
#: ("contnets" 0.88, "repo_projects" 0.81); other GitHub permissions score less
#: ("attestations"/"actions" 0.63, "repository_hooks"/"repository_projects" 0.74)
_CLOSE = 0.8
_ALIASES = {"pulls": "pull_requests", "prs": "pull_requests", "projects": "repository_projects"}


def normal_name(name: str) -> str:
    """``name`` lowercased with spaces and dashes as underscores (``Pull-Requests``)."""
    return re.sub(r"[\s-]+", "_", name.strip().lower())


def suggest_permission(name: str) -> str | None:
    """The permission a misspelt ``name`` means (``pull-requests`` → ``pull_requests``)."""
    normal = normal_name(name)
    if normal in PERMISSIONS:
        return normal
    if normal in _ALIASES:
        return _ALIASES[normal]
    if normal in GITHUB_ONLY:
        return None
    close = difflib.get_close_matches(normal, list(PERMISSIONS), n=1, cutoff=_CLOSE)
    return close[0] if close else None
