from __future__ import annotations

import json
from pathlib import Path

from cs_registry.main import main
from tests.support.captured import MakeCtx


def test_login_writes_a_ghcr_entry(make_ctx: MakeCtx, isolated_home: Path) -> None:
    ctx = make_ctx(
        {
            "GHCR_CONTAINER_REGISTRY_SERVER": "ghcr.io",
            "GHCR_CONTAINER_REGISTRY_USER": "octo",
            "GHCR_CONTAINER_REGISTRY_PASSWORD": "s3cret-value-123",
        }
    )
    assert main(["login"], ctx) == 0
    config = json.loads((isolated_home / ".docker" / "config.json").read_text())
    assert config == {"auths": {"ghcr.io": {"auth": "b2N0bzpzM2NyZXQtdmFsdWUtMTIz"}}}
