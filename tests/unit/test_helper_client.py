"""The one bounded credential-helper client, against real helper scripts on PATH."""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

import pytest

from cs_registry import log
from cs_registry.diagnosis import Code
from cs_registry.helper_client import (
    OUTPUT_LIMIT,
    Helper,
    HelperError,
    shown,
    store_if_changed,
)
from cs_registry.secret import Secret

SLACK = 2.0  # process start-up on a loaded machine; the bounds asserted are the timeouts

# records argv and stdin of every call, then answers from $ANSWER (stdout) and $STATUS
RECORDER = """#!{python}
import json, os, sys
data = sys.stdin.buffer.read().decode("utf-8", "replace")
with open(os.environ["CALLS"], "a") as calls:
    calls.write(json.dumps({{"argv": sys.argv[1:], "stdin": data}}) + "\\n")
sys.stdout.write(os.environ.get("ANSWER", ""))
sys.stderr.write(os.environ.get("ERROR", ""))
sys.exit(int(os.environ.get("STATUS", "0")))
"""


def _bin(tmp_path: Path) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    return folder


def _script(tmp_path: Path, name: str, text: str) -> Path:
    path = _bin(tmp_path) / f"docker-credential-{name}"
    path.write_text(text)
    path.chmod(0o755)
    return path


def _recorder(tmp_path: Path, **env: str) -> Helper:
    _script(tmp_path, "rec", RECORDER.format(python=sys.executable))
    environ = {"PATH": f"{_bin(tmp_path)}:/usr/bin:/bin", "CALLS": str(tmp_path / "calls")}
    return Helper("rec", {**environ, **env})


def _calls(tmp_path: Path) -> list[dict[str, object]]:
    path = tmp_path / "calls"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _failure(call: object) -> HelperError:
    assert isinstance(call, HelperError)
    return call


# -- get ------------------------------------------------------------------------------


def test_get_sends_the_server_on_stdin_and_decodes_the_answer(tmp_path: Path) -> None:
    answer = {"ServerURL": "ghcr.io", "Username": "octo", "Secret": "s3cret-from-helper"}
    helper = _recorder(tmp_path, ANSWER=json.dumps(answer))
    assert helper.get("ghcr.io") == ("octo", Secret("s3cret-from-helper"))
    assert _calls(tmp_path) == [{"argv": ["get"], "stdin": "ghcr.io"}]
    assert "s3cret-from-helper" not in log.scrub("leaked s3cret-from-helper")  # registered


@pytest.mark.parametrize(
    "answer",
    [
        "credentials not found in native keychain",
        "credentials not found in native keychain\n",
        "  credentials not found in native keychain \n",
    ],
)
def test_a_miss_is_dockers_exact_message_trimmed(tmp_path: Path, answer: str) -> None:
    assert _recorder(tmp_path, ANSWER=answer, STATUS="1").get("ghcr.io") is None


@pytest.mark.parametrize(
    "answer",
    ["credentials not found", "error: credentials not found in native keychain", ""],
)
def test_any_other_error_exit_is_cred_helper_failed(tmp_path: Path, answer: str) -> None:
    helper = _recorder(tmp_path, ANSWER=answer, STATUS="1")
    with pytest.raises(HelperError) as caught:
        helper.get("ghcr.io")
    assert caught.value.diagnosis is Code.CRED_HELPER_FAILED
    assert caught.value.code == "cred_helper_failed"
    assert caught.value.message.startswith("docker-credential-rec get failed (exit status 1)")


@pytest.mark.parametrize(
    "answer",
    [
        "this is not JSON",
        "[]",
        '"text"',
        '{"Username": "u"}',
        '{"Username": 1, "Secret": "s"}',
        '{"Username": "u", "Secret": null}',
        "[" * 100_000,
    ],
    ids=["prose", "list", "string", "no-secret", "number-user", "null-secret", "deep"],
)
def test_an_answer_of_the_wrong_shape_is_cred_helper_failed(tmp_path: Path, answer: str) -> None:
    helper = _recorder(tmp_path, ANSWER=answer)
    with pytest.raises(HelperError) as caught:
        helper.get("ghcr.io")
    assert caught.value.diagnosis is Code.CRED_HELPER_FAILED
    assert "docker-credential-rec get answered something that is not a credential" in str(
        caught.value
    )


def test_an_answer_that_is_not_utf8_is_cred_helper_failed(tmp_path: Path) -> None:
    _script(tmp_path, "latin", "#!/bin/sh\ncat >/dev/null\nprintf '\\377\\376'\n")
    with pytest.raises(HelperError) as caught:
        Helper("latin", {"PATH": f"{_bin(tmp_path)}:/usr/bin:/bin"}).get("ghcr.io")
    assert caught.value.diagnosis is Code.CRED_HELPER_FAILED
    assert "not UTF-8" in caught.value.message


# -- failures: words shown, secrets not --------------------------------------------------


def test_a_refused_store_shows_the_helpers_words_with_the_secret_masked(tmp_path: Path) -> None:
    secret = "CANARY-store-secret-0123456789"
    helper = _recorder(tmp_path, STATUS="1", ERROR=f"cannot store {secret} for you")
    with pytest.raises(HelperError) as caught:
        helper.store("ghcr.io", "octo", Secret(secret))
    message = caught.value.message
    assert message.startswith("docker-credential-rec store failed (exit status 1): cannot store")
    assert secret not in message
    assert "CA…(30 chars)" in message
    # the secret travelled on stdin only, as Docker's JSON document
    (call,) = _calls(tmp_path)
    assert call["argv"] == ["store"]
    assert json.loads(str(call["stdin"])) == {
        "ServerURL": "ghcr.io",
        "Username": "octo",
        "Secret": secret,
    }


def test_a_short_secret_in_the_helpers_words_withholds_them(tmp_path: Path) -> None:
    helper = _recorder(tmp_path, STATUS="1", ANSWER="bad password xq9")
    with pytest.raises(HelperError) as caught:
        helper.store("ghcr.io", "octo", Secret("xq9"))
    assert "xq9" not in caught.value.message
    assert "withheld" in caught.value.message


def test_control_characters_from_a_helper_are_escaped_on_one_line() -> None:
    text = shown("\x1b]0;pwned\x07line one\r\nDiagnosis: ok\n\x1b[2J")
    assert "\x1b" not in text
    assert "\r" not in text
    assert "\n" not in text
    assert text == "\\x1b]0;pwned\\x07line one; Diagnosis: ok; \\x1b[2J"


def test_long_words_are_capped() -> None:
    assert len(shown("x" * 10_000)) <= 301


# -- bounds -------------------------------------------------------------------------------


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def test_a_stalled_helper_and_the_child_it_forked_are_killed_at_the_timeout(
    tmp_path: Path,
) -> None:
    pids = tmp_path / "pids"
    sleep = shutil.which("sleep")
    _script(
        tmp_path,
        "stall",
        f'#!/bin/sh\n{sleep} 1000 &\necho $! >> "{pids}"\necho $$ >> "{pids}"\n{sleep} 1000\n',
    )
    helper = Helper("stall", {"PATH": str(_bin(tmp_path))}, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(HelperError) as caught:
        helper.get("ghcr.io")
    assert time.monotonic() - started < 0.5 + SLACK
    assert caught.value.diagnosis is Code.CRED_HELPER_TIMEOUT
    assert "docker-credential-stall get did not answer within 0.5 s" in caught.value.message
    started_pids = [int(pid) for pid in pids.read_text().split()]
    assert len(started_pids) == 2
    deadline = time.monotonic() + SLACK
    while any(_alive(pid) for pid in started_pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in started_pids)
    # asked again in the same run: answered at once, not waited for twice
    started = time.monotonic()
    with pytest.raises(HelperError) as again:
        helper.store("ghcr.io", "u", Secret("secret-value"))
    assert time.monotonic() - started < 0.2
    assert again.value.diagnosis is Code.CRED_HELPER_TIMEOUT
    assert len(pids.read_text().split()) == 2


def test_a_per_call_timeout_overrides_the_default(tmp_path: Path) -> None:
    _script(tmp_path, "slow", f"#!/bin/sh\nexec {shutil.which('sleep')} 60\n")
    helper = Helper("slow", {"PATH": str(_bin(tmp_path))})
    started = time.monotonic()
    with pytest.raises(HelperError):
        helper.get("ghcr.io", timeout=0.3)
    assert time.monotonic() - started < 0.3 + SLACK


def test_a_helper_that_floods_stdout_is_stopped_at_the_cap(tmp_path: Path) -> None:
    _script(
        tmp_path,
        "flood",
        f"#!{sys.executable}\nimport sys\nsys.stdout.write('x' * (10 << 20))\n",
    )
    helper = Helper("flood", {"PATH": str(_bin(tmp_path))}, timeout=30)
    started = time.monotonic()
    with pytest.raises(HelperError) as caught:
        helper.get("ghcr.io")
    assert time.monotonic() - started < 10  # stopped at the cap, not at the timeout
    assert caught.value.diagnosis is Code.CRED_HELPER_FAILED
    assert f"more than {OUTPUT_LIMIT >> 20} MiB" in caught.value.message


def test_a_helper_that_never_reads_stdin_does_not_block_the_write(tmp_path: Path) -> None:
    _script(tmp_path, "deaf", "#!/bin/sh\nexit 0\n")
    helper = Helper("deaf", {"PATH": str(_bin(tmp_path))}, timeout=5)
    started = time.monotonic()
    helper.store("ghcr.io", "octo", Secret("x" * (1 << 20)))  # far more than a pipe holds
    assert time.monotonic() - started < 5


# -- lookup, list, erase, store_if_changed -----------------------------------------------


@pytest.mark.parametrize("name", ["absent", "../bin/rec", "a\0b", ""])
def test_a_helper_not_on_path_is_creds_store_unavailable(tmp_path: Path, name: str) -> None:
    _recorder(tmp_path)
    with pytest.raises(HelperError) as caught:
        Helper(name, {"PATH": str(_bin(tmp_path))}).get("ghcr.io")
    assert caught.value.diagnosis is Code.CREDS_STORE_UNAVAILABLE
    assert not _calls(tmp_path)


def test_a_helper_that_cannot_start_is_cred_helper_failed(tmp_path: Path) -> None:
    _script(tmp_path, "broken", "#!/nonexistent/interpreter\n")
    with pytest.raises(HelperError) as caught:
        Helper("broken", {"PATH": str(_bin(tmp_path))}).get("ghcr.io")
    assert caught.value.diagnosis is Code.CRED_HELPER_FAILED
    assert "could not be started" in caught.value.message


def test_list_and_erase(tmp_path: Path) -> None:
    helper = _recorder(tmp_path, ANSWER='{"ghcr.io": "octo", "quay.io": "robot"}')
    assert helper.list() == {"ghcr.io": "octo", "quay.io": "robot"}
    assert helper.erase("ghcr.io") is True
    assert [c["argv"] for c in _calls(tmp_path)] == [["list"], ["erase"]]
    missing = _recorder(tmp_path, ANSWER="credentials not found in native keychain", STATUS="1")
    assert missing.erase("ghcr.io") is False
    with pytest.raises(HelperError):
        _recorder(tmp_path, ANSWER='{"ghcr.io": 5}').list()


def test_store_if_changed_skips_the_store_when_the_helper_holds_it(tmp_path: Path) -> None:
    held = json.dumps({"ServerURL": "ghcr.io", "Username": "octo", "Secret": "same-secret"})
    helper = _recorder(tmp_path, ANSWER=held)
    assert store_if_changed(helper, "ghcr.io", "octo", Secret("same-secret")) is False
    assert store_if_changed(helper, "ghcr.io", "octo", Secret("new-secret")) is True
    assert [c["argv"] for c in _calls(tmp_path)] == [["get"], ["get"], ["store"]]


def test_repr_never_shows_the_environment(tmp_path: Path) -> None:
    helper = Helper("rec", {"PATH": "/bin", "GHCR_CONTAINER_REGISTRY_PASSWORD": "hidden-pw"})
    assert repr(helper) == "Helper('docker-credential-rec')"
