"""Hostile pass (issue 10): a devcontainer.json that names thousands of images.

``doctor --images`` (and ``--prebuild``, which implies it) probed every distinct
image, each bounded by ``IMAGE_TIMEOUT`` (10 s) on four workers and nothing
bounding the whole: 41 images on a loopback registry that accepts and never
answers took 107 s; a file with a thousand Features would hold a prebuild's
doctor step for 40 minutes. Only the first ``MAX_IMAGES`` are probed; one line
says how many were not.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from cs_registry.checks.images import MAX_IMAGES
from tests.integration.hardening import cli


def test_doctor_images_probes_a_bounded_number(tmp_path: Path) -> None:
    home = tmp_path / "images-home"
    workspace = tmp_path / "ws"
    (workspace / ".devcontainer").mkdir(parents=True)
    home.mkdir()
    subprocess.run(["git", "init", "-q", str(workspace)], check=True)
    count = 500
    # port 1 refuses at once: the test is about how many are probed, not how long each is
    features: dict[str, object] = {f"127.0.0.1:1/feature{i}:1": {} for i in range(count)}
    document = {"image": "127.0.0.1:1/base:1", "features": features}
    (workspace / ".devcontainer" / "devcontainer.json").write_text(json.dumps(document))
    env = cli.base_env(home)
    result = cli.run(
        ["doctor", "--images", "--json", "--workspace", str(workspace)], env, timeout=120
    )
    cli.assert_no_traceback(result)
    checks = json.loads(result.stdout)["checks"]
    probed = [c for c in checks if c["id"].startswith("image:")]
    assert len(probed) == MAX_IMAGES
    skipped = [c for c in checks if c["id"] == "images" and c["status"] == "skip"]
    assert len(skipped) == 1
    assert str(count + 1 - MAX_IMAGES) in skipped[0]["message"]
