"""Value objects for the hot path: equality, hashing and ``repr`` from ``__slots__``.

``login`` runs in every lifecycle hook and Docker runs the credential helper on
every pull, so the modules on those paths avoid :mod:`dataclasses`: importing it
pulls in :mod:`inspect` (``ast``, ``dis``, ``tokenize``…) and each decorated class
compiles generated code at import, together ~10 ms of a ~20 ms budget. A subclass
lists its fields in ``__slots__`` (in ``__init__``'s parameter order) and writes
``__init__`` by hand; everything else comes from here. Modules off the hot path
keep using dataclasses.
"""

from __future__ import annotations

from collections.abc import Mapping

TYPE_CHECKING = False  # not typing's: importing typing adds 0.3x python's start-up (README)
if TYPE_CHECKING:
    from typing import Any, ClassVar, TypeVar

    _R = TypeVar("_R", bound="Record")


def shown(value: object) -> str:
    """``repr(value)``, except for what may hold secrets: a mapping (an environment,
    Docker's config data, request headers) or raw bytes (a file's contents) is shown
    as ``<hidden>``, also inside lists and tuples. A :class:`~cs_registry.secret.Secret`
    shows its own redacted form."""
    if isinstance(value, (Mapping, bytes, bytearray, memoryview)):
        return "<hidden>"
    if isinstance(value, (list, tuple)):
        items = ", ".join(shown(item) for item in value)
        if isinstance(value, tuple):
            return f"({items},)" if len(value) == 1 else f"({items})"
        return f"[{items}]"
    return repr(value)


class Record:
    """Compares, hashes and prints by its ``__slots__``, like a frozen dataclass.

    Fields named in ``_uncompared`` are left out of equality and hashing (what
    ``field(compare=False)`` does). ``repr`` follows one rule (:func:`shown`): a
    field holding a mapping or bytes prints as ``<hidden>``, and fields named in
    ``_private`` always do, so no environment, secret or config data reaches a log
    line or a traceback through ``repr``. Instances are treated as immutable: derive
    a changed copy with :meth:`replace`.
    """

    __slots__: tuple[str, ...] = ()
    _uncompared: ClassVar[frozenset[str]] = frozenset()
    _private: ClassVar[frozenset[str]] = frozenset()

    def _key(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__ if name not in self._uncompared)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Record)
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{name}=<hidden>" if name in self._private else f"{name}={shown(getattr(self, name))}"
            for name in self.__slots__
        )
        return f"{self.__class__.__qualname__}({fields})"

    def replace(self: _R, **changes: Any) -> _R:
        """A copy with ``changes`` applied (``dataclasses.replace``)."""
        values = {name: getattr(self, name) for name in self.__slots__}
        values.update(changes)
        return self.__class__(**values)
