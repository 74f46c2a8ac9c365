"""SIGTERM unwinds the stack as Ctrl-C does, so every run ends through its boundary.

Python turns SIGINT into :class:`KeyboardInterrupt`; SIGTERM (``docker stop``, a
killed lifecycle hook, ``timeout``) ends the process at once, leaving a temp file
beside Docker's config and no word on why. :func:`install` makes SIGTERM raise
:class:`Terminated` in the main thread instead: ``finally`` blocks and ``with``
exits run (temp files removed, the lock released), and the entry point prints one
line and exits 143.
"""

from __future__ import annotations

# the builtin behind `signal`: importing `signal` itself pulls in enum (5-15 ms), too
# much for the credential helper's cached `get`, which installs this on every pull
import _signal  # type: ignore[import-not-found]  # no stub; same API as `signal`

TYPE_CHECKING = False  # not typing's: importing typing adds 0.3x python's start-up (README)
if TYPE_CHECKING:
    from types import FrameType


class Terminated(BaseException):
    """SIGTERM arrived (a BaseException, as KeyboardInterrupt is: ``except Exception``
    clauses must not swallow it)."""


def _raise_terminated(_signum: int, _frame: FrameType | None) -> None:
    raise Terminated


def install() -> None:
    """Make SIGTERM raise :class:`Terminated` (once, at a process entry point)."""
    _signal.signal(_signal.SIGTERM, _raise_terminated)
