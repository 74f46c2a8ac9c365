"""Secrets in a log never reach our output, in text or JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cs_registry.explain.text import redact
from cs_registry.main import main
from tests.support.captured import MakeCtx
from tests.unit.explain.helpers import LOGS

TOKEN = "ghs_QmFzZTY0U2VjcmV0VG9rZW4xMjM0NTY3ODkw"  # in the wrapped prebuild fixture
PLANTED = {
    "url": "hunter2-url-secret-value",
    "basic": "YWxpY2U6c2VjcmV0LXZhbHVlLTEyMw==",
    "flag": "p4ss-on-the-command-line",
    "auth": "Ym9iOnRvcC1zZWNyZXQtdG9rZW4=",
    "pat": "ghp_" + "Z" * 36,
    "env": "triplet-password-from-env",
}


def _run(make_ctx: MakeCtx, path: Path, *flags: str, **env: str) -> str:
    ctx = make_ctx(env)
    assert main(["explain", *flags, str(path)], ctx) == 1
    return str(ctx.stdout.getvalue())


def test_the_token_in_the_prebuilds_clone_command_is_redacted() -> None:
    line = (LOGS / "actions/prebuild-clone-refused.log").read_text().splitlines()[7]
    assert TOKEN in line
    shown = redact(line)
    assert TOKEN not in shown
    assert "x-access-token:gh…(40 chars)@127.0.0.1:" in shown


@pytest.mark.parametrize("flags", [(), ("--json",)])
def test_credentials_in_every_usual_shape_are_redacted(
    make_ctx: MakeCtx, tmp_path: Path, flags: tuple[str, ...]
) -> None:
    captured = (LOGS / "docker28-pull-no-auth.log").read_text()
    planted = [
        f'Error response from daemon: Get "https://bob:{PLANTED["url"]}@127.0.0.1:5000/v2/": '
        "no basic auth credentials",
        f"unauthorized: incorrect username or password (Authorization: Basic {PLANTED['basic']})",
        f"$ docker login -u bob -p {PLANTED['flag']} ghcr.io",
        f'error storing credentials - err: {{"auth": "{PLANTED["auth"]}"}}',
        f"fatal: Authentication failed for 'https://github.com/org/x.git/' token={PLANTED['pat']}",
        f"denied: requested access to the resource is denied ({PLANTED['env']})",
    ]
    log = tmp_path / "planted.log"
    log.write_text(captured + "\n".join(planted) + "\n")
    env = {
        "GHCR_CONTAINER_REGISTRY_SERVER": "ghcr.io",
        "GHCR_CONTAINER_REGISTRY_USER": "bob",
        "GHCR_CONTAINER_REGISTRY_PASSWORD": PLANTED["env"],
    }
    output = _run(make_ctx, log, *flags, **env)
    if flags:
        json.loads(output)
    for name, secret in PLANTED.items():
        assert secret not in output, name
    assert "no basic auth credentials" in output


def test_redact_keeps_the_words_around_a_secret() -> None:
    assert redact("https://u:abcdefghijklmnopqrstuvwxyz@h/") == "https://u:ab…(26 chars)@h/"
    assert redact("failed to fetch oauth token: unexpected status") == (
        "failed to fetch oauth token: unexpected status"
    )
