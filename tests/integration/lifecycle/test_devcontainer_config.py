"""This repository's dev container and its Feature: the devcontainers CLI parses them,
and our own lint finds nothing in them."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from cs_registry.devcontainer import LintOptions, lint_file
from cs_registry.devcontainer.jsonc import parse
from tests.support import devcontainer as dc

ROOT = dc.ROOT
CONFIG = ROOT / ".devcontainer" / "devcontainer.json"
FEATURE_JSON = dc.FEATURE / "devcontainer-feature.json"
INSTALL = dc.FEATURE / "install.sh"


def read_configuration(workspace: Path, *extra: str) -> dict[str, Any]:
    done = dc.run_cli(
        "read-configuration", "--workspace-folder", str(workspace), *extra, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = dc.last_json(done.stdout)
    return result


def test_the_cli_reads_this_repositorys_devcontainer_json_as_we_do() -> None:
    result = read_configuration(ROOT)
    configuration = dict(result["configuration"])
    configuration.pop("configFilePath")
    assert configuration == parse(CONFIG.read_text()).value
    assert set(configuration["features"]) == {
        "ghcr.io/devcontainers/features/docker-in-docker:2",
        "./cs-registry",
    }
    assert "python" in configuration["image"]


@pytest.mark.parametrize("prebuild", [False, True])
def test_our_lint_finds_nothing_in_this_repositorys_devcontainer_json(prebuild: bool) -> None:
    options = LintOptions(
        owner="cs-registry", repository="cs-registry/cs-registry", prebuild=prebuild
    )
    assert lint_file(CONFIG, options) == []


def test_the_cli_reads_the_feature_and_its_options(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    dc.feature_copy(workspace / ".devcontainer" / "cs-registry")
    (workspace / ".devcontainer" / "devcontainer.json").write_text(
        '{"image": "debian:bookworm", "features": {"./cs-registry": {"ecrHelper": true}}}\n'
    )
    result = read_configuration(workspace, "--include-features-configuration")
    sets = result["featuresConfiguration"]["featureSets"]
    assert len(sets) == 1
    feature = sets[0]["features"][0]
    assert feature["id"] == "cs-registry"
    assert feature["value"] == {"ecrHelper": True}
    assert set(feature["options"]) == {"version", "hashes", "source", "wheelDir", "ecrHelper"}
    assert feature["options"]["version"]["default"] == "bundled"
    assert feature["options"]["ecrHelper"] == {
        **feature["options"]["ecrHelper"],
        "type": "boolean",
        "default": False,
    }
    prefix = "/usr/local/share/cs-registry/hooks/"
    assert feature["onCreateCommand"] == prefix + "on-create"
    assert feature["postCreateCommand"] == prefix + "post-create"
    assert feature["postStartCommand"] == prefix + "post-start"


def test_the_feature_installs_after_the_python_feature() -> None:
    # The CLI resolves this from ghcr.io (unreachable here), so the parse test above
    # runs on a copy without it; this checks the real file keeps it.
    metadata = json.loads(FEATURE_JSON.read_text())
    assert metadata["installsAfter"] == ["ghcr.io/devcontainers/features/python"]


def test_install_sh_fails_clearly_without_python(tmp_path: Path) -> None:
    if os.path.exists("/usr/local/python/current/bin/python3"):
        pytest.fail("a Python Feature interpreter on this machine makes this test meaningless")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("dirname",):
        (bin_dir / tool).symlink_to(f"/usr/bin/{tool}")
    done = subprocess.run(
        ["/bin/sh", str(INSTALL)],
        env={"PATH": str(bin_dir), "VERSION": "none"},  # options are checked before Python
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith(
        "cs-registry feature: error: cs-registry needs Python >= 3.10 and none was found on PATH."
    )
    assert "ghcr.io/devcontainers/features/python" in done.stderr
