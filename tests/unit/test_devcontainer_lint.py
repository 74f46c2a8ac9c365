"""What each lint finding says, its severity, and the positions the JSONC parser gives."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cs_registry.devcontainer import LintOptions, Pos, find_configs, lint_text, parse
from cs_registry.devcontainer.jsonc import JsoncError
from cs_registry.devcontainer.locate import repository_from_remote
from cs_registry.diagnosis import Code
from cs_registry.status import Severity

WIRED = '"postCreateCommand": "hooks/post-create"'
ACME = LintOptions(owner="acme", repository="acme/app")


def lint(body: str, options: LintOptions = ACME) -> list[tuple[str, str, str]]:
    findings = lint_text("{" + WIRED + "," + body + "}", Path("d.json"), options)
    return [(f.code.value, f.severity.value, f.message) for f in findings]


def repos(entries: str) -> str:
    return '"customizations": {"codespaces": {"repositories": {' + entries + "}}}"


def test_parse_keeps_positions_of_keys_and_values() -> None:
    doc = parse('{\n  // c\n  "a": [1, {"b": "x//y"},],\n}\n')
    assert doc.value == {"a": [1, {"b": "x//y"}]}
    assert doc.keys[("a",)] == Pos(3, 3)
    assert doc.values[("a", 1, "b")] == Pos(3, 18)
    assert doc.where(("a", 1, "missing")) == Pos(3, 12)


def test_escaped_backslashes_keep_their_meaning_and_positions() -> None:
    # json-five alone rejects "C:\\xampp" and reads "\\x41" as "A"
    text = '{\n  "w": "C:\\\\xampp", "h": "\\\\x41",\n  "n": "a\\\\\\\\b\\"c" }'
    doc = parse(text)
    assert doc.value == {"w": "C:\\xampp", "h": "\\x41", "n": 'a\\\\b"c'}
    assert doc.values[("h",)] == Pos(2, 26)
    assert doc.keys[("n",)] == Pos(3, 3)


@pytest.mark.parametrize(
    ("text", "pos", "message"),
    [
        ('{"a": 1\n "b": 2}', Pos(2, 2), "unexpected '\"b\"'; expected ',' or '}'"),
        ('{"a": [1,\n2', Pos(2, 2), "unexpected end of file"),
        ('{"a": 0x10}', Pos(1, 7), "0x10 is not a JSON number"),
        ('{"a": 1,,}', Pos(1, 8), "two commas in a row"),
        ("", Pos(1, 1), "the file is empty"),
    ],
)
def test_syntax_errors_carry_the_parser_position(text: str, pos: Pos, message: str) -> None:
    with pytest.raises(JsoncError) as caught:
        parse(text)
    assert caught.value.pos == pos
    assert caught.value.message.startswith(message)


def test_clean_config_gives_no_finding_at_all() -> None:
    assert lint(repos('"acme/tools": {"permissions": {"contents": "read"}}')) == []


def test_misspelt_permission_suggests_the_right_name() -> None:
    [(code, _, message)] = lint(repos('"acme/x": {"permissions": {"pull-requests": "write"}}'))
    assert code == "unknown_permission"
    assert 'did you mean "pull_requests"?' in message


def test_old_write_all_form_is_explained() -> None:
    text = '{"customizations": {"codespaces": {"repositories": {"acme/x": '
    text += '{"permissions": {"write-all"}}}}}}'
    [finding] = lint_text(text, Path("d.json"), ACME)
    assert finding.code is Code.JSONC_SYNTAX
    assert 'write "permissions": "write-all"' in finding.message
    assert finding.pos == Pos(1, text.index('{"write-all"}') + 1)


def test_read_all_and_write_all_are_accepted() -> None:
    body = repos('"acme/a": {"permissions": "read-all"}, "acme/b": {"permissions": "write-all"}')
    assert lint(body) == []


def test_different_owner_compares_case_insensitively_and_needs_a_known_owner() -> None:
    body = repos('"ACME/a": {"permissions": "read-all"}, "other/b": {"permissions": "read-all"}')
    assert [c for c, _, _ in lint(body)] == ["different_owner"]
    assert lint(body, LintOptions()) == []


def test_wildcard_is_a_warning_unless_prebuilding() -> None:
    body = repos('"acme/*": {"permissions": "read-all"}')
    assert [(c, s) for c, s, _ in lint(body)] == [("wildcard_in_prebuild", "warning")]
    prebuild = LintOptions(owner="acme", repository="acme/app", prebuild=True)
    assert [(c, s) for c, s, _ in lint(body, prebuild)] == [("wildcard_in_prebuild", "error")]


def test_prebuild_token_is_reported_once_and_only_while_prebuilding() -> None:
    body = repos(
        '"acme/app": {"permissions": "write-all"},'
        '"acme/a": {"permissions": {"issues": "write"}},'
        '"acme/b": {"permissions": "write-all"},'
        '"acme/c": {"permissions": "read-all"}'
    )
    assert lint(body) == []
    prebuild = LintOptions(owner="acme", repository="acme/app", prebuild=True)
    [(code, severity, message)] = lint(body, prebuild)
    assert (code, severity) == ("prebuild_write_needs_token", "warning")
    assert "acme/a (write access), acme/b (write access)" in message
    assert "acme/app" not in message
    assert "acme/c" not in message


@pytest.mark.parametrize(
    "hook",
    [
        '"onCreateCommand": "docker pull x"',
        '"onCreateCommand": ["docker", "pull", "x"]',
        '"updateContentCommand": {"a": "make", "b": "cd x && docker-compose pull"}',
        '"updateContentCommand": "sudo /usr/bin/docker login ghcr.io"',
    ],
)
def test_docker_in_any_form_of_a_prebuild_hook_is_found(hook: str) -> None:
    assert [c for c, _, _ in lint(hook)] == ["docker_in_prebuild_hook"]


@pytest.mark.parametrize(
    "hook",
    [
        '"onCreateCommand": "./scripts/dockerfile-lint.sh .devcontainer/docker/x"',
        '"onCreateCommand": "docker-credential-ecr-login version"',
        '"postStartCommand": "docker compose up -d"',
    ],
)
def test_docker_look_alikes_and_later_hooks_are_fine(hook: str) -> None:
    assert lint(hook) == []


@pytest.mark.parametrize(
    "wiring",
    [
        '"postCreateCommand": "hooks/post-create"',
        '"postStartCommand": {"x": ["cs-registry", "login", "--hook"]}',
        '"features": {"./cs-registry": {}}',
        '"features": {"../cs-registry": {}}',
        '"features": {"ghcr.io/acme/features/cs-registry:1": {}}',
    ],
)
def test_any_wiring_counts(wiring: str) -> None:
    text = '{"image": "x", ' + wiring + "}"
    assert lint_text(text, Path("d.json"), ACME) == []


def test_unwired_config_is_a_warning() -> None:
    [finding] = lint_text('{"image": "x"}', Path("d.json"), ACME)
    assert (finding.code, finding.severity) == (Code.HOOK_NOT_WIRED, Severity.WARNING)


def test_find_configs_in_documented_locations_only(tmp_path: Path) -> None:
    for rel in (
        ".devcontainer/devcontainer.json",
        ".devcontainer.json",
        ".devcontainer/py/devcontainer.json",
        ".devcontainer/a/b/devcontainer.json",
        "sub/.devcontainer/devcontainer.json",
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("{}")
    assert [p.relative_to(tmp_path).as_posix() for p in find_configs(tmp_path)] == [
        ".devcontainer/devcontainer.json",
        ".devcontainer.json",
        ".devcontainer/py/devcontainer.json",
    ]


@pytest.mark.parametrize(
    ("url", "repository"),
    [
        ("https://github.com/acme/app.git", "acme/app"),
        ("git@github.com:acme/app.git", "acme/app"),
        ("ssh://git@github.com/acme/app", "acme/app"),
        ("https://gitlab.com/acme/app.git", None),
    ],
)
def test_repository_from_remote(url: str, repository: str | None) -> None:
    assert repository_from_remote(url) == repository


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda p: __import__("os").mkfifo(p), "is a FIFO, not a regular file"),
        (lambda p: p.mkdir(), "is a directory, not a regular file"),
        (lambda p: p.write_bytes(b" " * ((1 << 20) + 1)), "is 1048577 bytes, over the 1 MiB limit"),
    ],
)
def test_lint_file_refuses_what_is_not_a_small_regular_file(
    tmp_path: Path, make: Callable[[Path], object], words: str
) -> None:
    from cs_registry.devcontainer.lint import lint_file

    path = tmp_path / "devcontainer.json"
    make(path)
    (finding,) = lint_file(path, ACME)  # a FIFO no one writes to: returns at once
    assert finding.code is Code.UNSAFE_FILE
    assert finding.severity is Severity.ERROR
    assert f"devcontainer.json {path} {words}" in finding.message
