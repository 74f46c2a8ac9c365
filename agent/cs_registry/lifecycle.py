"""Where in a dev container's life we are: inside Codespaces? making a prebuild?

There is no documented variable for the prebuild phase. Codespaces writes
``ACTION_NAME`` into a shared environment file (``createPrebuildTemplate`` while a
prebuild is made, ``createFromPrebuild`` for a codespace made from one); we also
honour ``ACTION_NAME`` in the environment, and the file's path can be overridden
with ``CS_REGISTRY_CODESPACES_ENV_FILE`` (tests, unusual layouts).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from cs_registry import files, jsontext, paths
from cs_registry.record import Record

CODESPACES_ENV_FILE = "/workspaces/.codespaces/shared/environment-variables.json"
ENV_FILE_OVERRIDE = "CS_REGISTRY_CODESPACES_ENV_FILE"
#: what `cs-registry explain` (no argument) and `doctor` read inside a codespace
CREATION_LOG = "/workspaces/.codespaces/.persistedshare/creation.log"
CREATION_LOG_OVERRIDE = "CS_REGISTRY_CREATION_LOG"


class Phase(str, enum.Enum):
    PREBUILD = "prebuild"  # a prebuild template is being made: write nothing secret
    FROM_PREBUILD = "from-prebuild"  # a codespace created from a prebuild
    NORMAL = "normal"

    def __str__(self) -> str:
        return self.value


class Where(Record):
    """The lifecycle facts one run needs; ``source`` says where ACTION_NAME came from."""

    __slots__ = ("action_name", "in_codespaces", "phase", "source")

    def __init__(
        self, in_codespaces: bool, phase: Phase, action_name: str | None, source: str | None
    ) -> None:
        self.in_codespaces = in_codespaces
        self.phase = phase
        self.action_name = action_name
        self.source = source


def _action_from_file(path: str) -> str | None:
    # fail-soft: a missing, unreadable, oversized or non-regular file (a FIFO must not
    # hang the lifecycle hooks) tells nothing, as an absent one does
    try:
        raw = files.read_file(path, limit=files.TEXT_LIMIT, what="Codespaces environment file")
        data = jsontext.loads(raw) if raw is not None else None
    except (files.FileError, ValueError):
        return None
    if isinstance(data, dict):
        value = data.get("ACTION_NAME")
        return value if isinstance(value, str) else None
    if isinstance(data, list):  # [{"name": ..., "value": ...}, ...]
        for item in data:
            if isinstance(item, dict) and item.get("name") == "ACTION_NAME":
                value = item.get("value")
                return value if isinstance(value, str) else None
    return None


def creation_log_path(environ: Mapping[str, str]) -> str:
    """Where Codespaces keeps the creation log (``CS_REGISTRY_CREATION_LOG`` overrides it)."""
    return paths.normal(environ.get(CREATION_LOG_OVERRIDE) or CREATION_LOG)


def detect(environ: Mapping[str, str]) -> Where:
    """The lifecycle phase from ``ACTION_NAME`` (environment first, then Codespaces' file)."""
    action = environ.get("ACTION_NAME") or None
    source = "ACTION_NAME" if action else None
    if action is None:
        # text, not a Path: pathlib costs the login path ~4 ms (see cs_registry.paths)
        path = paths.normal(environ.get(ENV_FILE_OVERRIDE) or CODESPACES_ENV_FILE)
        action = _action_from_file(path)
        source = path if action else None
    if action == "createPrebuildTemplate":
        phase = Phase.PREBUILD
    elif action == "createFromPrebuild":
        phase = Phase.FROM_PREBUILD
    else:
        phase = Phase.NORMAL
    return Where(
        in_codespaces=environ.get("CODESPACES") == "true",
        phase=phase,
        action_name=action,
        source=source,
    )
