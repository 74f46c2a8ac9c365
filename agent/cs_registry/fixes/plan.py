"""Each fix derived from the check doctor reported, never from a second copy of its rules.

A planner gets the parsed config.json (a plain dict it may change) and the failing
or warning check; it changes only what that check names and returns a :class:`Fix`
saying before → after, or why it was left alone (``fix_blocked``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cs_registry.auths import alias_index
from cs_registry.checks.check import Check
from cs_registry.diagnosis import Code
from cs_registry.logins import record as login_record
from cs_registry.servers import DOCKER_HUB_KEY
from cs_registry.status import Status

APPLIED, WOULD_APPLY, SKIPPED = "applied", "would apply", "skipped"


@dataclass
class Fix:
    """One repair: the doctor check it answers, its code, before → after, its outcome."""

    id: str
    code: Code
    before: str
    after: str
    status: str = APPLIED
    message: str = ""
    #: record keys this fix removed (login's record forgets them)
    dropped: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "code": self.code.value,
            "status": self.status,
            "before": self.before,
            "after": self.after,
            "message": self.message,
        }


def needs_fix(check: Check) -> bool:
    """A check ``--fix`` has a remedy for (the ones it does not know are left to the user)."""
    if check.status not in (Status.FAIL, Status.WARN):
        return False
    return check.code in (
        Code.CONFIG_TOO_OPEN,
        Code.CREDS_STORE_UNAVAILABLE,
        Code.DOCKERHUB_ALIAS_KEY,
    ) or check.id.startswith("ecr-token:")


def fix_helper(data: dict[str, Any], check: Check) -> Fix:
    """``helper:NAME`` failed (``creds_store_unavailable``): drop each reference to NAME,
    so Docker reads ``auths``; our triplets' entries are written again by ``login``."""
    name = check.id.partition(":")[2]
    before: list[str] = []
    if data.get("credsStore") == name:
        del data["credsStore"]
        before.append(f'"credsStore": "{name}"')
    helpers = data.get("credHelpers")
    if isinstance(helpers, dict):
        for key in [k for k, v in helpers.items() if v == name]:
            del helpers[key]
            before.append(f'credHelpers["{key}"]: "{name}"')
        if not helpers:
            del data["credHelpers"]
    return Fix(
        check.id,
        check.code,
        ", ".join(before),
        "removed: Docker reads `auths` (run `cs-registry login` to write entries there)",
    )


def fix_hub_alias(data: dict[str, Any], check: Check) -> Fix:
    """``dockerhub-alias``: move the one alias entry to the key the docker CLI reads,
    when that key is free; otherwise leave both as they are and say why."""
    auths = data.get("auths")
    assert isinstance(auths, dict)  # the check found an alias in it
    aliases = [k for k in alias_index(auths).get(DOCKER_HUB_KEY, []) if k != DOCKER_HUB_KEY]
    listed = ", ".join(f'auths["{k}"]' for k in aliases)
    if DOCKER_HUB_KEY in auths:
        return Fix(
            check.id,
            Code.FIX_BLOCKED,
            listed,
            listed,
            SKIPPED,
            f'auths["{DOCKER_HUB_KEY}"] is taken; compare the entries and delete one by hand',
        )
    if len(aliases) != 1:
        return Fix(
            check.id,
            Code.FIX_BLOCKED,
            listed,
            listed,
            SKIPPED,
            "more than one alias: keep the right one under " + DOCKER_HUB_KEY + " by hand",
        )
    # the same entry (every field), under the key Docker reads, in the alias's place
    moved = {(DOCKER_HUB_KEY if k == aliases[0] else k): v for k, v in auths.items()}
    auths.clear()
    auths.update(moved)
    return Fix(check.id, check.code, listed, f'auths["{DOCKER_HUB_KEY}"]')


def fix_stale(
    data: dict[str, Any], record: login_record.LoginRecord, gone: list[login_record.Recorded]
) -> list[Fix]:
    """Entries login wrote whose secret is gone: removed while they hold what it wrote."""
    removed, changed = login_record.take_stale(record, data, gone)
    fixes = [
        Fix(
            f"entry:{e.key}",
            Code.SECRET_GONE,
            f'auths["{e.key}"] (written by login for {e.triplet_id})',
            "removed",
            dropped=[e.key],
        )
        for e in removed
    ]
    fixes += [
        Fix(
            f"entry:{e.key}",
            Code.ENTRY_CHANGED,
            f'auths["{e.key}"]',
            f'auths["{e.key}"]',
            SKIPPED,
            f"the {e.triplet_id} secret is gone but the entry changed since login wrote it",
            dropped=[e.key],
        )
        for e in changed
    ]
    return fixes


def plan(
    data: dict[str, Any],
    checks: list[Check],
    record: login_record.LoginRecord,
    gone: list[login_record.Recorded],
) -> list[Fix]:
    """Apply to ``data`` every config fix the checks call for; mode and ECR fixes are
    the caller's (they are not changes of the document)."""
    fixes: list[Fix] = []
    for check in checks:
        if not needs_fix(check):
            continue
        if check.code is Code.CREDS_STORE_UNAVAILABLE and check.id.startswith("helper:"):
            fixes.append(fix_helper(data, check))
        elif check.code is Code.DOCKERHUB_ALIAS_KEY:
            fixes.append(fix_hub_alias(data, check))
    fixes += fix_stale(data, record, gone)
    return fixes


def by_id(checks: list[Check]) -> Mapping[str, Check]:
    """The checks that ask for a fix, by id."""
    return {c.id: c for c in checks if needs_fix(c)}
