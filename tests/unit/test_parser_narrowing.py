"""``build_parser(ctx, command)`` builds only that command's subparser and parses alike."""

from __future__ import annotations

import argparse

import pytest

from cs_registry.command_line import _COMMANDS, build_parser


def choices(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    group = parser._subparsers
    assert group is not None
    action = group._group_actions[0]
    assert isinstance(action, argparse._SubParsersAction)
    return dict(action.choices)


ARGVS = [
    ["login"],
    ["login", "--json", "--dry-run", "--ignore", "A", "--ignore", "B", "--verify"],
    ["login", "--hook", "--config", "/tmp/d", "--env-file", "x.env", "--ecr-helper"],
    ["debug-login", "ghcr.io", "--json"],
    ["doctor", "--json"],
    ["explain", "bad_credentials"],
    ["lint", "--format", "json"],
]


@pytest.mark.parametrize("argv", ARGVS, ids=" ".join)
def test_the_narrowed_parser_parses_as_the_whole_one(argv: list[str]) -> None:
    narrowed = build_parser(None, argv[0])

    assert list(choices(narrowed)) == [argv[0]]
    assert vars(narrowed.parse_args(argv)) == vars(build_parser(None).parse_args(argv))


@pytest.mark.parametrize("command", list(_COMMANDS))
def test_a_command_help_is_the_same(command: str) -> None:
    def help_text(parser_command: str | None) -> str:
        return choices(build_parser(None, parser_command))[command].format_help()

    assert help_text(command) == help_text(None)


@pytest.mark.parametrize("first", [None, "logn", "--json"])
def test_an_unknown_first_word_gets_every_command(first: str | None) -> None:
    parser = build_parser(None, first)

    assert list(choices(parser)) == list(_COMMANDS)
