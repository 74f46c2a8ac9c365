"""``cs-registry doctor --fix``: repair what doctor reports about Docker's config, safely.

The fixes come from doctor's own checks (:mod:`cs_registry.fixes.plan`); each is
shown as before → after. Before the first change the file's bytes are copied to
``config.json.bak-<UTC timestamp>`` (0600, through the file layer); the document is
changed in one locked, atomic update; the checks then run again. ``--dry-run``
shows every change and makes none; nothing is fixed while a Codespaces prebuild is
being made (its snapshot is shared).
"""

from __future__ import annotations

import io
import json
import os
import stat
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cs_registry import dockerconfig, files, lifecycle, log, settings
from cs_registry.checks.check import Check
from cs_registry.checks.dockerconfig import check_docker_config
from cs_registry.checks.ecr_tokens import check_ecr_tokens
from cs_registry.commands.doctor import DoctorOptions, collect, report_checks
from cs_registry.context import Context
from cs_registry.diagnosis import Code
from cs_registry.fixes.plan import (
    APPLIED,
    SKIPPED,
    WOULD_APPLY,
    Fix,
    by_id,
    fix_stale_helpers,
    plan,
)
from cs_registry.logins import record as login_record
from cs_registry.logins.helper_record import erase_stale
from cs_registry.status import ExitStatus, Status
from cs_registry.triplets import Discovery
from cs_registry.ui import inert, mark, print_json


def run(ctx: Context, options: DoctorOptions, *, dry_run: bool) -> ExitStatus:
    """Apply the safe fixes (or show them), then report the checks as they now stand."""
    where = lifecycle.detect(ctx.environ)
    if where.phase is lifecycle.Phase.PREBUILD:
        message = (
            "a Codespaces prebuild is being made; its snapshot is shared, so nothing is fixed now"
        )
        if options.json:
            print_json(
                ctx,
                {
                    "ok": True,
                    "dry_run": dry_run,
                    "backup": None,
                    "fixes": [],
                    "skipped": message,
                    "checks": [],
                },
            )
        else:
            ctx.print(f"cs-registry: {message}")
        return ExitStatus.OK
    _settings, discovery = settings.in_play(ctx, lenient=True)
    for triplet in discovery.triplets:
        log.register_secret(triplet.password.reveal(), user=triplet.user)
    path, checks = check_docker_config(ctx.environ, options.config_dir, [])
    checks += check_ecr_tokens(ctx.cache_dir, path, ctx.clock())
    fixes, backup = _apply_config(ctx, path, checks, discovery, dry_run)
    fixes += _login_again(ctx, options, fixes, by_id(checks), dry_run)
    after = collect(ctx, options)
    failed = any(c.status is Status.FAIL for c in after)
    if options.json:
        print_json(
            ctx,
            {
                "ok": not failed,
                "dry_run": dry_run,
                "config_path": str(path),
                "backup": backup,
                "fixes": [f.as_json() for f in fixes],
                "checks": [c.as_json() for c in after],
            },
        )
    else:
        _report(ctx, fixes, backup, dry_run)
        report_checks(ctx, after)
    return ExitStatus.FAILED if failed else ExitStatus.OK


def _apply_config(
    ctx: Context, path: Path, checks: list[Check], discovery: Discovery, dry_run: bool
) -> tuple[list[Fix], str | None]:
    """The config.json fixes, in one locked update after one backup; (fixes, backup path)."""
    if not any(c.id == "docker-config" and c.status is Status.OK for c in checks):
        return [], None  # missing (nothing to fix), unreadable or unsafe: nothing is touched
    record = login_record.load(login_record.default_root(ctx.environ), str(path))
    live_keys = [t.server.key for t in discovery.triplets if t.server is not None]
    gone = record.gone((t.id for t in discovery.triplets), live_keys)
    fixes: list[Fix] = []
    backup: str | None = None
    mode_check = by_id(checks).get("docker-config-mode")

    def change(data: dict[str, Any]) -> bool:
        nonlocal fixes, backup
        fixes = plan(data, checks, record, gone)
        edits = any(f.status == APPLIED for f in fixes)
        if (edits or mode_check is not None) and not dry_run:
            backup = _backup(path, ctx.clock())
        # a mode-only fix keeps the bytes as they are (rewritten 0600 by _tighten)
        return edits and not dry_run

    if dry_run:
        change(dockerconfig.load(path).data)
    else:
        _loaded, written = dockerconfig.update(path, change)
        if mode_check is not None and not written:
            _tighten(path)
    if mode_check is not None:
        fixes.insert(0, _mode_fix(mode_check))
    # credentials login stored through a helper: asked (and erased) outside the config lock
    fixes += fix_stale_helpers(erase_stale(record, gone, ctx.environ, dry_run=dry_run))
    if dry_run:
        for fix in fixes:
            fix.status = WOULD_APPLY if fix.status == APPLIED else fix.status
    else:
        dropped = [key for fix in fixes for key in fix.dropped]
        if dropped:
            login_record.save(record, {}, {}, dropped)
    return fixes, backup


def _mode_fix(check: Check) -> Fix:
    return Fix(check.id, check.code, check.message.split(": ", 1)[0], "mode 0600")


def _backup(path: Path, now: float) -> str:
    """Copy the config's current bytes next to it, 0600, before the first change."""
    raw = (
        files.read_file(
            files.target_of(path, what="Docker config"),
            limit=files.CONFIG_LIMIT,
            what="Docker config",
        )
        or b""
    )
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
    name = f"{path}.bak-{stamp}"
    serial = 1
    while os.path.lexists(name):  # two fixes within a second: never overwrite a backup
        serial += 1
        name = f"{path}.bak-{stamp}-{serial}"
    files.write_atomic(name, raw, what="Docker config backup", private=True, own=True)
    return name


def _tighten(path: Path) -> None:
    """Only the mode was wrong: rewrite the same bytes 0600 under the config's lock."""
    with files.lock_beside(path):
        target = files.target_of(path, what="Docker config")
        raw = files.read_file(target, limit=files.CONFIG_LIMIT, what="Docker config")
        if raw is not None and stat.S_IMODE(os.stat(target).st_mode) & 0o077:
            files.write_atomic(path, raw, what="Docker config", private=True)


def _login_again(
    ctx: Context,
    options: DoctorOptions,
    fixes: list[Fix],
    wanted: Mapping[str, Check],
    dry_run: bool,
) -> list[Fix]:
    """Run ``login`` once when a fix needs it: a removed helper reference leaves our
    triplets' hosts without an entry (login writes them into ``auths`` now), and an
    expired or expiring static ECR token is swapped again. Returns the ECR fixes."""
    keys = [cid.partition(":")[2] for cid in wanted if cid.startswith("ecr-token:")]
    ecr = [
        Fix(f"ecr-token:{k}", Code.TOKEN_EXPIRED, "an expiring token", "a new token") for k in keys
    ]
    helpers = [f for f in fixes if f.id.startswith("helper:") and f.status == APPLIED]
    if dry_run:
        for fix in ecr:
            fix.status = WOULD_APPLY
        return ecr
    if not ecr and not helpers:
        return ecr
    from cs_registry.commands import login

    quiet = Context(
        environ=ctx.environ,
        stdin=io.StringIO(),
        stdout=io.StringIO(),
        stderr=ctx.stderr,
        clock=ctx.clock,
    )
    login.run(quiet, login.LoginOptions(config_dir=options.config_dir, json=True, hook=True))
    rows = {r.get("key"): r for r in _rows(quiet)}
    written = sorted(str(k) for k, r in rows.items() if r.get("status") == "written")
    for fix in helpers:
        fix.message = f"login wrote {', '.join(written)} into `auths`" if written else fix.message
    for fix in ecr:
        row = rows.get(fix.id.partition(":")[2])
        if row is None or row.get("status") not in ("written", "unchanged"):
            fix.status, fix.code = SKIPPED, Code.FIX_BLOCKED
            fix.message = (
                "no ECR triplet for it is in play: run `cs-registry login` where it is"
                if row is None
                else f"login: {row.get('code')}: {row.get('message')}"
            )
    return ecr


def _rows(ctx: Context) -> list[dict[str, Any]]:
    text = ctx.stdout.getvalue()  # type: ignore[attr-defined]
    try:
        document = json.loads(text)
    except ValueError:
        return []
    registries = document.get("registries") if isinstance(document, dict) else None
    return [r for r in registries or [] if isinstance(r, dict)]


def _report(ctx: Context, fixes: list[Fix], backup: str | None, dry_run: bool) -> None:
    if not fixes:
        ctx.print("doctor --fix: nothing to fix")
        return
    for fix in fixes:
        status = "skipped" if fix.status == SKIPPED else "applied"
        # the names come from config.json: inert; the mark keeps its own colour
        line = inert(f"{fix.id}: {fix.before} → {fix.after}")
        if fix.status == WOULD_APPLY:
            line += " (would apply)"
        ctx.print(f"{mark(ctx, status)} {line} [{fix.code.value}]")
        if fix.message:
            ctx.print(f"    {inert(fix.message)}")
    if backup is not None:
        ctx.print(f"backup: {inert(backup)}")
    elif dry_run:
        ctx.print("dry run: nothing was changed")
