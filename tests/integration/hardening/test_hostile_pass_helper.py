"""Hostile pass (issue 10): a credential helper (or registry) that echoes the secret in
the form Docker itself keeps it: base64 of ``user:secret`` (config.json's ``auth``,
the Basic header) or base64 of the secret alone.

Only the plain secret (and, when login built an ``auth`` entry, that entry) was
masked: a ``credsStore`` helper that wrote its input's ``auth`` form to stderr put a
working credential on the terminal and in CI logs, through login, doctor and
debug-login alike. Each run must show neither form on stdout, stderr, a log file
or any command line.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from tests.integration.hardening import cli

_ECHO = """#!/bin/sh
cat >/dev/null
auth=$(printf '%s:%s' "$HOSTILE_USER" "$HOSTILE_SECRET" | base64 | tr -d '\\n')
raw=$(printf '%s' "$HOSTILE_SECRET" | base64 | tr -d '\\n')
printf 'helper failed for auth=%s raw=%s\\n' "$auth" "$raw" >&2
printf 'auth=%s raw=%s\\n' "$auth" "$raw"
exit 1
"""

COMMANDS = [
    ["login"],
    ["login", "--json"],
    ["doctor"],
    ["doctor", "--json"],
    ["debug-login", "--timeout", "3", "127.0.0.1:1"],
    ["debug-login", "--json", "--timeout", "3", "127.0.0.1:1"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_helper_echoing_the_auth_form_of_the_secret(command: list[str], tmp_path: Path) -> None:
    home = tmp_path / "echo-home"
    bin_dir = home / "bin"
    bin_dir.mkdir(parents=True)
    helper = bin_dir / "docker-credential-echo"
    helper.write_text(_ECHO)
    helper.chmod(0o755)
    config = home / ".docker"
    config.mkdir()
    (config / "config.json").write_text('{"credsStore": "echo"}')
    (config / "config.json").chmod(0o600)
    user, secret = "hostile-user", cli.canary("helper")
    forms = {
        "secret": secret,
        "auth": base64.b64encode(f"{user}:{secret}".encode()).decode(),
        "raw": base64.b64encode(secret.encode()).decode().rstrip("="),
    }
    env = cli.base_env(
        home,
        PATH=f"{bin_dir}:{cli.base_env(home)['PATH']}",
        HOSTILE_USER=user,
        HOSTILE_SECRET=secret,
        **cli.triplet("GHCR", "127.0.0.1:1", user, secret),
    )
    with cli.CmdlineWatcher(list(forms.values())) as watcher:
        result = cli.run(command, env, timeout=60)
    cli.assert_no_traceback(result)
    assert result.returncode == 1, result.err[-2000:]
    logs = b"".join(p.read_bytes() for p in cli.files_under(home / ".cache"))
    for name, form in forms.items():
        for where, text in (
            ("stdout", result.out),
            ("stderr", result.err),
            ("logs", logs.decode()),
        ):
            assert form not in text, f"{name} form in {where}"
    assert not watcher.hits


@pytest.mark.parametrize("action", ["get", "store", "erase"])
def test_credential_helper_caps_what_it_reads_from_stdin(action: str, tmp_path: Path) -> None:
    """Docker writes a server URL (get, erase) or one small JSON object (store); a
    caller that streams without end must not grow the helper's memory with it."""
    home = tmp_path / "stdin-home"
    home.mkdir()
    env = cli.base_env(home)
    result = cli.run_measured(
        [action], env, name="docker-credential-cs-registry", stdin=b"a" * (64 << 20), timeout=60
    )
    cli.assert_no_traceback(result)
    assert result.max_rss_kib < 80 * 1024
    # as for any server it does not know: get misses, erase has nothing to forget
    expected = {
        "get": (1, "credentials not found in native keychain\n"),
        "erase": (0, ""),
        "store": (1, "the input on stdin is larger than 1024 KiB\n"),
    }
    assert (result.returncode, result.out) == expected[action]
