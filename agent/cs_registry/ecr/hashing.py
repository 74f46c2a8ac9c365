"""SHA-256 and HMAC-SHA256 for the token cache's names and keys, without OpenSSL.

Kept because ``hmac`` and ``hashlib`` load OpenSSL: +4.7 ms paired (0.33x the bare
interpreter, README "Benchmarks") on every cached ``get`` and ``login``,
whose budgets are 1.5x and 2.7x. CPython's built-in SHA-256 module does the same job;
tests/unit hold :func:`hmac_sha256` equal to ``hmac.new(key, message, sha256)``.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: importing typing adds 0.3x python's start-up (README)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Protocol

    class _Hash(Protocol):
        def update(self, data: bytes, /) -> None: ...

        def digest(self) -> bytes: ...

        def hexdigest(self) -> str: ...


try:  # CPython's built-in SHA-256
    from _sha256 import sha256 as _sha256  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - other Pythons (3.12+: _sha2)
    try:
        from _sha2 import sha256 as _sha256  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        from hashlib import sha256 as _sha256

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
    """SHA-256 of ``data`` as hex."""
    return _new_sha256(data).hexdigest()
