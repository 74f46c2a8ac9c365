"""Console script ``docker-credential-cs-registry``: the cached ``get`` first, cheaply.

Imports only the standard library and :mod:`.fast` until the cache misses; the
full protocol (:mod:`.cli`) with its Context, triplet discovery and, for a swap,
botocore, is loaded after that. A cached ``get`` on every ``docker pull`` stays
close to the bare interpreter's start-up time.
"""

from __future__ import annotations

import os
import sys
import time

TYPE_CHECKING = False  # `typing` costs more to import than this whole hot path may take
if TYPE_CHECKING:
    from collections.abc import Sequence

    from cs_registry.context import Context


def main(argv: Sequence[str] | None = None, ctx: Context | None = None) -> int:
    """Run one helper action; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    stdin_text: str | None = None
    if ctx is None and args in (["get"], ["store"], ["erase"]):
        # bytes, decoded leniently: a UTF-8 locale's strict stdin raises on a stray byte
        stdin_text = sys.stdin.buffer.read().decode("utf-8", "replace")
    if args == ["get"]:
        from cs_registry.credhelper.fast import cached_get

        if stdin_text is None:
            stdin_text = (ctx.stdin if ctx is not None else sys.stdin).read()
        environ = ctx.environ if ctx is not None else os.environ
        now = ctx.clock() if ctx is not None else time.time()
        try:
            answer = cached_get(stdin_text, environ, now)
        except (OSError, ValueError):
            answer = None  # the full path reports the real problem
        if answer is not None:
            (ctx.stdout if ctx is not None else sys.stdout).write(answer)
            return 0
    from cs_registry.context import Context
    from cs_registry.credhelper.cli import run

    return run(args, ctx or Context(), stdin_text=stdin_text)


if __name__ == "__main__":
    raise SystemExit(main())
