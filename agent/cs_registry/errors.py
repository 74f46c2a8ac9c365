"""The one exception base. Expected failures carry a message that names the fix."""

from __future__ import annotations

from cs_registry.status import ExitStatus

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~4 ms)
if TYPE_CHECKING:
    from cs_registry.diagnosis import Code


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
        code: Code | None = None,
        status: ExitStatus = ExitStatus.FAILED,
    ) -> None:
        # the code table (an enum) is imported when an error is raised, not by every import
        # of this module: the credential helper's cached get never raises one
        from cs_registry.diagnosis import Code

        super().__init__(message)
        self.message = message
        if code is None or code is Code.OK:
            code = Code.USAGE_ERROR if status is ExitStatus.USAGE else Code.INTERNAL_ERROR
        self.code: Code = code
        self.status = status

    def __str__(self) -> str:
        return self.message


class UsageError(CsRegistryError):
    """Bad flags, environment or input files: exit 2."""

    def __init__(self, message: str, *, code: Code | None = None) -> None:
        super().__init__(message, code=code, status=ExitStatus.USAGE)
