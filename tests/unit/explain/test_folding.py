"""Consequences fold under their root cause; distinct failures stay apart, in order."""

from __future__ import annotations

import io

from cs_registry.diagnosis import Code
from cs_registry.explain import analyse
from cs_registry.explain.fold import MAX_LINES_PER_FAILURE
from tests.unit.explain.helpers import LOGS, analysed


def test_retries_command_failed_and_the_json_outcome_fold_under_dockers_error() -> None:
    (failure,) = analysed("devcontainer-up-image-no-auth.log").failures
    texts = [text for _, text in failure.lines]
    assert "no basic auth credentials" in texts[0]  # the root cause comes first
    assert any("Error fetching image details" in t for t in texts[1:])
    assert failure.more_lines > 0  # 5 retries, the stack trace's head, the outcome line
    quoted = [n for n, _ in failure.lines]
    assert len(quoted) <= MAX_LINES_PER_FAILURE


def test_the_cause_arriving_after_its_symptom_goes_to_the_top() -> None:
    (failure,) = analysed("devcontainer-up-image-denied.log").failures
    numbers = [n for n, _ in failure.lines]
    assert numbers[0] == 36  # docker's "pull access denied" ...
    assert 34 in numbers[1:]  # ... above "Error fetching image details" (line 34)
    assert failure.code is Code.INSUFFICIENT_SCOPE


def test_error_code_1302_and_the_recovery_container_fold_into_the_failure() -> None:
    analysis = analysed("codespaces/new-post-create-no-daemon.log")
    assert [f.code for f in analysis.failures] == [Code.DAEMON_UNREACHABLE]
    old = analysed("codespaces/old-image-no-auth.log")
    assert [f.code for f in old.failures] == [Code.MISSING_CREDENTIALS]
    assert old.failures[0].more_lines > 0


def test_repeats_of_one_line_are_counted_not_quoted_again() -> None:
    (failure,) = analysed("devcontainer-up-image-no-auth.log").failures
    texts = [text for _, text in failure.lines]
    assert len(texts) == len(set(texts))


def test_two_different_failures_stay_two_in_the_order_they_happened() -> None:
    first = (LOGS / "docker28-login-helper-missing.log").read_bytes()
    second = (LOGS / "docker28-pull-manifest-unknown.log").read_bytes()
    analysis = analyse(io.BytesIO(first + b"\n" + second), "two")
    assert [f.code for f in analysis.failures] == [
        Code.CREDS_STORE_UNAVAILABLE,
        Code.MANIFEST_UNKNOWN,
    ]
    assert analysis.failures[1].lines[0][0] == 4


def test_a_consequence_alone_stands_for_the_failure() -> None:
    (failure,) = analysed("devcontainer-up-image-info-level.log").failures
    assert failure.code is Code.IMAGE_UNAVAILABLE
    assert not failure.root


def test_an_unrecognised_error_is_reported_never_silence() -> None:
    log = b"starting\nError: the flux capacitor is out of alignment\ndone\n"
    (failure,) = analyse(io.BytesIO(log), "odd").failures
    assert failure.code is Code.NO_KNOWN_CAUSE
    assert failure.lines == [(2, "Error: the flux capacitor is out of alignment")]


def test_a_clean_log_has_no_failure() -> None:
    log = b"Pulling from app\nDigest: sha256:abc\nStatus: Downloaded newer image\n"
    assert analyse(io.BytesIO(log), "ok").failures == []


def test_a_message_over_several_lines_is_one_failure_led_by_its_first_line() -> None:
    (failure,) = analysed("podman-pull-denied.log").failures
    assert [n for n, _ in failure.lines] == [2, 3, 4]
    assert failure.lead == 2  # "Error: initializing source ...: errors:" then "denied: ..."
    assert failure.code is Code.INSUFFICIENT_SCOPE


def test_a_cause_without_its_optional_detail_reads_cleanly() -> None:
    log = b"image with reference x was found but does not match the specified platform\n"
    (failure,) = analyse(io.BytesIO(log), "platform").failures
    assert failure.code is Code.PLATFORM_MISSING
    assert failure.cause == "The image exists, but not for this machine's platform."
