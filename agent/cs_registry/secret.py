"""A value that must never be shown: redacted in ``repr``, ``str`` and f-strings."""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: importing typing adds 0.3x python's start-up (README)
if TYPE_CHECKING:
    from typing import Final


_SHOWN_PREFIX: Final = 2
_MIN_LEN_FOR_PREFIX: Final = 16


def redact(value: str) -> str:
    """The most of ``value`` we ever show: ``ab…(40 chars)``.

    Short values show no character at all, so a 6-character password is not
    one third revealed.
    """
    if len(value) >= _MIN_LEN_FOR_PREFIX:
        return f"{value[:_SHOWN_PREFIX]}…({len(value)} chars)"
    return f"…({len(value)} chars)"


class Secret:
    """Holds a secret string; only :meth:`reveal` gives it back."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The plain value, for the one place that needs it (a config entry, a request)."""
        return self._value

    @property
    def redacted(self) -> str:
        return redact(self._value)

    def __len__(self) -> int:
        return len(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return self._value == other._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return f"Secret({self.redacted!r})"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("a Secret is not picklable")
