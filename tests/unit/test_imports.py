"""The login and helper hot paths import no heavy library (design.md, "Hot paths import little")."""

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
    "argparse",  # a login of switches only is read from cs_registry.switches
    "gettext",
    "locale",
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
    "hashlib",  # OpenSSL: the token cache and the login record hash with CPython's _sha256
    "hmac",
    "_hashlib",
    "cs_registry.ecr.keys",
    "cs_registry.logins.ecr",
    "cs_registry.helper_client",
    "cs_registry.envfile",
    "cs_registry.settings_file",
    "cs_registry.explanations",
)

# Runs `cs-registry login ...` (its main, without the launcher's exit) in this
# interpreter, then reports what got imported.
WRAPPER = f"""
import json, sys
from cs_registry.main import main
code = main(sys.argv[1:])
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


def test_a_plain_get_process_loads_neither_settings_nor_the_full_protocol(tmp_path: Path) -> None:
    """The helper's get for a plain triplet host (no settings file) runs on the standard
    library: no settings machinery, triplet discovery, full protocol, re or enum."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "CS_REGISTRY_SYSTEM_CONFIG": str(tmp_path / "no-system.yaml"),
        "GHCR_CONTAINER_REGISTRY_SERVER": "ghcr.io",
        "GHCR_CONTAINER_REGISTRY_USER": "octo",
        "GHCR_CONTAINER_REGISTRY_PASSWORD": "ghp_<&>",
    }
    env["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")
    probe = (
        "import sys\n"
        "from cs_registry.credhelper.entry import main\n"
        "status = main(['get'])\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'botocore', 'structlog', 'argparse', 'yaml', 'dataclasses', 'pathlib', 'json', "
        "'typing', 'hashlib', 'tempfile', 're', 'enum'} "
        "or m in {'cs_registry.settings', 'cs_registry.credhelper.cli', "
        "'cs_registry.credhelper.store', 'cs_registry.files', 'cs_registry.triplets', "
        "'cs_registry.servers', 'cs_registry.diagnosis'})\n"
        "print(status, loaded, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        input="ghcr.io",
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )

    assert (
        result.stdout
        == '{"ServerURL":"ghcr.io","Username":"octo","Secret":"ghp_\\u003c\\u0026\\u003e"}\n'
    )
    assert result.stderr.strip() == "0 []"
