"""Where the log comes from: a file (regular files only), standard input, or the creation log.

:func:`open_log` is this package's one way to open a file: the safe file layer's
streaming open (a log is read in bounded memory whatever its size), with the same
refusal of FIFOs, devices, sockets and directories as every other read.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import IO

from cs_registry import files, lifecycle
from cs_registry.errors import UsageError
from cs_registry.explain.reader import Readable

HOW_TO_GET_ONE = (
    "explain: no log given, and no Codespaces creation log at {path}. Pass a file, or `-` "
    "for standard input. To get a log: `gh codespace logs -c NAME > creation.log`; in VS Code "
    'the "Codespaces: View Creation Log" command; for a prebuild, the failed run of '
    '"Codespaces Prebuilds" in the repository\'s Actions tab (download its log).'
)


def open_log(path: str) -> IO[bytes]:
    """``path`` opened for streaming (:func:`cs_registry.files.open_stream`); a usage error
    unless it is a readable regular file (a FIFO, device or directory is never read)."""
    try:
        stream = files.open_stream(path, what="log")
    except files.FileError as exc:
        raise UsageError(f"explain: {exc.message}") from None
    if stream is None:
        raise UsageError(f"explain: cannot read {path}: no such file")
    return stream


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
