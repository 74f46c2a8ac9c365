"""The ECR token cache: one 0600 file per (host, credentials), in 0700 directories.

This module is on the credential helper's hot path (a cached ``get`` on every
pull), so it uses the standard library only and no ``dataclasses``/``pathlib``;
it reads through :mod:`cs_registry.filecheck` and imports :mod:`cs_registry.files`
(writes, locks) only when it writes.

Layout under ``$XDG_CACHE_HOME/cs-registry/ecr/``:

- ``salt``: 32 random bytes, created once (0600). The credentials part of a
  cache key is ``HMAC-SHA256(salt, key ID, secret, session token)``: one-way,
  and without the salt not even a guessed key ID can be confirmed. (The upstream
  Go helper's key once decoded back to the access key ID.)
- ``tokens/<host>.<hash>.json``: the token, its expiry and issue time, one per
  line after a format marker (plain lines, not JSON: the hot path skips the json
  module and the ``re`` it pulls in).
  ``<hash>`` is SHA-256 of host and digest; the host part lets ``erase`` find a
  host's files. Writes are atomic (temp file, rename; no fsync: a token lost to a
  power cut is swapped again); refreshes serialise on a bounded ``flock`` per file so
  concurrent helpers swap once, not once each.

Trust (README, "Trust model"): the cache is used only when each of its directories
is ours and closed to group and others (:func:`cs_registry.filecheck.private_dir_problem`);
its files are opened with ``O_NOFOLLOW`` and must be single-link regular files of
ours, so a planted symlink, FIFO or hard link is never followed, read or written
through. A token is served only while its times make sense (:meth:`CachedToken.remaining`).
A salt that is a regular file but unusable (wrong length, unreadable, a hard link)
is replaced atomically; anything else there makes the cache unusable, and the
helper swaps without it.
"""

from __future__ import annotations

import os
import stat

from cs_registry.ecr.hashing import hmac_sha256, sha256_hex
from cs_registry.filecheck import KIB, Refused, private_dir_problem, read_regular

TYPE_CHECKING = False  # not typing's: importing typing adds 0.3x python's start-up (README)
if TYPE_CHECKING:
    from collections.abc import Mapping

    from cs_registry import files

SALT_BYTES = 32
#: the cap on reading a salt or a token file (``files.SMALL_LIMIT``; files.py is not
#: imported on the hot path)
READ_LIMIT = 64 * KIB
#: refresh when less than this share of a token's lifetime remains ...
REFRESH_FRACTION = 0.25
#: ... or less than this many seconds
REFRESH_FLOOR = 3600.0
#: ECR tokens live 12 hours: an entry claiming longer (or expiring further ahead than
#: this) is not one we stored, and is never served
MAX_LIFETIME = 24 * 3600.0
_NAME_LEN = 40
#: first line of a token file
FORMAT = "cs-registry-ecr-token/1"


def _finite(value: float) -> bool:
    """``math.isfinite`` without importing math (a shared library on most builds):
    ``nan - nan`` and ``inf - inf`` are ``nan``, which equals nothing."""
    return value - value == 0.0


class CachedToken:
    """An ECR password (user ``AWS``) with its lifetime, as epoch seconds."""

    __slots__ = ("expires_at", "issued_at", "password")

    def __init__(self, password: str, expires_at: float, issued_at: float) -> None:
        self.password = password
        self.expires_at = expires_at
        self.issued_at = issued_at

    def __repr__(self) -> str:
        return f"CachedToken(expires_at={self.expires_at!r}, issued_at={self.issued_at!r})"

    @property
    def lifetime(self) -> float:
        return max(self.expires_at - self.issued_at, 0.0)

    def remaining(self, now: float) -> float:
        """Seconds this token still works: 0 once expired, and 0 when its times make
        no sense (not finite, issued after it expires, a lifetime or a time left over
        :data:`MAX_LIFETIME`): such an entry was not written by us and is never served."""
        expires, issued = self.expires_at, self.issued_at
        if not (_finite(expires) and _finite(issued)) or issued > expires:
            return 0.0
        left = expires - now
        if expires - issued > MAX_LIFETIME or left > MAX_LIFETIME:
            return 0.0
        return max(left, 0.0)

    def expired(self, now: float) -> bool:
        return self.remaining(now) <= 0.0

    def needs_refresh(self, now: float) -> bool:
        """Less than a quarter of the lifetime, or under an hour, remains (or it is
        expired, or its times make no sense)."""
        remaining = self.remaining(now)
        return remaining < REFRESH_FLOOR or remaining < REFRESH_FRACTION * self.lifetime


def trim(value: str) -> str:
    """Drop one trailing newline (then one CR), as ``docker login --password-stdin`` does.

    Mirrors :func:`cs_registry.triplets.shape` so the hot path and the full
    discovery compute the same cache key.
    """
    return value.removesuffix("\n").removesuffix("\r") if value.endswith("\n") else value


def default_dir(environ: Mapping[str, str]) -> str:
    """``$XDG_CACHE_HOME/cs-registry`` (``~/.cache/cs-registry``), as ``Context.cache_dir``."""
    base = environ.get("XDG_CACHE_HOME") or os.path.join(
        environ.get("HOME") or os.path.expanduser("~"), ".cache"
    )
    return os.path.join(base, "cs-registry")


def _safe_host(host: str) -> str:
    return "".join(ch if ch.isalnum() or ch in ".-" else "_" for ch in host)


class EntryLock:
    """The refresh lock of one cache entry, waited for at most ``files.LOCK_TIMEOUT``.

    If it cannot be taken (a planted FIFO or symlink, another run stuck past the
    bound) the refresh goes ahead without it and :attr:`problem` says why: a lock
    exists to save swaps, never to stop a pull.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.problem: str | None = None
        self._lock: files.Lock | None = None

    def __enter__(self) -> EntryLock:
        from cs_registry import files

        lock = files.Lock(self.path, what="ECR cache lock")
        try:
            lock.__enter__()
        except files.FileError as exc:
            self.problem = exc.message
            return self
        self._lock = lock
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._lock is not None:
            self._lock.__exit__()
            self._lock = None


class TokenCache:
    """Tokens under ``root/ecr`` (``root`` is the cs-registry cache directory)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = os.fspath(root)
        self.directory = os.path.join(self.root, "ecr")
        self.tokens = os.path.join(self.directory, "tokens")
        self.salt_path = os.path.join(self.directory, "salt")
        self._salt: bytes | None = None

    # -- trust ------------------------------------------------------------
    def problem(self, *, create: bool = False, tokens: bool = True) -> str | None:
        """Why this cache may not be used, or ``None``: each of its directories must be
        ours and closed to group and others. ``create``: make missing ones (0700) first,
        never inside a directory that failed (:func:`cs_registry.files.ensure_private_dir`).
        ``tokens=False``: only ``root`` and ``root/ecr``, which hold the saved records."""
        for directory in (self.root, self.directory, self.tokens)[: 3 if tokens else 2]:
            if create:
                from cs_registry import files

                problem = files.ensure_private_dir(directory, what="cache directory")
            else:
                problem = private_dir_problem(directory)
            if problem is not None:
                return problem
        return None

    def ready(self) -> str | None:
        """Prepare the cache for reads and writes (directories, salt); ``None`` when it
        may be used, else why not (the caller swaps without it and says so)."""
        problem = self.problem(create=True)
        if problem is None and self._salt is None:
            problem = self._make_salt()
        return problem

    # -- keys -------------------------------------------------------------
    def _read_salt(self) -> bytes | None:
        """The salt when it is usable; ``None`` when missing, of the wrong length or a
        regular file we may not read (to be replaced); :class:`Refused` when it is not
        a regular file at all (a symlink, FIFO, device: left alone)."""
        try:
            salt = read_regular(self.salt_path, limit=READ_LIMIT, what="cache salt", own=True)
        except Refused:
            try:
                regular = stat.S_ISREG(os.lstat(self.salt_path).st_mode)
            except OSError:
                regular = False
            if not regular:
                raise
            return None
        return salt if salt is not None and len(salt) == SALT_BYTES else None

    def _make_salt(self) -> str | None:
        """Load the salt, creating or replacing it (atomically, once across racing
        helpers) when it is missing or unusable; returns why the cache may not be used."""
        from cs_registry import files

        try:
            salt = self._read_salt()
            if salt is None:
                with files.Lock(self.salt_path + ".lock", what="ECR cache lock"):
                    salt = self._read_salt()  # another helper may have just made it
                    if salt is None:
                        salt = os.urandom(SALT_BYTES)
                        files.write_atomic(
                            self.salt_path, salt, what="cache salt", private=True, own=True
                        )
        except Refused as refused:
            return refused.message
        except files.FileError as exc:
            return exc.message
        self._salt = salt
        return None

    def digest(
        self, key_id: str, secret: str, session_token: str | None, *, create: bool = True
    ) -> str | None:
        """The one-way digest of a set of AWS credentials; ``None`` when the cache may
        not be used (``create=False``, the hot path: also when it has no salt yet)."""
        if self._salt is None:
            if create:
                if self.ready() is not None:
                    return None
            elif self.problem() is not None:
                return None
            else:
                try:
                    self._salt = self._read_salt()
                except Refused:
                    return None
        if self._salt is None:
            return None
        message = "\0".join((key_id, secret, session_token or "")).encode("utf-8")
        return hmac_sha256(self._salt, message)

    def keyed_hash(self, message: bytes) -> str | None:
        """HMAC-SHA256 of ``message`` under this cache's salt (made when missing), the
        one keyed hash of secrets we keep on disk (login's record uses it too); ``None``
        when the cache may not be used."""
        if self._salt is None and self.ready() is not None:
            return None
        assert self._salt is not None
        return hmac_sha256(self._salt, message)

    def path(self, host: str, digest: str) -> str:
        name = sha256_hex(f"{host}\0{digest}".encode())[:_NAME_LEN]
        return os.path.join(self.tokens, f"{_safe_host(host)}.{name}.json")

    # -- tokens -----------------------------------------------------------
    def get(self, host: str, digest: str) -> CachedToken | None:
        """The stored token, fresh or not (callers decide); ``None`` if absent, unusable
        (not a single-link regular file of ours) or unreadable."""
        try:
            data = read_regular(
                self.path(host, digest), limit=READ_LIMIT, what="cached ECR token", own=True
            )
            if data is None:
                return None
            lines = data.decode("utf-8").split("\n")
            if lines[0] != FORMAT or lines[3] != host or not lines[4]:
                return None
            return CachedToken(lines[4], float(lines[1]), float(lines[2]))
        except (Refused, ValueError, IndexError):
            return None

    def put(self, host: str, digest: str, token: CachedToken) -> str | None:
        """Store ``token`` atomically (0600); returns why it could not be, or ``None``."""
        from cs_registry import files

        if "\n" in token.password or "\n" in host:  # the file is one value per line
            return "a token or host with a line break cannot be cached"
        problem = self.ready()
        if problem is not None:
            return problem
        lines = (FORMAT, repr(token.expires_at), repr(token.issued_at), host, token.password, "")
        try:
            files.write_atomic(
                self.path(host, digest),
                "\n".join(lines).encode("utf-8"),
                what="cached ECR token",
                private=True,
                own=True,
                durable=False,  # a lost token is swapped again
            )
        except files.FileError as exc:
            return exc.message
        return None

    def locked(self, host: str, digest: str) -> EntryLock:
        """The refresh lock of one cache entry (waits while another process refreshes)."""
        return EntryLock(self.path(host, digest) + ".lock")

    def erase(self, host: str) -> int:
        """Remove every cached token of ``host``; returns how many files went."""
        if self.problem() is not None:
            return 0
        prefix = _safe_host(host) + "."
        removed = 0
        try:
            names = os.listdir(self.tokens)
        except FileNotFoundError:
            return 0
        for name in names:
            rest = name[len(prefix) :] if name.startswith(prefix) else ""
            digest, _, suffix = rest.partition(".")
            # "a.b" must not take "a.b.c"'s files: the rest is exactly HASH.json[.lock]
            if len(digest) == _NAME_LEN and suffix in ("json", "json.lock"):
                try:
                    os.unlink(os.path.join(self.tokens, name))
                except FileNotFoundError:
                    continue
                removed += suffix == "json"
        return removed
