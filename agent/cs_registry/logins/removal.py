"""Login's side of its record: rows for removed or kept entries, and what to record."""

from __future__ import annotations

from cs_registry.diagnosis import Code
from cs_registry.logins.rows import REMOVED, SKIPPED, WRITTEN, Row, RowKind

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~4 ms)
if TYPE_CHECKING:
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


def written_in_auths(rows: list[Row]) -> dict[str, str]:
    """Key → triplet ID of each entry this login wrote into ``auths`` (an unchanged entry
    keeps the record it has: one written before the record is never adopted)."""
    return {
        row.key: row.id
        for row in rows
        if row.status == WRITTEN and row.in_auths and row.key is not None
    }


def dropped_keys(removed: list[Recorded], changed: list[Recorded]) -> list[str]:
    """Keys the record forgets: removed entries, and changed ones (no longer ours)."""
    return [entry.key for entry in (*removed, *changed)]
