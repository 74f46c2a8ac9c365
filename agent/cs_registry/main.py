"""The ``cs-registry`` process: reads its command line and dispatches; nothing else lives here.

argparse (:mod:`cs_registry.command_line`) reads every command line but a ``login``
made only of switches (:mod:`cs_registry.switches`): the lifecycle hooks' ``login
--hook`` never loads it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from types import SimpleNamespace  # loaded by enum already

from cs_registry import log, signals, switches
from cs_registry.context import Context
from cs_registry.error_handler import Exit, boundary
from cs_registry.errors import UsageError
from cs_registry.status import ExitStatus
from cs_registry.streams import exit_process, process_streams

TYPE_CHECKING = False  # not typing's: importing typing adds 0.3x python's start-up (README)
if TYPE_CHECKING:
    from typing import NoReturn


def _dispatch(ctx: Context, args: SimpleNamespace) -> ExitStatus:
    if args.command == "login":
        from cs_registry.commands import login

        return login.run(
            ctx,
            login.LoginOptions(
                config_dir=args.config,
                env_file=args.env_file,
                dry_run=args.dry_run,
                json=args.json,
                hook=args.hook,
                ignore=tuple(args.ignore),
                ecr_helper=args.ecr_helper,
                verify=args.verify,
            ),
        )
    if args.command == "debug-login":
        from cs_registry.commands import debug_login

        return debug_login.run(
            ctx,
            debug_login.DebugLoginOptions(
                server=args.server,
                username=args.username,
                password_stdin=args.password_stdin,
                from_env=args.from_env,
                repository=args.repository,
                ca_file=args.ca_file,
                allow_realms=tuple(args.allow_realm),
                timeout=args.timeout,
                json=args.json,
                verbose=args.verbose,
                config_dir=args.config,
                pull=args.pull,
                platform=args.platform,
            ),
        )
    if args.command == "doctor":
        from cs_registry.commands import doctor

        if args.dry_run and not args.fix:
            raise UsageError("doctor: --dry-run goes with --fix (plain doctor changes nothing)")
        if args.fix and args.hook:
            raise UsageError("doctor: --fix cannot run as a lifecycle hook (--hook)")
        return doctor.run(
            ctx,
            doctor.DoctorOptions(
                json=args.json,
                wait=args.wait,
                workspace=args.workspace,
                owner=args.owner,
                prebuild=args.prebuild,
                config_dir=args.config,
                hook=args.hook,
                images=args.images,
                fix=args.fix,
                dry_run=args.dry_run,
            ),
        )
    if args.command == "explain":
        from cs_registry.commands import explain

        return explain.run(ctx, explain.ExplainOptions(path=args.path, json=args.json))
    if args.command == "lint":
        from cs_registry.commands import lint

        return lint.run(
            ctx,
            lint.LintCommandOptions(
                paths=tuple(args.paths),
                owner=args.owner,
                repository=args.repository,
                prebuild=args.prebuild,
                output=lint.choose_format(json=args.json, name=args.format),
            ),
        )
    raise AssertionError(f"unhandled command {args.command!r}")


def main(argv: Sequence[str] | None = None, ctx: Context | None = None) -> int:
    """Run ``cs-registry``; returns the process exit status.

    Without ``ctx`` this is the process itself: SIGTERM then unwinds like Ctrl-C,
    and stdout is flushed here, so that a closed or full output ends in one line
    and the documented status rather than an error at interpreter exit.
    """
    if ctx is None:
        stdout, stderr = process_streams()
        ctx = Context(stdout=stdout, stderr=stderr)
        signals.install()
    words = list(sys.argv[1:] if argv is None else argv)
    # known before parsing, so that a command line argparse refuses gets its document too
    json_output = _wants_json(words[: words.index("--")] if "--" in words else words)
    parsed: list[SimpleNamespace] = []
    try:
        with boundary(ctx, json_output=json_output):
            status = _main(ctx, words, parsed)
            ctx.stdout.flush()
            return status
    except Exit as exc:
        # --hook never fails the lifecycle, not even on a bug (the log pointer is printed);
        # a refused command line, a signal and a closed stdout still say what happened
        hook = bool(parsed and getattr(parsed[0], "hook", False))
        return 0 if hook and exc.status not in _ENDINGS else int(exc.status)


def run() -> NoReturn:
    """The ``cs-registry`` console script: :func:`main` as this whole process."""
    exit_process(main())


def _wants_json(words: list[str]) -> bool:
    """``--json``, or lint's ``--format json``: either promises one JSON document on stdout."""
    if "--json" in words or "--format=json" in words:
        return True
    return any(words[i : i + 2] == ["--format", "json"] for i in range(len(words) - 1))


#: how a run may end however it was called: these stand even with --hook
_ENDINGS = (ExitStatus.INTERRUPTED, ExitStatus.TERMINATED, ExitStatus.BROKEN_PIPE)


def _main(ctx: Context, argv: list[str], parsed: list[SimpleNamespace]) -> int:
    read = switches.read_login(argv)
    if read is not None:
        args = SimpleNamespace(**read)
    else:
        from cs_registry import command_line

        answer = command_line.parse(ctx, argv)
        if isinstance(answer, int):  # --help, --version
            return answer
        args = answer
    parsed.append(args)
    log.configure(
        stream=ctx.stderr,
        verbose=getattr(args, "verbose", False),
        no_color=bool(ctx.environ.get("NO_COLOR")),
    )
    return int(_dispatch(ctx, args))
