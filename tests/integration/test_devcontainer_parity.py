"""Our JSONC reading of devcontainer.json against the reference parser.

For every valid corpus file, ``devcontainer read-configuration`` (npm
``@devcontainers/cli``) must print the same values our parser read for the keys
the lint uses. The CLI takes ~0.3 s a file (it runs ``docker ps`` first), so all
files run in parallel, once per module.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from cs_registry.devcontainer import find_configs, parse
from tests.support.require import missing

DATA = Path(__file__).resolve().parents[1] / "data" / "devcontainer" / "valid"
CONFIGS = sorted(c for ws in DATA.iterdir() if ws.is_dir() for c in find_configs(ws))
#: what the lint reads (devcontainer/lint.py, hooks.py, repositories.py)
LINT_KEYS = (
    "customizations",
    "codespaces",
    "features",
    "onCreateCommand",
    "updateContentCommand",
    "postCreateCommand",
    "postStartCommand",
    "postAttachCommand",
    "initializeCommand",
)
_TIMEOUT = 120


def _workspace(config: Path) -> Path:
    return next(p for p in config.parents if p.parent == DATA)


def _read_configuration(cli: str, config: Path) -> dict[str, Any]:
    done = subprocess.run(
        [
            cli,
            "read-configuration",
            "--workspace-folder",
            str(_workspace(config)),
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"read-configuration failed for {config}: {done.stderr[-2000:]}"
    configuration: dict[str, Any] = json.loads(done.stdout)["configuration"]
    return configuration


@pytest.fixture(scope="module")
def reference() -> dict[Path, dict[str, Any]]:
    """The reference parser's reading of every valid corpus file."""
    cli = shutil.which("devcontainer")
    if cli is None:
        missing("devcontainer CLI")
    with ThreadPoolExecutor(max_workers=len(CONFIGS)) as pool:
        readings = pool.map(lambda c: _read_configuration(cli, c), CONFIGS)
        return dict(zip(CONFIGS, readings, strict=True))


@pytest.mark.parametrize("config", CONFIGS, ids=[str(c.relative_to(DATA)) for c in CONFIGS])
def test_lint_keys_match_the_reference_parser(
    reference: dict[Path, dict[str, Any]], config: Path
) -> None:
    ours = parse(config.read_text()).value
    theirs = reference[config]
    assert {k: ours[k] for k in LINT_KEYS if k in ours} == {
        k: theirs[k] for k in LINT_KEYS if k in theirs
    }
    # and the rest of the file too: the corpus uses no ${variables} the CLI would substitute
    theirs_all = {k: v for k, v in theirs.items() if k != "configFilePath"}
    assert ours == theirs_all


def test_corpus_exercises_every_lint_key() -> None:
    seen = {k for c in CONFIGS for k in parse(c.read_text()).value}
    assert seen >= {"customizations", "features", "onCreateCommand", "postCreateCommand"}
