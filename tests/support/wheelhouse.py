"""The wheels ``tests/run`` builds before the suite, so that pip in tests needs no index.

``tests/run`` (``ensure_wheelhouse``) fills ``tests/.cache/wheelhouse`` with this
project's run and build dependencies (setuptools and wheel included). Every pip a
test starts, directly or through pre-commit, ``bundle.sh`` or the devcontainer
helpers, reads only that folder: the suite's traffic stays on loopback.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.require import missing

ROOT = Path(__file__).resolve().parents[2]
WHEELHOUSE = ROOT / "tests" / ".cache" / "wheelhouse"


def require() -> Path:
    """The wheelhouse, or the test bed's "missing part" (skip locally, fail under CI)."""
    if not any(WHEELHOUSE.glob("setuptools-*.whl")):
        missing(f"the wheelhouse {WHEELHOUSE} (tests/run's ensure_wheelhouse)")
    return WHEELHOUSE


def pip_env(base: dict[str, str]) -> dict[str, str]:
    """``base`` with pip told to use the wheelhouse only: no index, no pip.conf."""
    return {
        **base,
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(WHEELHOUSE),
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
