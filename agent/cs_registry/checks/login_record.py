"""What ``login``'s record says about Docker's config: entries it never wrote, a bad record.

Entries written before the record existed (or by ``docker login``) are never removed
automatically; doctor lists the ones no registry secret in play covers.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from cs_registry import dockerconfig
from cs_registry.checks.check import Check, problem
from cs_registry.diagnosis import Code
from cs_registry.logins import record as login_record
from cs_registry.servers import config_key_for
from cs_registry.status import Status
from cs_registry.triplets import Triplet


def check_login_record(
    environ: Mapping[str, str], config_path: Path, triplets: list[Triplet]
) -> list[Check]:
    """A warning for a record that cannot be trusted, and one listing unrecorded entries."""
    record = login_record.load(login_record.default_root(environ), str(config_path))
    checks: list[Check] = []
    if record.problem is not None:
        checks.append(
            problem(
                "login-record",
                Status.WARN,
                Code.RECORD_UNUSABLE,
                record.problem,
                remedy=f"Remove {record.path}; the next `cs-registry login` starts a new one.",
                where=record.path,
            )
        )
        return checks
    try:
        auths = dockerconfig.load(config_path).data.get("auths") or {}
    except dockerconfig.ConfigUnreadable:
        return checks  # the docker-config check says why
    live = {t.server.key for t in triplets if t.server is not None}
    unrecorded = [
        key for key in auths if key not in record.entries and config_key_for(key) not in live
    ]
    if unrecorded:
        listed = ", ".join(f'"{key}"' for key in unrecorded)
        checks.append(
            problem(
                "login-record",
                Status.WARN,
                Code.UNRECORDED_ENTRY,
                f"auths entries {listed} match no registry secret and are not in login's "
                "record (written before it, or by `docker login`): never removed automatically",
                remedy="Remove them from config.json by hand if they are stale.",
                where=str(config_path),
            )
        )
    return checks
