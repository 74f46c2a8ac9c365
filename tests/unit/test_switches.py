"""A ``login`` of switches only is read without argparse, exactly as argparse reads it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cs_registry import switches
from cs_registry.command_line import build_parser

WORDS = [flag for switch in switches.LOGIN for flag in switch.flags]


def argparse_reads(argv: list[str]) -> dict[str, object]:
    return vars(build_parser(None).parse_args(argv))


@given(st.lists(st.sampled_from(WORDS), max_size=8))
def test_every_switch_only_login_reads_as_argparse_reads_it(words: list[str]) -> None:
    argv = ["login", *words]
    assert switches.read_login(argv) == argparse_reads(argv)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["doctor"],
        ["login", "--config", "/tmp"],
        ["login", "--config=/tmp"],
        ["login", "--ignore", "X"],
        ["login", "--dry"],  # an abbreviation: argparse refuses it
        ["login", "-h"],
        ["login", "--help"],
        ["login", "--"],
        ["login", "--bogus"],
        ["login", "-vv"],
        ["login", "extra"],
        ["--json", "login"],
    ],
)
def test_anything_else_is_left_to_argparse(argv: list[str]) -> None:
    assert switches.read_login(argv) is None


def test_the_hooks_login_never_loads_argparse() -> None:
    probe = (
        "import sys\n"
        "from cs_registry import switches\n"
        "assert switches.read_login(['login', '--hook']) is not None\n"
        "import cs_registry.main\n"
        "print(sorted(m for m in ('argparse', 'gettext', 'locale') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=30, check=True
    )
    assert done.stdout.strip() == "[]"
