"""The login hot path imports no heavy library (design.md, "Hot paths import little")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("docker", "botocore", "boto3", "structlog", "rich", "requests", "urllib3", "yaml")
# Standard-library and own modules a plain login does without (issue 2: whole process
# <= 3x the bare interpreter); each cost it milliseconds when it was imported.
AVOIDED = (
    "dataclasses",
    "inspect",
    "typing",
    "pathlib",
    "urllib",
    "tempfile",
    "random",
    "shutil",
    "threading",
    "ipaddress",
    "glob",
    "cs_registry.ecr.keys",
    "cs_registry.logins.ecr",
    "cs_registry.helper_client",
    "cs_registry.envfile",
    "cs_registry.settings_file",
)

# Runs `python -m cs_registry login ...` in this interpreter, then reports what got imported.
WRAPPER = f"""
import json, runpy, sys
sys.argv = ["cs_registry", *sys.argv[1:]]
try:
    runpy.run_module("cs_registry", run_name="__main__", alter_sys=True)
except SystemExit as exc:
    code = exc.code
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY!r})
avoided = sorted(m for m in sys.modules if m in {AVOIDED!r})
print(json.dumps({{"code": code, "heavy": heavy, "avoided": avoided}}), file=sys.stderr)
"""


def run_login(home: Path, *args: str, extra: dict[str, str] | None = None) -> dict[str, object]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "CS_REGISTRY_CODESPACES_ENV_FILE": str(home / "none.json"),
        "GHCR_CONTAINER_REGISTRY_SERVER": "https://ghcr.io/",
        "GHCR_CONTAINER_REGISTRY_USER": "octo",
        "GHCR_CONTAINER_REGISTRY_PASSWORD": "s3cret-value\n",
        "LOCAL_CONTAINER_REGISTRY_SERVER": "localhost:5000",
        "LOCAL_CONTAINER_REGISTRY_USER": "me",
        "LOCAL_CONTAINER_REGISTRY_PASSWORD": "pw",
        "ECR_CONTAINER_REGISTRY_SERVER": "123456789012.dkr.ecr.us-east-1.amazonaws.com",
        "ECR_CONTAINER_REGISTRY_USER": "AWS",
        "ECR_CONTAINER_REGISTRY_PASSWORD": "token-value",
        **(extra or {}),
    }
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, "login", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    report: dict[str, object] = json.loads(done.stderr.strip().splitlines()[-1])
    report["stdout"] = done.stdout
    return report


def test_login_with_plain_triplets_imports_no_heavy_library(tmp_path: Path) -> None:
    report = run_login(tmp_path)
    assert report["code"] == 0
    assert report["heavy"] == []
    config = json.loads((tmp_path / ".docker" / "config.json").read_text())
    assert sorted(config["auths"]) == [
        "123456789012.dkr.ecr.us-east-1.amazonaws.com",
        "ghcr.io",
        "localhost:5000",
    ]
    # second run (unchanged), --json and --hook stay just as light
    for args in (["--json"], ["--hook"], ["--dry-run"]):
        again = run_login(tmp_path, *args)
        assert (again["code"], again["heavy"]) == (0, [])


def test_a_problem_report_stays_light_too(tmp_path: Path) -> None:
    report = run_login(tmp_path, extra={"BAD_CONTAINER_REGISTRY_SERVER": "ftp://x"})
    assert report["code"] == 1
    assert report["heavy"] == []


def test_plain_login_skips_what_only_ecr_helpers_or_files_need(tmp_path: Path) -> None:
    # GHCR and LOCAL only: the ECR token triplet is ignored
    plain = {"CS_REGISTRY_IGNORE": "ECR"}
    report = run_login(tmp_path, extra=plain)
    assert (report["code"], report["avoided"]) == (0, [])
    config = json.loads((tmp_path / ".docker" / "config.json").read_text())
    assert sorted(config["auths"]) == ["ghcr.io", "localhost:5000"]
    for args in (["--json"], ["--hook"], ["--dry-run"]):
        again = run_login(tmp_path, *args, extra=plain)
        assert (again["code"], again["avoided"]) == (0, [])


def test_a_failing_plain_login_skips_them_too(tmp_path: Path) -> None:
    extra = {"CS_REGISTRY_IGNORE": "ECR", "BAD_CONTAINER_REGISTRY_SERVER": "ftp://x"}
    report = run_login(tmp_path, extra=extra)
    assert (report["code"], report["avoided"]) == (1, [])


def test_nothing_runs_credential_helpers_through_docker_py() -> None:
    # docker-py's helper Store has no timeout: every helper call goes through
    # cs_registry.helper_client (bounded, process-group kill, output captured)
    package = Path(__file__).resolve().parents[2] / "agent" / "cs_registry"
    offenders = [
        str(path.relative_to(package))
        for path in sorted(package.rglob("*.py"))
        if "docker.credentials" in path.read_text(encoding="utf-8")
        or "dockerpycreds" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
    assert not (package / "credstore.py").exists()
