"""The ECR token cache: one 0600 file per (host, credentials), in a 0700 directory.

This module is on the credential helper's hot path (a cached ``get`` on every
pull), so it uses the standard library only and no ``dataclasses``/``pathlib``.

Layout under ``$XDG_CACHE_HOME/cs-registry/ecr/``:

- ``salt``: 32 random bytes, created once (0600). The credentials part of a
  cache key is ``HMAC-SHA256(salt, key ID, secret, session token)``: one-way,
  and without the salt not even a guessed key ID can be confirmed. (The upstream
  Go helper's key once decoded back to the access key ID.)
- ``tokens/<host>.<hash>.json``: the token, its expiry and issue time, one per
  line after a format marker (plain lines, not JSON: the hot path skips the json
  module and the ``re`` it pulls in).
  ``<hash>`` is SHA-256 of host and digest; the host part lets ``erase`` find a
  host's files. Writes are atomic (temp file, fsync, rename); refreshes serialise
  on an ``flock`` per file so concurrent helpers swap once, not once each.
"""

from __future__ import annotations

import fcntl
import os

TYPE_CHECKING = False  # `typing` costs more to import than this hot path may take
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Protocol

    class _Hash(Protocol):
        def update(self, data: bytes, /) -> None: ...

        def digest(self) -> bytes: ...

        def hexdigest(self) -> str: ...


try:  # CPython's built-in SHA-256: hashlib would load OpenSSL, a fifth of the hot path
    from _sha256 import sha256 as _sha256  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - other Pythons (3.12+: _sha2)
    try:
        from _sha2 import sha256 as _sha256  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        from hashlib import sha256 as _sha256

DIR_MODE = 0o700
FILE_MODE = 0o600
SALT_BYTES = 32
#: refresh when less than this share of a token's lifetime remains ...
REFRESH_FRACTION = 0.25
#: ... or less than this many seconds
REFRESH_FLOOR = 3600.0
_NAME_LEN = 40
#: first line of a token file
FORMAT = "cs-registry-ecr-token/1"


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

    def expired(self, now: float) -> bool:
        return now >= self.expires_at

    def needs_refresh(self, now: float) -> bool:
        """Less than a quarter of the lifetime, or under an hour, remains (or it is expired)."""
        remaining = self.expires_at - now
        return remaining < REFRESH_FLOOR or remaining < REFRESH_FRACTION * self.lifetime


_new_sha256: Callable[..., _Hash] = _sha256
_BLOCK = 64


def hmac_sha256(key: bytes, message: bytes) -> str:
    """HMAC-SHA256 (RFC 2104) as hex; equal to ``hmac.new(key, message, sha256).hexdigest()``."""
    if len(key) > _BLOCK:
        key = _new_sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    inner = _new_sha256(bytes(b ^ 0x36 for b in key))
    inner.update(message)
    outer = _new_sha256(bytes(b ^ 0x5C for b in key))
    outer.update(inner.digest())
    return outer.hexdigest()


def sha256_hex(data: bytes) -> str:
    return _new_sha256(data).hexdigest()


def trim(value: str) -> str:
    """Drop one trailing newline (then one CR), as ``docker login --password-stdin`` does.

    Mirrors :func:`cs_registry.secrets.shape` so the hot path and the full
    discovery compute the same cache key.
    """
    return value.removesuffix("\n").removesuffix("\r") if value.endswith("\n") else value


def default_dir(environ: Mapping[str, str]) -> str:
    """``$XDG_CACHE_HOME/cs-registry`` (``~/.cache/cs-registry``), as ``Context.cache_dir``."""
    base = environ.get("XDG_CACHE_HOME") or os.path.join(
        environ.get("HOME") or os.path.expanduser("~"), ".cache"
    )
    return os.path.join(base, "cs-registry")


def ensure_dir(path: str) -> None:
    os.makedirs(path, mode=DIR_MODE, exist_ok=True)
    if os.stat(path).st_mode & 0o777 != DIR_MODE:
        os.chmod(path, DIR_MODE)


def write_atomic(path: str, data: bytes) -> None:
    directory, name = os.path.split(path)
    temp = os.path.join(directory, f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        try:  # noqa: SIM105 - contextlib.suppress would cost the hot path an import
            os.unlink(temp)
        except OSError:
            pass
        raise


def _safe_host(host: str) -> str:
    return "".join(ch if ch.isalnum() or ch in ".-" else "_" for ch in host)


class FileLock:
    """An exclusive ``flock`` on ``path`` for the ``with`` block (a class, not a
    ``contextlib`` generator: contextlib would cost the hot path its import)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None

    def __enter__(self) -> FileLock:
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing releases the flock
            self._fd = None


class TokenCache:
    """Tokens under ``root/ecr`` (``root`` is the cs-registry cache directory)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = os.fspath(root)
        self.directory = os.path.join(self.root, "ecr")
        self.tokens = os.path.join(self.directory, "tokens")
        self.salt_path = os.path.join(self.directory, "salt")

    # -- keys -------------------------------------------------------------
    def _salt(self, *, create: bool) -> bytes | None:
        try:
            with open(self.salt_path, "rb") as handle:
                salt = handle.read()
            if len(salt) == SALT_BYTES:
                return salt
        except FileNotFoundError:
            pass
        if not create:
            return None
        ensure_dir(self.root)
        ensure_dir(self.directory)
        temp = f"{self.salt_path}.{os.getpid()}.{os.urandom(4).hex()}"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(os.urandom(SALT_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temp, self.salt_path)  # fails if another process won the race
        except FileExistsError:
            pass
        finally:
            os.unlink(temp)
        return self._salt(create=False)

    def digest(
        self, key_id: str, secret: str, session_token: str | None, *, create: bool = True
    ) -> str | None:
        """The one-way digest of a set of AWS credentials (``None``: no salt, nothing cached)."""
        salt = self._salt(create=create)
        if salt is None:
            return None
        message = "\0".join((key_id, secret, session_token or "")).encode("utf-8")
        return hmac_sha256(salt, message)

    def path(self, host: str, digest: str) -> str:
        name = sha256_hex(f"{host}\0{digest}".encode())[:_NAME_LEN]
        return os.path.join(self.tokens, f"{_safe_host(host)}.{name}.json")

    # -- tokens -----------------------------------------------------------
    def get(self, host: str, digest: str) -> CachedToken | None:
        """The stored token, fresh or not (callers decide); ``None`` if absent or unreadable."""
        try:
            with open(self.path(host, digest), encoding="utf-8") as handle:
                lines = handle.read().split("\n")
            if lines[0] != FORMAT or lines[3] != host or not lines[4]:
                return None
            return CachedToken(lines[4], float(lines[1]), float(lines[2]))
        except (OSError, ValueError, IndexError):
            return None

    def put(self, host: str, digest: str, token: CachedToken) -> None:
        """Store ``token`` atomically (0600)."""
        ensure_dir(self.root)
        ensure_dir(self.directory)
        ensure_dir(self.tokens)
        if "\n" in token.password or "\n" in host:
            raise ValueError("a token or host with a newline cannot be cached")
        lines = (FORMAT, repr(token.expires_at), repr(token.issued_at), host, token.password, "")
        write_atomic(self.path(host, digest), "\n".join(lines).encode("utf-8"))

    def locked(self, host: str, digest: str) -> FileLock:
        """The refresh lock of one cache entry (blocks while another process refreshes)."""
        ensure_dir(self.root)
        ensure_dir(self.directory)
        ensure_dir(self.tokens)
        return FileLock(self.path(host, digest) + ".lock")

    def erase(self, host: str) -> int:
        """Remove every cached token of ``host``; returns how many files went."""
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
