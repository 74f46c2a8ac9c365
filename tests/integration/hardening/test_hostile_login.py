"""``cs-registry login`` fed hostile environments and Docker configs.

Issue 7, suite 4 (login part): every case ends with the documented exit status and
diagnosis code, within a time limit and a memory bound, with no traceback, with
valid JSON on stdout, and with Docker's config either untouched byte for byte or
holding exactly the expected entries (nothing half-written, no temp files).

The children run with a strict UTF-8 stdout (``PYTHONIOENCODING=utf-8:strict``), as
in a dev container with a UTF-8 locale: echoing an undecodable byte would crash there.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.integration.hardening import cli

TIMEOUT = 20.0
MAX_RSS_KIB = 120 * 1024
_STRICT = {b"PYTHONIOENCODING": b"utf-8:strict", b"LANG": b"C.UTF-8"}
_MAX_ENV_VALUE = 128 * 1024 - 64  # Linux's MAX_ARG_STRLEN is one page x 32
PW = "hostile-test-password"


def T(
    ident: str | bytes, server: str | bytes, user: str | bytes, pw: str | bytes
) -> dict[bytes, bytes]:
    """One triplet as bytes variables (so invalid UTF-8 can go in)."""

    def b(v: str | bytes) -> bytes:
        return v if isinstance(v, bytes) else v.encode()

    i = b(ident)
    return {
        i + b"_CONTAINER_REGISTRY_SERVER": b(server),
        i + b"_CONTAINER_REGISTRY_USER": b(user),
        i + b"_CONTAINER_REGISTRY_PASSWORD": b(pw),
    }


GOOD = T("OK", "good.registry.test", "robot", PW)


@dataclass
class Case:
    """One hostile input and what the user must get back."""

    id: str
    env: dict[bytes, bytes] = field(default_factory=lambda: dict(GOOD))
    config: bytes | None = None  # existing config.json bytes (None: no file)
    status: int = 0
    code: str | None = None  # must appear in the output (row code or the stderr [code])
    says: str | None = None  # a warning's text (login's JSON lists warnings without codes)
    # exact auths entries expected afterwards: an auth string, or a foreign value kept as is
    written: Mapping[str, object] | None = None
    args: tuple[str, ...] = ()
    setup: Callable[[Path], None] | None = None  # tweak the home before the run
    max_rss_kib: int = MAX_RSS_KIB


def _env_cases() -> list[Case]:
    good = {"good.registry.test": cli.auth("robot", PW)}
    many: dict[bytes, bytes] = {}
    for i in range(10_000):
        many.update(T(f"R{i}", f"r{i}.registry.test", "u", f"pw-{i}-secret"))
    return [
        Case("empty-server", T("A", "", "u", PW), status=1, code="partial_triplet"),
        Case("empty-user", T("A", "a.test", "", PW), status=1, code="partial_triplet"),
        Case("empty-password", T("A", "a.test", "u", ""), status=1, code="partial_triplet"),
        Case("all-empty", T("A", "", "", ""), status=1, code="partial_triplet"),
        Case(
            "server-only",
            {b"A_CONTAINER_REGISTRY_SERVER": b"a.test"},
            status=1,
            code="partial_triplet",
        ),
        Case(
            "huge-password",
            T("A", "a.test", "u", "p" * _MAX_ENV_VALUE),
            written={"a.test": cli.auth("u", "p" * _MAX_ENV_VALUE)},
        ),
        Case(
            "huge-server", T("A", "a" * _MAX_ENV_VALUE, "u", PW), status=1, code="malformed_server"
        ),
        Case(
            "huge-user",
            T("A", "a.test", "u" * _MAX_ENV_VALUE, PW),
            written={"a.test": cli.auth("u" * _MAX_ENV_VALUE, PW)},
        ),
        Case("ctrl-in-password", T("A", "a.test", "u", "pw\x01x"), status=1, code="invalid_secret"),
        Case("esc-in-user", T("A", "a.test", "u\x1b[2J", PW), status=1, code="invalid_secret"),
        Case("del-in-password", T("A", "a.test", "u", "pw\x7f"), status=1, code="invalid_secret"),
        Case("ctrl-in-server", T("A", "a.\x07test", "u", PW), status=1, code="malformed_server"),
        Case(
            "bad-utf8-password", T("A", "a.test", "u", b"p\xffw"), status=1, code="invalid_secret"
        ),
        Case("bad-utf8-user", T("A", "a.test", b"\xc3(", PW), status=1, code="invalid_secret"),
        Case("bad-utf8-server", T("A", b"a\xfe.test", "u", PW), status=1, code="malformed_server"),
        Case(
            "bad-utf8-name",
            {**GOOD, b"A\xff_CONTAINER_REGISTRY_SERVER": b"a.test"},
            says="'A\\udcff_CONTAINER_REGISTRY_SERVER': secret names may use only letters",
            written=good,
        ),
        Case(
            "esc-in-name",
            {**GOOD, b"A\x1b[31m_CONTAINER_REGISTRY_SERVER": b"a.test"},
            says="'A\\x1b[31m_CONTAINER_REGISTRY_SERVER': secret names may use only letters",
            written=good,
        ),
        Case(
            "10000-triplets",
            many,
            written={f"r{i}.registry.test": cli.auth("u", f"pw-{i}-secret") for i in range(10_000)},
        ),
        Case(
            "10000-bad-names",
            {
                **GOOD,
                **{f"{i}x_CONTAINER_REGISTRY_USER".encode(): b"u" for i in range(10_000)},
            },
            says="9999x_CONTAINER_REGISTRY_USER: secret names may not start with a digit",
            written=good,
        ),
        Case(
            "10000-partial",
            {f"P{i}_CONTAINER_REGISTRY_USER".encode(): b"u" for i in range(10_000)},
            status=1,
            code="partial_triplet",
        ),
        Case("ftp-scheme", T("A", "ftp://a.test", "u", PW), status=1, code="malformed_server"),
        Case("userinfo", T("A", "me@a.test", "u", PW), status=1, code="malformed_server"),
        Case("port-overflow", T("A", "a.test:99999", "u", PW), status=1, code="malformed_server"),
        Case("bare-ipv6", T("A", "::1:5000", "u", PW), status=1, code="malformed_server"),
        Case(
            "quoted-password",
            T("A", "a.test", "u", f'"{PW}"'),
            says='wrapped in " quotes',
            written={"a.test": cli.auth("u", f'"{PW}"')},
        ),
        Case(
            "newline-password",
            T("A", "a.test", "u", PW + "\n"),
            written={"a.test": cli.auth("u", PW)},
        ),
        Case("colon-user", T("A", "a.test", "u:x", PW), status=1, code="invalid_secret"),
        Case(
            "conflict",
            {**T("A", "a.test", "u", PW), **T("B", "https://A.TEST/", "u", "other-pw")},
            status=1,
            code="conflicting_triplets",
        ),
        Case(
            "codespaces-file-is-dev-zero",
            {**GOOD, b"CS_REGISTRY_CODESPACES_ENV_FILE": b"/dev/zero"},
            written=good,
        ),
        Case(
            "docker-config-is-a-file",
            {**GOOD, b"DOCKER_CONFIG": b"/etc/hostname"},
            status=2,
            code="config_unwritable",
        ),
    ]


def _envfile_cases() -> list[Case]:
    def writer(content: bytes) -> Callable[[Path], None]:
        def setup(home: Path) -> None:
            (home / "env").write_bytes(content)

        return setup

    big = "x" * (1 << 20)
    return [
        Case("envfile-missing", {}, args=("--env-file", "nope.env"), status=2),
        Case(
            "envfile-not-utf8",
            {},
            args=("--env-file", "env"),
            setup=writer(b"A_CONTAINER_REGISTRY_USER=\xff\n"),
            status=2,
        ),
        Case(
            "envfile-1mb-password",
            {},
            args=("--env-file", "env"),
            setup=writer(
                "A_CONTAINER_REGISTRY_SERVER=a.test\nA_CONTAINER_REGISTRY_USER=u\n"
                f"A_CONTAINER_REGISTRY_PASSWORD={big}\n".encode()
            ),
            written={"a.test": cli.auth("u", big)},
        ),
        Case(
            "envfile-garbage-line",
            {},
            args=("--env-file", "env"),
            setup=writer(b"this is not a dotenv line\n"),
            status=2,
        ),
        Case(
            "envfile-is-dev-zero",
            {},
            args=("--env-file", "/dev/zero"),
            status=2,
        ),
    ]


_CONFIG_UNREADABLE = [
    ("top-array", b"[]"),
    ("top-string", b'"auths"'),
    ("top-null", b"null"),
    ("top-number", b"42"),
    ("auths-list", b'{"auths": []}'),
    ("auths-string", b'{"auths": "ghcr.io"}'),
    ("credhelpers-list", b'{"credHelpers": ["x"]}'),
    ("credsstore-number", b'{"credsStore": 1}'),
    ("credsstore-object", b'{"credsStore": {}}'),
    ("deep-array", b"[" * 200_000 + b"]" * 200_000),
    ("deep-object", b'{"a":' * 100_000 + b"1" + b"}" * 100_000),
    ("invalid-utf8", b'{"auths": {}, "x": "\xff"}'),
    ("utf8-bom", b'\xef\xbb\xbf{"auths": {}}'),
    ("trailing-garbage", b'{"auths": {}} x'),
    ("truncated", b'{"auths": {"a": {"auth": "'),
    ("nan", b'{"x": NaN}'),
    ("infinity", b'{"x": [-Infinity]}'),
    ("float-overflow", b'{"x": 1e999}'),
    ("huge-integer", b'{"x": ' + b"9" * 5000 + b"}"),
    ("nul-byte", b'{"auths": {}}\x00'),
]


def _config_cases() -> list[Case]:
    good = {"good.registry.test": cli.auth("robot", PW)}
    big_foreign = "f" * (15 << 20)  # under the 16 MiB cap: read, kept, written back
    huge_foreign = "f" * (20 << 20)  # over it: refused unread
    cases = [
        Case(f"config-{name}", config=raw, status=2, code="config_unreadable")
        for name, raw in _CONFIG_UNREADABLE
    ]
    cases += [
        Case(
            "config-lone-surrogate",
            config=b'{"x": "\\ud800", "auths": {}}',
            written=good,
        ),
        Case(
            "config-entry-wrong-types",
            config=b'{"auths": {"good.registry.test": "junk", "other.test": 5, "x.test": []}}',
            written={**good, "other.test": 5, "x.test": []},
        ),
        Case(
            "config-helper-value-wrong-type",
            config=b'{"credHelpers": {"good.registry.test": 7}}',
            written=good,
        ),
        Case("config-empty-file", config=b"", written=good),
        Case("config-whitespace-file", config=b" \n\t\n", written=good),
        Case("config-null-auths", config=b'{"auths": null}', written=good),
        Case(
            "config-missing-store",
            config=b'{"credsStore": "no-such-helper-xyz"}',
            status=1,
            code="creds_store_unavailable",
        ),
        Case(
            "config-15mb",
            config=json.dumps({"auths": {}, "blob": big_foreign}).encode(),
            written=good,
            max_rss_kib=400 * 1024,
        ),
        Case(
            "config-20mb",
            config=json.dumps({"auths": {}, "blob": huge_foreign}).encode(),
            status=2,
            code="unsafe_file",
        ),
        Case(
            "config-is-a-directory",
            setup=lambda home: (home / ".docker" / "config.json").mkdir(parents=True),
            status=2,
            code="unsafe_file",
        ),
    ]
    return cases


CASES = _env_cases() + _envfile_cases() + _config_cases()


def test_there_are_at_least_40_hostile_login_cases() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_login_input(case: Case, tmp_path: Path) -> None:
    home = tmp_path / "home"
    docker_dir = home / ".docker"
    docker_dir.mkdir(parents=True, mode=0o700)
    config = docker_dir / "config.json"
    if case.config is not None:
        config.write_bytes(case.config)
    if case.setup is not None:
        case.setup(home)
    before = config.read_bytes() if config.is_file() else None
    env = {k.encode(): v.encode() for k, v in cli.base_env(home).items()}
    env.update(_STRICT)
    env.update(case.env)
    os.chdir(home)  # relative --env-file paths
    result = cli.run_measured(["login", "--json", *case.args], env, timeout=TIMEOUT)

    cli.assert_no_traceback(result)
    assert result.returncode == case.status, result.out[-1500:] + result.err[-1500:]
    assert result.max_rss_kib < case.max_rss_kib
    # a clear, bounded message: no value is echoed in full
    assert len(result.stderr) < 4096, result.err[:500]
    assert b"\x1b" not in result.stdout + result.stderr
    if result.stdout:
        json.loads(result.stdout)  # valid JSON, valid UTF-8
    if case.code is not None:
        assert case.code in result.out + result.err
    if case.says is not None:
        document = json.loads(result.stdout)
        found = document.get("warnings", [])
        found += [w for row in document["registries"] for w in row["warnings"]]
        assert all(set(w) == {"code", "message"} for w in found), found
        warnings = [w["message"] for w in found]
        assert any(case.says in w for w in warnings), warnings[-3:]
    if case.status != 0 and case.written is None:
        err_line = result.err.strip()
        assert result.stdout or err_line.startswith("cs-registry: "), result.err
    leftovers = [p.name for p in docker_dir.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
    if case.written is None:
        # a failure leaves Docker's config exactly as it was
        after = config.read_bytes() if config.is_file() else None
        assert after == before
    else:
        document = json.loads(config.read_bytes())
        assert {
            k: v.get("auth") if isinstance(v, dict) else v for k, v in document["auths"].items()
        } == case.written
