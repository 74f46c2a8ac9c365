"""Small JSON files next to the token cache (0600, atomic, locked).

- ``ecr/static.json``: non-secret metadata about static ECR entries that
  ``cs-registry login`` wrote into ``auths`` (host, triplet ID, expiry), so
  ``cs-registry doctor`` can warn before such a token dies: :func:`static_expiries`.
- ``ecr/helper-keys.json``: the AWS keys ``login --ecr-helper`` saw, for when
  Docker runs ``docker-credential-cs-registry`` without the registry secrets in
  its environment (the environment is always asked first). Secret: 0600 in a
  0700 directory, and removed again by ``docker-credential-cs-registry erase``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cs_registry import files, jsontext, log
from cs_registry.ecr.keys import SwapTarget

STATIC_NAME = "static.json"
HELPER_KEYS_NAME = "helper-keys.json"


@dataclass(frozen=True)
class StaticEntry:
    """A static ECR entry in Docker's config: when it was issued and when it dies."""

    key: str
    triplet_id: str
    expires_at: float
    issued_at: float
    config_path: str


@dataclass(frozen=True)
class HelperKeys:
    """What the helper needs to swap for one host when its environment lacks the triplet."""

    triplet_id: str
    user: str
    password: str
    session_token: str | None = None


def _path(cache_dir: Path, name: str) -> Path:
    return cache_dir / "ecr" / name


def _locked(path: Path) -> files.Lock:
    files.ensure_dir(path.parent, what="ECR record directory")
    return files.Lock(f"{path}.lock")


def _cache_problem(path: Path, *, create: bool) -> str | None:
    """Why the cache holding ``path`` may not hold records (it must be ours alone, as for
    tokens: cs_registry.ecr.cache): keys planted in a shared cache would be used, and a
    planted file rewritten by root would hand root's keys to its owner."""
    from cs_registry.ecr.cache import TokenCache

    problem = TokenCache(path.parent.parent).problem(create=create, tokens=False)
    if problem is not None and create:
        log.get_logger("cs_registry.ecr").warning("ecr_cache_not_used", reason=problem)
    return problem


def _read(path: Path) -> dict[str, Any]:
    """The record's JSON object; ``{}`` when it is missing, unusable or not ours (a
    planted symlink, FIFO or another user's file is never read)."""
    if _cache_problem(path, create=False) is not None:
        return {}
    try:
        raw = files.read_file(path, limit=files.SMALL_LIMIT, what="ECR record", own=True)
        data = jsontext.loads(raw) if raw is not None else None
    except (files.FileError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _update(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    if _cache_problem(path, create=True) is not None:
        return  # nothing is recorded; the helper then needs the triplet in its environment
    with _locked(path):
        data = _read(path)
        change(data)
        content = json.dumps(data, indent=2, sort_keys=True).encode()
        files.write_atomic(path, content, what="ECR record", private=True, own=True)


def record_static(cache_dir: Path, entries: list[StaticEntry], dropped: list[str]) -> None:
    """Remember ``entries`` (by key) and forget ``dropped`` keys (now served by the helper)."""
    if not entries and not dropped:
        return

    def change(data: dict[str, Any]) -> None:
        for key in dropped:
            data.pop(key, None)
        for entry in entries:
            data[entry.key] = asdict(entry)

    _update(_path(cache_dir, STATIC_NAME), change)


def static_expiries(cache_dir: Path) -> dict[str, StaticEntry]:
    """Static ECR entries ``login`` wrote, by config key, with their expiry (epoch seconds).

    For ``doctor``: warn when ``expires_at`` is near, fail when it has passed.
    Pass :attr:`cs_registry.context.Context.cache_dir`.
    """
    found: dict[str, StaticEntry] = {}
    for key, value in _read(_path(cache_dir, STATIC_NAME)).items():
        with contextlib.suppress(TypeError, ValueError):
            found[key] = StaticEntry(
                key=str(value["key"]),
                triplet_id=str(value["triplet_id"]),
                expires_at=float(value["expires_at"]),
                issued_at=float(value["issued_at"]),
                config_path=str(value["config_path"]),
            )
    return found


def save_helper_keys(cache_dir: Path, keys: dict[str, HelperKeys]) -> None:
    """Persist the AWS keys of hosts handed to the helper (0600)."""
    if keys:
        _update(
            _path(cache_dir, HELPER_KEYS_NAME),
            lambda data: data.update({host: asdict(k) for host, k in keys.items()}),
        )


def helper_keys(cache_dir: Path, host: str) -> HelperKeys | None:
    """The persisted keys for ``host``, if ``login --ecr-helper`` saved any."""
    value = _read(_path(cache_dir, HELPER_KEYS_NAME)).get(host)
    if not isinstance(value, dict):
        return None
    try:
        return HelperKeys(**value)
    except TypeError:
        return None


def forget_helper_keys(cache_dir: Path, host: str) -> bool:
    """Remove the persisted keys of ``host``; returns whether there were any."""
    path = _path(cache_dir, HELPER_KEYS_NAME)
    if host not in _read(path):
        return False
    _update(path, lambda data: data.pop(host, None))
    return True


def helper_hosts(cache_dir: Path) -> dict[str, str]:
    """Host → triplet ID of every persisted helper key (for ``list``)."""
    return {
        host: str(value.get("triplet_id", ""))
        for host, value in _read(_path(cache_dir, HELPER_KEYS_NAME)).items()
        if isinstance(value, dict)
    }


def ready_token_expiry(password: str) -> float | None:
    """The expiry inside an ECR registry token, if it is one.

    ECR's password is base64 of a JSON document whose ``expiration`` is epoch
    seconds; a ready token (triplet USER ``AWS``) carries it, so ``doctor`` can
    warn before that token dies too. ``None`` for anything else.
    """
    import base64
    import binascii

    try:
        data = jsontext.loads(base64.b64decode(password + "=" * (-len(password) % 4)))
        expiration = float(data["expiration"])
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError):
        return None
    return expiration if expiration > 0 else None


def remember_login(
    cache_dir: Path,
    config_path: Path,
    static: list[tuple[SwapTarget, float, float]],
    helped: list[SwapTarget],
    ready: list[StaticEntry] | None = None,
) -> None:
    """After ``login`` wrote its entries: record static expiries, save the helper's keys.

    ``static`` holds (target, issued_at, expires_at) of tokens written into ``auths``;
    ``helped`` the targets now answered by ``docker-credential-cs-registry``;
    ``ready`` the entries of ready tokens (USER ``AWS``) with their expiry.
    """
    record_static(
        cache_dir,
        [
            StaticEntry(t.host, t.triplet_id, expires_at, issued_at, str(config_path))
            for t, issued_at, expires_at in static
        ]
        + list(ready or ()),
        [t.host for t in helped],
    )
    for target, _issued, _expires in static:
        forget_helper_keys(cache_dir, target.host)  # a static entry needs no saved keys
    save_helper_keys(
        cache_dir,
        {
            t.host: HelperKeys(
                t.triplet_id,
                t.keys.access_key_id,
                t.keys.secret.reveal(),
                t.keys.session_token.reveal() if t.keys.session_token else None,
            )
            for t in helped
        },
    )
