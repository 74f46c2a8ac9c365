"""One doctor check's outcome: the record ``doctor --json`` prints for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cs_registry.diagnosis import Code, explain
from cs_registry.status import Status


@dataclass(frozen=True)
class Check:
    """``{"id", "status", "code", "message", "remedy", "where"}`` (design.md, doctor)."""

    id: str
    status: Status
    code: Code
    message: str
    remedy: str = ""
    where: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status.value,
            "code": self.code.value,
            "message": self.message,
            "remedy": self.remedy,
            "where": self.where,
        }


def ok(check_id: str, message: str, *, where: str | None = None) -> Check:
    """A passing check."""
    return Check(check_id, Status.OK, Code.OK, message, "", where)


def skip(check_id: str, message: str) -> Check:
    """A check that did not apply."""
    return Check(check_id, Status.SKIP, Code.OK, message)


def problem(
    check_id: str,
    status: Status,
    code: Code,
    message: str,
    *,
    remedy: str | None = None,
    where: str | None = None,
) -> Check:
    """A warning or failure; the remedy defaults to the code's documented one."""
    return Check(check_id, status, code, message, remedy or explain(code).remedy, where)
