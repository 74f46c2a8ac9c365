"""Logging, redaction and the one error boundary (log.py, error_handler.py)."""

from __future__ import annotations

import io
import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import structlog
from structlog.testing import capture_logs

from cs_registry import log
from cs_registry.context import Context
from cs_registry.diagnosis import Code
from cs_registry.error_handler import Exit, boundary
from cs_registry.errors import CsRegistryError, UsageError
from cs_registry.main import main
from cs_registry.secret import Secret
from cs_registry.status import ExitStatus
from tests.support.captured import MakeCtx

CANARY = "canary-Secr3t-value-8f2a"


@pytest.fixture(autouse=True)
def _fresh_logging() -> Iterator[None]:
    yield
    log.configure()
    structlog.reset_defaults()


def events(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


# --- redaction --------------------------------------------------------------------------------


def test_registered_secrets_are_scrubbed_from_text() -> None:
    log.register_secret(CANARY)
    assert (
        log.scrub(f"token={CANARY}; again {CANARY}") == "token=ca…(24 chars); again ca…(24 chars)"
    )


def test_short_values_are_masked_too() -> None:
    log.register_secret("abc")
    assert log.scrub("abc abcd") == "…(3 chars) …(3 chars)d"


def test_the_empty_string_is_never_registered() -> None:
    log.register_secret("")
    assert log.scrub("abc") == "abc"


def test_processor_masks_secret_named_fields_secrets_and_registered_values() -> None:
    log.register_secret(CANARY)
    event = {
        "event": f"failed with {CANARY}",
        "password": "hunter2-other",
        "session_token": "tok-123456",
        "Authorization": "Basic dXNlcjpwYXNz",
        "secret": Secret("some-other-secret"),
        "headers": {"Authorization": "Bearer abcdefgh", "Accept": "json"},
        "items": [CANARY, Secret("x" * 20), 3],
        "error": ValueError(f"bad {CANARY}"),
        "count": 3,
        "ok": True,
        "nothing": None,
        "server": "ghcr.io",
    }
    result = log.redact_processor(None, "warning", event)
    assert result == {
        "event": "failed with ca…(24 chars)",
        "password": "…(13 chars)",
        "session_token": "…(10 chars)",
        "Authorization": "Ba…(18 chars)",
        "secret": "so…(17 chars)",
        "headers": {"Authorization": "…(15 chars)", "Accept": "json"},
        "items": ["ca…(24 chars)", "xx…(20 chars)", 3],
        "error": "bad ca…(24 chars)",
        "count": 3,
        "ok": True,
        "nothing": None,
        "server": "ghcr.io",
    }


def test_json_lines_on_a_non_tty_stream_without_the_secret() -> None:
    stream = io.StringIO()
    log.configure(stream=stream)
    log.register_secret(CANARY)
    log.get_logger("t").warning("store_failed", helper="fake", output=f"refused {CANARY}")
    (event,) = events(stream)
    assert event["event"] == "store_failed"
    assert event["level"] == "warning"
    assert event["output"] == "refused ca…(24 chars)"
    assert CANARY not in stream.getvalue()


def test_debug_and_info_only_when_verbose() -> None:
    stream = io.StringIO()
    log.configure(stream=stream)
    log.get_logger().info("quiet")
    log.get_logger().debug("quiet")
    assert stream.getvalue() == ""
    log.configure(stream=stream, verbose=True)
    log.get_logger().info("loud", n=1)
    assert [e["event"] for e in events(stream)] == ["loud"]


def test_redaction_runs_inside_the_configured_chain_before_the_renderer() -> None:
    log.configure(stream=io.StringIO())
    log.get_logger().warning("warm-up")  # structlog is configured on the first event
    processors = structlog.get_config()["processors"]
    assert processors.index(log.redact_processor) == len(processors) - 2


def test_lazy_logger_hands_events_to_structlog() -> None:
    log.configure(stream=io.StringIO())
    logger = log.get_logger("cs_registry.test")
    logger.warning("warm-up")
    with capture_logs() as captured:
        logger.warning("helper_failed", helper="fake", attempt=2)
        logger.debug("hidden")  # not verbose: never reaches structlog
        logger.error("gave_up")
    assert captured == [
        {"event": "helper_failed", "helper": "fake", "attempt": 2, "log_level": "warning"},
        {"event": "gave_up", "log_level": "error"},
    ]


def test_a_quiet_run_never_imports_structlog_lazily() -> None:
    logger = log.get_logger("x")
    log.configure(stream=io.StringIO())
    logger.debug("nothing")
    assert log._settings["ready"] is False


def test_log_file_is_0600_in_a_0700_dir_and_scrubbed(tmp_path: Path) -> None:
    log.register_secret(CANARY)
    cache = tmp_path / "cache" / "cs-registry"
    path = log.append_to_log_file(cache, f"Traceback ...\nRuntimeError: {CANARY}\n")
    assert path == cache / "cs-registry.log"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == "Traceback ...\nRuntimeError: ca…(24 chars)\n"


def test_log_file_that_cannot_be_written_gives_none(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert log.append_to_log_file(blocker / "sub", "x") is None


# --- the boundary -----------------------------------------------------------------------------


def run_boundary(ctx: Context, exc: BaseException) -> ExitStatus:
    with pytest.raises(Exit) as caught, boundary(ctx):
        raise exc
    return caught.value.status


def test_expected_error_is_one_line_with_its_code(make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    status = run_boundary(
        ctx, UsageError("--env-file x: no such file", code=Code.CONFIG_UNREADABLE)
    )
    assert status is ExitStatus.USAGE
    assert ctx.stderr.getvalue() == "cs-registry: --env-file x: no such file [config_unreadable]\n"


def test_expected_error_without_a_code(make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    assert run_boundary(ctx, CsRegistryError("it failed")) is ExitStatus.FAILED
    assert ctx.stderr.getvalue() == "cs-registry: it failed\n"


def test_expected_error_messages_are_scrubbed_too(make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    log.register_secret(CANARY)
    assert run_boundary(ctx, CsRegistryError(f"helper said {CANARY}")) is ExitStatus.FAILED
    assert ctx.stderr.getvalue() == "cs-registry: helper said ca…(24 chars)\n"


def test_interrupt_is_130(make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    assert run_boundary(ctx, KeyboardInterrupt()) is ExitStatus.INTERRUPTED
    assert ctx.stderr.getvalue() == "cs-registry: interrupted\n"


def test_a_bug_is_exit_3_with_a_pointer_to_the_log_and_no_traceback(
    make_ctx: MakeCtx, isolated_home: Path
) -> None:
    ctx = make_ctx({"XDG_CACHE_HOME": str(isolated_home / "xdg-cache")})
    log.register_secret(CANARY)
    assert run_boundary(ctx, ZeroDivisionError(f"oops {CANARY}")) is ExitStatus.INTERNAL
    text = ctx.stderr.getvalue()
    path = isolated_home / "xdg-cache" / "cs-registry" / "cs-registry.log"
    assert text == (
        f"cs-registry: internal error (ZeroDivisionError); the traceback is in {path}. "
        "Please report it with that file.\n"
    )
    content = path.read_text()
    assert "Traceback (most recent call last)" in content
    assert "ZeroDivisionError: oops ca…(24 chars)" in content
    assert CANARY not in content
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


# --- a canary through whole runs --------------------------------------------------------------


def _canary_env(server: str = "ghcr.io") -> dict[str, str]:
    return {
        "GHCR_CONTAINER_REGISTRY_SERVER": server,
        "GHCR_CONTAINER_REGISTRY_USER": "octo",
        "GHCR_CONTAINER_REGISTRY_PASSWORD": f" {CANARY}\n",
    }


@pytest.mark.parametrize(
    ("argv", "extra", "expected"),
    [
        (["login"], {}, 0),
        (["login", "-v", "--json"], {}, 0),
        (["login", "--dry-run"], {}, 0),
        (["login", "--dry-run", "--json"], {}, 0),
        (["login", "--hook"], {}, 0),
        (["login"], {"GHCR_CONTAINER_REGISTRY_SERVER": "ftp://bad"}, 1),
        (["login", "--json"], {"GHCR_CONTAINER_REGISTRY_USER": "x:y"}, 1),
        (["login"], {"ACTION_NAME": "createPrebuildTemplate"}, 0),
        (["login", "--json"], {"OTHER_CONTAINER_REGISTRY_PASSWORD": CANARY}, 1),
    ],
)
def test_canary_never_in_stdout_stderr_or_log(
    make_ctx: MakeCtx,
    isolated_home: Path,
    argv: list[str],
    extra: dict[str, str],
    expected: int,
) -> None:
    ctx = make_ctx({**_canary_env(), **extra})
    assert main(argv, ctx) == expected
    shown = ctx.stdout.getvalue() + ctx.stderr.getvalue()
    assert CANARY not in shown
    for path in isolated_home.rglob("*"):
        if path.is_file() and path.name != "config.json":
            assert CANARY not in path.read_text(errors="replace")


def test_canary_never_in_output_or_log_of_a_crash(
    make_ctx: MakeCtx, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cs_registry import dockerconfig

    def crash(path: Path, content: bytes, **_: object) -> None:
        raise RuntimeError(f"crashed while writing {content.decode()} and {CANARY}")

    monkeypatch.setattr(dockerconfig, "write_atomic", crash)
    ctx = make_ctx(_canary_env())
    assert main(["login", "-v"], ctx) == 3
    shown = ctx.stdout.getvalue() + ctx.stderr.getvalue()
    assert "internal error (RuntimeError)" in shown
    assert "Traceback" not in shown
    assert CANARY not in shown
    log_path = isolated_home / ".cache" / "cs-registry" / "cs-registry.log"
    content = log_path.read_text()
    assert "RuntimeError: crashed while writing" in content
    assert CANARY not in content
    assert "b2N0bzog" not in content  # base64 of "octo: " + canary: the encoded auth is masked


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("no_color", "escapes"), [(False, True), (True, False)])
def test_console_on_a_terminal_honours_no_color(no_color: bool, escapes: bool) -> None:
    stream = _Terminal()
    log.configure(stream=stream, no_color=no_color)
    log.get_logger().warning("hello", server="ghcr.io")
    text = stream.getvalue()
    assert "hello" in text
    assert not text.startswith("{")  # a terminal gets the console renderer, not JSON
    assert ("\x1b[" in text) is escapes


def test_main_takes_no_color_from_the_invocation_environment(make_ctx: MakeCtx) -> None:
    main(["login", "--dry-run"], make_ctx({"NO_COLOR": "1"}))
    assert log._settings["no_color"] is True
    main(["login", "--dry-run"], make_ctx())
    assert log._settings["no_color"] is False
