"""Hostile pass (issue 10): names from Docker's config in doctor's own columns.

``doctor`` escaped each check's message, but not its label: a ``credsStore`` or
``credHelpers`` value (``helper:NAME``) reached the terminal raw, so an escape
sequence in config.json could clear or retitle it. ``doctor --fix`` escaped its
whole line, its own colour codes included, so a colour terminal showed
``\\x1b[32m✓\\x1b[0m`` instead of a green mark.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from cs_registry.context import Context
from cs_registry.main import main

_ESCAPES = "\x1b\x07\x9b\r"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _config(tmp_path: Path) -> Path:
    folder = tmp_path / "docker-config"
    folder.mkdir()
    document = {
        "credsStore": "a\x1b[2Jb",
        "credHelpers": {"x\x1b[31m.example": "no\x1b]0;title\x07helper"},
        "auths": {"k\x9b2J\r\nDiagnosis: ok": {}},
    }
    (folder / "config.json").write_text(json.dumps(document))
    (folder / "config.json").chmod(0o644)  # a mode fix too, for doctor --fix
    return folder


@pytest.mark.parametrize("argv", [["doctor"], ["doctor", "--fix", "--dry-run"]])
@pytest.mark.parametrize("terminal", [False, True])
def test_doctor_shows_config_names_inert(
    make_ctx: Callable[..., Context], tmp_path: Path, argv: list[str], terminal: bool
) -> None:
    folder = _config(tmp_path)
    ctx = make_ctx({"DOCKER_CONFIG": str(folder)})
    if terminal:
        ctx.stdout = _Terminal()
    main(argv, ctx)
    stream = ctx.stdout
    assert isinstance(stream, io.StringIO)
    out = stream.getvalue()
    assert "a\\x1b[2Jb" in out  # the name is shown, escaped
    own_colours = re.compile(r"\x1b\[[0-9;]*m")  # paint(): SGR colour codes only
    leftover = own_colours.sub("", out)
    assert not [c for c in _ESCAPES if c in leftover], leftover
    if terminal:
        assert "\\x1b[3" not in out.replace("\\x1b[31m.example", "")  # our colours stay colours
