"""``docker-credential-cs-registry`` fed hostile protocol input and environments.

Issue 7, suite 4 (credential helper part). Docker's protocol leaves no room for a
traceback: stdout carries exactly one answer or one error line, exit 1 on error.
The children run with a strict UTF-8 stdin and stdout, as under a UTF-8 locale.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.hardening import cli

NOT_FOUND = b"credentials not found in native keychain\n"
USAGE = b"Usage: docker-credential-cs-registry <store|get|erase|list|version>\n"

CASES = [
    ("get-empty", ["get"], b"", 1, b"no credentials server URL\n"),
    ("get-invalid-utf8", ["get"], b"\xff\xfe", 1, NOT_FOUND),
    ("get-10mb", ["get"], b"x" * (10 << 20), 1, NOT_FOUND),
    ("get-nul", ["get"], b"a.test\x00b", 1, NOT_FOUND),
    ("get-100k-url", ["get"], b"https://" + b"a" * 100_000, 1, NOT_FOUND),
    ("get-undecodable-triplet", ["get"], b"bad.test", 1, None),
    ("store-deep-json", ["store"], b"[" * 100_000, 1, b"invalid credentials JSON on stdin\n"),
    (
        "store-wrong-types",
        ["store"],
        b'{"ServerURL": 5, "Username": [], "Secret": {}}',
        1,
        b"no credentials username\n",
    ),
    ("store-invalid-utf8", ["store"], b"\xff", 1, b"invalid credentials JSON on stdin\n"),
    ("erase-invalid-utf8", ["erase"], b"\xff", 0, b""),
    ("no-action", [], b"", 1, USAGE),
    ("two-actions", ["get", "extra"], b"", 1, USAGE),
    ("unknown-action", ["bogus"], b"", 1, b"Unknown credential action `bogus`\n"),
]


@pytest.mark.parametrize(
    ("args", "stdin", "status", "stdout"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_helper_answers_hostile_input_with_one_protocol_line(
    args: list[str], stdin: bytes, status: int, stdout: bytes | None, tmp_path: Path
) -> None:
    home = tmp_path / "helper-home"
    home.mkdir()
    env = {k.encode(): v.encode() for k, v in cli.base_env(home).items()}
    env.update({b"PYTHONIOENCODING": b"utf-8:strict", b"LANG": b"C.UTF-8"})
    env[b"A\xff_CONTAINER_REGISTRY_SERVER"] = b"x.test"  # undecodable variable name
    env[b"BAD_CONTAINER_REGISTRY_SERVER"] = b"bad.test"
    env[b"BAD_CONTAINER_REGISTRY_USER"] = b"u\xff"
    env[b"BAD_CONTAINER_REGISTRY_PASSWORD"] = b"p\xfe"
    result = cli.run_measured(
        args, env, name="docker-credential-cs-registry", stdin=stdin, timeout=30
    )
    cli.assert_no_traceback(result)
    assert result.returncode == status, result.out + result.err
    assert result.seconds < 15
    assert result.max_rss_kib < 100 * 1024
    if stdout is not None:
        assert result.stdout == stdout
    else:  # one line naming the variables, not their values
        assert result.stdout.count(b"\n") == 1
        assert b"BAD_CONTAINER_REGISTRY_PASSWORD" in result.stdout
        assert b"\xfe" not in result.stdout
