"""Issue 10, items 5-7 (BOUNDARY), in process: flags, JSON documents, inert text, edges."""

from __future__ import annotations

import dataclasses
import importlib
import io
import json
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import cs_registry
from cs_registry import log, ui
from cs_registry.context import Context
from cs_registry.diagnosis import Code
from cs_registry.errors import CsRegistryError, UsageError
from cs_registry.main import main
from cs_registry.record import Record
from cs_registry.secret import Secret, redact
from cs_registry.servers import ServerError, normalise
from tests.support.captured import MakeCtx

# -- numeric flags -----------------------------------------------------------------

BAD_NUMBERS = ["nan", "NaN", "inf", "-inf", "-1", "0", "1e-300", "0.0001", "1e400", "x", ""]


@pytest.mark.parametrize(
    "argv", [["login", "--js"], ["login", "--dry"], ["doctor", "--js"], ["lint", "--form", "json"]]
)
def test_a_flag_is_never_abbreviated(make_ctx: MakeCtx, argv: list[str]) -> None:
    # an abbreviation of --json would not promise the one JSON document a refusal prints
    ctx = make_ctx({"CS_REGISTRY_VERIFY": "bogus"})
    assert main(argv, ctx) == 2
    assert "unrecognized arguments" in ctx.stderr.getvalue()
    assert ctx.stdout.getvalue() == ""


@pytest.mark.parametrize("value", BAD_NUMBERS)
@pytest.mark.parametrize(
    "argv", [["doctor", "--wait"], ["debug-login", "127.0.0.1:1", "--timeout"]]
)
def test_numeric_flags_must_be_finite_and_at_least_the_minimum(
    make_ctx: MakeCtx, argv: list[str], value: str
) -> None:
    ctx = make_ctx()
    assert main([*argv, value], ctx) == 2
    assert isinstance(ctx.stderr, io.StringIO)
    assert argv[-1] in ctx.stderr.getvalue()


@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_a_bad_number_with_json_prints_one_usage_document(make_ctx: MakeCtx, value: str) -> None:
    ctx = make_ctx()
    assert main(["doctor", "--json", "--wait", value], ctx) == 2
    assert isinstance(ctx.stdout, io.StringIO)
    document = json.loads(ctx.stdout.getvalue())
    assert document["ok"] is False
    assert document["error"]["code"] == "usage_error"
    assert "--wait" in document["error"]["message"]


@pytest.mark.parametrize(
    "argv",
    [
        ["debug-login", "--json"],  # SERVER missing
        ["doctor", "--json", "--no-such-flag"],
        ["login", "--json", "surplus"],
        ["debug-login", "--json", "127.0.0.1:1", "--repository", "/"],
        ["debug-login", "--json", "127.0.0.1:1", "-u", "octo"],  # no --password-stdin
    ],
)
def test_every_usage_error_with_json_prints_exactly_one_document(
    make_ctx: MakeCtx, argv: list[str]
) -> None:
    ctx = make_ctx()
    assert main(argv, ctx) == 2
    assert isinstance(ctx.stdout, io.StringIO)
    document = json.loads(ctx.stdout.getvalue())  # one document, nothing else
    assert document["ok"] is False
    assert document["error"]["code"] == "usage_error"


def test_usage_errors_carry_a_real_code() -> None:
    assert UsageError("bad flag").code == Code.USAGE_ERROR
    assert CsRegistryError("failed").code != Code.OK


def test_ctrl_c_with_json_prints_an_interrupted_document(
    make_ctx: MakeCtx, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cs_registry.commands import doctor

    def interrupted(*_args: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(doctor, "run", interrupted)
    ctx = make_ctx()
    assert main(["doctor", "--json"], ctx) == 130
    assert isinstance(ctx.stdout, io.StringIO)
    document = json.loads(ctx.stdout.getvalue())
    assert document == {
        "ok": False,
        "error": {"code": "interrupted", "message": "interrupted"},
    }


# -- debug-login refuses what login refuses ----------------------------------------


def test_debug_login_refuses_a_user_with_a_colon(make_ctx: MakeCtx) -> None:
    ctx = make_ctx(stdin="password")
    assert main(["debug-login", "127.0.0.1:1", "-u", "a:b", "--password-stdin"], ctx) == 2
    assert isinstance(ctx.stderr, io.StringIO)
    assert "':'" in ctx.stderr.getvalue()
    assert "-u" in ctx.stderr.getvalue()


# -- inert text ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain text, ünïcode ✓", "plain text, ünïcode ✓"),
        ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),
        ("\x1b[2J", "\\x1b[2J"),
        ("a\r\nDiagnosis: ok", "a\\r\\nDiagnosis: ok"),
        ("tab\there", "tab\\there"),
        ("del\x7f c1\x9b31m nul\x00", "del\\x7f c1\\x9b31m nul\\x00"),
        ("bidi\u202etxt\u2066 \u2028line", "bidi\\u202etxt\\u2066 \\u2028line"),
    ],
)
def test_inert_escapes_every_control_character(raw: str, shown: str) -> None:
    assert ui.inert(raw) == shown


# -- short secrets are masked too --------------------------------------------------


@pytest.mark.parametrize("secret", ["\u00a7", "Zq", "q9!", "Q7z4"])
def test_short_registered_secrets_are_masked(secret: str) -> None:
    log.register_secret(secret)
    shown = log.scrub(f"the password is {secret}.")
    assert secret not in shown
    assert shown == f"the password is {redact(secret)}."


@pytest.mark.parametrize("secret", ["pw1", "Q7z4x2"])
def test_short_secrets_are_masked_in_the_free_text_of_json_output(
    make_ctx: MakeCtx, secret: str
) -> None:
    log.register_secret(secret)
    ctx = make_ctx()
    document = {"server": "reg.example", "steps": [{"detail": f"the registry said {secret}"}]}
    ui.print_json(ctx, document)
    assert isinstance(ctx.stdout, io.StringIO)
    shown = json.loads(ctx.stdout.getvalue())
    assert shown["steps"][0]["detail"] == f"the registry said {redact(secret)}"
    assert shown["server"] == "reg.example"


# -- scoped IPv6 literals ------------------------------------------------------------


@pytest.mark.parametrize("raw", ["[fe80::1%eth0]", "[fe80::1%25eth0]:5000", "[::1%lo]"])
def test_scoped_ipv6_literals_are_refused(raw: str) -> None:
    with pytest.raises(ServerError, match="zone"):
        normalise(raw)


def test_plain_ipv6_literals_are_still_accepted() -> None:
    assert normalise("[::1]:5000").key == "[::1]:5000"


# -- repr hides environments, secrets and config data --------------------------------

CANARY = "repr-canary-1f2e3d4c5b6a"


def _package_classes() -> Iterator[type]:
    for info in pkgutil.walk_packages(cs_registry.__path__, "cs_registry."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == module.__name__:
                yield value


def _holders() -> list[object]:
    return [
        {"GHCR_CONTAINER_REGISTRY_PASSWORD": CANARY},
        {"auths": {"ghcr.io": {"auth": CANARY}}},
        Secret(CANARY),
        CANARY.encode(),
        [{"password": CANARY}],
    ]


def _typed_holders(annotation: str) -> list[object]:
    """Canaries a dataclass field of this type could really hold: an environment
    (``Mapping``), a file's or an answer's raw bytes, a Secret. (Docker's config data
    lives in LoadedConfig, a Record; dict fields of dataclasses hold our own parsed
    documents: challenge parameters, settings, JSONC positions.)"""
    holders: list[object] = []
    if "Mapping[" in annotation:
        holders.append({"GITHUB_TOKEN": CANARY})
    if "bytes" in annotation:
        holders.append(CANARY.encode())
    if "Secret" in annotation:
        holders.append(Secret(CANARY))
    return holders


def _instances_holding_canaries() -> Iterator[tuple[str, object]]:
    """Every value class with a canary in each field that could hold one.

    A Record's fields are untyped slots: every one gets each canary in turn. A
    dataclass's fields are typed: each gets the canaries its type allows, the
    others ``None``.
    """
    for cls in _package_classes():
        if issubclass(cls, Record) and cls is not Record:
            for holder in _holders():
                instance = object.__new__(cls)
                for name in cls.__slots__:
                    object.__setattr__(instance, name, holder)
                yield f"{cls.__module__}.{cls.__qualname__} <- {type(holder).__name__}", instance
        elif dataclasses.is_dataclass(cls):
            fields = dataclasses.fields(cls)
            for target in fields:
                for holder in _typed_holders(str(target.type)):
                    blank: object = object.__new__(cls)
                    for each in fields:
                        value = holder if each is target else None
                        object.__setattr__(blank, each.name, value)
                    yield f"{cls.__module__}.{cls.__qualname__}.{target.name}", blank


def test_the_walk_finds_the_classes_that_hold_environments_and_config() -> None:
    names = {label.split(" ")[0] for label, _ in _instances_holding_canaries()}
    names |= {label.rsplit(".", 1)[0] for label in names}
    assert {
        "cs_registry.context.Context",
        "cs_registry.dockerconfig.LoadedConfig",
        "cs_registry.probe.state.State",
        "cs_registry.triplets.Triplet",
    } <= names


def test_no_value_class_shows_an_environment_a_secret_or_config_data_in_repr() -> None:
    leaks = []
    for label, instance in _instances_holding_canaries():
        if CANARY in repr(instance):
            leaks.append(label)
    assert leaks == []


def test_context_repr_hides_the_environment(tmp_path: Path) -> None:
    ctx = Context(environ={"GITHUB_TOKEN": CANARY}, stdin=io.StringIO(), stdout=io.StringIO())
    assert CANARY not in repr(ctx)
    assert "environ=<hidden>" in repr(ctx)


class _Login(Record):
    __slots__ = ("token", "user")
    _private = frozenset({"token"})

    def __init__(self, user: str, token: str) -> None:
        self.user = user
        self.token = token


def test_fields_marked_private_are_hidden_whatever_they_hold() -> None:
    shown = repr(_Login("octo", CANARY))
    assert CANARY not in shown
    assert shown == "_Login(token=<hidden>, user='octo')"


def test_values_inside_lists_and_tuples_are_hidden_too() -> None:
    ctx = Context(environ={"A": CANARY}, stdin=io.StringIO(), stdout=io.StringIO())
    shown = repr(_Login("octo", "x").replace(user=[{"a": CANARY}, (CANARY.encode(),)]))
    assert CANARY not in shown + repr(ctx)
    assert "[<hidden>, (<hidden>,)]" in shown
