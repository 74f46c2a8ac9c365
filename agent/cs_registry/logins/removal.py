"""Login's side of its record: rows for removed or kept entries, and what to record."""

from __future__ import annotations

from cs_registry.diagnosis import Code
from cs_registry.logins.helper_record import helper_name
from cs_registry.logins.rows import REMOVED, SKIPPED, WRITTEN, Row, RowKind

TYPE_CHECKING = False  # not typing's: importing typing adds 0.3x python's start-up (README)
if TYPE_CHECKING:
    from cs_registry.logins.helper_record import Erased
    from cs_registry.logins.record import Recorded


def stale_rows(removed: list[Recorded], changed: list[Recorded], *, dry_run: bool) -> list[Row]:
    """One row per entry whose triplet is gone: ``removed``, or left alone as changed."""
    rows = []
    for entry in removed:
        row = Row(entry.triplet_id, entry.key, entry.key, RowKind.BASIC)
        row.status, row.code = REMOVED, Code.SECRET_GONE
        verb = "would remove" if dry_run else "removed"
        row.message = (
            f"the {entry.triplet_id} registry secret is gone; {verb} the entry login wrote"
        )
        rows.append(row)
    for entry in changed:
        row = Row(entry.triplet_id, entry.key, entry.key, RowKind.BASIC)
        row.status, row.code = SKIPPED, Code.ENTRY_CHANGED
        row.message = (
            f"the {entry.triplet_id} registry secret is gone, but the entry changed since "
            "login wrote it (or is gone): left alone"
        )
        rows.append(row)
    return rows


def helper_rows(erased: Erased, *, dry_run: bool) -> list[Row]:
    """One row per gone entry login stored through a helper: removed, changed (kept),
    or failed with the helper's own code (nothing removed; retried next time)."""
    rows = []
    for entry in erased.removed:
        row = Row(entry.triplet_id, entry.key, entry.key, RowKind.BASIC)
        row.status, row.code = REMOVED, Code.SECRET_GONE
        verb = "would remove" if dry_run else "removed"
        row.message = (
            f"the {entry.triplet_id} registry secret is gone; {verb} the credential login "
            f"stored through docker-credential-{helper_name(entry)}"
        )
        rows.append(row)
    for entry in erased.changed:
        row = Row(entry.triplet_id, entry.key, entry.key, RowKind.BASIC)
        row.status, row.code = SKIPPED, Code.ENTRY_CHANGED
        row.message = (
            f"the {entry.triplet_id} registry secret is gone, but {entry.to} no longer holds "
            "what login stored there (changed or gone): left alone"
        )
        rows.append(row)
    for entry, exc in erased.failed:
        row = Row(entry.triplet_id, entry.key, entry.key, RowKind.BASIC)
        row.fail(
            exc.diagnosis,
            f"the {entry.triplet_id} registry secret is gone, but the credential login stored "
            f"could not be checked or erased, so nothing was removed: {exc.message}",
        )
        rows.append(row)
    return rows


def written_in_auths(rows: list[Row]) -> dict[str, str]:
    """Key → triplet ID of each entry this login wrote into ``auths`` (an unchanged entry
    keeps the record it has: one written before the record is never adopted)."""
    return {
        row.key: row.id
        for row in rows
        if row.status == WRITTEN and row.in_auths and row.key is not None
    }


def dropped_keys(removed: list[Recorded], changed: list[Recorded]) -> list[str]:
    """Keys the record forgets: removed entries, and changed ones (no longer ours); a
    helper's failed ones are kept, to be tried again."""
    return [entry.key for entry in (*removed, *changed)]
