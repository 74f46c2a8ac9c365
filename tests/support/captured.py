"""A :class:`Context` over in-memory streams, typed so tests read what a command wrote."""

from __future__ import annotations

import io
from typing import Protocol

from cs_registry.context import Context


class CapturedContext(Context):
    """A Context whose streams are ``io.StringIO``: ``ctx.stdout.getvalue()`` type-checks.

    No ``__slots__`` of its own on purpose: Record compares and prints by
    ``self.__slots__``, which must stay Context's five fields.
    """

    stdin: io.StringIO
    stdout: io.StringIO
    stderr: io.StringIO


class MakeCtx(Protocol):
    """The ``make_ctx`` fixture: a CapturedContext over an environment and a stdin text."""

    def __call__(
        self, environ: dict[str, str] | None = None, stdin: str = ""
    ) -> CapturedContext: ...
