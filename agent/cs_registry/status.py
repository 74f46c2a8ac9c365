"""Statuses named once: process exit codes (README, "Exit codes") and check outcomes."""

from __future__ import annotations

import enum


class ExitStatus(enum.IntEnum):
    """What a `cs-registry` process tells its caller."""

    OK = 0
    #: a check, a login or a diagnosis failed
    FAILED = 1
    #: bad usage or configuration (flags, env, files we were asked to read)
    USAGE = 2
    #: a bug: the message points to the log file
    INTERNAL = 3
    #: Ctrl-C
    INTERRUPTED = 130


class Status(str, enum.Enum):
    """How one doctor check or one debug-login step went.

    ``fail`` makes the command exit 1; ``warn`` and ``skip`` do not.
    """

    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"

    def __str__(self) -> str:
        return self.value
