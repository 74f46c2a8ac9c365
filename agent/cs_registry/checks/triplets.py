"""The registry secret triplets, as ``login`` would see them. Never shows a secret."""

from __future__ import annotations

from collections.abc import Mapping

from cs_registry.checks.check import Check, ok, problem, skip
from cs_registry.status import Status
from cs_registry.triplets import Discovery, Triplet, discover


def check_triplets(environ: Mapping[str, str], discovery: Discovery | None = None) -> list[Check]:
    """One line per triplet ID: complete, or its first finding's code."""
    discovery = discovery or discover(environ)
    checks = [_triplet(t) for t in discovery.triplets]
    checks.extend(
        problem("triplets", Status.WARN, finding.code, finding.message)
        for finding in discovery.stray
    )
    if not checks:
        checks.append(
            skip(
                "triplets",
                "no registry secrets (<ID>_CONTAINER_REGISTRY_SERVER/_USER/_PASSWORD) "
                "in the environment",
            )
        )
    return checks


def _triplet(triplet: Triplet) -> Check:
    check_id = f"triplet:{triplet.id}"
    target = triplet.server.key if triplet.server else "?"
    if triplet.findings:
        worst = triplet.errors or triplet.warnings
        status = worst[0].severity.status
        return problem(check_id, status, worst[0].code, "; ".join(f.message for f in worst))
    if triplet.duplicate_of:
        return ok(check_id, f"complete → {target} (same as {triplet.duplicate_of})")
    return ok(check_id, f"complete → {target}")
