# ruff: noqa: E501  (one row per captured case reads best on one line)
"""One diagnosis per code, each from output a real tool printed here (tests/data/logs).

The fixtures were captured by tests/fixtures/capture_logs.py against loopback fault
registries; the Codespaces and Actions ones wrap such output (tests/fixtures/wrap_logs.py).
Each row: the fixture, the code and phase of its first failure, the line number of the
root line, and the next command explain proposes.
"""

from __future__ import annotations

import re

import pytest

from cs_registry.diagnosis import Code
from tests.unit.explain.helpers import analysed

DEBUG_AUTH = "cs-registry debug-login 127.0.0.1:36315/app:1"
CASES = [
    # missing helper (the most common real failure)
    ("docker28-login-helper-missing.log", Code.CREDS_STORE_UNAVAILABLE, "login", 2, "cs-registry doctor"),
    ("docker20-login-helper-missing.log", Code.CREDS_STORE_UNAVAILABLE, "login", 2, "cs-registry doctor"),
    ("codespaces/new-post-create-helper-missing.log", Code.CREDS_STORE_UNAVAILABLE, "login", 14, "cs-registry doctor"),
    ("docker28-login-helper-fails.log", Code.CRED_HELPER_FAILED, "login", 2, "cs-registry doctor"),
    ("ecr-login-log-unknown-key.log", Code.CRED_HELPER_FAILED, "unknown", 4, "cs-registry doctor"),
    # no basic auth credentials / unauthorized
    ("docker20-pull-no-auth.log", Code.MISSING_CREDENTIALS, "pull", 1, DEBUG_AUTH),
    ("docker28-pull-no-auth.log", Code.MISSING_CREDENTIALS, "pull", 1, DEBUG_AUTH),
    ("classic-build-from-no-auth.log", Code.MISSING_CREDENTIALS, "build", 3, DEBUG_AUTH),
    ("buildkit-from-no-auth.log", Code.MISSING_CREDENTIALS, "build", 13, DEBUG_AUTH),
    ("compose-pull-no-auth.log", Code.MISSING_CREDENTIALS, "pull", 5, DEBUG_AUTH),
    ("skopeo-inspect-no-auth.log", Code.MISSING_CREDENTIALS, "pull", 1, DEBUG_AUTH),
    ("podman-pull-no-auth.log", Code.MISSING_CREDENTIALS, "pull", 2, DEBUG_AUTH),
    ("buildah-from-no-auth.log", Code.MISSING_CREDENTIALS, "pull", 2, "cs-registry debug-login 127.0.0.1:37101/app:1"),
    ("ecr-login-get-unknown-key.log", Code.MISSING_CREDENTIALS, "unknown", 1, "cs-registry doctor"),
    ("devcontainer-up-image-no-auth.log", Code.MISSING_CREDENTIALS, "host image pull", 30, "cs-registry debug-login localhost:37101/app:1"),
    ("devcontainer-up-feature-no-auth.log", Code.MISSING_CREDENTIALS, "Feature fetch", 32, "cs-registry debug-login localhost:37101/features/tools:1"),
    ("codespaces/old-image-no-auth.log", Code.MISSING_CREDENTIALS, "host image pull", 39, "cs-registry debug-login localhost:37101/app:1"),
    ("docker28-login-bad-password.log", Code.BAD_CREDENTIALS, "login", 2, "cs-registry debug-login 127.0.0.1:36315"),
    ("docker20-pull-token-expired.log", Code.TOKEN_EXPIRED, "pull", 1, "cs-registry debug-login 127.0.0.1:36983/app"),
    ("docker28-pull-token-expired.log", Code.TOKEN_EXPIRED, "pull", 1, "cs-registry debug-login 127.0.0.1:36983/app"),
    # denied
    ("docker20-pull-denied.log", Code.INSUFFICIENT_SCOPE, "pull", 1, "cs-registry debug-login 127.0.0.1:58281/private/app"),
    ("buildkit-from-denied.log", Code.INSUFFICIENT_SCOPE, "build", 13, "cs-registry debug-login 127.0.0.1:58281/private/app:1"),
    ("podman-pull-denied.log", Code.INSUFFICIENT_SCOPE, "pull", 2, "cs-registry debug-login 127.0.0.1:58281/private/app:1"),
    ("devcontainer-up-image-denied.log", Code.INSUFFICIENT_SCOPE, "host image pull", 36, "cs-registry debug-login localhost:59667/private/app:1"),
    # manifest unknown, platform, repository
    ("docker28-pull-manifest-unknown.log", Code.MANIFEST_UNKNOWN, "pull", 1, "cs-registry debug-login 127.0.0.1:44469/app:2"),
    ("buildkit-from-manifest-unknown.log", Code.MANIFEST_UNKNOWN, "build", 13, "cs-registry debug-login 127.0.0.1:44469/app:2"),
    ("buildah-pull-manifest-unknown.log", Code.MANIFEST_UNKNOWN, "pull", 2, "cs-registry debug-login 127.0.0.1:44469/app:2"),
    ("codespaces/new-manifest-unknown.log", Code.MANIFEST_UNKNOWN, "host image pull", 39, "cs-registry debug-login localhost:47125/app:2"),
    ("docker20-pull-platform-missing.log", Code.PLATFORM_MISSING, "pull", 2, "cs-registry doctor"),
    ("skopeo-copy-platform-missing.log", Code.PLATFORM_MISSING, "pull", 1, "cs-registry doctor"),
    ("skopeo-list-tags-repository-unknown.log", Code.REPOSITORY_NOT_FOUND, "unknown", 1, "cs-registry doctor"),
    # rate limit, registry down, network
    ("docker28-pull-rate-limited.log", Code.RATE_LIMITED, "pull", 1, "cs-registry doctor"),
    ("compose-pull-rate-limited.log", Code.RATE_LIMITED, "pull", 5, "cs-registry doctor"),
    ("docker28-pull-unavailable.log", Code.REGISTRY_UNAVAILABLE, "unknown", 1, "cs-registry doctor"),
    ("docker20-pull-refused.log", Code.CONNECTION_REFUSED, "unknown", 1, "cs-registry debug-login 127.0.0.1:40463"),
    ("docker20-pull-connect-timeout.log", Code.CONNECT_TIMEOUT, "unknown", 1, "cs-registry debug-login 127.0.0.1:60429"),
    ("docker28-pull-connect-timeout.log", Code.CONNECT_TIMEOUT, "unknown", 1, "cs-registry debug-login 127.0.0.1:45429"),
    ("skopeo-inspect-connect-timeout.log", Code.CONNECT_TIMEOUT, "pull", 1, "cs-registry debug-login 127.0.0.1:60429/app:1"),
    ("constructed/docker28-pull-dns-failure.log", Code.DNS_FAILURE, "unknown", 1, "cs-registry debug-login registry.example.test"),
    ("skopeo-inspect-read-timeout.log", Code.READ_TIMEOUT, "pull", 1, "cs-registry debug-login 127.0.0.1:57831/app:1"),
    ("skopeo-inspect-proxy-refused.log", Code.PROXY_ERROR, "pull", 1, "cs-registry debug-login registry.example.test/app:1"),
    # TLS
    ("skopeo-inspect-unknown-ca.log", Code.TLS_UNKNOWN_CA, "pull", 1, "cs-registry debug-login 127.0.0.1:36021/app:1"),
    ("skopeo-inspect-hostname-mismatch.log", Code.TLS_HOSTNAME_MISMATCH, "pull", 1, "cs-registry debug-login 127.0.0.1:32829/app:1"),
    ("skopeo-inspect-expired-cert.log", Code.TLS_EXPIRED, "pull", 1, "cs-registry debug-login 127.0.0.1:36575/app:1"),
    ("skopeo-inspect-http-on-https.log", Code.HTTP_ON_HTTPS_PORT, "pull", 1, DEBUG_AUTH),
    ("skopeo-inspect-cert-not-yet-valid.log", Code.CLOCK_SKEW, "pull", 1, "cs-registry debug-login 127.0.0.1:40681/app:1"),
    # daemon not up
    ("docker20-pull-no-daemon.log", Code.DAEMON_UNREACHABLE, "unknown", 1, "cs-registry doctor"),
    ("docker28-info-no-daemon.log", Code.DAEMON_UNREACHABLE, "unknown", 7, "cs-registry doctor"),
    ("codespaces/new-post-create-no-daemon.log", Code.DAEMON_UNREACHABLE, "postCreateCommand", 19, "cs-registry doctor"),
    ("actions/prebuild-oncreate-docker.log", Code.DOCKER_IN_PREBUILD_HOOK, "onCreateCommand", 16, "cs-registry doctor --prebuild"),
    # clones, Features, images without a deeper cause, the unknown
    ("git-clone-403.log", Code.REPOSITORY_ACCESS_DENIED, "clone", 2, "cs-registry doctor --prebuild"),
    ("git-clone-401-no-prompt.log", Code.REPOSITORY_ACCESS_DENIED, "clone", 2, "cs-registry doctor --prebuild"),
    ("actions/prebuild-clone-refused.log", Code.REPOSITORY_ACCESS_DENIED, "clone", 11, "cs-registry doctor --prebuild"),
    ("devcontainer-up-feature-denied.log", Code.FEATURE_UNAVAILABLE, "Feature fetch", 33, "cs-registry debug-login localhost:38133/private/feature:1"),
    ("devcontainer-up-feature-missing.log", Code.FEATURE_UNAVAILABLE, "Feature fetch", 31, "cs-registry debug-login localhost:37011/features/none:1"),
    ("devcontainer-up-image-info-level.log", Code.IMAGE_UNAVAILABLE, "unknown", 3, "cs-registry debug-login 127.0.0.1:37101/app:1"),
    ("buildkit-new-cli-no-buildx.log", Code.NO_KNOWN_CAUSE, "unknown", 1, "cs-registry doctor"),
]  # fmt: skip


def _ports(text: str) -> str:
    return re.sub(r"(127\.0\.0\.1|localhost):\d+", r"\1:PORT", text)


@pytest.mark.parametrize(("name", "code", "phase", "line", "next_command"), CASES)
def test_the_captured_failure_gets_its_code(
    name: str, code: Code, phase: str, line: int, next_command: str
) -> None:
    analysis = analysed(name)
    assert len(analysis.failures) == 1, [f.code for f in analysis.failures]
    failure = analysis.failures[0]
    # ports change when the fixtures are captured again; the rest must not
    assert (failure.code, failure.phase, _ports(failure.next)) == (
        code,
        phase,
        _ports(next_command),
    )
    root = [number for number, _ in failure.lines if number == line]
    assert root, f"line {line} not quoted: {failure.lines}"


def test_every_log_code_has_a_captured_case() -> None:
    covered = {code for _, code, *_ in CASES}
    wanted = {
        Code.CRED_HELPER_FAILED,
        Code.FEATURE_UNAVAILABLE,
        Code.IMAGE_UNAVAILABLE,
        Code.REPOSITORY_ACCESS_DENIED,
        Code.MANIFEST_UNKNOWN,
        Code.PLATFORM_MISSING,
        Code.CREDS_STORE_UNAVAILABLE,
        Code.MISSING_CREDENTIALS,
        Code.INSUFFICIENT_SCOPE,
        Code.RATE_LIMITED,
        Code.DAEMON_UNREACHABLE,
        Code.NO_KNOWN_CAUSE,
        Code.CONNECT_TIMEOUT,
        Code.TOKEN_EXPIRED,
        Code.DNS_FAILURE,
    }
    assert wanted <= covered


def test_a_failure_cause_names_the_missing_helper() -> None:
    failure = analysed("docker28-login-helper-missing.log").failures[0]
    assert "docker-credential-desktop" in failure.cause
    assert "docker-credential-desktop" in failure.remedy


def test_a_log_without_failures_has_none() -> None:
    lines = analysed("devcontainer-up-image-no-auth.log").lines_read
    assert lines > 30
    with open("/dev/null", "rb") as empty:
        from cs_registry.explain import analyse

        assert analyse(empty, "empty").failures == []
