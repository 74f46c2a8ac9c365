"""Exit codes, named once (documented in README, "Exit codes")."""

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
