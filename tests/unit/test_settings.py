"""Settings: precedence of flag > environment > user file > repository file > system file
> default, every setting, and errors that name ``file:line``."""

from __future__ import annotations

import base64
import io
import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cs_registry import settings
from cs_registry.context import Context
from cs_registry.errors import UsageError
from cs_registry.main import main
from cs_registry.settings_file import ConfigError, RegistryEntry
from tests.support.captured import CapturedContext, MakeCtx


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git work tree (a ``.git`` folder is what marks the top level)."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / ".devcontainer").mkdir()
    return root


@pytest.fixture
def system(tmp_path: Path) -> Path:
    return tmp_path / "etc" / "config.yaml"


@pytest.fixture
def ctx_for(make_ctx: MakeCtx, system: Path) -> MakeCtx:
    def build(environ: dict[str, str] | None = None, stdin: str = "") -> CapturedContext:
        return make_ctx({settings.SYSTEM_FILE_ENV: str(system), **(environ or {})}, stdin)

    return build


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def repo_file(repo: Path, text: str) -> Path:
    return write(repo / ".devcontainer" / "cs-registry.yaml", text)


def user_file(ctx: Context, text: str) -> Path:
    return write(ctx.config_home / "config.yaml", text)


def test_defaults_without_any_file_or_variable(ctx_for: MakeCtx, repo: Path) -> None:
    resolved = settings.load(ctx_for(), cwd=repo)
    assert resolved == settings.Settings()
    assert (resolved.verify, resolved.ecr_helper, resolved.timeout) == (False, False, 10.0)
    assert (resolved.ignore, resolved.registries, resolved.ghcr_from_github_token) == (
        (),
        (),
        False,
    )
    assert resolved.origins == {}


def test_login_without_config_files_never_imports_yaml(tmp_path: Path) -> None:
    code = (
        "import sys; from cs_registry.main import main; "
        "status = main(['login', '--hook']); "
        "print(status, 'yaml' in sys.modules)"
    )
    env = {
        "HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        settings.SYSTEM_FILE_ENV: str(tmp_path / "none.yaml"),
    }
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout == "0 False\n", done.stderr


def test_every_setting_from_a_file(ctx_for: MakeCtx, repo: Path) -> None:
    path = repo_file(
        repo,
        "# team settings\n"
        "verify: true\n"
        "ecr_helper: yes\n"
        "timeout: 2.5\n"
        "ignore: [OLD_REGISTRY, LEGACY]\n"
        "registries:\n"
        "  - server: nexus.example.com:8443\n"
        "    user_env: NEXUS_USER\n"
        "    password_env: NEXUS_TOKEN\n"
        "  - id: QUAY\n"
        "    server: quay.io\n"
        "    user_env: QUAY_ROBOT\n"
        "    password_env: QUAY_ROBOT_TOKEN\n"
        "ghcr_from_github_token: true\n",
    )
    resolved = settings.load(ctx_for(), cwd=repo / "deep" / "below")
    assert resolved.verify is True
    assert resolved.ecr_helper is True
    assert resolved.timeout == 2.5
    assert resolved.ignore == ("OLD_REGISTRY", "LEGACY")
    assert resolved.registries == (
        RegistryEntry(
            "NEXUS_EXAMPLE_COM_8443",
            "nexus.example.com:8443",
            "NEXUS_USER",
            "NEXUS_TOKEN",
            f"{path}:7",
        ),
        RegistryEntry("QUAY", "quay.io", "QUAY_ROBOT", "QUAY_ROBOT_TOKEN", f"{path}:10"),
    )
    assert resolved.ghcr_from_github_token is True
    assert resolved.origins["timeout"] == f"repository file {path}:4"


def test_an_empty_file_sets_nothing(ctx_for: MakeCtx, repo: Path) -> None:
    repo_file(repo, "# nothing yet\n")
    assert settings.load(ctx_for(), cwd=repo) == settings.Settings()


@pytest.mark.parametrize(
    ("name", "variable", "raw", "expected"),
    [
        ("verify", "CS_REGISTRY_VERIFY", "1", True),
        ("verify", "CS_REGISTRY_VERIFY", "off", False),
        ("ecr_helper", "CS_REGISTRY_ECR_HELPER", "true", True),
        ("timeout", "CS_REGISTRY_TIMEOUT", "0.5", 0.5),
        ("ignore", "CS_REGISTRY_IGNORE", "A, B_2 C", ("A", "B_2", "C")),
        ("ghcr_from_github_token", "CS_REGISTRY_GHCR_FROM_GITHUB_TOKEN", "YES", True),
    ],
)
def test_every_environment_variable(
    ctx_for: MakeCtx,
    repo: Path,
    name: str,
    variable: str,
    raw: str,
    expected: object,
) -> None:
    assert settings.ENV[name] == variable
    resolved = settings.load(ctx_for({variable: raw}), cwd=repo)
    assert getattr(resolved, name) == expected
    assert resolved.origins[name] == f"environment {variable}"


@pytest.mark.parametrize(
    ("variable", "raw", "message"),
    [
        ("CS_REGISTRY_VERIFY", "maybe", "CS_REGISTRY_VERIFY='maybe' is not a boolean"),
        ("CS_REGISTRY_TIMEOUT", "-1", "CS_REGISTRY_TIMEOUT='-1' is not a positive number"),
        ("CS_REGISTRY_TIMEOUT", "nan", "CS_REGISTRY_TIMEOUT='nan' is not a positive number"),
        ("CS_REGISTRY_IGNORE", "OK,9BAD", "CS_REGISTRY_IGNORE: '9BAD' is not a triplet ID"),
    ],
)
def test_bad_environment_values_name_the_variable(
    ctx_for: MakeCtx, repo: Path, variable: str, raw: str, message: str
) -> None:
    with pytest.raises(UsageError) as caught:
        settings.load(ctx_for({variable: raw}), cwd=repo)
    assert caught.value.message.startswith(message)


def test_precedence_flag_env_user_repo_system_default(
    ctx_for: MakeCtx, repo: Path, system: Path
) -> None:
    ctx = ctx_for({"CS_REGISTRY_TIMEOUT": "4"})
    write(system, "timeout: 1\nverify: true\necr_helper: true\nghcr_from_github_token: true\n")
    repo_file(repo, "timeout: 2\nverify: false\necr_helper: false\n")
    user = user_file(ctx, "timeout: 3\nverify: true\n")
    resolved = settings.load(ctx, cwd=repo, flags={"timeout": 5.0, "verify": None})
    assert resolved.timeout == 5.0  # flag beats the environment
    assert resolved.verify is True  # user file beats repository file; no flag given
    assert resolved.ecr_helper is False  # repository file beats system file
    assert resolved.ghcr_from_github_token is True  # system file beats the default
    assert resolved.origins == {
        "timeout": "command line",
        "verify": f"user file {user}:2",
        "ecr_helper": f"repository file {repo / '.devcontainer' / 'cs-registry.yaml'}:3",
        "ghcr_from_github_token": f"system file {system}:4",
    }
    without_flag = settings.load(ctx, cwd=repo)
    assert without_flag.timeout == 4.0  # environment beats the user file


def test_lists_replace_across_layers_and_ignore_flags_add(ctx_for: MakeCtx, repo: Path) -> None:
    ctx = ctx_for()
    repo_file(repo, "ignore: [A, B]\n")
    user_file(ctx, "ignore: [C]\n")
    assert settings.load(ctx, cwd=repo).ignore == ("C",)
    assert settings.load(ctx, cwd=repo, flags={"ignore": ("D",)}).ignore == ("C", "D")
    assert settings.load(ctx, cwd=repo, flags={"ignore": ()}).ignore == ("C",)


def test_the_repository_file_is_found_from_the_git_top_level(
    ctx_for: MakeCtx, repo: Path, tmp_path: Path
) -> None:
    repo_file(repo, "verify: true\n")
    nested = repo / "src" / "pkg"
    nested.mkdir(parents=True)
    assert settings.load(ctx_for(), cwd=nested).verify is True
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    assert settings.load(ctx_for(), cwd=outside).verify is False


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("verify: true\nverfy: false\n", 2, "unknown setting 'verfy' in the top level (known: "),
        ("verify: 'yes'\n", 1, "verify must be true or false, not a string ('yes')"),
        ("ecr_helper: 1\n", 1, "ecr_helper must be true or false, not a number ('1')"),
        ("\ntimeout: soon\n", 2, "timeout must be a number of seconds, not a string ('soon')"),
        ("timeout: 0\n", 1, "timeout must be a positive number of seconds, not 0.0"),
        ("timeout: .inf\n", 1, "timeout must be a positive number of seconds, not inf"),
        ("ignore: A\n", 1, "ignore must be a list, not a string ('A')"),
        ("ignore:\n  - A\n  - 1x\n", 3, "ignore item '1x' is not a valid name"),
        ("ignore: [A, [B]]\n", 1, "ignore item must be a string, not a list"),
        ("ghcr_from_github_token:\n", 1, "ghcr_from_github_token must be true or false, not empty"),
        ("registries: {server: x}\n", 1, "registries must be a list, not a mapping"),
        (
            "registries:\n  - server: r.io\n    user_env: U\n",
            2,
            "registries[0] needs 'password_env'",
        ),
        (
            "registries:\n  - server: r.io\n    user_env: U\n    password_env: P\n    pasword: x\n",
            5,
            "unknown setting 'pasword' in registries[0] (known: id, server, user_env, ",
        ),
        (
            "registries:\n  - server: r.io\n    user_env: MY-USER\n    password_env: P\n",
            3,
            "registries[0].user_env 'MY-USER' is not a valid name",
        ),
        (
            "registries:\n  - server: r.io\n    user_env: U\n    password_env: 7\n",
            4,
            "registries[0].password_env must be a string, not a number ('7')",
        ),
        ("registries:\n  - server: ''\n    user_env: U\n    password_env: P\n", 2, "must not be"),
        ("verify: true\nverify: false\n", 2, "'verify' is set twice in the top level"),
        ("- verify\n", 1, "the top level must be a mapping, not a list"),
        ("verify: [true\n", 2, "not valid YAML"),
        ("verify: !!python/object:os.system true\n", 1, "verify must be true or false"),
    ],
)
def test_file_errors_name_file_and_line(
    ctx_for: MakeCtx, repo: Path, text: str, line: int, message: str
) -> None:
    path = repo_file(repo, text)
    with pytest.raises(ConfigError) as caught:
        settings.load(ctx_for(), cwd=repo)
    assert caught.value.message.startswith(f"{path}:{line}: "), caught.value.message
    assert message in caught.value.message


def test_an_undecodable_file_is_named(ctx_for: MakeCtx, repo: Path) -> None:
    path = repo / ".devcontainer" / "cs-registry.yaml"
    path.write_bytes(b"verify: true\ntimeout: \xff\n")
    with pytest.raises(ConfigError) as caught:
        settings.load(ctx_for(), cwd=repo)
    assert caught.value.message == f"{path}:2: not UTF-8 text"


# --- through `cs-registry login` -----------------------------------------------------------


def out(ctx: Context) -> str:
    assert isinstance(ctx.stdout, io.StringIO)
    return ctx.stdout.getvalue()


def err(ctx: Context) -> str:
    assert isinstance(ctx.stderr, io.StringIO)
    return ctx.stderr.getvalue()


def auth(user: str, password: str) -> dict[str, str]:
    return {"auth": base64.b64encode(f"{user}:{password}".encode()).decode()}


def docker_config(ctx: Context) -> Any:
    return json.loads((ctx.home / ".docker" / "config.json").read_text())


def test_login_writes_registries_from_differently_named_variables(
    ctx_for: MakeCtx, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo_file(
        repo,
        "registries:\n"
        "  - id: NEXUS\n"
        "    server: https://nexus.example.com:8443/\n"
        "    user_env: NEXUS_USER\n"
        "    password_env: NEXUS_TOKEN\n",
    )
    monkeypatch.chdir(repo)
    ctx = ctx_for({"NEXUS_USER": "ci", "NEXUS_TOKEN": "tok-123"})
    assert main(["login", "--json"], ctx) == 0
    row = json.loads(out(ctx))["registries"][0]
    assert (row["id"], row["key"], row["status"]) == ("NEXUS", "nexus.example.com:8443", "written")
    assert docker_config(ctx) == {"auths": {"nexus.example.com:8443": auth("ci", "tok-123")}}


def test_a_missing_variable_of_a_configured_registry_names_it(
    ctx_for: MakeCtx, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo_file(repo, "registries:\n  - {server: r.example, user_env: R_USER, password_env: R_PW}\n")
    monkeypatch.chdir(repo)
    ctx = ctx_for({"R_USER": "me"})
    assert main(["login", "--json"], ctx) == 1
    row = json.loads(out(ctx))["registries"][0]
    assert (row["id"], row["status"], row["code"]) == ("R_EXAMPLE", "failed", "partial_triplet")
    assert row["message"].startswith("R_PW is not set; the R_EXAMPLE registry needs")


def test_ignore_from_a_file_and_from_flags(
    ctx_for: MakeCtx, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo_file(repo, "ignore: [A]\n")
    monkeypatch.chdir(repo)
    triplets: dict[str, str] = {}
    for ident, host in (("A", "a.example"), ("B", "b.example"), ("C", "c.example")):
        triplets |= {
            f"{ident}_CONTAINER_REGISTRY_SERVER": host,
            f"{ident}_CONTAINER_REGISTRY_USER": "u",
            f"{ident}_CONTAINER_REGISTRY_PASSWORD": "p",
        }
    ctx = ctx_for(triplets)
    assert main(["login", "--ignore", "B"], ctx) == 0
    assert list(docker_config(ctx)["auths"]) == ["c.example"]


GITHUB = {"GITHUB_USER": "octocat", "GITHUB_TOKEN": "ghu_token"}


def test_ghcr_from_github_token_when_opted_in(ctx_for: MakeCtx) -> None:
    ctx = ctx_for({**GITHUB, "CS_REGISTRY_GHCR_FROM_GITHUB_TOKEN": "1"})
    assert main(["login", "--json"], ctx) == 0
    row = json.loads(out(ctx))["registries"][0]
    assert (row["id"], row["key"], row["status"]) == ("GITHUB_TOKEN", "ghcr.io", "written")
    assert docker_config(ctx) == {"auths": {"ghcr.io": auth("octocat", "ghu_token")}}


def test_no_ghcr_login_from_github_token_unless_opted_in(ctx_for: MakeCtx) -> None:
    ctx = ctx_for(GITHUB)
    assert main(["login"], ctx) == 0
    assert not (ctx.home / ".docker" / "config.json").exists()


def test_a_ghcr_triplet_wins_over_github_token(ctx_for: MakeCtx) -> None:
    ctx = ctx_for(
        {
            **GITHUB,
            "CS_REGISTRY_GHCR_FROM_GITHUB_TOKEN": "true",
            "PKG_CONTAINER_REGISTRY_SERVER": "ghcr.io",
            "PKG_CONTAINER_REGISTRY_USER": "robot",
            "PKG_CONTAINER_REGISTRY_PASSWORD": "pat",
        }
    )
    assert main(["login", "--json"], ctx) == 0
    ids = [row["id"] for row in json.loads(out(ctx))["registries"]]
    assert ids == ["PKG"]
    assert docker_config(ctx) == {"auths": {"ghcr.io": auth("robot", "pat")}}


def test_ghcr_opt_in_without_github_user_names_it(ctx_for: MakeCtx) -> None:
    ctx = ctx_for({"GITHUB_TOKEN": "ghu_token", "CS_REGISTRY_GHCR_FROM_GITHUB_TOKEN": "1"})
    assert main(["login", "--json"], ctx) == 1
    row = json.loads(out(ctx))["registries"][0]
    assert (row["code"], row["message"].split(";")[0]) == (
        "partial_triplet",
        "GITHUB_USER is not set",
    )


def test_a_bad_config_file_is_a_usage_error_naming_file_and_line(
    ctx_for: MakeCtx, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = repo_file(repo, "timeout: -3\n")
    monkeypatch.chdir(repo)
    ctx = ctx_for()
    assert main(["login"], ctx) == 2
    assert err(ctx).startswith(f"cs-registry: {path}:1: timeout must be a positive")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when this returns


def local_triplet() -> dict[str, str]:
    return {
        "LOCAL_CONTAINER_REGISTRY_SERVER": f"127.0.0.1:{closed_port()}",
        "LOCAL_CONTAINER_REGISTRY_USER": "u",
        "LOCAL_CONTAINER_REGISTRY_PASSWORD": "p",
    }


@pytest.mark.parametrize("source", ["environment", "repository file", "flag"])
def test_verify_reaches_login_from_every_layer(
    ctx_for: MakeCtx, repo: Path, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    monkeypatch.chdir(repo)
    environ = {**local_triplet(), "CS_REGISTRY_TIMEOUT": "2"}
    argv = ["login", "--json"]
    if source == "environment":
        environ["CS_REGISTRY_VERIFY"] = "1"
    elif source == "repository file":
        repo_file(repo, "verify: true\n")
    else:
        argv.append("--verify")
    ctx = ctx_for(environ)
    assert main(argv, ctx) == 1  # nothing listens there: not verified
    row = json.loads(out(ctx))["registries"][0]
    assert (row["status"], row["verified"], row["code"]) == (
        "written",
        False,
        "connection_refused",
    )


def test_without_verify_login_does_not_touch_the_network(ctx_for: MakeCtx) -> None:
    ctx = ctx_for(local_triplet())
    assert main(["login", "--json"], ctx) == 0
    assert json.loads(out(ctx))["registries"][0]["verified"] is None


def test_an_environment_false_beats_a_file_true(
    ctx_for: MakeCtx, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    repo_file(repo, "verify: true\n")
    ctx = ctx_for({**local_triplet(), "CS_REGISTRY_VERIFY": "0"})
    assert main(["login", "--json"], ctx) == 0
    assert json.loads(out(ctx))["registries"][0]["verified"] is None
