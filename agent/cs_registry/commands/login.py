"""``cs-registry login``: registry secrets → Docker's config.

Discovers the triplets, resolves each to a credential (ECR keys are swapped for
tokens), and merges them into ``config.json`` in one locked, atomic update. One
bad registry never stops the others.

This module only orchestrates: :mod:`cs_registry.logins.rows` holds the outcomes and
the merge, :mod:`cs_registry.logins.report` the output, :mod:`cs_registry.logins.ecr`
the ECR swaps (imported only when an ECR triplet is present).
"""

from __future__ import annotations

from cs_registry import dockerconfig, lifecycle, log, settings
from cs_registry.diagnosis import Code
from cs_registry.errors import CsRegistryError
from cs_registry.logins import record as login_record
from cs_registry.logins.helper_record import erase_stale, stored_via_helpers
from cs_registry.logins.record import Recorded
from cs_registry.logins.removal import dropped_keys, helper_rows, stale_rows, written_in_auths
from cs_registry.logins.report import report as _report  # a module name tests can replace
from cs_registry.logins.report import report_prebuild
from cs_registry.logins.rows import (
    FAILED,
    SKIPPED,
    UNCHANGED,
    WRITTEN,
    Row,
    RowKind,
    apply,
    row_for,
    store_via_helpers,
)
from cs_registry.status import ExitStatus, Severity
from cs_registry.triplets import Finding
from cs_registry.ui import inert, print_json

TYPE_CHECKING = False  # not typing's: importing typing adds 0.3x python's start-up (README)
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from cs_registry.context import Context

__all__ = ["FAILED", "SKIPPED", "UNCHANGED", "WRITTEN", "LoginOptions", "Row", "run"]


class LoginOptions:
    """What ``login`` was asked to do (parsed by :mod:`cs_registry.main`).

    A plain class rather than a dataclass: ``dataclasses`` imports ``inspect`` and
    costs every plain login (each lifecycle hook) ~10 ms.
    """

    __slots__ = (
        "config_dir",
        "dry_run",
        "ecr_helper",
        "env_file",
        "hook",
        "ignore",
        "json",
        "timeout",
        "verify",
    )

    def __init__(
        self,
        *,
        config_dir: str | None = None,
        env_file: str | None = None,
        dry_run: bool = False,
        json: bool = False,
        hook: bool = False,
        ignore: tuple[str, ...] = (),
        verify: bool | None = None,
        ecr_helper: bool | None = None,
        timeout: float | None = None,
    ) -> None:
        self.config_dir = config_dir
        self.env_file = env_file
        self.dry_run = dry_run
        self.json = json
        self.hook = hook
        self.ignore = ignore
        # Settings a flag may give; None = not given, so the environment or a config
        # file decides (see cs_registry.settings). `run` resolves them.
        self.verify = verify
        self.ecr_helper = ecr_helper
        self.timeout = timeout

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"LoginOptions({fields})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self.__slots__)

    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass was


def _environ(ctx: Context, options: LoginOptions) -> Mapping[str, str]:
    if not options.env_file:
        return ctx.environ
    from cs_registry import envfile

    return {**ctx.environ, **envfile.load(options.env_file)}


def run(ctx: Context, options: LoginOptions) -> ExitStatus:
    """Run ``login``; returns the exit status (always OK in hook mode)."""
    try:
        status = _run(ctx, options)
    except CsRegistryError as exc:
        if not options.hook:
            raise
        if options.json:  # still the one document --json promises
            error = {"code": str(exc.code), "message": log.scrub(exc.message)}
            print_json(ctx, {"ok": False, "error": error})
            return ExitStatus.OK
        shown = inert(log.scrub(exc.message))  # it may quote a file or a helper's words
        ctx.print(f"cs-registry: {shown}; run `cs-registry doctor` for details")
        return ExitStatus.OK
    return ExitStatus.OK if options.hook else status


def _run(ctx: Context, options: LoginOptions) -> ExitStatus:
    environ = _environ(ctx, options)
    location = dockerconfig.locate(environ, options.config_dir)
    config_path = location.file
    notes: list[Finding] = []
    if location.warning is not None:
        notes.append(Finding(Code.DOCKER_CONFIG_RELATIVE, Severity.WARNING, location.warning))
    where = lifecycle.detect(environ)
    resolved = settings.load(
        ctx,
        flags={
            "ignore": options.ignore,
            "verify": options.verify,
            "ecr_helper": options.ecr_helper,
            "timeout": options.timeout,
        },
    )
    discovery = settings.discover(resolved, environ)
    for triplet in discovery.triplets:
        log.register_secret(triplet.password.reveal(), user=triplet.user)
        if triplet.session_token is not None:
            log.register_secret(triplet.session_token.reveal())
    rows = [row_for(t) for t in discovery.triplets]
    if where.phase is lifecycle.Phase.PREBUILD and not options.dry_run:
        report_prebuild(ctx, options.json, config_path, rows, where)
        return ExitStatus.OK
    # ECR swaps and records only when an ECR row needs them: plain logins never import them
    has_ecr = any(row.kind is not RowKind.BASIC for row in rows)
    if has_ecr:
        from cs_registry.logins import ecr

        ecr.swap(ctx, rows, resolved.ecr_helper, options.dry_run)
    triplet_ids = [t.id for t in discovery.triplets]
    notes.extend(
        _update(ctx, options, environ, config_path, rows, triplet_ids=triplet_ids, has_ecr=has_ecr)
    )
    if resolved.verify and not options.dry_run:
        _verify(rows, environ, resolved.timeout or 10.0)
    _report(
        ctx,
        config_path,
        rows,
        [*discovery.stray, *notes],
        as_json=options.json,
        hook=options.hook,
        dry_run=options.dry_run,
    )
    failed = any(r.status == FAILED or r.verified is False for r in rows)
    return ExitStatus.FAILED if failed else ExitStatus.OK


def _update(
    ctx: Context,
    options: LoginOptions,
    environ: Mapping[str, str],
    config_path: str,
    rows: list[Row],
    *,
    triplet_ids: list[str],
    has_ecr: bool,
) -> list[Finding]:
    """Merge the rows into Docker's config (planned only in a dry run), drop what is gone,
    store via credential helpers and update our record; the notes it raised.

    Appends the rows for removed logins to ``rows``.
    """
    notes: list[Finding] = []
    pending: list[tuple[Row, str]] = []
    record = login_record.load(
        login_record.default_root(ctx.environ),
        config_path,
        login_record.source_of(options.env_file),
    )
    if record.problem is not None:
        notes.append(Finding(Code.RECORD_UNUSABLE, Severity.WARNING, record.problem))
    gone = record.gone(triplet_ids, (row.key for row in rows))
    stale: tuple[list[Recorded], list[Recorded]] = ([], [])
    final: dict[str, Any] = {}

    def change(data: dict[str, Any]) -> bool:
        nonlocal pending, stale, final
        changed, pending = apply(data, rows, environ.get("PATH"))
        stale = login_record.take_stale(record, data, gone)
        final = data
        return (changed or bool(stale[0])) and not options.dry_run

    if gone or any(row.credential is not None for row in rows):
        if options.dry_run:
            loaded = dockerconfig.load(config_path)
            change(loaded.data)
        else:
            written, _ = dockerconfig.update(config_path, change)
            if written.tightened is not None:
                notes.append(_tightened(config_path, written.tightened))
            if has_ecr:
                from cs_registry.logins import ecr

                ecr.remember(ctx, config_path, rows)
        rows.extend(stale_rows(*stale, dry_run=options.dry_run))
        store_via_helpers(ctx.environ, pending, options.dry_run)
        erased = erase_stale(record, gone, ctx.environ, dry_run=options.dry_run)
        rows.extend(helper_rows(erased, dry_run=options.dry_run))
        if not options.dry_run:
            dropped = dropped_keys(*stale) + dropped_keys(erased.removed, erased.changed)
            stored = stored_via_helpers(record, rows)
            problem = login_record.save(record, final, written_in_auths(rows), dropped, stored)
            if problem is not None and record.problem is None:
                notes.append(Finding(Code.RECORD_UNUSABLE, Severity.WARNING, problem))
    return notes


def _tightened(path: str, old_mode: int) -> Finding:
    return Finding(
        Code.CONFIG_TOO_OPEN,
        Severity.WARNING,
        f"{path} was mode {old_mode:04o}, readable by other users; it holds credentials, "
        "so it is now 0600",
    )


def _verify(rows: list[Row], environ: Mapping[str, str], timeout: float) -> None:
    """Log in to every written registry at once (debug-login's auth path, no daemon)."""
    from concurrent.futures import ThreadPoolExecutor

    from cs_registry.probe import verify

    written = (WRITTEN, UNCHANGED)
    todo = [r for r in rows if r.status in written and r.credential is not None and r.server]
    if not todo:
        return
    with ThreadPoolExecutor(max_workers=min(8, len(todo))) as pool:
        futures = {
            pool.submit(
                verify,
                str(row.server),
                row.credential.username,
                row.credential.secret,
                environ=environ,
                timeout=timeout,
            ): row
            for row in todo
            if row.credential is not None
        }
        for future, row in futures.items():
            verdict = future.result()
            row.verified = verdict.verified
            if not verdict.verified:
                row.code = verdict.code
                # a registry may echo what it was sent: scrub, as debug-login does
                failure = f"not verified: {log.scrub(verdict.detail)}"
                row.message = f"{row.message}; {failure}" if row.message else failure
