from __future__ import annotations

from cs_registry.main import run

run()
