"""The one exception base. Expected failures carry a message that names the fix."""

from __future__ import annotations

from cs_registry.status import ExitStatus


class CsRegistryError(Exception):
    """An expected failure: printed as one line, never as a traceback.

    ``code`` is a diagnosis code (see :mod:`cs_registry.diagnosis`); ``status``
    the process exit status it maps to.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "ok",
        status: ExitStatus = ExitStatus.FAILED,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status

    def __str__(self) -> str:
        return self.message


class UsageError(CsRegistryError):
    """Bad flags, environment or input files: exit 2."""

    def __init__(self, message: str, *, code: str = "ok") -> None:
        super().__init__(message, code=code, status=ExitStatus.USAGE)
