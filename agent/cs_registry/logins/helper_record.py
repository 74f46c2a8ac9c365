"""Login's record for credentials it stored through a credential helper.

An entry stored through ``docker-credential-NAME`` is recorded as ``to: "helper:NAME"``
with the keyed hash of the username and secret stored (:func:`helper_mac`, the same
HMAC as for ``auths`` entries, never the credential). When its triplet is gone,
:func:`erase_stale` asks the helper (bounded, :mod:`cs_registry.helper_client`) and
erases the credential only while the helper still holds exactly what login stored.
A helper that fails or stalls erases nothing, and the entry stays recorded so the
next ``login`` tries again.
"""

from __future__ import annotations

import json

from cs_registry.logins.record import AUTHS, HELPER_TO, Recorded

TYPE_CHECKING = False  # not typing's: importing typing adds 0.3x python's start-up (README)
if TYPE_CHECKING:
    from collections.abc import Mapping

    from cs_registry.helper_client import HelperError
    from cs_registry.logins.record import LoginRecord
    from cs_registry.logins.rows import Row
    from cs_registry.secret import Secret


def helper_name(entry: Recorded) -> str | None:
    """The helper an entry was stored through; ``None`` for ``auths`` (or unknown) ones."""
    return entry.to[len(HELPER_TO) :] if entry.to.startswith(HELPER_TO) else None


def helper_mac(
    record: LoginRecord, key: str, helper: str, username: str, secret: str
) -> str | None:
    """The keyed hash of what login stored for ``key`` through ``helper`` (``None`` when
    the cache may not be used)."""
    stored = {"helper": helper, "Username": username, "Secret": secret}
    message = json.dumps([key, stored], sort_keys=True, ensure_ascii=True)
    return record.cache.keyed_hash(message.encode("utf-8"))


def stored_via_helpers(record: LoginRecord, rows: list[Row]) -> list[Recorded]:
    """What to record for each credential this login stored through a helper (an
    unchanged one keeps the record it has, as for ``auths``)."""
    from cs_registry.logins.rows import WRITTEN

    found = []
    for row in rows:
        name, credential = row.stored_in, row.credential
        if row.status != WRITTEN or name is None or credential is None or row.key is None:
            continue
        secret = credential.secret.reveal()
        mac = helper_mac(record, row.key, name, credential.username, secret)
        if mac is not None:
            found.append(Recorded(row.key, HELPER_TO + name, row.id, mac))
    return found


class Erased:
    """What :func:`erase_stale` did: removed, changed since (both leave the record),
    and failed (helper errors; these stay recorded)."""

    __slots__ = ("changed", "failed", "removed")

    def __init__(self) -> None:
        self.removed: list[Recorded] = []
        self.changed: list[Recorded] = []
        self.failed: list[tuple[Recorded, HelperError]] = []


def erase_stale(
    record: LoginRecord, gone: list[Recorded], environ: Mapping[str, str], *, dry_run: bool
) -> Erased:
    """Erase from their helpers the gone entries login stored there, each only while the
    helper holds exactly what was stored; in a dry run only ask (``get``)."""
    done = Erased()
    todo = [(entry, helper_name(entry)) for entry in gone if entry.to != AUTHS]
    if not todo or record.problem is not None:
        return done
    # the helper client, imported only when a helper entry is to be removed
    from cs_registry.helper_client import Helper, HelperError

    helpers: dict[str, Helper] = {}
    for entry, name in todo:
        if name is None:  # a destination this version does not know: not ours to touch
            done.changed.append(entry)
            continue
        helper = helpers.setdefault(name, Helper(name, environ))
        try:
            held = helper.get(entry.key)
            mac = None if held is None else helper_mac(record, entry.key, name, *_plain(held))
            same = mac is not None and mac == entry.mac
            if same and not dry_run:
                helper.erase(entry.key)
        except HelperError as exc:
            done.failed.append((entry, exc))
            continue
        (done.removed if same else done.changed).append(entry)
    return done


def _plain(held: tuple[str, Secret]) -> tuple[str, str]:
    return held[0], held[1].reveal()
