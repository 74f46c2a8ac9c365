"""The record of what ``login`` wrote into Docker's config, and what it may remove.

``<cache>/login-record.json`` (0600 in the private cache directory, read and written
only through :mod:`cs_registry.files`): per config file, per key login wrote, where
the credential went (``auths``, or ``helper:NAME`` for one stored through
``docker-credential-NAME``, :mod:`cs_registry.logins.helper_record`) and a keyed hash
of the credential fields written there (HMAC under the ECR cache's salt,
:meth:`TokenCache.keyed_hash`), never the credential itself. A version that does not
know a destination treats its entries as changed: it never removes them. With it,
``login`` (and ``doctor --fix``) remove an entry whose triplet is gone, but only
while the entry still holds exactly what login wrote.

Nothing is removed on the word of a record that is missing, corrupt or not a
private file of ours (a symlink, FIFO, another user's file, a shared cache): such a
record has :attr:`LoginRecord.problem` set, and a hostile one is never rewritten.
"""

from __future__ import annotations

import json
import os

from cs_registry import files, jsontext
from cs_registry.auths import CREDENTIAL_FIELDS
from cs_registry.ecr.cache import TokenCache, default_dir
from cs_registry.filecheck import private_dir_problem
from cs_registry.record import Record

TYPE_CHECKING = False  # not typing's: importing typing adds 0.3x python's start-up (README)
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any

RECORD_NAME = "login-record.json"
FORMAT = 1
AUTHS = "auths"
#: ``to`` of a credential stored through a helper: ``helper:NAME``
HELPER_TO = "helper:"
_WHAT = "login record"


#: where a login's triplets came from when no ``--env-file`` was given
ENVIRONMENT = "environment"


def source_of(env_file: str | None) -> str:
    """The ``from`` of what a login records: its environment, or ``env-file:PATH``.

    A login removes only entries recorded from the same source: ``login --env-file A``
    never removes what a plain login wrote, nor the other way round (each sees only
    its own triplets, so the other's would look gone).
    """
    return ENVIRONMENT if not env_file else f"env-file:{os.path.abspath(env_file)}"


class Recorded(Record):
    """One entry login wrote: its key, where it went, the triplet ID, the keyed hash and
    the source of the triplets of the login that wrote it (``""``: the current run's)."""

    __slots__ = ("key", "mac", "source", "to", "triplet_id")

    def __init__(self, key: str, to: str, triplet_id: str, mac: str, source: str = "") -> None:
        self.key = key
        self.to = to
        self.triplet_id = triplet_id
        self.mac = mac
        self.source = source

    def as_json(self, source: str) -> dict[str, str]:
        return {
            "to": self.to,
            "id": self.triplet_id,
            "mac": self.mac,
            "from": self.source or source,
        }


class LoginRecord:
    """The record as read for one config file.

    ``problem``: why it may not be trusted (nothing is removed on its word);
    ``writable``: whether it may be replaced (false for a hostile path or cache).
    """

    __slots__ = ("cache", "config_path", "entries", "path", "problem", "source", "writable")

    def __init__(self, cache_root: str, config_path: str, source: str = ENVIRONMENT) -> None:
        self.cache = TokenCache(cache_root)
        self.path = os.path.join(cache_root, RECORD_NAME)
        self.config_path = os.path.abspath(config_path)
        #: where this run's triplets come from (:func:`source_of`): only entries recorded
        #: from the same source can be gone
        self.source = source
        self.entries: dict[str, Recorded] = {}
        self.problem: str | None = None
        self.writable = True

    def mac(self, key: str, entry: object) -> str | None:
        """The keyed hash of the credential fields of ``entry`` under ``key``."""
        if not isinstance(entry, dict):
            return None
        owned = {k: v for k, v in entry.items() if k in CREDENTIAL_FIELDS}
        message = json.dumps([key, owned], sort_keys=True, ensure_ascii=True)
        return self.cache.keyed_hash(message.encode("utf-8"))

    def gone(self, live_ids: Iterable[str], live_keys: Iterable[str | None]) -> list[Recorded]:
        """Recorded entries whose triplet is gone (no triplet of that ID, none for that key);
        none at all when the record may not be trusted."""
        if self.problem is not None:
            return []
        ids, keys = set(live_ids), set(live_keys)
        return [
            e
            for e in self.entries.values()
            if e.source == self.source and e.triplet_id not in ids and e.key not in keys
        ]


def _read_bytes(path: str) -> bytes | None:
    return files.read_file(path, limit=files.SMALL_LIMIT, what=_WHAT, own=True)


def _read(path: str) -> Any:
    raw = _read_bytes(path)
    return None if raw is None else jsontext.loads(raw)


def load(cache_root: str, config_path: str, source: str = ENVIRONMENT) -> LoginRecord:
    """The record of what login wrote into ``config_path`` (never raises); ``source`` is
    where this run's triplets come from (:func:`source_of`)."""
    record = LoginRecord(cache_root, config_path, source)
    if not os.path.lexists(cache_root):
        return record  # nothing recorded yet: nothing to remove
    problem = private_dir_problem(cache_root)
    if problem is not None:
        record.problem, record.writable = problem, False
        return record
    try:
        document = _read(record.path)
    except files.FileError as exc:  # a symlink, FIFO, another user's file: never rewritten
        record.problem, record.writable = exc.message, False
        return record
    except ValueError:
        record.problem = f"{record.path} is not valid JSON; it will be started again"
        return record
    if document is None:
        return record
    entries = _entries(document, record.config_path)
    if entries is None:
        record.problem = f"{record.path} is not a login record; it will be started again"
    else:
        record.entries = entries
    return record


def _entries(document: object, config_path: str) -> dict[str, Recorded] | None:
    """This config's entries, or ``None`` when the document is not a record we wrote."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return None
    configs = document.get("configs")
    if not isinstance(configs, dict):
        return None
    found: dict[str, Recorded] = {}
    for key, value in (configs.get(config_path) or {}).items():
        if not isinstance(value, dict):
            return None
        to, triplet_id, mac = value.get("to"), value.get("id"), value.get("mac")
        source = value.get("from", ENVIRONMENT)  # records from before "from" were plain logins
        if not (
            isinstance(to, str)
            and isinstance(triplet_id, str)
            and isinstance(mac, str)
            and isinstance(source, str)
        ):
            return None
        found[key] = Recorded(key, to, triplet_id, mac, source)
    return found


def take_stale(
    record: LoginRecord, data: dict[str, Any], gone: list[Recorded]
) -> tuple[list[Recorded], list[Recorded]]:
    """Remove from ``data`` each gone entry that still holds exactly what login wrote.

    Returns (removed, changed): ``changed`` entries were edited since (or vanished) and
    are left alone; both are then dropped from the record by :func:`save`. Entries
    stored through a helper are not in ``data``: ``helper_record.erase_stale`` takes them.
    """
    auths = data.get("auths")
    removed: list[Recorded] = []
    changed: list[Recorded] = []
    for entry in gone:
        if entry.to.startswith(HELPER_TO):
            continue
        current = auths.get(entry.key) if isinstance(auths, dict) else None
        if (
            entry.to == AUTHS
            and current is not None
            and record.mac(entry.key, current) == entry.mac
        ):
            assert isinstance(auths, dict)
            del auths[entry.key]
            removed.append(entry)
        else:
            changed.append(entry)
    return removed, changed


def save(
    record: LoginRecord,
    data: Mapping[str, Any],
    written: Mapping[str, str],
    dropped: Iterable[str],
    stored: Iterable[Recorded] = (),
) -> str | None:
    """Record ``written`` (key → triplet ID, now in ``data["auths"]``) and ``stored``
    (entries stored through a helper), and forget ``dropped`` keys; returns why the
    record could not be written, or ``None``."""
    dropped, stored = list(dropped), list(stored)
    if not written and not dropped and not stored:
        return None  # nothing new: no lock, no fsync (post-start runs this on every start)
    if not record.writable:
        return record.problem
    cache_root = os.path.dirname(record.path)
    problem = files.ensure_private_dir(cache_root, what="cache directory")
    if problem is not None:
        return problem
    try:
        with files.lock_beside(record.path):
            raw = _read_bytes(record.path)
            try:
                document = None if raw is None else jsontext.loads(raw)
            except ValueError:
                document = None  # corrupt: started again
            if not isinstance(document, dict) or document.get("format") != FORMAT:
                document = {"format": FORMAT, "configs": {}}
            configs = document.setdefault("configs", {})
            if not isinstance(configs, dict):
                configs = document["configs"] = {}
            mine = configs.get(record.config_path)
            if not isinstance(mine, dict):
                mine = configs[record.config_path] = {}
            for key in dropped:
                mine.pop(key, None)
            for recorded in (*_in_auths(record, data, written), *stored):
                mine[recorded.key] = recorded.as_json(record.source)
            if not mine:
                del configs[record.config_path]
            content = json.dumps(document, indent=2, sort_keys=True).encode()
            # not durable: a record that loses its last write removes less, never more
            # (removal needs each entry's MAC to still match); not rewritten when it
            # already says this (a config emptied and logged in again)
            files.write_atomic(
                record.path,
                content,
                what=_WHAT,
                private=True,
                own=True,
                durable=False,
                unless_same=raw,
            )
    except files.FileError as exc:
        return exc.message
    return None


def _in_auths(
    record: LoginRecord, data: Mapping[str, Any], written: Mapping[str, str]
) -> list[Recorded]:
    """What to record for each entry login wrote into ``data["auths"]``."""
    auths = data.get("auths")
    found = []
    for key, triplet_id in written.items():
        mac = record.mac(key, auths.get(key) if isinstance(auths, dict) else None)
        if mac is not None:
            found.append(Recorded(key, AUTHS, triplet_id, mac))
    return found


def default_root(environ: Mapping[str, str]) -> str:
    """The cache directory the record lives in (``Context.cache_dir``, without pathlib)."""
    return default_dir(environ)
