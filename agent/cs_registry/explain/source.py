"""Where the log comes from: a file (regular files only), standard input, or the creation log.

:func:`open_log` is this package's one way to open a file. It does not go through
:func:`cs_registry.files.read_file`, which reads a whole file under a size cap: a log is
streamed instead, in bounded memory whatever its size, with the same refusal of FIFOs,
devices, sockets and directories (``O_NONBLOCK`` open, then ``fstat``).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from typing import IO

from cs_registry import lifecycle
from cs_registry.errors import UsageError
from cs_registry.explain.reader import Readable
from cs_registry.files import describe

HOW_TO_GET_ONE = (
    "explain: no log given, and no Codespaces creation log at {path}. Pass a file, or `-` "
    "for standard input. To get a log: `gh codespace logs -c NAME > creation.log`; in VS Code "
    'the "Codespaces: View Creation Log" command; for a prebuild, the failed run of '
    '"Codespaces Prebuilds" in the repository\'s Actions tab (download its log).'
)


def open_log(path: str) -> IO[bytes]:
    """``path`` opened for reading; a usage error unless it is a readable regular file.

    ``O_NONBLOCK`` keeps a FIFO from blocking the open; ``fstat`` then refuses anything
    that is not a regular file before a byte is read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise UsageError(f"explain: cannot read {path}: {exc.strerror or exc}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise UsageError(f"explain: {path} is {describe(mode)}, not a log file")
    os.set_blocking(fd, True)
    return open(fd, "rb", buffering=0)  # the caller closes it


class _Encoded:
    """A text stream read as UTF-8 bytes, chunk by chunk (an injected ``StringIO``)."""

    def __init__(self, text: IO[str]) -> None:
        self._text = text

    def read(self, size: int = -1) -> bytes:
        return self._text.read(size).encode("utf-8", errors="replace")


def binary_stdin(stdin: IO[str]) -> Readable:
    """Standard input as bytes: its ``buffer``, or the text stream encoded as UTF-8."""
    buffer = getattr(stdin, "buffer", None)
    if buffer is not None:
        return buffer  # type: ignore[no-any-return]
    return _Encoded(stdin)


def creation_log(environ: Mapping[str, str]) -> str | None:
    """The Codespaces creation log's path when that file exists, else ``None``."""
    path = lifecycle.creation_log_path(environ)
    return path if os.path.exists(path) else None
