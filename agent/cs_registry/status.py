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
    #: Ctrl-C (SIGINT)
    INTERRUPTED = 130
    #: stdout's reader went away (``| head``): 128 + SIGPIPE, as a shell reports a
    #: program that SIGPIPE ended; nothing is printed or logged
    BROKEN_PIPE = 141
    #: SIGTERM
    TERMINATED = 143


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


class Severity(str, enum.Enum):
    """How bad one finding is (a triplet's, a devcontainer.json lint's): a warning leaves
    the exit status alone, an error makes the command fail. The one severity vocabulary;
    a doctor check or a debug-login step reports its outcome as a :class:`Status`."""

    WARNING = "warning"
    ERROR = "error"

    def __str__(self) -> str:
        return self.value

    @property
    def status(self) -> Status:
        """The check outcome a finding of this severity makes."""
        return Status.FAIL if self is Severity.ERROR else Status.WARN
