"""Paths as text on the hot path, with exactly :mod:`pathlib`'s answers.

Importing pathlib costs ~4 ms (it pulls in ``urllib.parse``), a fifth of a plain
``login``'s budget. The login path keeps paths as text instead: :func:`normal` is
``str(Path(text))``, and the predicates treat errors as ``Path.exists()`` and its
siblings do (a missing or looping path is ``False``, other errors such as
``EACCES`` raise). pathlib is imported only for text that needs normalising.
"""

from __future__ import annotations

import errno
import os
import stat

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~4 ms)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TypeAlias

    #: a Path from most callers, text from the login hot path
    StrPath: TypeAlias = str | os.PathLike[str]

# the errors pathlib's is_dir/is_file/exists/is_symlink read as "no" (pathlib._IGNORED_ERRNOS)
_MISSING = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)


def is_normal(text: str) -> bool:
    """Whether ``str(Path(text)) == text``: no empty or ``.`` parts, no trailing slash."""
    parts = text.split("/")
    return bool(text) and "." not in parts and "" not in parts[1:]


def normal(text: str) -> str:
    """``str(Path(text))``; pathlib is imported only when ``text`` is not already normal."""
    if is_normal(text):
        return text
    from pathlib import Path

    return str(Path(text))


def text(path: StrPath) -> str:
    """``str(Path(path))`` for a Path or text."""
    return normal(os.fspath(path))


def link_target(path: str) -> str:
    """Where a write to ``path`` lands: the final target when it is a symlink."""
    return os.path.realpath(path) if is_symlink(path) else path


def join(directory: str, name: str) -> str:
    """``str(Path(directory) / name)`` for a normal ``directory`` and a relative ``name``."""
    return name if directory == "." else os.path.join(directory, name)


def parent(path: str) -> str:
    """``str(Path(path).parent)`` for a normal ``path``."""
    return os.path.dirname(path) or "."


def _test(path: str, check: Callable[[int], bool], follow: bool = True) -> bool:
    try:
        mode = os.stat(path).st_mode if follow else os.lstat(path).st_mode
    except OSError as exc:
        if exc.errno in _MISSING:
            return False
        raise
    except ValueError:  # e.g. an embedded NUL, as pathlib
        return False
    return check(mode)


def exists(path: str) -> bool:
    """``Path(path).exists()``."""
    return _test(path, lambda _mode: True)


def is_file(path: str) -> bool:
    """``Path(path).is_file()``."""
    return _test(path, stat.S_ISREG)


def is_dir(path: str) -> bool:
    """``Path(path).is_dir()``."""
    return _test(path, stat.S_ISDIR)


def is_symlink(path: str) -> bool:
    """``Path(path).is_symlink()``."""
    return _test(path, stat.S_ISLNK, follow=False)


def make_dirs(path: str, mode: int = 0o777) -> None:
    """``Path(path).mkdir(mode, parents=True, exist_ok=True)``."""
    try:
        os.mkdir(path, mode)
    except FileNotFoundError:
        up = parent(path)
        if up == path:
            raise
        make_dirs(up)
        try:
            os.mkdir(path, mode)
        except OSError:
            if not is_dir(path):
                raise
    except OSError:
        if not is_dir(path):
            raise
