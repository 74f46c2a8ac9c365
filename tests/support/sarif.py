"""The SARIF 2.1.0 tools tests/run installs: npm's @microsoft/sarif-multitool-linux, which
ships the official JSON schema (``sarif-2.1.0.json``) beside the ``Sarif.Multitool`` binary."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.support.require import missing

PACKAGE = "@microsoft/sarif-multitool-linux"
VALIDATE_TIMEOUT = 120


def multitool_dir() -> Path:
    """The installed package's directory (fails under CI, skips elsewhere, when absent)."""
    npm = shutil.which("npm")
    if npm is None:
        missing("npm")
    done = subprocess.run(
        [npm, "root", "-g"], capture_output=True, text=True, timeout=60, check=False
    )
    folder = Path(done.stdout.strip()) / PACKAGE
    if not (folder / "Sarif.Multitool").is_file() or not (folder / "sarif-2.1.0.json").is_file():
        missing(f"npm package {PACKAGE} (Sarif.Multitool and sarif-2.1.0.json)")
    return folder


def schema(folder: Path) -> dict[str, Any]:
    """The official SARIF 2.1.0 JSON schema (draft 2020-12)."""
    loaded: dict[str, Any] = json.loads((folder / "sarif-2.1.0.json").read_text("utf-8"))
    return loaded


def validate(folder: Path, logs: list[Path], output: Path) -> list[dict[str, Any]]:
    """``Sarif.Multitool validate`` over ``logs``: the results its rules report.

    It runs in a network namespace of its own (``unshare --net``): given the schema
    as a file it needs no network, yet it looks up the hosts of the URIs it reads
    (``json.schemastore.org``, ``github.com``), which would leave loopback.
    """
    unshare = shutil.which("unshare")
    if unshare is None:
        missing("unshare (util-linux), to keep the SARIF multitool off the network")
    done = subprocess.run(
        [
            unshare,
            "--net",
            str(folder / "Sarif.Multitool"),
            "validate",
            *map(str, logs),
            "--output",
            str(output),
            "--json-schema",
            str(folder / "sarif-2.1.0.json"),
        ],
        capture_output=True,
        text=True,
        timeout=VALIDATE_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(output.read_text("utf-8"))
    return [result for run in report["runs"] for result in run.get("results", [])]
