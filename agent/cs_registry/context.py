"""What a command may touch, injected so tests never patch globals.

Every command receives a :class:`Context`; tests build one with their own
environment mapping, streams and clock.
"""

from __future__ import annotations

import os
import sys
import time

from cs_registry import paths
from cs_registry.record import Record

TYPE_CHECKING = False  # not typing's: importing typing adds 0.3x python's start-up (README)
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path
    from typing import TextIO


def _now() -> float:
    return time.time()


class Context(Record):
    """Environment, streams, clock and paths of one invocation (this process's by default)."""

    __slots__ = ("clock", "environ", "stderr", "stdin", "stdout")
    __hash__ = None  # type: ignore[assignment]  # mutable: compares by value, never hashed

    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        clock: Callable[[], float] = _now,
    ) -> None:
        self.environ: Mapping[str, str] = dict(os.environ) if environ is None else environ
        self.stdin: TextIO = sys.stdin if stdin is None else stdin
        self.stdout: TextIO = sys.stdout if stdout is None else stdout
        self.stderr: TextIO = sys.stderr if stderr is None else stderr
        self.clock = clock

    @property
    def home(self) -> Path:
        # pathlib is imported here, not at the top: the login path does without (~4 ms)
        from pathlib import Path

        return Path(self.environ.get("HOME") or Path.home())

    @property
    def stdout_isatty(self) -> bool:
        return _isatty(self.stdout)

    @property
    def stderr_isatty(self) -> bool:
        return _isatty(self.stderr)

    @property
    def colors(self) -> bool:
        """Colours only on a terminal, and never with ``NO_COLOR`` set (no-color.org)."""
        return self.stdout_isatty and not self.environ.get("NO_COLOR")

    @property
    def cache_dir(self) -> Path:
        from pathlib import Path

        base = self.environ.get("XDG_CACHE_HOME") or str(self.home / ".cache")
        return Path(base) / "cs-registry"

    @property
    def config_home(self) -> Path:
        from pathlib import Path

        return Path(self.config_home_text)

    @property
    def config_home_text(self) -> str:
        """``str(config_home)``, computed without pathlib when ``HOME`` is set."""
        return config_home_text(self.environ) or paths.join(
            str(self.home / ".config"), "cs-registry"
        )

    def print(self, text: str = "") -> None:
        self.stdout.write(text + "\n")


def config_home_text(environ: Mapping[str, str]) -> str | None:
    """Our folder under ``XDG_CONFIG_HOME`` (default ``$HOME/.config``) as normal text;
    ``None`` without either variable (then only the account database knows the home)."""
    base = environ.get("XDG_CONFIG_HOME")
    if not base:
        home = environ.get("HOME")
        if not home:
            return None
        base = paths.join(paths.normal(home), ".config")
    return paths.join(paths.normal(base), "cs-registry")


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
