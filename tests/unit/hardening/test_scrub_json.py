"""``log.scrub_json``: every registered secret leaves a JSON document, in linear time."""

from __future__ import annotations

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
