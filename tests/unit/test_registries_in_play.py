"""One discovery of the registries in play (settings applied) for all four entry points.

Before: settings (``ignore``, ``registries``, ``ghcr_from_github_token``) reached
``login`` only; doctor, debug-login and the credential helper counted the raw
environment, so ``CS_REGISTRY_IGNORE=BAD`` with a malformed ``BAD_`` triplet made
``login`` exit 0 and ``doctor`` exit 1, and the helper never answered for a
``registries`` entry.
"""

from __future__ import annotations

import json
from pathlib import Path

from cs_registry.commands.doctor import DoctorOptions, collect
from cs_registry.credhelper.entry import main as helper_main
from cs_registry.probe.credentials import CredentialRequest, resolve
from cs_registry.servers import normalise
from tests.support.captured import CapturedContext, MakeCtx

NEXUS = {"NEXUS_USER": "builder", "NEXUS_TOKEN": "nexus-secret-1234"}
BAD = {"BAD_CONTAINER_REGISTRY_SERVER": "https://", "BAD_CONTAINER_REGISTRY_USER": "x"}


def _user_settings(home: Path, text: str) -> None:
    folder = home / ".config" / "cs-registry"
    folder.mkdir(parents=True)
    (folder / "config.yaml").write_text(text)


def _nexus_settings(home: Path) -> None:
    _user_settings(
        home,
        "registries:\n"
        "  - server: nexus.example.com\n"
        "    user_env: NEXUS_USER\n"
        "    password_env: NEXUS_TOKEN\n",
    )


def _helper(ctx: CapturedContext, *args: str) -> tuple[int, str]:
    status = helper_main(list(args), ctx)
    return status, ctx.stdout.getvalue()


def test_doctor_ignores_what_login_ignores(make_ctx: MakeCtx, tmp_path: Path) -> None:
    ctx = make_ctx({**BAD, "CS_REGISTRY_IGNORE": "BAD"})
    checks = collect(ctx, DoctorOptions(workspace=str(tmp_path), wait=0.0))
    bad = [c for c in checks if "BAD" in c.id or "BAD_" in c.message]
    assert not [c for c in bad if c.status.value == "fail"], bad


def test_doctor_counts_a_registries_entry(
    make_ctx: MakeCtx, isolated_home: Path, tmp_path: Path
) -> None:
    _nexus_settings(isolated_home)
    ctx = make_ctx(NEXUS)
    checks = collect(ctx, DoctorOptions(workspace=str(tmp_path), wait=0.0))
    assert "entry:nexus.example.com" in {c.id for c in checks}


def test_helper_answers_get_for_a_registries_entry(make_ctx: MakeCtx, isolated_home: Path) -> None:
    _nexus_settings(isolated_home)
    ctx = make_ctx(NEXUS, stdin="nexus.example.com\n")
    status, out = _helper(ctx, "get")
    assert status == 0
    answer = json.loads(out)
    assert (answer["Username"], answer["Secret"]) == ("builder", "nexus-secret-1234")


def test_helper_lists_a_registries_entry(make_ctx: MakeCtx, isolated_home: Path) -> None:
    _nexus_settings(isolated_home)
    status, out = _helper(make_ctx(NEXUS), "list")
    assert status == 0
    assert json.loads(out) == {"nexus.example.com": "builder"}


def test_helper_honours_ignore(make_ctx: MakeCtx) -> None:
    env = {
        "GHCR_CONTAINER_REGISTRY_SERVER": "ghcr.io",
        "GHCR_CONTAINER_REGISTRY_USER": "octo",
        "GHCR_CONTAINER_REGISTRY_PASSWORD": "ghp_secret",
        "CS_REGISTRY_IGNORE": "GHCR",
    }
    status, out = _helper(make_ctx(env, stdin="ghcr.io\n"), "get")
    assert status == 1
    assert out.strip() == "credentials not found in native keychain"


def test_debug_login_finds_a_registries_entry(make_ctx: MakeCtx, isolated_home: Path) -> None:
    _nexus_settings(isolated_home)
    ctx = make_ctx(NEXUS)
    found = resolve(
        CredentialRequest(),
        normalise("nexus.example.com"),
        environ=ctx.environ,
        stdin=ctx.stdin,
        config_dir=isolated_home / ".docker",
    )
    assert found.username == "builder"
    assert "NEXUS" in found.source
