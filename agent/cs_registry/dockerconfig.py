"""Docker's ``config.json``: find it, read it strictly, replace it atomically under a lock.

Rules (design.md, "Writing Docker's config"): parse as a plain dict and change only
what we own; a malformed file is reported and left byte-for-byte as it was; every
read and write goes through :mod:`cs_registry.files` (regular files only, capped at
:data:`~cs_registry.files.CONFIG_LIMIT`, temp file + fsync + rename onto the
symlink's target, a bounded lock shared by every writer, new files given to the
home's owner when root writes them). Where the file is: :mod:`cs_registry.dockerdir`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping

from cs_registry import files, paths
from cs_registry.diagnosis import Code
from cs_registry.dockerdir import CONFIG_NAME, ConfigLocation, config_dir, config_file, locate
from cs_registry.errors import CsRegistryError
from cs_registry.files import DIR_MODE, FILE_MODE, write_atomic
from cs_registry.record import Record
from cs_registry.status import ExitStatus

TYPE_CHECKING = False  # not typing's: importing typing adds 0.3x python's start-up (README)
if TYPE_CHECKING:
    from typing import Any

    from cs_registry.paths import StrPath

_JSON_TYPES = {
    list: "array",
    str: "string",
    int: "number",
    float: "number",
    bool: "boolean",
    type(None): "null",
}


_WHERE_ELSE = "pass --config DIR or set DOCKER_CONFIG to a writable directory"


class ConfigUnreadable(CsRegistryError):
    """The existing config cannot be used; it is left untouched (exit 2).

    ``code`` is ``config_unreadable`` (bad JSON, no permission) or ``unsafe_file``
    (a FIFO, device, socket, directory or an oversized file where config.json should be).
    """

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        code: Code = Code.CONFIG_UNREADABLE,
    ):
        super().__init__(message, code=code, status=ExitStatus.USAGE)
        self.line = line
        self.column = column


class ConfigUnwritable(files.UnwritableFile):
    """The config directory or file cannot be written (exit 2, ``config_unwritable``)."""


class LoadedConfig(Record):
    """A parsed config: ``data`` is the whole document, ``raw`` its bytes (``b""`` if new).

    ``tightened``: after :func:`update` wrote credentials into a file group or others
    could read, its old mode (it is 0600 now); else ``None``.
    """

    __slots__ = ("data", "exists", "path", "raw", "tightened")
    __hash__ = None  # type: ignore[assignment]  # holds a dict: compares by value, never hashed

    def __init__(
        self,
        path: StrPath,
        data: dict[str, Any],
        raw: bytes,
        exists: bool,
        tightened: int | None = None,
    ) -> None:
        self.path = path
        self.data = data
        self.raw = raw
        self.exists = exists
        self.tightened = tightened


def _position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of ``text[index]``."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _unreadable(path: StrPath, text: str, index: int, problem: str) -> ConfigUnreadable:
    line, column = _position(text, index)
    return ConfigUnreadable(
        f"{path}:{line}:{column}: {problem}; fix or move the file aside (it was left as is)",
        line=line,
        column=column,
    )


def _section_index(text: str, name: str) -> int:
    """Where the value of top-level ``name`` starts (json keeps the last duplicate)."""
    found = list(re.finditer(rf'"{re.escape(name)}"\s*:\s*', text))
    return found[-1].end() if found else 0


class _NotJson(ValueError):
    """A value Python's json accepts but JSON (and so the docker CLI) does not."""

    def __init__(self, token: str, problem: str) -> None:
        super().__init__(problem)
        self.token = token
        self.problem = problem


def _reject_constant(token: str) -> Any:
    raise _NotJson(token, f"{token} is not valid JSON")


def _finite_float(token: str) -> float:
    value = float(token)
    if value in (float("inf"), float("-inf")):
        # written back it would become `Infinity`, which no JSON parser reads
        raise _NotJson(token, f"the number {token[:20]} is too large for a Docker config")
    return value


def parse(raw: bytes, path: StrPath) -> dict[str, Any]:
    """Parse config bytes strictly; errors name the file, line and column."""
    if not raw.strip():
        # the docker CLI treats an empty file as an empty config
        return {}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        prefix = raw[: exc.start].decode("utf-8")
        raise _unreadable(path, prefix, len(prefix), "not UTF-8 text") from None
    try:
        data = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise _unreadable(path, text, exc.pos, exc.msg) from None
    except RecursionError:
        raise ConfigUnreadable(f"{path}: nested too deeply to be a Docker config") from None
    except _NotJson as exc:
        raise _unreadable(path, text, max(text.find(exc.token), 0), exc.problem) from None
    except ValueError:  # an integer longer than Python converts (sys.get_int_max_str_digits)
        digits = re.search(r"[0-9]{1000,}", text)
        where = digits.start() if digits else 0
        raise _unreadable(path, text, where, "a number has too many digits") from None
    if not isinstance(data, dict):
        start = len(text) - len(text.lstrip())
        kind = _JSON_TYPES.get(type(data), type(data).__name__)
        raise _unreadable(path, text, start, f"the top level is a JSON {kind}, not an object")
    for section in ("auths", "credHelpers"):
        # null is what Go's encoding/json reads as "no map", so the docker CLI accepts it
        if data.get(section) is not None and not isinstance(data[section], dict):
            raise _unreadable(
                path, text, _section_index(text, section), f"{section!r} is not an object"
            )
    if data.get("credsStore") is not None and not isinstance(data["credsStore"], str):
        raise _unreadable(
            path, text, _section_index(text, "credsStore"), "'credsStore' is not a string"
        )
    return data


def load(path: StrPath) -> LoadedConfig:
    """Read and parse ``path``; a missing file is an empty config.

    Only a regular file (or a symlink to one) of at most 16 MiB is read: anything
    else is refused at once (``unsafe_file``) and left exactly as it is.
    """
    text = paths.text(path)
    try:
        # as root, never through another user's symlink onto a file they do not own
        files.target_of(text, what="Docker config")
        raw = files.read_file(text, limit=files.CONFIG_LIMIT, what="Docker config")
    except files.UnsafeFile as exc:
        raise ConfigUnreadable(exc.message, code=Code.UNSAFE_FILE) from None
    except files.FileError as exc:
        raise ConfigUnreadable(exc.message) from None
    if raw is None:
        return LoadedConfig(path=path, data={}, raw=b"", exists=False)
    return LoadedConfig(path=path, data=parse(raw, text), raw=raw, exists=True)


def dumps(data: Mapping[str, Any]) -> bytes:
    """Serialise as the docker CLI does (tab indent), with a trailing newline."""
    try:
        return (json.dumps(data, indent="\t", ensure_ascii=False) + "\n").encode("utf-8")
    except UnicodeEncodeError:
        # a lone surrogate escape ("\\ud800") read from a foreign key has no UTF-8
        # form; escaped output keeps it exactly as it was
        return (json.dumps(data, indent="\t") + "\n").encode("ascii")


def update(path: StrPath, change: Callable[[dict[str, Any]], bool]) -> tuple[LoadedConfig, bool]:
    """Read-modify-write ``path`` under the lock.

    ``change`` mutates the parsed document in place and returns whether it changed
    anything; only then is the file written (0600, or tightened to 0600 when group
    or others could read it: then ``loaded.tightened`` holds the old mode). Returns
    the config as read and whether it was written. The lock wait is bounded
    (``config_locked``), and nothing that can block is opened while it is held.
    """
    text = paths.text(path)
    directory = os.path.dirname(text) or "."
    try:
        # a device or FIFO, or (as root) another user's link onto what they do not own:
        # refused before anything is created or locked
        try:
            files.target_of(text, what="Docker config")
        except files.UnsafeFile:
            raise
        except files.FileError as exc:  # no permission, a name too long: not "unsafe"
            raise ConfigUnwritable(f"{exc.message}; {_WHERE_ELSE}", exc.path) from None
        try:
            files.ensure_dir(directory, what="Docker config directory")
        except files.UnwritableFile as exc:
            inside = "" if exc.path == directory else f"cannot use {directory}: "
            raise ConfigUnwritable(f"{inside}{exc.message}; {_WHERE_ELSE}", exc.path) from None
        with files.lock_beside(text):
            loaded = load(path)
            data = json.loads(json.dumps(loaded.data)) if loaded.exists else {}
            if not change(data):
                return loaded, False
            content = dumps(data)
            if content == loaded.raw:
                return loaded, False
            files.sweep_stale_temps(text)
            loaded.tightened = write_atomic(text, content, what="Docker config", private=True)
            return loaded, True
    except files.UnwritableFile as exc:
        if isinstance(exc, ConfigUnwritable):
            raise
        raise ConfigUnwritable(f"{exc.message}; {_WHERE_ELSE}", exc.path) from None


__all__ = [
    "CONFIG_NAME",
    "DIR_MODE",
    "FILE_MODE",
    "ConfigLocation",
    "ConfigUnreadable",
    "ConfigUnwritable",
    "LoadedConfig",
    "config_dir",
    "config_file",
    "dumps",
    "load",
    "locate",
    "parse",
    "update",
]
