"""The Feature installs only what it ships (issue 10, item 8): its options are checked
before install.sh changes anything, so these run the real script on this machine.

``version: latest`` used to pip-install the bare name ``cs-registry`` from PyPI as
root, a name we do not own. Now the default installs the wheel in the Feature's own
``dist/`` (made by ``bundle.sh``), an index is used only for an exact release, and
``hashes`` make pip check that release's file. The installs themselves, bundled and
hash-checked, run in a real dev container (test_devcontainer_up.py).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.support import devcontainer as dc

pytestmark = pytest.mark.integration

#: install.sh's home; an option error must leave it as it was
PREFIX = Path("/usr/local/share/cs-registry")


def install(feature: Path, **options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", str(feature / "install.sh")],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **options},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def feature(tmp_path: Path) -> Path:
    """The Feature as committed: no ``dist/`` until bundle.sh runs."""
    return dc.feature_copy(tmp_path / "cs-registry", drop_installs_after=False)


def test_the_default_is_the_bundled_wheel_not_an_index_name() -> None:
    metadata = json.loads((dc.FEATURE / "devcontainer-feature.json").read_text())
    version = metadata["options"]["version"]
    assert version["default"] == "bundled"
    assert "latest" not in version["proposals"]
    assert metadata["options"]["hashes"]["default"] == ""
    script = (dc.FEATURE / "install.sh").read_text()
    assert "spec=cs-registry\n" not in script  # the bare name is gone


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "no bundled cs-registry wheel in"),
        ({"VERSION": "latest"}, "version 'latest' is not supported"),
        ({"VERSION": "1.2"}, "version '1.2' is not 'bundled', 'none' or an exact release X.Y.Z"),
        ({"VERSION": "1.2.3; rm -rf /"}, "is not 'bundled', 'none' or an exact release"),
        ({"VERSION": ">=0.1.0"}, "is not 'bundled', 'none' or an exact release"),
        ({"VERSION": "1.2.3\nrequests"}, "is not 'bundled', 'none' or an exact release"),
        ({"VERSION": "1.2.3.4"}, "is not 'bundled', 'none' or an exact release"),
        ({"VERSION": "1..3"}, "is not 'bundled', 'none' or an exact release"),
        ({"VERSION": ".1.2"}, "is not 'bundled', 'none' or an exact release"),
        ({"VERSION": "0.1.0", "HASHES": "*"}, "hashes: '*' is not sha256:"),
        ({"VERSION": "0.1.0", "HASHES": "sha256:" + "a" * 63}, "is not sha256:<64 lowercase"),
        ({"VERSION": "0.1.0", "HASHES": "sha256:" + "g" * 64}, "is not sha256:<64 lowercase"),
        ({"HASHES": "sha256:" + "a" * 64}, "hashes apply to an exact release only"),
        ({"VERSION": "0.1.0", "HASHES": "md5:abc"}, "hashes: 'md5:abc' is not sha256:"),
        ({"VERSION": "0.1.0", "HASHES": "sha256:" + "A" * 64}, "is not sha256:<64 lowercase"),
    ],
)
def test_bad_options_stop_before_anything_is_changed(
    feature: Path, options: dict[str, str], message: str
) -> None:
    existed = PREFIX.exists()
    done = install(feature, **options)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.startswith("cs-registry feature: error: ")
    assert message in done.stderr
    assert done.stdout == ""  # nothing was created, installed or linked
    assert PREFIX.exists() == existed


@pytest.mark.parametrize(
    "options",
    [
        {"VERSION": "none"},
        {"VERSION": "0.1.0"},
        {"VERSION": "12.0.3", "HASHES": f"sha256:{'0' * 64} sha256:{'9a' * 32}"},
        {"VERSION": "0.1.0", "HASHES": f"  sha256:{'f' * 64}\n"},
        {"SOURCE": "anything"},  # source wins over the bundled default
    ],
)
def test_good_options_pass_the_checks(
    feature: Path, tmp_path: Path, options: dict[str, str]
) -> None:
    """Valid options get as far as looking for Python, which a PATH without one stops
    (so nothing is installed here)."""
    if os.path.exists("/usr/local/python/current/bin/python3"):
        pytest.fail("a Python Feature interpreter on this machine makes this test meaningless")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "dirname").symlink_to("/usr/bin/dirname")
    done = subprocess.run(
        ["/bin/sh", str(feature / "install.sh")],
        env={"PATH": str(bin_dir), **options},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "cs-registry needs Python >= 3.10 and none was found on PATH" in done.stderr


def test_the_missing_wheel_message_says_how_to_build_it(feature: Path) -> None:
    done = install(feature)
    assert f"no bundled cs-registry wheel in {feature}/dist" in done.stderr
    assert "bundle.sh" in done.stderr


def test_two_bundled_wheels_are_refused(feature: Path) -> None:
    (feature / "dist").mkdir()
    for version in ("0.1.0", "0.2.0"):
        (feature / "dist" / f"cs_registry-{version}-py3-none-any.whl").write_bytes(b"PK")
    done = install(feature)
    assert done.returncode == 1
    assert "more than one cs-registry wheel" in done.stderr


def test_bundle_sh_builds_the_feature_folder_for_another_repository(tmp_path: Path) -> None:
    """What the README tells users to run; a second run replaces the wheel."""
    target = tmp_path / "other-repo" / ".devcontainer" / "cs-registry"
    dc.bundled_feature(target)
    dc.bundled_feature(target)
    shipped = sorted(p.name for p in target.iterdir())
    assert shipped == ["devcontainer-feature.json", "dist", "hooks", "install.sh"]
    (wheel,) = (target / "dist").iterdir()
    assert wheel.name.startswith("cs_registry-")
    assert wheel.suffix == ".whl"
    for hook in ("on-create", "post-create", "post-start"):
        assert (target / "hooks" / hook).read_bytes() == (dc.FEATURE / "hooks" / hook).read_bytes()
    assert not [p for p in target.iterdir() if p.name.startswith(".dist-build")]


def test_bundle_sh_refuses_to_run_outside_a_checkout(tmp_path: Path) -> None:
    stray = tmp_path / "a" / "b" / "cs-registry"
    stray.mkdir(parents=True)
    (stray / "bundle.sh").write_bytes((dc.FEATURE / "bundle.sh").read_bytes())
    done = subprocess.run(
        ["sh", str(stray / "bundle.sh")], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 1
    assert "is not a cs-registry checkout" in done.stderr
    assert not (stray / "dist").exists()
