"""The one escape for text that comes from outside (file names, keys and values quoted
from a devcontainer.json) before it reaches a terminal or a CI log.

A terminal acts on control sequences (ESC ``]0;`` sets its title, CR returns to the
line start), and GitHub's log viewer reads ``::`` commands only at a line start; each
control character is shown as ``\\xNN`` instead. The safe-output layer of the trust
issue can take this function's place.
"""

from __future__ import annotations

import re

# C0 controls (newline and tab included: a message is one line), DEL and the C1 range
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def escape(text: str) -> str:
    """``text`` with every control character written as ``\\xNN``."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
