"""What a command may touch, injected so tests never patch globals.

Every command receives a :class:`Context`; tests build one with their own
environment mapping, streams and clock.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO


def _now() -> float:
    return time.time()


@dataclass
class Context:
    """Environment, streams, clock and paths of one invocation."""

    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    clock: Callable[[], float] = _now

    @property
    def home(self) -> Path:
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
        base = self.environ.get("XDG_CACHE_HOME") or str(self.home / ".cache")
        return Path(base) / "cs-registry"

    @property
    def config_home(self) -> Path:
        base = self.environ.get("XDG_CONFIG_HOME") or str(self.home / ".config")
        return Path(base) / "cs-registry"

    def print(self, text: str = "") -> None:
        self.stdout.write(text + "\n")


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
