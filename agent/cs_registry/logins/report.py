"""What ``login`` prints: the table, the one-line hook summary, or the JSON document."""

from __future__ import annotations

import os

from cs_registry.diagnosis import Code, debug_hint
from cs_registry.logins.rows import (
    DUPLICATE,
    FAILED,
    SKIPPED,
    UNCHANGED,
    WRITTEN,
    Row,
    warning_json,
)
from cs_registry.ui import inert, mark, paint, print_json

TYPE_CHECKING = False  # not typing's: importing typing adds 0.3x python's start-up (README)
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from cs_registry.context import Context
    from cs_registry.lifecycle import Where

# failures `debug-login` can take apart step by step
_NETWORK_CODES = frozenset(
    {Code.BAD_CREDENTIALS, Code.SHADOWED_BY_CRED_HELPER, Code.ECR_UNREACHABLE}
)


def report_prebuild(ctx: Context, as_json: bool, path: str, rows: list[Row], where: Where) -> None:
    """Mark every row skipped (a prebuild snapshot is shared) and say why."""
    origin = "the environment" if where.source == "ACTION_NAME" else where.source
    reason = (
        f"a Codespaces prebuild is being made (ACTION_NAME=createPrebuildTemplate from "
        f"{origin}); its snapshot is shared, so no credentials are written"
    )
    for row in rows:
        if row.status != FAILED:
            row.status, row.code, row.message = SKIPPED, Code.PREBUILD_PHASE, reason
    if as_json:
        print_json(ctx, {"config_path": str(path), "registries": [r.as_json() for r in rows]})
    else:
        ctx.print(f"cs-registry: {reason}.")


def report(
    ctx: Context,
    path: str,
    rows: list[Row],
    stray: list[Any],
    *,
    as_json: bool,
    hook: bool,
    dry_run: bool,
) -> None:
    """Print the outcome: one JSON document, the hook's summary line, or the table."""
    if as_json:
        document: dict[str, Any] = {
            "config_path": str(path),
            "registries": [r.as_json() for r in rows],
        }
        if dry_run:
            document["dry_run"] = True
        if stray:
            document["warnings"] = [warning_json(f) for f in stray]
        print_json(ctx, document)
        return
    if hook:
        _report_hook(ctx, rows, stray)
        return
    shown = _display_path(path, ctx.environ)
    if not rows:
        ctx.print("No registry secrets found (<ID>_CONTAINER_REGISTRY_SERVER/_USER/_PASSWORD).")
    else:
        verb = "would update" if dry_run else "updated"
        ctx.print(f"Docker config: {inert(shown)}" + (f" ({verb})" if dry_run else ""))
    for row in rows:
        _report_row(ctx, row, dry_run)
    for finding in stray:
        ctx.print(f"  {mark(ctx, 'warn')} {inert(finding.message)}")


def _report_row(ctx: Context, row: Row, dry_run: bool) -> None:
    status = row.status
    status_text = "would write" if dry_run and status == WRITTEN else status
    line = f"  {mark(ctx, status)} {row.id:<12} {row.key or '-':<40} {status_text}"
    if row.code is not Code.OK:
        line += f"  {paint(ctx, row.code.value, 'red' if status == FAILED else 'dim')}"
    ctx.print(line)
    if row.message:
        # messages quote registries, helpers and files: shown inert
        ctx.print(f"      {inert(row.message)}")
    if row.verified is not None:
        ctx.print(
            f"      {mark(ctx, 'ok' if row.verified else 'fail')} "
            + ("verified: the registry accepted it" if row.verified else "verification failed")
            + ("" if row.verified else f"; {debug_hint(row.server or row.key or '')}")
        )
    if dry_run and row.credential is not None and status != FAILED:
        credential = row.credential
        user = inert(credential.username)
        ctx.print(f"      user {user}, password {credential.secret.redacted}")
    for warning in row.warnings:
        ctx.print(f"      {mark(ctx, 'warn')} {inert(warning.message)}")
    if status == FAILED and row.key and row.code in _NETWORK_CODES:
        ctx.print(f"      → {debug_hint(row.server or row.key)}")


def _report_hook(ctx: Context, rows: list[Row], stray: list[Any]) -> None:
    settled = all(
        r.status == UNCHANGED or (r.status == SKIPPED and r.message.startswith(DUPLICATE))
        for r in rows
    )
    unverified = [f"{r.id} ({r.code.value})" for r in rows if r.verified is False]
    if settled and not stray and not any(r.warnings for r in rows) and not unverified:
        return  # nothing to do or nothing changed (post-start, every start): stay quiet
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    parts = [f"{n} {status}" for status, n in counts.items()]
    failed = [f"{r.id} ({r.code.value})" for r in rows if r.status == FAILED]
    warned = sum(len(r.warnings) for r in rows) + len(stray)
    line = f"cs-registry: registries {', '.join(parts) or 'none'}"
    if failed:
        line += f"; failed: {', '.join(failed)}"
    if unverified:
        line += f"; not verified: {', '.join(unverified)}"
    if warned:
        line += f"; {warned} warning(s)"
    if failed or warned or unverified:
        line += "; run `cs-registry doctor` for details"
    ctx.print(line)


def _display_path(path: str, environ: Mapping[str, str]) -> str:
    home = environ.get("HOME")
    text = str(path)
    if home and text.startswith(home.rstrip(os.sep) + os.sep):
        return "~" + text[len(home.rstrip(os.sep)) :]
    return text
