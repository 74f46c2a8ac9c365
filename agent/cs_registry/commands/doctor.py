"""``cs-registry doctor``: every place a private pull can fail, one line per check.

Areas: environment and lifecycle phase, the registry secrets, the docker CLI and
daemon, Docker's config.json (and what Docker will really use for each server),
ECR token expiries, the devcontainer.json lint, the failures in the Codespaces
creation log when there is one (``explain``'s analysis), and (``--images``, and under
``--prebuild``) whether the images the dev container needs can be pulled. Exit 1 when
a check fails;
warnings do not fail. The daemon ping and the lint run in threads beside the
rest, so a run takes about ``max(--wait, the other checks)``.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from cs_registry import dockerconfig, lifecycle, log, settings
from cs_registry.checks.check import Check
from cs_registry.checks.creation_log import check_creation_log
from cs_registry.checks.daemon import check_cli, check_daemon
from cs_registry.checks.devcontainer import check_devcontainers
from cs_registry.checks.dockerconfig import check_docker_config
from cs_registry.checks.ecr_tokens import check_ecr_tokens
from cs_registry.checks.environment import check_environment
from cs_registry.checks.login_record import check_login_record
from cs_registry.checks.settings import check_settings
from cs_registry.checks.triplets import check_triplets
from cs_registry.context import Context
from cs_registry.devcontainer import default_workspace
from cs_registry.status import ExitStatus, Status
from cs_registry.ui import inert, mark, paint, print_json

DEFAULT_WAIT = 1.0


@dataclass
class DoctorOptions:
    """What ``doctor`` was asked to do (parsed by :mod:`cs_registry.main`)."""

    json: bool = False
    wait: float = DEFAULT_WAIT
    workspace: str | None = None
    owner: str | None = None
    prebuild: bool = False
    config_dir: str | None = None
    #: the on-create hook: prebuild-safe checks only, problems only, always exit 0
    hook: bool = False
    #: check the images devcontainer.json needs (always under ``--prebuild``)
    images: bool = False
    #: apply the safe fixes (:mod:`cs_registry.commands.doctor_fix`); with ``dry_run``, show them
    fix: bool = False
    dry_run: bool = False


def collect(ctx: Context, options: DoctorOptions) -> list[Check]:
    """Run every check; records in display order."""
    environ = ctx.environ
    phase = lifecycle.detect(environ).phase
    prebuild = options.prebuild or phase is lifecycle.Phase.PREBUILD
    workspace = Path(options.workspace) if options.workspace else default_workspace(Path.cwd())
    with ThreadPoolExecutor(max_workers=3, thread_name_prefix="doctor") as pool:
        daemon: Future[Check] = pool.submit(
            check_daemon,
            environ,
            options.wait,
            prebuild=phase is lifecycle.Phase.PREBUILD,
            config_dir=dockerconfig.config_dir(environ, options.config_dir),
        )
        cli: Future[Check] = pool.submit(check_cli, environ)
        lint: Future[list[Check]] = pool.submit(
            check_devcontainers, environ, workspace, owner=options.owner, prebuild=prebuild
        )
        images: Future[list[Check]] | None = None
        if options.images or options.prebuild:
            from cs_registry.checks.images import check_images  # the probe: only when asked

            images = pool.submit(check_images, environ, workspace, prebuild=options.prebuild)
        # what login would count: settings applied (a broken settings file is its own check)
        _settings, discovery = settings.in_play(ctx, lenient=True)
        for triplet in discovery.triplets:
            log.register_secret(triplet.password.reveal(), user=triplet.user)
        checks = check_environment(environ)
        checks += check_triplets(environ, discovery)
        checks += check_settings(ctx, workspace)
        usable = [t for t in discovery.usable if t.server is not None]
        config_path, config_checks = check_docker_config(environ, options.config_dir, usable)
        config_checks += check_ecr_tokens(ctx.cache_dir, config_path, ctx.clock())
        config_checks += check_login_record(ctx.environ, config_path, discovery.triplets)
        checks += [cli.result(), daemon.result(), *config_checks, *lint.result()]
        checks += images.result() if images is not None else []
        checks += check_creation_log(environ)
    return checks


def run(ctx: Context, options: DoctorOptions) -> ExitStatus:
    """Run ``doctor``; exit 1 if any check failed."""
    if options.hook:
        return _run_hook(ctx, options)
    if options.fix:
        from cs_registry.commands import doctor_fix

        return doctor_fix.run(ctx, options, dry_run=options.dry_run)
    checks = collect(ctx, options)
    failed = any(c.status is Status.FAIL for c in checks)
    if options.json:
        print_json(ctx, {"ok": not failed, "checks": [c.as_json() for c in checks]})
    else:
        report_checks(ctx, checks)
    return ExitStatus.FAILED if failed else ExitStatus.OK


def _label(check: Check) -> str:
    """The id shown: lint findings go under one ``devcontainer`` label, their code at the end."""
    grouped = check.id.startswith(("devcontainer:", "image:"))
    # an id may carry a name from a file (helper:NAME from config.json): shown inert
    return check.id.partition(":")[0] if grouped else inert(check.id)


def report_checks(ctx: Context, checks: list[Check]) -> None:
    """One line per check (its remedy under a problem), then the verdict line."""
    width = min(max(len(_label(c)) for c in checks), 24)
    for check in checks:
        lint = check.id.startswith("devcontainer:")
        message = f"{check.where}: {check.message}" if lint and check.where else check.message
        message = inert(message)  # it quotes files, the daemon, helpers: shown inert
        if check.status in (Status.FAIL, Status.WARN):
            message += f" {paint(ctx, f'[{check.code.value}]', 'dim')}"
        ctx.print(f"{mark(ctx, check.status.value)} {_label(check):<{width}}  {message}")
        # a lint message already says what to change; other problems get their remedy
        if check.status in (Status.FAIL, Status.WARN) and not lint:
            ctx.print(f"  {' ' * width}  → {inert(check.remedy)}")
    counts = Counter(c.status for c in checks)
    parts = [
        f"{counts[status]} {label}"
        for status, label in (
            (Status.OK, "ok"),
            (Status.WARN, "warning(s)"),
            (Status.FAIL, "failed"),
            (Status.SKIP, "skipped"),
        )
        if counts[status]
    ]
    verdict = "problems found" if counts[Status.FAIL] else "no failures"
    color = "red" if counts[Status.FAIL] else "green"
    ctx.print(f"doctor: {paint(ctx, verdict, color)} ({', '.join(parts)})")


def _run_hook(ctx: Context, options: DoctorOptions) -> ExitStatus:
    """``doctor --hook`` (``hooks/on-create``): what would break a prebuild, nothing else.

    onCreateCommand also runs while a Codespaces prebuild is made: no Docker daemon,
    no user secrets, a snapshot others share. So only the lifecycle phase and the
    devcontainer.json lint run here; a clean setup prints nothing, and the hook never
    fails the lifecycle chain.
    """
    where = lifecycle.detect(ctx.environ)
    if options.json:  # the one document --json promises: the same checks, not the lines
        workspace = Path(options.workspace) if options.workspace else default_workspace(Path.cwd())
        prebuild = options.prebuild or where.phase is lifecycle.Phase.PREBUILD
        checks = check_environment(ctx.environ) + check_devcontainers(
            ctx.environ, workspace, owner=options.owner, prebuild=prebuild
        )
        failed = any(c.status is Status.FAIL for c in checks)
        print_json(ctx, {"ok": not failed, "checks": [c.as_json() for c in checks]})
        return ExitStatus.OK
    if where.phase is lifecycle.Phase.PREBUILD:
        ctx.print(
            f"cs-registry: a Codespaces prebuild is being made (ACTION_NAME="
            f"{where.action_name} from {where.source}); its snapshot is shared, so no "
            "credentials are written now (post-create logs in when a codespace is created)"
        )
    workspace = Path(options.workspace) if options.workspace else default_workspace(Path.cwd())
    prebuild = options.prebuild or where.phase is lifecycle.Phase.PREBUILD
    checks = check_devcontainers(ctx.environ, workspace, owner=options.owner, prebuild=prebuild)
    problems = [c for c in checks if c.status in (Status.FAIL, Status.WARN)]
    for check in problems:
        shown = inert(f"{check.where or check.id}: {check.message}")
        ctx.print(f"cs-registry: {shown} [{check.code.value}]")
    if problems:
        ctx.print("cs-registry: run `cs-registry doctor` for the full picture")
    return ExitStatus.OK
