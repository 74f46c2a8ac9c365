"""``login``'s flags that take no value: one table for both readers of its command line.

``login --hook`` runs on every codespace creation and start, and argparse (its import,
its gettext lookups, its regular expressions) costs a login 0.3x of the bare
interpreter's start-up (README, "Benchmarks"). So a ``login`` command line made only
of these switches is read here, from this table; anything else (a flag with a value,
``--help``, an abbreviation, a typo) goes to argparse (:mod:`cs_registry.command_line`),
which builds login's switches from the same table.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: importing typing adds 0.3x python's start-up (README)
if TYPE_CHECKING:
    from collections.abc import Sequence


class Switch:
    """A flag without a value: given, it sets ``dest`` to True; absent, to ``default``."""

    __slots__ = ("default", "dest", "flags", "help")

    def __init__(
        self, flags: tuple[str, ...], dest: str, help: str, default: bool | None = False
    ) -> None:
        self.flags = flags
        self.dest = dest
        self.help = help
        self.default = default


#: every command's but debug-login's (whose -v says more)
JSON = Switch(("--json",), "json", "print one JSON document on stdout")
VERBOSE = Switch(("-v", "--verbose"), "verbose", "log debug events to stderr")

LOGIN = (
    JSON,
    VERBOSE,
    Switch(("--dry-run",), "dry_run", "show what would change"),
    Switch(("--hook",), "hook", "lifecycle mode: short summary, always exit 0"),
    Switch(
        ("--ecr-helper",),
        "ecr_helper",
        "serve ECR hosts through docker-credential-cs-registry (fresh token on every pull) "
        "instead of writing a 12-hour token",
        default=None,  # not given: CS_REGISTRY_ECR_HELPER or a settings file decides
    ),
    Switch(
        ("--verify",),
        "verify",
        "after writing, log in to each registry (in parallel) to check the credential",
        default=None,  # not given: CS_REGISTRY_VERIFY or a settings file decides
    ),
)


def login_values() -> dict[str, object]:
    """login's flags with a value as they are when not given (argparse's defaults too)."""
    return {"config": None, "env_file": None, "ignore": []}


def read_login(argv: Sequence[str]) -> dict[str, object] | None:
    """``login`` followed by switches only, read as argparse would; else ``None``."""
    if not argv or argv[0] != "login":
        return None
    by_flag = {flag: switch for switch in LOGIN for flag in switch.flags}
    read: dict[str, object] = {"command": "login", **login_values()}
    read.update((switch.dest, switch.default) for switch in LOGIN)
    for word in argv[1:]:
        switch = by_flag.get(word)
        if switch is None:
            return None
        read[switch.dest] = True
    return read


__all__ = ["JSON", "LOGIN", "VERBOSE", "Switch", "login_values", "read_login"]
