"""``cs-registry debug-login SERVER|IMAGE``: reproduce ``docker login`` (and the pull).

The steps live in :mod:`cs_registry.probe`; this module turns flags into probe
options and the report into a checklist (or one JSON document). A bare
``host[:port]`` is a server, as before; anything with a path, tag or digest is an
image reference, parsed by Docker's rules (:mod:`cs_registry.references`).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from cs_registry import dockerconfig, log, references
from cs_registry.context import Context
from cs_registry.diagnosis import Code, explain
from cs_registry.engine import endpoint
from cs_registry.errors import UsageError
from cs_registry.probe import ProbeOptions, Report, Status, diagnose, platforms
from cs_registry.probe.credentials import CredentialRequest
from cs_registry.status import ExitStatus
from cs_registry.triplets import user_problem
from cs_registry.ui import inert, mark, paint, print_json

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_STATUS_COLOR = {"ok": "green", "fail": "red", "warn": "yellow", "skip": "dim"}
#: steps whose failure leaves the login itself working (``docker`` is the daemon's pull)
_PULL_STEPS = frozenset({"scope", "manifest", "platform", "blob"})
#: a repository path as Docker's reference grammar has it (distribution/reference):
#: lowercase components of [a-z0-9] joined by ".", "_", "__" or runs of "-", split by "/"
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REPOSITORY = rf"{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_MAX_REPOSITORY = 255  # distribution's NameTotalLengthMax
#: a password or token is a few KiB at most; stdin is not read past this
_MAX_STDIN = 64 * 1024


@dataclass
class DebugLoginOptions:
    """What ``debug-login`` was asked to do (parsed by :mod:`cs_registry.main`)."""

    server: str
    username: str | None = None
    password_stdin: bool = False
    from_env: str | None = None
    repository: str | None = None
    ca_file: str | None = None
    allow_realms: tuple[str, ...] = ()
    timeout: float = 10.0
    json: bool = False
    verbose: bool = False
    config_dir: str | None = None
    #: with an image: the daemon pulls it (``docker`` step)
    pull: bool = False
    #: with an image: ``os/arch[/variant]`` to ask for instead of the daemon's
    platform: str | None = None


def _image(options: DebugLoginOptions) -> references.Reference | None:
    """The image to check, or ``None`` when the argument is a bare server."""
    if references.names_server(options.server):
        if options.pull or options.platform:
            flag = "--pull" if options.pull else "--platform"
            raise UsageError(f"{flag} needs an IMAGE (e.g. ghcr.io/owner/app:1), not a server")
        return None
    image = references.parse(options.server)
    if options.repository is not None:
        raise UsageError("--repository is for a SERVER; an IMAGE names its repository itself")
    if options.platform is not None and platforms.parse(options.platform) is None:
        raise UsageError(
            f"--platform {options.platform!r}: use os/arch[/variant], e.g. linux/arm64"
        )
    return image


def _probe_options(options: DebugLoginOptions, ctx: Context) -> ProbeOptions:
    if not options.timeout > 0:
        raise UsageError(f"--timeout must be a positive number of seconds, not {options.timeout}")
    ca_file = Path(options.ca_file).expanduser() if options.ca_file else None
    if ca_file is not None and not ca_file.exists():  # what else it is: tlstrust says
        raise UsageError(f"--ca-file {options.ca_file}: no such file")
    repository = options.repository.strip("/") if options.repository else None
    if options.repository is not None and not repository:
        raise UsageError("--repository needs a repository name, e.g. owner/image")
    if repository is not None and (
        len(repository) > _MAX_REPOSITORY or not re.fullmatch(_REPOSITORY, repository)
    ):
        raise UsageError(
            f"--repository {inert(repository)!r} is not a repository name Docker accepts: "
            "lowercase letters and digits, separated by '.', '_', '__', '-' or '/' "
            "(e.g. owner/image; no tag, spaces or upper case)"
        )
    if options.username is not None:
        problem = user_problem(options.username)
        if problem is not None:
            raise UsageError(f"-u/--username {problem}", code=Code.INVALID_SECRET)
    # a DOCKER_HOST that does not parse is a usage error, said before any step runs
    # (the daemon steps run in threads, where it would only be a traceback)
    endpoint(ctx.environ, dockerconfig.config_dir(ctx.environ, options.config_dir))
    certs_d = ctx.environ.get("CS_REGISTRY_DOCKER_CERTS_D")
    image = _image(options)
    return ProbeOptions(
        server=image.domain if image is not None else options.server,
        credentials=CredentialRequest(
            username=options.username,
            password_stdin=options.password_stdin,
            from_env=options.from_env,
        ),
        repository=repository,
        ca_file=ca_file,
        allow_realms=options.allow_realms,
        timeout=options.timeout,
        config_dir=Path(options.config_dir) if options.config_dir else None,
        certs_d=Path(certs_d) if certs_d else None,
        image=image,
        pull=options.pull,
        platform=options.platform,
    )


def run(ctx: Context, options: DebugLoginOptions) -> ExitStatus:
    """Diagnose the login; 0 when docker login would succeed, 1 when it would not."""
    probe_options = _probe_options(options, ctx)
    stdin = _password_input(ctx) if options.password_stdin else ctx.stdin
    report = diagnose(probe_options, environ=ctx.environ, stdin=stdin, clock=ctx.clock)
    if options.json:
        print_json(ctx, report.as_json(verbose=options.verbose))
    else:
        _render(ctx, report, verbose=options.verbose)
    first = report.steps[0] if report.steps else None
    if first is not None and first.code is Code.MALFORMED_SERVER:
        return ExitStatus.USAGE
    return ExitStatus.OK if report.ok else ExitStatus.FAILED


def _password_input(ctx: Context) -> io.StringIO:
    """stdin for ``--password-stdin``, read here: strict UTF-8, at most 64 KiB.

    A password that is not UTF-8 cannot be sent as Docker sends it; so it is a usage
    error naming the flag, never a crash in the middle of a step.
    """
    what = "--password-stdin: the password on stdin"
    binary = getattr(ctx.stdin, "buffer", None)
    try:
        if binary is not None:
            raw = binary.read(_MAX_STDIN + 1)
            text = raw.decode("utf-8")
        else:
            text = ctx.stdin.read(_MAX_STDIN + 1)
            text.encode("utf-8")  # a stream decoded with surrogateescape keeps bad bytes
    except UnicodeError:
        raise UsageError(f"{what} is not UTF-8 text") from None
    if len(text) > _MAX_STDIN:
        raise UsageError(f"{what} is longer than {_MAX_STDIN >> 10} KiB")
    return io.StringIO(text)


def _render(ctx: Context, report: Report, *, verbose: bool) -> None:
    ctx.print(f"debug-login {inert(report.image or report.server)}")
    width = max((len(step.name) for step in report.steps), default=5)
    for step in report.steps:
        status = step.status.value
        timing = paint(ctx, f"{step.elapsed_ms:>5} ms", "dim")
        code = ""
        if step.code is not Code.OK:
            code = paint(ctx, step.code.value, _STATUS_COLOR[status]) + "  "
        detail = inert(log.scrub(step.detail))
        shown = mark(ctx, status)
        shown += " " * max(0, 2 - len(_ANSI.sub("", shown)))
        ctx.print(f"  {shown} {step.name:<{width}} {timing}  {code}{detail}")
        if verbose:
            for line in step.trace:
                ctx.print(paint(ctx, f"      {inert(log.scrub(line))}", "dim"))
    code = report.code
    explanation = explain(code)
    failing = [step.name for step in report.steps if step.status is Status.FAIL]
    action = "docker pull" if report.image else "docker login"
    pulled = report.image or report.repository
    if not failing:
        verdict = f"{action} would succeed"
    elif set(failing) <= _PULL_STEPS and pulled:
        verdict = f"docker login would succeed, pulling {inert(pulled)} would not"
    else:
        verdict = f"{action} would fail"
    color = "green" if report.ok and code is Code.OK else ("yellow" if report.ok else "red")
    ctx.print()
    ctx.print(f"Diagnosis: {paint(ctx, code.value, color)} ({verdict})")
    ctx.print(f"  {explanation.summary}")
    if code is not Code.OK:
        ctx.print(f"  Fix: {explanation.remedy}")


__all__ = ["DebugLoginOptions", "run"]
