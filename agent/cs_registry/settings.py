"""What teams tune, from flags, environment variables and YAML files, in that order.

Precedence, highest first: a command-line flag, a ``CS_REGISTRY_*`` environment
variable, the user's file (``$XDG_CONFIG_HOME/cs-registry/config.yaml``), the
repository's file (``.devcontainer/cs-registry.yaml`` in the workspace: the git
top level above the current directory, else the current directory), the system
file the Dev Container Feature writes (``/etc/cs-registry/config.yaml``), and the
default. A setting takes its value from the highest layer that sets it; lists
replace, they do not merge (``--ignore`` flags are the exception: they add IDs).

A file is read only when it, and the folders it lies in, belong to this user or root
(git's ``safe.directory`` rule, see :mod:`cs_registry.workspace`); the system file
must be root's. Anyone else's file is ignored with an ``untrusted_settings`` warning
naming it and its owner: a settings file may name which secrets go to which server.
Files are read through :mod:`cs_registry.files` (a FIFO or device is refused).

``login`` runs in every lifecycle hook, so this module stays cheap: it only stats
the candidate files, and pyyaml is imported (by :mod:`cs_registry.settings_file`)
only when one of them exists.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from cs_registry import files, paths, triplets, workspace
from cs_registry.context import Context
from cs_registry.diagnosis import Code
from cs_registry.errors import CsRegistryError, UsageError
from cs_registry.record import Record
from cs_registry.status import Severity
from cs_registry.triplets import PASSWORD, SERVER, USER, Discovery, Extra, Finding

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~4 ms)
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from cs_registry.settings_file import RegistryEntry

# paths as text: the login hot path does without pathlib (~4 ms, see cs_registry.paths)
REPOSITORY_FILE = ".devcontainer/cs-registry.yaml"
USER_FILE = "config.yaml"
SYSTEM_FILE = "/etc/cs-registry/config.yaml"
#: overrides :data:`SYSTEM_FILE` (tests, unusual layouts)
SYSTEM_FILE_ENV = "CS_REGISTRY_SYSTEM_CONFIG"
#: how ``origins`` name the file layers, lowest first
FILE_LAYERS = (SYSTEM_LAYER, REPOSITORY_LAYER, USER_LAYER) = (
    "system file",
    "repository file",
    "user file",
)
GHCR = "ghcr.io"

#: the environment variable of each setting that has one
ENV = {
    "verify": "CS_REGISTRY_VERIFY",
    "ecr_helper": "CS_REGISTRY_ECR_HELPER",
    "timeout": "CS_REGISTRY_TIMEOUT",
    "ignore": "CS_REGISTRY_IGNORE",
    "ghcr_from_github_token": "CS_REGISTRY_GHCR_FROM_GITHUB_TOKEN",
}
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})
_ID = r"[A-Za-z_][A-Za-z0-9_]*"  # compiled on first use: only CS_REGISTRY_IGNORE needs it


class Settings(Record):
    """The resolved settings of one run; ``origins`` (not compared) says where each came from."""

    __slots__ = (
        "ecr_helper",
        "ghcr_from_github_token",
        "ignore",
        "origins",
        "registries",
        "timeout",
        "verify",
        "warnings",
    )
    _uncompared = frozenset({"origins", "warnings"})

    def __init__(
        self,
        *,
        verify: bool = False,
        ecr_helper: bool = False,
        timeout: float = 10.0,
        ignore: tuple[str, ...] = (),
        registries: tuple[RegistryEntry, ...] = (),
        ghcr_from_github_token: bool = False,
        origins: Mapping[str, str] | None = None,
        warnings: tuple[Finding, ...] = (),
    ) -> None:
        #: check each credential against its registry after writing it
        self.verify = verify
        #: serve ECR hosts through docker-credential-cs-registry instead of stored tokens
        self.ecr_helper = ecr_helper
        #: seconds allowed for each network operation (verification, ECR swaps, probes)
        self.timeout = timeout
        #: triplet IDs to leave alone
        self.ignore = ignore
        #: extra registries whose credentials sit in differently named variables
        self.registries = registries
        #: log in to ghcr.io with GITHUB_USER/GITHUB_TOKEN when no triplet covers it
        self.ghcr_from_github_token = ghcr_from_github_token
        self.origins: Mapping[str, str] = origins if origins is not None else {}
        #: files that were ignored, and why (``untrusted_settings``)
        self.warnings = warnings


def _candidates(ctx: Context, cwd: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """(layer, file, the folders that must be trusted) for a normal ``cwd``, lowest first.

    The repository file's folders are the top level and its ``.devcontainer``; the
    user file's, its ``cs-registry`` folder and the one above (``XDG_CONFIG_HOME``).
    """
    system = paths.normal(ctx.environ.get(SYSTEM_FILE_ENV) or SYSTEM_FILE)
    top = workspace.top_level(cwd)
    repository = paths.join(top, REPOSITORY_FILE)
    user_dir = ctx.config_home_text
    return [
        (SYSTEM_LAYER, system, (paths.parent(system),)),
        (REPOSITORY_LAYER, repository, (top, paths.parent(repository))),
        (USER_LAYER, paths.join(user_dir, USER_FILE), (paths.parent(user_dir), user_dir)),
    ]


def _untrusted(layer: str, path: str, problem: str, system: bool) -> Finding:
    rule = "root" if system else "you or root"
    if system:
        fix = "if you trust it, make root its owner (sudo chown root:root FILE)"
    elif layer == REPOSITORY_LAYER:
        fix = (
            "if you trust it, give it to yourself (chown), or tell git you trust the "
            "repository (git config --global --add safe.directory DIR)"
        )
    else:
        fix = "if you trust it, give it to yourself (chown) or move it into a folder you own"
    return Finding(
        Code.UNTRUSTED_SETTINGS,
        Severity.WARNING,
        f"{layer} {path} was ignored: {problem}, not to {rule} (git's safe.directory rule); {fix}",
    )


def _problem(path: str, folders: tuple[str, ...], owners: frozenset[int]) -> str | None:
    """Why the file at ``path`` may not be trusted, as far as is known before opening it."""
    folder = workspace.owner_problem(folders, owners)
    if folder is not None:
        return f"its folder {folder}"
    link_owner = workspace.link_problem(path, owners)
    if link_owner is not None:
        return f"it is a symbolic link that belongs to {link_owner}"
    return None


def _read(
    ctx: Context, layer: str, path: str, folders: tuple[str, ...], warnings: list[Finding]
) -> bytes | None:
    """The file's bytes when it exists and is trusted; a warning when it is not."""
    if not os.path.lexists(path):
        return None
    system = layer == SYSTEM_LAYER
    owners = frozenset({0}) if system else workspace.trusted_owners(ctx.environ)
    problem = _problem(path, folders, owners)
    if problem is None:
        try:
            return files.read_file(path, limit=files.TEXT_LIMIT, what=layer, owners=owners)
        except files.UntrustedFile as exc:
            problem = f"it belongs to {workspace.owner_name(exc.owner)}"
    if layer == REPOSITORY_LAYER and workspace.git_trusts(folders[0], ctx.environ):
        # the user told git this repository is theirs to trust, whoever owns it
        return files.read_file(path, limit=files.TEXT_LIMIT, what=layer)
    warnings.append(_untrusted(layer, path, problem, system))
    return None


def _env_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise UsageError(f"{name}={raw!r} is not a boolean; use 1/0, true/false, yes/no or on/off")


def _env_seconds(name: str, raw: str) -> float:
    import math  # only when CS_REGISTRY_TIMEOUT is set

    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise UsageError(f"{name}={raw!r} is not a positive number of seconds")
    return value


def _env_ids(name: str, raw: str) -> tuple[str, ...]:
    ids = tuple(part for part in re.split(r"[\s,]+", raw) if part)
    bad = [ident for ident in ids if not re.fullmatch(_ID, ident, re.ASCII)]
    if bad:
        raise UsageError(f"{name}: {bad[0]!r} is not a triplet ID; list IDs separated by commas")
    return ids


_FROM_ENV = {
    "verify": _env_bool,
    "ecr_helper": _env_bool,
    "timeout": _env_seconds,
    "ignore": _env_ids,
    "ghcr_from_github_token": _env_bool,
}


def load(
    ctx: Context, *, cwd: Path | None = None, flags: Mapping[str, Any] | None = None
) -> Settings:
    """Resolve every setting; ``flags`` holds command-line values (``None`` = not given).

    Raises :class:`~cs_registry.errors.UsageError` (a bad variable) or
    :class:`~cs_registry.settings_file.ConfigError` (a bad file, naming ``file:line``).
    """
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    warnings: list[Finding] = []
    start = paths.normal(os.getcwd() if cwd is None else os.fspath(cwd))
    for layer, path, folders in _candidates(ctx, start):
        content = _read(ctx, layer, path, folders, warnings)
        if content is None:
            continue
        from pathlib import Path

        from cs_registry import settings_file  # pyyaml only when a file exists

        found = settings_file.parse_bytes(content, Path(path))
        values.update(found.values)
        origins.update({name: f"{layer} {where}" for name, where in found.lines.items()})
    for name, variable in ENV.items():
        raw = ctx.environ.get(variable)
        if raw is not None:
            values[name] = _FROM_ENV[name](variable, raw)
            origins[name] = f"environment {variable}"
    for name, given in (flags or {}).items():
        if given is None or (name == "ignore" and not given):
            continue
        # --ignore adds to the IDs configured elsewhere; other flags replace
        values[name] = (*values.get("ignore", ()), *given) if name == "ignore" else given
        origins[name] = "command line"
    return Settings(**values, origins=origins, warnings=tuple(warnings))


def _extra(entry: RegistryEntry, environ: Mapping[str, str]) -> Extra:
    values = {SERVER: entry.server}
    for suffix, variable in ((USER, entry.user_env), (PASSWORD, entry.password_env)):
        if variable in environ:
            values[suffix] = environ[variable]
    names = {SERVER: f"{entry.where} server", USER: entry.user_env, PASSWORD: entry.password_env}
    return Extra(entry.id, values, names)


def _covers_ghcr(discovery: Discovery) -> bool:
    return any(t.server is not None and t.server.key == GHCR for t in discovery.triplets)


def discover(settings: Settings, environ: Mapping[str, str]) -> Discovery:
    """The environment's triplets plus the configured extras, as ``login`` sees them.

    With ``ghcr_from_github_token``, ``GITHUB_USER``/``GITHUB_TOKEN`` (present in
    every codespace) become a ``GITHUB_TOKEN`` entry for ghcr.io, unless a triplet
    already names ghcr.io or there is no ``GITHUB_TOKEN``.
    """
    found = _discover(settings, environ)
    found.stray[:0] = settings.warnings  # ignored settings files are said first
    return found


def in_play(
    ctx: Context, *, flags: Mapping[str, Any] | None = None, lenient: bool = False
) -> tuple[Settings, Discovery]:
    """The registries in play, settings applied: the one discovery behind ``login``,
    ``doctor``, ``debug-login`` and the credential helper, so all four count the same
    secrets (``ignore``, ``registries``, ``ghcr_from_github_token``).

    ``lenient``: a broken settings file (which ``login`` refuses, exit 2) counts as no
    settings instead of raising; doctor reports the file in its own check.
    """
    try:
        resolved = load(ctx, flags=flags)
    except CsRegistryError:
        if not lenient:
            raise
        resolved = Settings()
    return resolved, discover(resolved, ctx.environ)


def _discover(settings: Settings, environ: Mapping[str, str]) -> Discovery:
    extra = [_extra(entry, environ) for entry in settings.registries]
    found = triplets.discover(environ, ignore=settings.ignore, extra=extra)
    if not settings.ghcr_from_github_token or not environ.get("GITHUB_TOKEN"):
        return found
    if _covers_ghcr(found):
        return found
    values = {SERVER: GHCR, PASSWORD: environ["GITHUB_TOKEN"]}
    if "GITHUB_USER" in environ:
        values[USER] = environ["GITHUB_USER"]
    names = {SERVER: "ghcr_from_github_token", USER: "GITHUB_USER", PASSWORD: "GITHUB_TOKEN"}
    ghcr = Extra("GITHUB_TOKEN", values, names)
    return triplets.discover(environ, ignore=settings.ignore, extra=[*extra, ghcr])
