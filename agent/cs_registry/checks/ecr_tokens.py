"""Static ECR tokens ``login`` wrote into Docker's config die after 12 hours: say when.

The expiries come from the ECR module's records (``cs_registry.ecr.records``).
"""

from __future__ import annotations

import datetime
from pathlib import Path

from cs_registry.checks.check import Check, ok, problem
from cs_registry.diagnosis import Code
from cs_registry.status import Status

#: warn this long before a token expires
EXPIRY_MARGIN = 3600.0


def check_ecr_tokens(cache_dir: Path, config_path: Path, now: float) -> list[Check]:
    """One line per static ECR entry recorded for ``config_path``."""
    from cs_registry.ecr.records import static_expiries

    checks = []
    for key, entry in sorted(static_expiries(cache_dir).items()):
        if entry.config_path != str(config_path):
            continue
        check_id = f"ecr-token:{key}"
        when = datetime.datetime.fromtimestamp(entry.expires_at, datetime.timezone.utc)
        stamp = when.strftime("%Y-%m-%d %H:%M UTC")
        left = entry.expires_at - now
        if left <= 0:
            checks.append(
                problem(
                    check_id,
                    Status.FAIL,
                    Code.TOKEN_EXPIRED,
                    f"the ECR token for {key} ({entry.triplet_id}) expired at {stamp}",
                    remedy="Run `cs-registry login` again, or let Docker use "
                    "docker-credential-cs-registry so tokens are refreshed on every pull.",
                )
            )
        elif left < EXPIRY_MARGIN:
            checks.append(
                problem(
                    check_id,
                    Status.WARN,
                    Code.TOKEN_EXPIRED,
                    f"the ECR token for {key} ({entry.triplet_id}) expires in "
                    f"{int(left // 60)} min ({stamp})",
                    remedy="Run `cs-registry login` again before then.",
                )
            )
        else:
            checks.append(ok(check_id, f"ECR token for {key} valid until {stamp}"))
    return checks
