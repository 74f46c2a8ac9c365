"""Docker's ``config.json``: find it, read it strictly, replace it atomically under a lock.

The replacing itself (lock, temp file, fsync, rename) lives in :mod:`.configwrite`.

Rules (design.md, "Writing Docker's config"): parse as a plain dict and change only
what we own; a malformed file is reported and left byte-for-byte as it was; writes
go to a temp file in the same directory (0600 or the existing mode), are fsynced and
``os.replace``d onto the symlink's target; concurrent writers serialise on a lock
file so none loses another's entry.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping

from cs_registry import paths
from cs_registry.configwrite import (
    DIR_MODE,
    FILE_MODE,
    ConfigUnwritable,
    ensure_dir,
    locked,
    sweep_stale_temps,
    write_atomic,
)
from cs_registry.diagnosis import Code
from cs_registry.errors import CsRegistryError
from cs_registry.record import Record
from cs_registry.status import ExitStatus

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~4 ms)
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from cs_registry.paths import StrPath

CONFIG_NAME = "config.json"
_JSON_TYPES = {
    list: "array",
    str: "string",
    int: "number",
    float: "number",
    bool: "boolean",
    type(None): "null",
}


class ConfigUnreadable(CsRegistryError):
    """The existing config cannot be used; it is left untouched (exit 2)."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None):
        super().__init__(message, code=Code.CONFIG_UNREADABLE, status=ExitStatus.USAGE)
        self.line = line
        self.column = column


def config_dir(environ: Mapping[str, str], override: str | None = None) -> Path:
    """``--config`` > ``$DOCKER_CONFIG`` > ``~/.docker``, as the docker CLI resolves it."""
    from pathlib import Path  # see config_file: the login path takes the text instead

    home = environ.get("HOME") or str(Path.home())
    value = override or environ.get("DOCKER_CONFIG")
    if not value:
        return Path(home) / ".docker"
    # a quoted "~/x" reaches us unexpanded: expand it with the invocation's HOME
    if value == "~" or value.startswith("~/"):
        return Path(home + value[1:])
    return Path(value).expanduser()


def config_file(environ: Mapping[str, str], override: str | None = None) -> str:
    """``str(config_dir(environ, override) / CONFIG_NAME)``, without pathlib when it can.

    The same resolution as :func:`config_dir` on text; pathlib (~4 ms to import) is
    used only when that text would need normalising, or for ``~user`` and a missing
    ``HOME``, which only pathlib expands exactly as before.
    """
    home = environ.get("HOME")
    value = override or environ.get("DOCKER_CONFIG")
    directory: str | None = None
    if not value:
        directory = os.path.join(home, ".docker") if home else None
    elif value == "~" or value.startswith("~/"):
        directory = home + value[1:] if home else None
    elif not value.startswith("~"):
        directory = value
    if directory is not None and paths.is_normal(directory):
        return paths.join(directory, CONFIG_NAME)
    return str(config_dir(environ, override) / CONFIG_NAME)


class LoadedConfig(Record):
    """A parsed config: ``data`` is the whole document, ``raw`` its bytes (``b""`` if new)."""

    __slots__ = ("data", "exists", "path", "raw")
    __hash__ = None  # type: ignore[assignment]  # holds a dict: compares by value, never hashed

    def __init__(self, path: StrPath, data: dict[str, Any], raw: bytes, exists: bool) -> None:
        self.path = path
        self.data = data
        self.raw = raw
        self.exists = exists


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


def target_of(path: Path) -> Path:
    """Where writes land: the final target when ``path`` is a symlink (the link is kept)."""
    from pathlib import Path

    return Path(os.path.realpath(path)) if path.is_symlink() else path


def load(path: StrPath) -> LoadedConfig:
    """Read and parse ``path``; a missing file is an empty config."""
    text = paths.text(path)
    try:
        with open(paths.link_target(text), "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        return LoadedConfig(path=path, data={}, raw=b"", exists=False)
    except IsADirectoryError:
        raise ConfigUnreadable(f"{text} is a directory, not a file") from None
    except OSError as exc:
        raise ConfigUnreadable(f"{text}: cannot read it ({exc.strerror})") from None
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
    anything; only then is the file written. Returns the config as read and whether
    it was written.
    """
    ensure_dir(paths.parent(paths.text(path)))
    with locked(path):
        loaded = load(path)
        data = json.loads(json.dumps(loaded.data)) if loaded.exists else {}
        if not change(data):
            return loaded, False
        content = dumps(data)
        if content == loaded.raw:
            return loaded, False
        sweep_stale_temps(path)
        write_atomic(path, content)
        return loaded, True


__all__ = [
    "CONFIG_NAME",
    "DIR_MODE",
    "FILE_MODE",
    "ConfigUnreadable",
    "ConfigUnwritable",
    "LoadedConfig",
    "config_dir",
    "config_file",
    "dumps",
    "ensure_dir",
    "load",
    "locked",
    "parse",
    "sweep_stale_temps",
    "target_of",
    "update",
    "write_atomic",
]
