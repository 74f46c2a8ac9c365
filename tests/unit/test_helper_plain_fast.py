"""The helper's fast ``get`` for a plain triplet host answers exactly what the full path does.

Each row is an environment and the server Docker asks for; the fast path either
answers with the full path's bytes or declines (``None``), and the ``fast`` column
says which, so a fast path that always declines cannot pass.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cs_registry import servers
from cs_registry.credhelper import cli, fast, wire
from tests.support.captured import MakeCtx

GHCR = {
    "GHCR_CONTAINER_REGISTRY_SERVER": "ghcr.io",
    "GHCR_CONTAINER_REGISTRY_USER": "octo",
    "GHCR_CONTAINER_REGISTRY_PASSWORD": "ghp_<&>",
}
ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com"


def triplet(ident: str, server: str, user: str = "u", password: str = "p") -> dict[str, str]:
    return {
        f"{ident}_CONTAINER_REGISTRY_SERVER": server,
        f"{ident}_CONTAINER_REGISTRY_USER": user,
        f"{ident}_CONTAINER_REGISTRY_PASSWORD": password,
    }


# (case, environment, server asked, whether the fast path answers)
TABLE: list[tuple[str, dict[str, str], str, bool]] = [
    ("plain host", GHCR, "ghcr.io", True),
    ("scheme, path, case and newline", GHCR, "  https://GHCR.io/v2/ \n", True),
    ("server value with scheme and path", triplet("A", "HTTPS://Ghcr.io/owner/"), "ghcr.io", True),
    ("pasted newline trimmed", triplet("A", "ghcr.io", password="pw\n"), "ghcr.io", True),
    ("pasted CRLF trimmed", triplet("A", "ghcr.io", password="pw\r\n"), "ghcr.io", True),
    ("whitespace and quotes kept", triplet("A", "ghcr.io", password=' "pw" '), "ghcr.io", True),
    ("Go escapes", triplet("A", "ghcr.io", password='ä\u2028<\t"\\'), "ghcr.io", True),
    ("Docker Hub by its key", triplet("H", "docker.io"), "https://index.docker.io/v1/", True),
    ("Docker Hub by an alias", triplet("H", "https://index.docker.io/v1/"), "docker.io", True),
    ("Docker Hub host", triplet("H", "registry-1.docker.io"), "registry-1.docker.io", True),
    ("Docker Hub with a port", triplet("H", "docker.io:443"), "docker.io", False),
    ("port", triplet("L", "localhost:5000"), "http://localhost:5000", True),
    ("IPv6: left to the full path", triplet("L", "[::1]:5000"), "[::1]:5000", False),
    ("IPv4", triplet("L", "127.0.0.1:5000"), "127.0.0.1:5000", True),
    ("not an IPv4 address", triplet("L", "10.0.0.256"), "10.0.0.256", False),
    ("ECR token triplet: cached_get or the full path", triplet("E", ECR, user="AWS"), ECR, False),
    (
        "an ECR neighbour",
        {**GHCR, **triplet("E", ECR, user="AKIAIOSFODNN7EXAMPLE")},
        "ghcr.io",
        True,
    ),
    ("ECR access keys: a swap", triplet("E", ECR, user="AKIAIOSFODNN7EXAMPLE"), ECR, False),
    (
        "same credentials twice",
        {**GHCR, **triplet("B", "ghcr.io", "octo", "ghp_<&>")},
        "ghcr.io",
        False,  # duplicates are left to the full path
    ),
    ("conflicting credentials", {**GHCR, **triplet("B", "ghcr.io")}, "ghcr.io", False),
    ("partial triplet", {"A_CONTAINER_REGISTRY_SERVER": "ghcr.io"}, "ghcr.io", False),
    ("password only a newline", triplet("A", "ghcr.io", password="\n"), "ghcr.io", False),
    ("user with a colon", triplet("A", "ghcr.io", user="a:b"), "ghcr.io", False),
    ("control character", triplet("A", "ghcr.io", password="p\x01"), "ghcr.io", False),
    ("invalid ID is ignored", triplet("GITHUB_X", "ghcr.io"), "ghcr.io", False),
    (
        "session token is a warning",
        {**GHCR, "GHCR_CONTAINER_REGISTRY_SESSION_TOKEN": "t"},
        "ghcr.io",
        True,
    ),
    (
        "a neighbour only the full path reads",
        {**GHCR, **triplet("BAD", "ftp://x")},
        "ghcr.io",
        False,
    ),
    ("miss", GHCR, "registry.example.com", False),
    ("unparseable server asked", GHCR, "ftp://what ever", False),
    ("empty server asked", GHCR, "", False),
    ("CS_REGISTRY_IGNORE", {**GHCR, "CS_REGISTRY_IGNORE": "GHCR"}, "ghcr.io", False),
    ("a bad setting variable", {**GHCR, "CS_REGISTRY_VERIFY": "maybe"}, "ghcr.io", False),
    (
        "ghcr from GITHUB_TOKEN",
        {"CS_REGISTRY_GHCR_FROM_GITHUB_TOKEN": "1", "GITHUB_TOKEN": "t"},
        "ghcr.io",
        False,
    ),
]


@pytest.fixture(autouse=True)
def _no_settings_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A working directory without a repository file; the system file is elsewhere."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)


def full_path(make_ctx: MakeCtx, environ: dict[str, str], asked: str) -> tuple[int, str]:
    ctx = make_ctx(environ)
    status = cli.run(["get"], ctx, stdin_text=asked)
    return status, ctx.stdout.getvalue()


def hermetic(tmp_path: Path, environ: dict[str, str]) -> dict[str, str]:
    return {"CS_REGISTRY_SYSTEM_CONFIG": str(tmp_path / "no-system.yaml"), **environ}


@pytest.mark.parametrize(
    ("environ", "asked", "answers"), [row[1:] for row in TABLE], ids=[row[0] for row in TABLE]
)
def test_fast_plain_get_matches_the_full_path(
    make_ctx: MakeCtx, tmp_path: Path, environ: dict[str, str], asked: str, answers: bool
) -> None:
    # the system-file variable is one the fast path must look at, not a setting itself
    env = make_ctx(hermetic(tmp_path, environ)).environ

    answer = fast.plain_get(asked, env, os.getcwd())

    status, out = full_path(make_ctx, hermetic(tmp_path, environ), asked)
    assert (answer is not None) == answers
    if answer is not None:
        assert (status, out) == (0, answer)


def settings_file_cases(tmp_path: Path) -> dict[str, tuple[Path, dict[str, str]]]:
    config = tmp_path / "config"
    return {
        "user file": (config / "cs-registry" / "config.yaml", {"XDG_CONFIG_HOME": str(config)}),
        "repository file": (Path.cwd() / ".devcontainer" / "cs-registry.yaml", {}),
        "system file": (tmp_path / "no-system.yaml", {}),
    }


@pytest.mark.parametrize("layer", ["user file", "repository file", "system file"])
def test_an_existing_settings_file_is_left_to_the_full_path(
    make_ctx: MakeCtx, tmp_path: Path, layer: str
) -> None:
    path, extra = settings_file_cases(tmp_path)[layer]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("ignore: [GHCR]\n")
    environ = hermetic(tmp_path, {**GHCR, **extra})

    assert fast.plain_get("ghcr.io", make_ctx(environ).environ, os.getcwd()) is None
    # the file changes the answer: the full path reads it (GHCR is ignored)
    assert full_path(make_ctx, environ, "ghcr.io") == (1, wire.error_line(wire.NOT_FOUND))


def test_without_home_or_config_home_the_full_path_decides(tmp_path: Path) -> None:
    environ = hermetic(tmp_path, GHCR)

    assert fast.plain_get("ghcr.io", environ, os.getcwd()) is None


SERVER_TEXT = st.text(alphabet="aAbz09-.:/_@?#[]% \t\nHTPSht\u00e9", max_size=30)
PREFIXES = st.sampled_from(["", "https://", "HTTP://", "ftp://", "http:/", " "])
HOSTS = st.sampled_from(
    [*sorted(servers.DOCKER_HUB_ALIASES), "ghcr.io", ECR, "public.ecr.aws", "127.0.0.1", "a-b.c"]
)


@given(PREFIXES, st.one_of(SERVER_TEXT, HOSTS), st.sampled_from(["", ":5000", ":0", "/v2/", "."]))
@example("https://", "index.docker.io", "/v1/")
@example("", "999.1.1.1", "")
@example("", "a" * 64 + ".io", "")
def test_exact_key_is_normalise_key_whenever_it_answers(prefix: str, host: str, tail: str) -> None:
    value = prefix + host + tail
    key = fast.exact_key(value)
    if key is not None:
        assert servers.normalise(value).key == key


@pytest.mark.parametrize(
    "value", ["ghcr.io", "HTTPS://GHCR.io/owner/", "127.0.0.1:5000", "docker.io", "a.b.:443", ECR]
)
def test_exact_key_reads_the_usual_values(value: str) -> None:
    assert fast.exact_key(value) == servers.normalise(value).key


def test_the_fast_path_copies_of_server_constants_are_equal() -> None:
    assert fast._DOCKER_HUB_ALIASES == servers.DOCKER_HUB_ALIASES
    assert fast._DOCKER_HUB_KEY == servers.DOCKER_HUB_KEY
    assert fast._ECR_PUBLIC_HOSTS == servers._ECR_PUBLIC_HOSTS
    assert fast._MAX_SERVER_LEN == servers._MAX_SERVER_LEN
