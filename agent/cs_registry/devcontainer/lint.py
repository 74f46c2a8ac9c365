"""The devcontainer.json lint: every finding has a stable code, a fix, and a ``file:line:col``.

Most real configs are valid, so a clean file yields nothing at all.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

from cs_registry import files
from cs_registry.devcontainer import hooks
from cs_registry.devcontainer.findings import Entry, Finding, LintOptions
from cs_registry.devcontainer.jsonc import Document, JsoncError, Pos, parse, pos_of_index
from cs_registry.devcontainer.repositories import RepositoryRules, valid_name
from cs_registry.diagnosis import Code
from cs_registry.status import Severity

#: the keys Codespaces defines under customizations.codespaces (devcontainers/spec,
#: docs/specs/supporting-tools.md)
CODESPACES_KEYS = ("repositories", "openFiles", "disableAutomaticConfiguration")
# the old, invalid form from early docs: "permissions": {"write-all"}
_OLD_PERMISSIONS = re.compile(r'"permissions"\s*:\s*(\{\s*"(read-all|write-all)"\s*\})')


#: real files are a few KB; the JSONC parser needs ~50x a file's size in memory
MAX_FILE_BYTES = 1 << 20


class _Collector:
    def __init__(self, file: Path) -> None:
        self.file = file
        self.findings: list[Finding] = []

    def __call__(
        self,
        code: Code,
        severity: Severity,
        message: str,
        pos: Pos,
        entries: tuple[Entry, ...] = (),
    ) -> None:
        self.findings.append(Finding(code, severity, message, self.file, pos, entries))


def lint_text(text: str, file: Path, options: LintOptions) -> list[Finding]:
    """Lint one devcontainer.json's text; findings sorted by position."""
    emit = _Collector(file)
    try:
        doc = parse(text)
    except JsoncError as exc:
        _syntax(text, exc, emit)
        return emit.findings
    if not isinstance(doc.value, dict):
        emit(
            Code.JSONC_SYNTAX,
            Severity.ERROR,
            "the top level must be an object ({ … })",
            Pos(1, 1),
        )
        return emit.findings
    _check(doc, options, emit)
    return sorted(emit.findings, key=lambda f: f.pos)


def lint_file(path: Path, options: LintOptions, *, shown: Path | None = None) -> list[Finding]:
    """Lint the file at ``path``; ``shown`` is the name used in findings (default ``path``)."""
    name = shown or path
    try:
        # through the safe file layer: a FIFO or device is refused, never read (no hang)
        raw = files.read_file(path, limit=MAX_FILE_BYTES, what="devcontainer.json")
    except files.UnsafeFile as exc:
        return [Finding(Code.UNSAFE_FILE, Severity.ERROR, exc.message, name, Pos(1, 1))]
    except files.FileError as exc:
        return [Finding(Code.JSONC_SYNTAX, Severity.ERROR, exc.message, name, Pos(1, 1))]
    if raw is None:
        message = "cannot read it (No such file or directory)"
        return [Finding(Code.JSONC_SYNTAX, Severity.ERROR, message, name, Pos(1, 1))]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [
            Finding(
                Code.JSONC_SYNTAX, Severity.ERROR, f"not UTF-8 (byte {exc.start})", name, Pos(1, 1)
            )
        ]
    return lint_text(text.removeprefix("\ufeff"), name, options)


def _syntax(text: str, exc: JsoncError, emit: _Collector) -> None:
    old = _OLD_PERMISSIONS.search(text)
    if old is not None:
        emit(
            Code.JSONC_SYNTAX,
            Severity.ERROR,
            f'{old.group(1)} is not valid JSON (an object needs "name": value pairs); '
            f'write "permissions": "{old.group(2)}"',
            pos_of_index(text, old.start(1)),
        )
        return
    emit(
        Code.JSONC_SYNTAX,
        Severity.ERROR,
        f"{exc.message}; the devcontainers CLI ignores such errors silently, so the settings "
        "after this point are lost",
        exc.pos,
    )


def _check(doc: Document, options: LintOptions, emit: _Collector) -> None:
    config: dict[str, Any] = doc.value
    if "codespaces" in config:
        emit(
            Code.DEPRECATED_CODESPACES_KEY,
            Severity.WARNING,
            'the top-level "codespaces" key is deprecated; move its contents to '
            '"customizations": {"codespaces": {…}}',
            doc.where(("codespaces",)),
        )
    customizations = config.get("customizations")
    codespaces = customizations.get("codespaces") if isinstance(customizations, dict) else None
    if isinstance(codespaces, dict):
        _check_codespaces_keys(doc, codespaces, emit)
        if "repositories" in codespaces:
            RepositoryRules(doc, options, emit).check(codespaces["repositories"])
    _check_hooks(doc, config, options, emit)


def _check_codespaces_keys(doc: Document, codespaces: dict[str, Any], emit: _Collector) -> None:
    listed = codespaces.get("repositories")
    # GitHub names are case-insensitive: "ACME/Tools" repeats "acme/tools"
    already = {name.lower() for name in listed} if isinstance(listed, dict) else set()
    for key in codespaces:
        if key in CODESPACES_KEYS:
            continue
        where = doc.where(("customizations", "codespaces", key))
        if valid_name(key) and key.lower() in already:
            emit(
                Code.UNKNOWN_CODESPACES_KEY,
                Severity.ERROR,
                f'"{key}" is already listed under "repositories"; remove it from here '
                "(Codespaces reads repository entries only under repositories)",
                where,
            )
            continue
        if valid_name(key):
            # a repository entry one level too high: Codespaces grants nothing for it
            emit(
                Code.UNKNOWN_CODESPACES_KEY,
                Severity.ERROR,
                f'"{key}" looks like a repository; move it under "repositories" '
                f'("customizations": {{"codespaces": {{"repositories": {{"{key}": …}}}}}})',
                where,
            )
            continue
        close = difflib.get_close_matches(key, CODESPACES_KEYS, n=1, cutoff=0.6)
        hint = (
            f'did you mean "{close[0]}"?' if close else f"use one of {', '.join(CODESPACES_KEYS)}"
        )
        emit(
            Code.UNKNOWN_CODESPACES_KEY,
            Severity.WARNING,
            f'"{key}" is not a key Codespaces reads under customizations.codespaces; {hint}',
            where,
        )


def _check_hooks(
    doc: Document, config: dict[str, Any], options: LintOptions, emit: _Collector
) -> None:
    for hook in hooks.PREBUILD_HOOKS:
        for path, command in hooks.commands(config.get(hook), (hook,)):
            if hooks.runs_docker(command):
                label = ".".join(str(p) for p in path)
                emit(
                    Code.DOCKER_IN_PREBUILD_HOOK,
                    Severity.ERROR if options.prebuild else Severity.WARNING,
                    f"{label} runs docker, but no Docker daemon runs while a Codespaces prebuild "
                    "is made (the docker command exists, so it fails on the missing daemon); "
                    "move that command to postCreateCommand or postStartCommand",
                    doc.where(path, key=False),
                )
    if not hooks.wired(config):
        anchor = ("postCreateCommand",) if "postCreateCommand" in config else ()
        emit(
            Code.HOOK_NOT_WIRED,
            Severity.WARNING,
            "no lifecycle command runs cs-registry, so registry logins happen only by hand; "
            'add "features": {"./cs-registry": {}} or "postCreateCommand": "hooks/post-create"',
            doc.where(anchor),
        )
