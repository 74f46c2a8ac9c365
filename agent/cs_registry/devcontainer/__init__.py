"""devcontainer.json: JSONC parsing with positions, and the Codespaces-aware lint.

``find_configs`` locates the files, ``identify`` learns whose repository they
belong to, ``lint_file`` returns :class:`Finding` records with ``file:line:col``.
"""

from __future__ import annotations

from cs_registry.devcontainer.findings import Finding, LintOptions
from cs_registry.devcontainer.jsonc import Document, JsoncError, Pos, parse
from cs_registry.devcontainer.lint import CODESPACES_KEYS, lint_file, lint_text
from cs_registry.devcontainer.locate import Identity, default_workspace, find_configs, identify

__all__ = [
    "CODESPACES_KEYS",
    "Document",
    "Finding",
    "Identity",
    "JsoncError",
    "LintOptions",
    "Pos",
    "default_workspace",
    "find_configs",
    "identify",
    "lint_file",
    "lint_text",
    "parse",
]
