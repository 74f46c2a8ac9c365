"""The one exception base. Expected failures carry a message that names the fix."""

from __future__ import annotations

from cs_registry.status import ExitStatus


class CsRegistryError(Exception):
    """An expected failure: printed as one line, never as a traceback.

    ``code`` is a diagnosis code (see :mod:`cs_registry.diagnosis`); ``status``
    the process exit status it maps to. A failure is never reported as ``ok``:
    without a code, a usage error says ``usage_error`` and any other failure
    ``internal_error`` (a raise site that forgot to name its cause).
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: ExitStatus = ExitStatus.FAILED,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is None or code == "ok":
            code = "usage_error" if status is ExitStatus.USAGE else "internal_error"
        self.code = code
        self.status = status

    def __str__(self) -> str:
        return self.message


class UsageError(CsRegistryError):
    """Bad flags, environment or input files: exit 2."""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message, code=code, status=ExitStatus.USAGE)
