"""``--env-file``: dotenv parsing and its errors (envfile.py)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from cs_registry import envfile
from cs_registry.errors import UsageError
from cs_registry.status import ExitStatus

CANARY = "canary-Secr3t-value-8f2a"


def test_dotenv_syntax() -> None:
    text = "\n".join(
        [
            "# a comment",
            "",
            "export GHCR_CONTAINER_REGISTRY_SERVER=ghcr.io",
            "GHCR_CONTAINER_REGISTRY_USER = octo   # inline comment",
            f"GHCR_CONTAINER_REGISTRY_PASSWORD='{CANARY}'",
            'DQ="a\\nb\\t\\"c\\" \\\\ \\$x"',
            "SQ='no \\n escapes # here'",
            'HASH="a # b"  # comment with "quotes"',
            "UNQUOTED=abc#def",
            "EMPTY=",
            "   INDENTED=yes",
        ]
    )
    assert envfile.parse(text, "f.env") == {
        "GHCR_CONTAINER_REGISTRY_SERVER": "ghcr.io",
        "GHCR_CONTAINER_REGISTRY_USER": "octo",
        "GHCR_CONTAINER_REGISTRY_PASSWORD": CANARY,
        "DQ": 'a\nb\t"c" \\ $x',
        "SQ": "no \\n escapes # here",
        "HASH": "a # b",
        "UNQUOTED": "abc#def",
        "EMPTY": "",
        "INDENTED": "yes",
    }


def test_quoted_values_keep_inner_whitespace() -> None:
    assert envfile.parse('P="  spaced  "\n', "f") == {"P": "  spaced  "}


def test_only_newlines_end_a_line() -> None:
    text = "P=ab\u2028cd\x85ef\x0cgh\r\nQ='x\x1cy'\n"
    assert envfile.parse(text, "f") == {"P": "ab\u2028cd\x85ef\x0cgh", "Q": "x\x1cy"}


def test_later_lines_win() -> None:
    assert envfile.parse("A=1\nA=2\n", "f") == {"A": "2"}


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("A=1\nthis is not an assignment\n", "f.env:2", "expected NAME=value"),
        ("A=1\n\nB='unterminated\n", "f.env:3", "unterminated ' quote"),
        (f'A="{CANARY}\n', "f.env:1", 'unterminated " quote'),
        (f"A='{CANARY}' trailing\n", "f.env:1", "unexpected text after the closing ' quote"),
        ("1A=x\n", "f.env:1", "expected NAME=value"),
        ("export\n", "f.env:1", "expected NAME=value"),
    ],
)
def test_errors_name_file_and_line_never_the_value(text: str, where: str, words: str) -> None:
    with pytest.raises(UsageError) as caught:
        envfile.parse(text, "f.env")
    message = caught.value.message
    assert message.startswith(f"{where}: ")
    assert words in message
    assert CANARY not in message
    assert caught.value.status is ExitStatus.USAGE


def test_load_reads_utf8_with_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "reg.env"
    path.write_bytes(b"\xef\xbb\xbfA=1\r\nB=2\r\n")
    assert envfile.load(str(path)) == {"A": "1", "B": "2"}


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda p: None, "no such file"),
        (lambda p: p.write_bytes(b"A=\xff\n"), "not UTF-8 text"),
    ],
)
def test_load_errors_name_the_file(
    tmp_path: Path, make: Callable[[Path], object], words: str
) -> None:
    path = tmp_path / "reg.env"
    make(path)
    with pytest.raises(UsageError) as caught:
        envfile.load(str(path))
    assert caught.value.message == f"--env-file {path}: {words}"


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda p: p.mkdir(), "is a directory, not a regular file; it was left alone"),
        (os.mkfifo, "is a FIFO, not a regular file; it was left alone"),
        (
            lambda p: p.write_bytes(b"#" * (envfile.MAX_BYTES + 1)),
            f"is {envfile.MAX_BYTES + 1} bytes, over the 16 MiB limit; it was not read",
        ),
    ],
)
def test_a_file_that_is_not_a_regular_file_or_too_large_is_refused_unread(
    tmp_path: Path, make: Callable[[Path], object], words: str
) -> None:
    path = tmp_path / "reg.env"
    make(path)
    with pytest.raises(UsageError) as caught:
        envfile.load(str(path))  # a FIFO no one writes to: returns at once
    assert caught.value.message == f"--env-file {path} {words}"
    assert caught.value.code == "unsafe_file"
    assert caught.value.status == 2
