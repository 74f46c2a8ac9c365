"""The image steps' pure parts: platform matching, daemon pull messages, GHCR wording."""

from __future__ import annotations

import base64
import io
import json
from email.message import Message
from pathlib import Path

import pytest

from cs_registry.diagnosis import Code
from cs_registry.probe import platforms
from cs_registry.probe.credentials import Credentials
from cs_registry.probe.image import rate_note
from cs_registry.probe.pull import classify_pull, registry_auth
from cs_registry.probe.pullerrors import denied, escape
from cs_registry.probe.report import Budget
from cs_registry.probe.state import ProbeOptions, State
from cs_registry.probe.transport import Response
from cs_registry.references import parse
from cs_registry.secret import Secret
from cs_registry.servers import normalise


@pytest.mark.parametrize(
    ("wanted", "entry", "accepted"),
    [
        (("linux", "x86_64"), ("linux", "amd64", ""), True),
        (("linux", "amd64"), ("linux", "amd64", "v1"), True),
        (("linux", "aarch64"), ("linux", "arm64", "v8"), True),
        (("linux", "arm64"), ("linux", "arm64", ""), True),  # no variant means v8
        (("linux", "armv7l"), ("linux", "arm", "v6"), True),  # older arm variants run
        (("linux", "arm", "v6"), ("linux", "arm", "v7"), False),
        (("linux", "amd64"), ("linux", "arm64", "v8"), False),
        (("linux", "amd64"), ("windows", "amd64", ""), False),
    ],
)
def test_platform_matching_follows_docker(
    wanted: tuple[str, ...], entry: tuple[str, str, str], accepted: bool
) -> None:
    assert platforms.normalise(*wanted).accepts(platforms.normalise(*entry)) is accepted


def test_platform_text_forms() -> None:
    assert str(platforms.parse("linux/arm64")) == "linux/arm64/v8"
    assert str(platforms.parse("linux/x86_64")) == "linux/amd64"
    assert platforms.parse("linux") is None
    assert platforms.parse("linux//v7") is None
    assert platforms.of_entry({"platform": {"os": "unknown", "architecture": "unknown"}}) is None


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("no matching manifest for linux/amd64 in the manifest list entries", "platform_missing"),
        ("manifest for r/a:1 not found: manifest unknown: manifest unknown", "manifest_unknown"),
        (
            "pull access denied for r/a, repository does not exist or may require "
            "'docker login': denied: requested access to the resource is denied",
            "insufficient_scope",
        ),
        ("toomanyrequests: You have reached your pull rate limit.", "rate_limited"),
        ("error pulling image configuration: download failed: unknown blob", "blob_unknown"),
        ("manifest verification failed for digest sha256:ab", "digest_mismatch"),
        ('Get "https://r/v2/": x509: certificate signed by unknown authority', "tls_unknown_ca"),
    ],
)
def test_daemon_pull_messages(message: str, code: str) -> None:
    assert classify_pull(message).value == code


def test_registry_auth_is_base64url_json_like_the_cli() -> None:
    encoded = registry_auth({"username": "u", "password": "p?>", "serveraddress": "r"})
    assert json.loads(base64.urlsafe_b64decode(encoded)) == {
        "username": "u",
        "password": "p?>",
        "serveraddress": "r",
    }


def _state(tmp_path: Path, image: str, credentials: Credentials) -> State:
    reference = parse(image)
    return State(
        options=ProbeOptions(server=reference.domain, image=reference),
        environ={},
        stdin=io.StringIO(),
        clock=lambda: 0.0,
        budget=Budget(5),
        config_dir=tmp_path,
        server=normalise(reference.domain),
        credentials=credentials,
    )


def test_ghcr_anonymous_and_token_without_read_packages_get_different_fixes(
    tmp_path: Path,
) -> None:
    anonymous = denied(_state(tmp_path, "ghcr.io/o/app:1", Credentials(source="none")), "x")
    token = denied(
        _state(
            tmp_path,
            "ghcr.io/o/app:1",
            Credentials(source="test", username="octo", secret=Secret("ghp_x")),
        ),
        "DENIED: denied",
    )
    assert anonymous.code is token.code is Code.INSUFFICIENT_SCOPE
    assert anonymous.detail.startswith("anonymous (no credentials) may not pull o/app")
    assert "refuses anonymous pulls of private packages" in anonymous.detail
    assert token.detail.startswith("user 'octo' may not pull o/app (DENIED: denied)")
    assert "lacks read:packages" in token.detail


def _response(headers: dict[str, str]) -> Response:
    message = Message()
    for name, value in headers.items():
        message[name] = value
    return Response(status=200, reason="OK", headers=message, body=b"")


def test_docker_hub_rate_limit_headers_are_reported(tmp_path: Path) -> None:
    anonymous = Credentials(source="none")
    hub = _state(tmp_path, "ubuntu", anonymous)
    headers = {"ratelimit-limit": "100;w=21600", "ratelimit-remaining": "76;w=21600"}
    assert rate_note(hub, _response(headers)) == (
        "; Docker Hub pull allowance: 76;w=21600 left of 100;w=21600"
    )
    # other registries' headers of that name mean nothing to Docker Hub's allowance
    assert rate_note(_state(tmp_path, "ghcr.io/o/a", anonymous), _response(headers)) == ""
    assert rate_note(hub, _response({})) == ""


def test_outside_text_is_escaped_and_capped() -> None:
    assert escape("denied\x1b]0;pwned\x07\r\n") == "denied\\x1b]0;pwned\\x07\\r\\n"
    assert escape("x" * 400).endswith("…")
    assert len(escape("x" * 400)) == 301
