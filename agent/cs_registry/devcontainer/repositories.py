"""Rules for ``customizations.codespaces.repositories`` (GitHub Docs, "Managing access to
other repositories within your codespace" and "Allowing a prebuild to access other
repositories"). The official JSON schema accepts almost anything here, so we check
what Codespaces itself will refuse or ignore.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable
from typing import Any

from cs_registry.devcontainer.findings import Entry, LintOptions
from cs_registry.devcontainer.jsonc import Document, JsonPath, Pos
from cs_registry.devcontainer.permissions import (
    GITHUB_ONLY,
    PERMISSIONS,
    WHOLE_SET,
    normal_name,
    suggest_permission,
)
from cs_registry.diagnosis import Code
from cs_registry.status import Severity

PATH: JsonPath = ("customizations", "codespaces", "repositories")
_OWNER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})", re.ASCII)
_REPO = re.compile(r"[A-Za-z0-9._-]{1,100}", re.ASCII)
_URL_PREFIX = re.compile(r"^(?:https?://)?(?:www\.)?github\.com[/:]", re.IGNORECASE)

Emit = Callable[[Code, Severity, str, Pos, tuple[Entry, ...]], None]


def valid_name(name: str) -> bool:
    """``owner/repo`` or ``owner/*`` as GitHub spells names."""
    owner, sep, repo = name.partition("/")
    if not sep or not _OWNER.fullmatch(owner):
        return False
    return repo == "*" or (bool(_REPO.fullmatch(repo)) and repo not in (".", ".."))


def _suggest_name(name: str) -> str | None:
    guess = _URL_PREFIX.sub("", name.strip()).removesuffix("/").removesuffix(".git")
    return guess if guess != name and valid_name(guess) else None


def _did_you_mean(suggestion: str | None) -> str:
    return f'; did you mean "{suggestion}"?' if suggestion else ""


class RepositoryRules:
    """Checks one file's ``repositories`` object, reporting through ``emit``."""

    def __init__(self, doc: Document, options: LintOptions, emit: Emit) -> None:
        self.doc = doc
        self.options = options
        self.emit = emit
        #: entries a prebuild cannot get without CODESPACES_PREBUILD_TOKEN, with the reason
        self.needs_token: list[Entry] = []

    def report(self, code: Code, severity: Severity, message: str, pos: Pos) -> None:
        self.emit(code, severity, message, pos, ())

    def key_pos(self, path: JsonPath) -> Pos:
        return self.doc.where(path)

    def value_pos(self, path: JsonPath) -> Pos:
        return self.doc.where(path, key=False)

    def check(self, repositories: Any) -> None:
        if not isinstance(repositories, dict):
            self.report(
                Code.INVALID_REPOSITORY_NAME,
                Severity.ERROR,
                '"repositories" must be an object: {"OWNER/REPO": {"permissions": "read-all"}}',
                self.value_pos(PATH),
            )
            return
        for name, entry in repositories.items():
            self.check_entry(name, entry)
        if self.options.prebuild and self.needs_token:
            listed = ", ".join(f"{e.name} ({e.reason})" for e in self.needs_token)
            self.emit(
                Code.PREBUILD_WRITE_NEEDS_TOKEN,
                Severity.WARNING,
                "a prebuild gets read access to repositories of the same owner only; while "
                "prebuilding, these are reached only through a CODESPACES_PREBUILD_TOKEN "
                f"repository secret (a classic PAT): {listed}"
                + (
                    "; or grant the same-owner ones read access only"
                    if any(e.reason == "write access" for e in self.needs_token)
                    else ""
                ),
                self.key_pos(PATH),
                tuple(self.needs_token),
            )

    def check_entry(self, name: str, entry: Any) -> None:
        path = (*PATH, name)
        other_owner = False
        if not valid_name(name):
            self.report(
                Code.INVALID_REPOSITORY_NAME,
                Severity.ERROR,
                f'"{name}" is not OWNER/REPO or OWNER/*{_did_you_mean(_suggest_name(name))}',
                self.key_pos(path),
            )
        else:
            owner, _, repo = name.partition("/")
            own = self.options.owner
            if own is not None and owner.lower() != own.lower():
                other_owner = True
                self.report(
                    Code.DIFFERENT_OWNER,
                    Severity.ERROR,
                    f'"{name}" belongs to {owner}, but this repository belongs to {own}, and '
                    "devcontainer.json cannot grant another owner's repositories, so the entry "
                    "grants nothing: remove it (a codespace reaches that repository only with a "
                    "token stored as a Codespaces secret, a prebuild only through the "
                    "CODESPACES_PREBUILD_TOKEN repository secret)",
                    self.key_pos(path),
                )
            if repo == "*":
                prebuild = self.options.prebuild
                self.report(
                    Code.WILDCARD_IN_PREBUILD,
                    Severity.ERROR if prebuild else Severity.WARNING,
                    f'"{name}" is not allowed in a configuration used for prebuilds'
                    + ("" if prebuild else " (fine if this config is never prebuilt)")
                    + "; list the repositories by name",
                    self.key_pos(path),
                )
        write = self.check_permissions(path, entry)
        mine = self.options.repository
        if (mine is None or name.lower() != mine.lower()) and (write or other_owner):
            reason = "write access"
            if other_owner:
                reason = "another owner, not grantable through devcontainer.json"
                reason += ", with write access" if write else ""
            self.needs_token.append(Entry(name, reason, self.key_pos(path)))

    def check_permissions(self, path: JsonPath, entry: Any) -> bool:
        """Check one entry's value; returns whether it asks for write access."""
        if not isinstance(entry, dict) or "permissions" not in entry:
            hint = ""
            if isinstance(entry, dict) and any(suggest_permission(k) for k in entry):
                hint = '; put these names inside "permissions": {…}'
            self.report(
                Code.INVALID_PERMISSION_VALUE,
                Severity.ERROR,
                f'"{path[-1]}" needs {{"permissions": "read-all" | "write-all" | '
                f'{{"NAME": "read" | "write"}}}}{hint}',
                self.value_pos(path),
            )
            return False
        for extra in entry:
            if extra != "permissions":
                self.report(
                    Code.UNKNOWN_PERMISSION,
                    Severity.ERROR,
                    f'"{extra}" is not allowed next to "permissions" in "{path[-1]}"; '
                    'move permission names inside "permissions"',
                    self.key_pos((*path, extra)),
                )
        path = (*path, "permissions")
        permissions = entry["permissions"]
        if isinstance(permissions, str):
            if permissions in WHOLE_SET:
                return permissions == "write-all"
            guess = difflib.get_close_matches(permissions.lower(), WHOLE_SET, n=1, cutoff=0.5)
            self.report(
                Code.INVALID_PERMISSION_VALUE,
                Severity.ERROR,
                f'"permissions": "{permissions}" is not "read-all" or "write-all"'
                + _did_you_mean(guess[0] if guess else None),
                self.value_pos(path),
            )
            return False
        if not isinstance(permissions, dict):
            shown = permissions[0] if isinstance(permissions, list) and permissions else None
            fix = (
                f'write "permissions": "{shown}" (a string, not a list)'
                if shown in WHOLE_SET
                else 'write "read-all", "write-all" or {"NAME": "read" | "write"}'
            )
            self.report(
                Code.INVALID_PERMISSION_VALUE,
                Severity.ERROR,
                f'"permissions" in "{path[-2]}" is not a string or an object; {fix}',
                self.value_pos(path),
            )
            return False
        return self.check_named(path, permissions)

    def check_named(self, path: JsonPath, permissions: dict[str, Any]) -> bool:
        write = False
        for name, value in permissions.items():
            where = (*path, name)
            if name in WHOLE_SET:
                self.report(
                    Code.UNKNOWN_PERMISSION,
                    Severity.ERROR,
                    f'"{name}" is not a permission name; to grant the whole set write '
                    f'"permissions": "{name}" (a string, not an object)',
                    self.key_pos(where),
                )
                continue
            if name not in PERMISSIONS:
                guess = suggest_permission(name)
                what = (
                    "is a GitHub token permission Codespaces cannot grant"
                    if normal_name(name) in GITHUB_ONLY
                    else "is not a Codespaces permission"
                )
                self.report(
                    Code.UNKNOWN_PERMISSION,
                    Severity.ERROR,
                    f'"{name}" {what}'
                    + (_did_you_mean(guess) if guess else f"; use one of {', '.join(PERMISSIONS)}"),
                    self.key_pos(where),
                )
                continue
            write = self.check_value(where, name, value) or write
        return write

    def check_value(self, where: JsonPath, name: str, value: Any) -> bool:
        pos = self.value_pos(where)
        if value not in ("read", "write"):
            guess = None
            if isinstance(value, str):
                lowered = value.strip().lower().removesuffix("-all")
                guess = lowered if lowered in PERMISSIONS[name] else None
            allowed = " or ".join(f'"{v}"' for v in sorted(PERMISSIONS[name]))
            shown = json.dumps(value, ensure_ascii=False)
            self.report(
                Code.INVALID_PERMISSION_VALUE,
                Severity.ERROR,
                f'"{name}": {shown} is not a permission value; use {allowed}'
                + _did_you_mean(guess),
                pos,
            )
            return False
        if name == "packages" and value == "write":
            self.report(
                Code.PACKAGES_WRITE_NOT_ALLOWED,
                Severity.ERROR,
                'Codespaces grants "packages" read access only; write "packages": "read" and '
                "push with a token stored as a secret",
                pos,
            )
            return False
        if name == "workflows" and value == "read":
            self.report(
                Code.WORKFLOWS_READ_NOT_ALLOWED,
                Severity.ERROR,
                'Codespaces grants "workflows" write access only; write "workflows": "write" '
                "or remove it",
                pos,
            )
            return False
        return bool(value == "write")
