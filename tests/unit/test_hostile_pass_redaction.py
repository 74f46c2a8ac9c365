"""Hostile pass (issue 10): credential shapes in a log that ``explain`` quoted in clear.

The redaction covered ``-p SECRET``, ``NAME=SECRET`` and JSON fields; a log also
gives a password attached to ``-p`` (pflag accepts ``-pSECRET``), quoted
(``-p 'SECRET'``, ``PASSWORD="a b"``), or as a settings line (``key = value`` in an
AWS credentials file, ``key: value`` in YAML or a ``remoteEnv`` dump).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest

from cs_registry.context import Context
from cs_registry.explain.text import redact
from cs_registry.main import main

SECRET = "CANARYs3cr3t-value"

SHAPES = [
    f"docker login -u bob -p{SECRET} ghcr.io",
    f"docker login -u bob -p '{SECRET}' ghcr.io",
    f'docker login -u bob --password "{SECRET}" ghcr.io',
    f'docker login --password="{SECRET}" ghcr.io',
    f"aws_secret_access_key = {SECRET}",
    f"  password: {SECRET}",
    f"AWS_SECRET_ACCESS_KEY: {SECRET}",
    f'    "GHCR_CONTAINER_REGISTRY_PASSWORD": "{SECRET}",',
    f"export GHCR_CONTAINER_REGISTRY_PASSWORD='{SECRET}'",
    f'token="{SECRET}"',
    f"aws_session_token = {SECRET}",
]


@pytest.mark.parametrize("line", SHAPES)
def test_redact_hides_the_secret_in_every_shape(line: str) -> None:
    shown = redact(line)
    assert "s3cr3t" not in shown, shown


def test_a_quoted_secret_with_spaces_is_hidden_whole() -> None:
    shown = redact("PASSWORD='CANARY with spaces inside'")
    assert "spaces" not in shown
    assert "inside" not in shown


@pytest.mark.parametrize(
    "line",
    [
        "failed to fetch oauth token: unexpected status: 401 Unauthorized",
        "unauthorized: incorrect username or password",
        "mkdir -pv /tmp/x",  # an attached -p counts only in a login command
    ],
)
def test_ordinary_words_stay(line: str) -> None:
    assert redact(line) == line


def test_explain_quotes_no_settings_line_secret(
    make_ctx: Callable[..., Context], tmp_path: Path
) -> None:
    log = tmp_path / "creation.log"
    log.write_text(
        f"$ docker login -u bob -p{SECRET} 127.0.0.1:5000\n"
        f"aws_secret_access_key = {SECRET}\n"
        'Error response from daemon: Get "https://127.0.0.1:5000/v2/": unauthorized: '
        f"authentication required (docker login -u bob -p{SECRET})\n"
    )
    for flags in ((), ("--json",)):
        ctx = make_ctx({})
        assert main(["explain", *flags, str(log)], ctx) == 1
        out = ctx.stdout
        assert isinstance(out, io.StringIO)
        assert "s3cr3t" not in out.getvalue()
