"""Paths as text on the hot path, with exactly :mod:`pathlib`'s answers.

Kept because importing pathlib costs a plain ``login`` +4.8 ms paired (0.32x the bare
interpreter, README "Benchmarks"; it pulls in ``urllib.parse``): :func:`normal` is
``str(Path(text))``, and pathlib is imported only for text that needs normalising.
The predicates and ``mkdir`` twins that once lived here had no caller and are gone.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # not typing's: importing typing adds 0.3x python's start-up (README)
if TYPE_CHECKING:
    from typing import TypeAlias

    #: a Path from most callers, text from the login hot path
    StrPath: TypeAlias = str | os.PathLike[str]


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


def join(directory: str, name: str) -> str:
    """``str(Path(directory) / name)`` for a normal ``directory`` and a relative ``name``."""
    return name if directory == "." else os.path.join(directory, name)


def parent(path: str) -> str:
    """``str(Path(path).parent)`` for a normal ``path``."""
    return os.path.dirname(path) or "."
