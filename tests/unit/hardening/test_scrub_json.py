"""``log.scrub_json``: every registered secret leaves a JSON document, in linear time."""

from __future__ import annotations

import io
import json
import time

import pytest

from cs_registry import log


@pytest.fixture(autouse=True)
def _fresh_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(log, "_registered", set())


def test_an_echoed_secret_is_masked_and_the_rest_kept() -> None:
    log.register_secret('pa"ss\\word-123')  # JSON escapes both characters
    text = json.dumps({"server": "ghcr.io", "message": 'bad credentials pa"ss\\word-123'})
    document = json.loads(log.scrub_json(text))
    assert document == {"server": "ghcr.io", "message": "bad credentials …(14 chars)"}


def test_short_secrets_do_not_mangle_server_names() -> None:
    log.register_secret("test")
    text = json.dumps({"server": "a.test"})
    assert log.scrub_json(text) == text


def test_thousands_of_secrets_over_a_large_document_stay_linear() -> None:
    secrets = [f"password-{n:05d}-abcdefgh" for n in range(4000)]
    for secret in secrets:
        log.register_secret(secret)
    rows = [
        {"id": f"R{n}", "message": f"echoed {secrets[n]}" if n % 500 == 0 else ""}
        for n in range(4000)
    ]
    text = json.dumps({"registries": rows}, indent=2)
    started = time.perf_counter()
    scrubbed = log.scrub_json(text)
    elapsed = time.perf_counter() - started
    for n in range(0, 4000, 500):
        assert secrets[n] not in scrubbed
    assert json.loads(scrubbed)["registries"][1] == {"id": "R1", "message": ""}
    # one `in` per secret over this document would scan 4000 x 250 KB = 1 GB
    assert elapsed < 2.0


@pytest.mark.parametrize("encoding", ["ascii", "utf-8"])
def test_a_non_ascii_secret_leaves_the_document_whatever_stdout_can_encode(
    encoding: str,
) -> None:
    # an output that cannot take Unicode gets \u escapes: the secret must be masked first
    from cs_registry.context import Context
    from cs_registry.secret import redact
    from cs_registry.ui import print_json

    secret = "pässwörd-sécret-123"
    log.register_secret(secret)
    raw = io.BytesIO()
    stdout = io.TextIOWrapper(raw, encoding=encoding)
    print_json(Context(stdout=stdout, stderr=io.StringIO()), {"message": f"echoed {secret}"})
    stdout.flush()
    text = raw.getvalue().decode(encoding)
    assert json.loads(text) == {"message": f"echoed {redact(secret)}"}
    assert "s\\u00e9cret" not in text
    assert "sécret" not in text
