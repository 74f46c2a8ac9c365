"""The lint corrections a run over real devcontainer.json files asked for (issue 15, item 4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cs_registry.devcontainer import Finding, LintOptions, Pos, lint_text, parse
from cs_registry.devcontainer.jsonc import JsoncError
from cs_registry.diagnosis import Code

WIRED = '"postCreateCommand": "hooks/post-create"'
ACME = LintOptions(owner="acme", repository="acme/app")
PREBUILD = LintOptions(owner="acme", repository="acme/app", prebuild=True)


def lint(body: str, options: LintOptions = ACME) -> list[Finding]:
    return lint_text("{" + WIRED + "," + body + "}", Path("d.json"), options)


def repos(entries: str) -> str:
    return '"customizations": {"codespaces": {"repositories": {' + entries + "}}}"


# 1. a parser message with only an index ("Illegal character '#' at index 21") ----------


@pytest.mark.parametrize(
    ("text", "pos", "message"),
    [
        # a shell comment: json-five says only "Illegal character '#' at index 14"
        ('{\n  "a": 1,\n  # comment\n}\n', Pos(3, 3), "unexpected '#'"),
        ('{\n  "a": 1 @\n}\n', Pos(2, 10), "unexpected '@'"),
        ('{"a": [1, 2, $]}', Pos(1, 14), "unexpected '$'"),
        # characters before it that are not ASCII still count as one column each
        ('{\n  "é€": "ü", ~\n}', Pos(2, 14), "unexpected '~'"),
        # an escaped backslash before it (handed to json-five as "\/") keeps positions
        ('{\n  "w": "C:\\\\x", ^\n}', Pos(2, 17), "unexpected '^'"),
        # the other shapes keep their positions: "(char N)" in a multi-error message,
        # a token with a position, the end of the file
        ('{\n  "a": "x"\n  "b": 2\n}\n', Pos(3, 3), "unexpected '\"b\"'"),
        ('{\n "a": 1}\n}\n', Pos(3, 1), "unexpected '}'"),
        ('{\n  "a": 1\n', Pos(2, 9), "unexpected end of file"),
    ],
)
def test_syntax_errors_are_reported_where_they_are(text: str, pos: Pos, message: str) -> None:
    with pytest.raises(JsoncError) as caught:
        parse(text)
    assert (caught.value.pos, caught.value.message.partition(";")[0]) == (pos, message)


def test_an_illegal_character_finding_is_not_at_the_end_of_the_file() -> None:
    text = '{\n  "image": "x", # why\n  "postCreateCommand": "hooks/post-create"\n}\n'
    [finding] = lint_text(text, Path("d.json"), ACME)
    assert (finding.code, finding.pos) == (Code.JSONC_SYNTAX, Pos(2, 17))
    assert finding.message.startswith("unexpected '#'")
    assert "unexpected text" not in finding.message


# 2. docker in a prebuild hook: the command exists, the daemon does not --------------------


def test_docker_in_prebuild_hook_names_the_missing_daemon() -> None:
    [finding] = lint('"onCreateCommand": "docker compose pull"')
    assert finding.code is Code.DOCKER_IN_PREBUILD_HOOK
    assert "no Docker daemon" in finding.message
    assert "does not exist" not in finding.message


# 3. "did you mean" only for a genuinely close name ----------------------------------------


@pytest.mark.parametrize(
    "name", ["attestations", "security_events", "repository_hooks", "id_token", "environments"]
)
def test_a_permission_codespaces_cannot_grant_suggests_nothing_close(name: str) -> None:
    [finding] = lint(repos(f'"acme/x": {{"permissions": {{"{name}": "read"}}}}'))
    assert finding.code is Code.UNKNOWN_PERMISSION
    assert "did you mean" not in finding.message


def test_a_github_only_permission_is_named_as_such() -> None:
    [finding] = lint(repos('"acme/x": {"permissions": {"attestations": "write"}}'))
    assert "did you mean" not in finding.message
    assert "Codespaces cannot grant" in finding.message
    assert "actions" in finding.message  # in the list of names that can be used


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("pull_request", "pull_requests"),
        ("contnets", "contents"),
        ("isues", "issues"),
        ("workflow", "workflows"),
        ("repo_projects", "repository_projects"),
        ("pull-requests", "pull_requests"),
        ("pulls", "pull_requests"),
    ],
)
def test_a_close_misspelling_still_gets_its_suggestion(typo: str, meant: str) -> None:
    [finding] = lint(repos(f'"acme/x": {{"permissions": {{"{typo}": "read"}}}}'))
    assert f'did you mean "{meant}"?' in finding.message


# 4. an entry one level too high that repeats one under "repositories" ---------------------


def test_a_misplaced_entry_already_listed_says_remove_it() -> None:
    body = (
        '"customizations": {"codespaces": {'
        '"repositories": {"acme/tools": {"permissions": "read-all"}},'
        '"ACME/Tools": {"permissions": "read-all"},'
        '"acme/docs": {"permissions": "read-all"}}}'
    )
    first, second = lint(body)
    assert (first.code, second.code) == (Code.UNKNOWN_CODESPACES_KEY,) * 2
    assert 'already listed under "repositories"; remove it' in first.message
    assert "move it under" not in first.message
    assert 'move it under "repositories"' in second.message


# 5. different_owner and prebuild_write_needs_token tell one story --------------------------


def test_another_owner_tells_one_story_in_both_findings() -> None:
    body = repos('"other/lib": {"permissions": "read-all"}')
    token, owner = lint(body, PREBUILD)  # by position: the repositories key comes first
    assert (owner.code, token.code) == (Code.DIFFERENT_OWNER, Code.PREBUILD_WRITE_NEEDS_TOKEN)
    # the entry grants nothing: devcontainer.json cannot grant another owner's repository
    assert "cannot grant" in owner.message
    assert "CODESPACES_PREBUILD_TOKEN" in owner.message
    [entry] = token.entries
    assert entry.name == "other/lib"
    assert "another owner" in entry.reason
    assert "CODESPACES_PREBUILD_TOKEN" in token.message
    # neither tells the user to write something into devcontainer.json to fix it
    assert "drop the write access" not in token.message


# 6. one prebuild_write_needs_token per file, each entry kept with its name and reason ------


def test_prebuild_token_finding_is_one_per_file_at_the_repositories_key() -> None:
    text = (
        "{\n"
        f"  {WIRED},\n"
        '  "customizations": {"codespaces": {\n'
        '    "repositories": {\n'
        '      "acme/app": {"permissions": "write-all"},\n'
        '      "acme/a": {"permissions": {"issues": "write"}},\n'
        '      "acme/b": {"permissions": "read-all"},\n'
        '      "other/c": {"permissions": "write-all"}\n'
        "    }\n"
        "  }}\n"
        "}\n"
    )
    findings = lint_text(text, Path("d.json"), PREBUILD)
    [token] = [f for f in findings if f.code is Code.PREBUILD_WRITE_NEEDS_TOKEN]
    assert token.pos == Pos(4, 5)
    where = [(e.name, e.pos) for e in token.entries]
    assert where == [("acme/a", Pos(6, 7)), ("other/c", Pos(8, 7))]
    assert [e.reason for e in token.entries] == [
        "write access",
        "another owner, not grantable through devcontainer.json, with write access",
    ]
    assert "acme/a (write access)" in token.message
    assert "other/c (another owner" in token.message
