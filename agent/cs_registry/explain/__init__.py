"""``cs-registry explain``: find the failures in a creation log, prebuild log or tool output.

The pieces, one job each: :mod:`.reader` streams a log's lines (bounded memory, linear
time, any bytes), :mod:`.formats` detects the format and strips its prefixes,
:mod:`.rules` maps known lines to a diagnosis code and a phase, :mod:`.fold` groups a
root cause with its consequences, :mod:`.render` prints text or JSON.
"""

from __future__ import annotations

from cs_registry.explain.fold import Analysis, Failure, analyse

__all__ = ["Analysis", "Failure", "analyse"]
