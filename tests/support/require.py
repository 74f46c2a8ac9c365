"""Skip locally, fail under CI: integration tests never skip when ``CI`` is set."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def missing(part: str) -> NoReturn:
    """A real part of the test bed is not there: skip on a laptop, fail in CI."""
    message = f"test bed part missing: {part} (run tests/run to set it up)"
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)
