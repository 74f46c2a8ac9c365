"""The command line as argparse reads it: every command, its flags, usage and help.

Loaded for every command line except a ``login`` made only of switches, which
:mod:`cs_registry.switches` reads from the same table (argparse costs a login 0.3x of
the bare interpreter's start-up).
"""

from __future__ import annotations

import argparse
import os
import sys
from types import SimpleNamespace
from typing import TYPE_CHECKING

from cs_registry import __version__, switches
from cs_registry.context import Context
from cs_registry.errors import UsageError

if TYPE_CHECKING:
    from typing import Any, NoReturn


def _terminal_columns() -> int:
    """``shutil.get_terminal_size().columns``, computed the same way without ``shutil``."""
    try:
        columns = int(os.environ["COLUMNS"])  # what argparse reads, whatever the Context says
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        size = os.get_terminal_size(sys.__stdout__.fileno())  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80
    return size.columns or 80


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter, given the terminal width so that it does not import ``shutil``.

    argparse builds a formatter as soon as subcommands are added, and imports shutil
    (with bz2, lzma, fnmatch: ~2 ms of every run) only to ask for that width.
    """

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        if width is None:
            width = _terminal_columns() - 2  # as HelpFormatter does with shutil's answer
        super().__init__(prog, indent_increment, max_help_position, width)


class _Parser(argparse.ArgumentParser):
    """argparse writing to the invocation's streams (usage errors exit 2, as documented).

    Flags are never abbreviated (``--js`` is not ``--json``), as in the docker CLI: an
    abbreviation would read as ``--json`` without the promise of one JSON document
    that the run makes before parsing, and a new flag could change an old script.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)  # subcommand parsers too
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)
        self.ctx: Context | None = None

    def _print_message(self, message: str, file: Any = None) -> None:
        if message and self.ctx is not None:
            stream = self.ctx.stderr if file is sys.stderr or file is None else self.ctx.stdout
            stream.write(message)
        else:
            super()._print_message(message, file)

    def error(self, message: str) -> NoReturn:
        """Usage on stderr, then :class:`_UsageExit` (``main`` adds the ``--json`` document)."""
        stream = self.ctx.stderr if self.ctx is not None else sys.stderr
        if stream is not None:  # print_usage(None) would mean stdout, not a closed stderr
            stream.write(self.format_usage())
        command = self.prog.partition(" ")[2]  # the boundary's line starts "cs-registry: "
        raise _UsageExit(f"{command}: {message}" if command else message)


class _UsageExit(Exception):
    """argparse refused the command line; ``str()`` is the one-line reason."""


#: the bounds of every seconds flag: below 0.1 s nothing can answer, and a day is
#: far past any real wait (larger values overflow the clocks they are added to)
_MIN_SECONDS = 0.1
_MAX_SECONDS = 86400.0


def seconds(text: str) -> float:
    """argparse ``type`` for a duration: a finite number from 0.1 to 86400 seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    # NaN fails both comparisons, so it is refused here as well as inf and negatives
    if not _MIN_SECONDS <= value <= _MAX_SECONDS:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of seconds from {_MIN_SECONDS:g} to {_MAX_SECONDS:g}"
        )
    return value


def _add_switch(parser: argparse.ArgumentParser, switch: switches.Switch) -> None:
    """A flag without a value: True when given, else its default."""
    parser.add_argument(
        *switch.flags,
        dest=switch.dest,
        action="store_const",
        const=True,
        default=switch.default,
        help=switch.help,
    )


def _add_common(parser: argparse.ArgumentParser) -> None:
    _add_switch(parser, switches.JSON)
    _add_switch(parser, switches.VERBOSE)


def build_parser(ctx: Context | None = None, command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or with ``command`` (a known first word) only that command's
    subparser: building every subparser costs a plain ``login`` ~2 ms of its budget."""
    parser = _Parser(
        prog="cs-registry",
        description="Codespaces-style private registry logins for any dev container.",
    )
    parser.add_argument("--version", action="version", version=f"cs-registry {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, add in _COMMANDS.items():
        if command not in _COMMANDS or name == command:
            add(commands)
    for each in (parser, *commands.choices.values()):
        each.ctx = ctx  # usage errors and --help go to this invocation's streams
    return parser


def _add_login(commands: Any) -> None:
    login = commands.add_parser(
        "login",
        help="write registry secrets into Docker's config",
        description="Find <ID>_CONTAINER_REGISTRY_SERVER/_USER/_PASSWORD triplets and merge "
        "them into Docker's config.json.",
    )
    # its switches come from the table main also reads a switch-only login from
    for switch in switches.LOGIN:
        _add_switch(login, switch)
    values = switches.login_values()
    login.add_argument(
        "--config", metavar="DIR", default=values["config"], help="Docker config directory"
    )
    login.add_argument(
        "--env-file",
        metavar="PATH",
        default=values["env_file"],
        help="read triplets from a dotenv file too",
    )
    login.add_argument(
        "--ignore",
        metavar="ID",
        action="append",
        default=values["ignore"],
        help="skip this triplet ID",
    )


def _add_debug_login(commands: Any) -> None:
    debug = commands.add_parser(
        "debug-login",
        help="reproduce `docker login SERVER` (or `docker pull IMAGE`) step by step and name "
        "the cause",
        description="Walk docker login's path (input, dns, tcp, tls, ping, challenge, auth, "
        "scope, docker, config) and end with one diagnosis code and its remedy. Given an image "
        "reference, also what docker pull asks (manifest, platform, blob).",
    )
    _add_switch(debug, switches.JSON)
    debug.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="show each request and response (credentials and tokens redacted)",
    )
    debug.add_argument(
        "server",
        metavar="SERVER|IMAGE",
        help="registry host[:port], as for docker login, or an image reference as for docker pull",
    )
    debug.add_argument("-u", "--username", help="user to log in as (with --password-stdin)")
    debug.add_argument(
        "--password-stdin", action="store_true", help="read the password or token from stdin"
    )
    debug.add_argument("--from-env", metavar="ID", help="use the <ID>_CONTAINER_REGISTRY_* triplet")
    debug.add_argument("--repository", metavar="NAME", help="also check pull rights on NAME")
    debug.add_argument("--ca-file", metavar="PATH", help="trust this CA too (PEM)")
    debug.add_argument(
        "--allow-realm",
        metavar="HOST",
        action="append",
        default=[],
        help="allow sending credentials to this token server host (repeatable)",
    )
    debug.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=seconds,
        default=10.0,
        help="bound for the whole run (default 10)",
    )
    debug.add_argument("--config", metavar="DIR", help="Docker config directory")
    debug.add_argument(
        "--pull",
        action="store_true",
        help="with an IMAGE: let the daemon pull it and show its answer next to ours",
    )
    debug.add_argument(
        "--platform",
        metavar="OS/ARCH[/VARIANT]",
        help="with an IMAGE: the platform to ask for (default: the daemon's)",
    )


def _add_doctor(commands: Any) -> None:
    doctor = commands.add_parser(
        "doctor",
        help="check secrets, Docker, its config and devcontainer.json; one line per check",
        description="Check the environment and lifecycle phase, the registry secrets, the docker "
        "CLI and daemon, Docker's config.json and the devcontainer.json files. Exit 1 if a check "
        "fails (warnings do not).",
    )
    _add_common(doctor)
    doctor.add_argument(
        "--wait",
        metavar="SECONDS",
        type=seconds,
        default=1.0,
        help="wait this long for the Docker daemon to answer (default 1)",
    )
    doctor.add_argument(
        "--workspace", metavar="DIR", help="where to look for devcontainer.json (default: git top)"
    )
    doctor.add_argument(
        "--owner",
        metavar="OWNER",
        help="repository owner when neither GITHUB_REPOSITORY nor the git remote tells it",
    )
    doctor.add_argument(
        "--prebuild",
        action="store_true",
        help="judge devcontainer.json as used for prebuilds (implies --images, with only "
        "the Codespaces secrets a prebuild gets)",
    )
    doctor.add_argument(
        "--images",
        action="store_true",
        help="check that the images devcontainer.json needs (image, Dockerfile FROM, compose, "
        "Features) can be pulled, and with which secret",
    )
    doctor.add_argument("--config", metavar="DIR", help="Docker config directory")
    doctor.add_argument(
        "--hook",
        action="store_true",
        help="on-create mode: only the prebuild-safe checks (lifecycle phase, devcontainer.json "
        "lint), only problems printed, always exit 0",
    )
    doctor.add_argument(
        "--fix",
        action="store_true",
        help="repair what is safe to repair in Docker's config (backup first), then check again",
    )
    doctor.add_argument(
        "--dry-run",
        action="store_true",
        help="with --fix: show every change, make none",
    )


def _add_explain(commands: Any) -> None:
    explain = commands.add_parser(
        "explain",
        help="say what broke in a creation log, prebuild log or a command's output",
        description="Read a Codespaces creation log, a devcontainers CLI or Actions (prebuild) "
        "log, or the output of docker, podman, buildah, skopeo, a credential helper or git, and "
        "print each failure: phase, quoted lines, diagnosis code, cause, remedy and the next "
        "command. Exit 1 when failures were found.",
    )
    _add_common(explain)
    explain.add_argument(
        "path",
        metavar="FILE",
        nargs="?",
        help="the log; `-` for standard input (default: the Codespaces creation log)",
    )


def _add_lint(commands: Any) -> None:
    lint = commands.add_parser(
        "lint",
        help="lint devcontainer.json files only (no Docker, secrets or network)",
        description="Lint devcontainer.json files: the PATHs given (a directory is searched as "
        "doctor searches a workspace), else this repository's. Exit 0 when clean or only "
        "warnings, 1 when an error-level finding exists, 2 for usage errors.",
    )
    _add_common(lint)
    lint.add_argument("paths", metavar="PATH", nargs="*", help="a devcontainer.json or a directory")
    lint.add_argument(
        "--owner",
        metavar="OWNER",
        help="the files' repository owner (default: GITHUB_REPOSITORY, else the git remote)",
    )
    lint.add_argument(
        "--repository",
        metavar="OWNER/NAME",
        help="the files' own repository (default: GITHUB_REPOSITORY, else the git remote)",
    )
    lint.add_argument("--prebuild", action="store_true", help="judge them as used for prebuilds")
    lint.add_argument(
        "--format",
        choices=("text", "json", "sarif", "github"),
        default=None,
        help="text (default), json (same as --json), sarif (SARIF 2.1.0) or github "
        "(workflow commands that become annotations)",
    )


#: each command's subparser, in the order ``--help`` lists them
_COMMANDS = {
    "login": _add_login,
    "debug-login": _add_debug_login,
    "doctor": _add_doctor,
    "explain": _add_explain,
    "lint": _add_lint,
}


def parse(ctx: Context, argv: list[str]) -> SimpleNamespace | int:
    """``argv`` as argparse reads it, or the exit status of ``--help`` or ``--version``
    (already printed); a command line it refuses raises :class:`UsageError`."""
    parser = build_parser(ctx, argv[0] if argv else None)
    try:
        return SimpleNamespace(**vars(parser.parse_args(argv)))
    except SystemExit as exc:  # --help, --version
        return int(exc.code or 0)
    except _UsageExit as exc:
        raise UsageError(str(exc)) from None
