"""ECR during ``login``: swap AWS keys for tokens, wire our helper, remember expiries.

Imported by :mod:`cs_registry.commands.login` only when a row is an ECR one, so a
plain login never loads it (nor botocore, which :func:`swap` imports on demand).
"""

from __future__ import annotations

from cs_registry import log
from cs_registry.auths import Credential, helper_binary
from cs_registry.diagnosis import Code
from cs_registry.ecr.names import HELPER_NAME, TOKEN_USER
from cs_registry.errors import CsRegistryError
from cs_registry.logins.rows import FAILED, UNCHANGED, WRITTEN, Row, RowKind
from cs_registry.secret import Secret
from cs_registry.status import Severity
from cs_registry.triplets import Finding

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~4 ms)
if TYPE_CHECKING:
    from cs_registry.context import Context


def swap(ctx: Context, rows: list[Row], use_helper: bool, dry_run: bool) -> None:
    """Swap AWS keys for ECR tokens, every registry at once; botocore only if a swap runs."""
    pending = [row for row in rows if row.swap is not None and row.status != FAILED]
    if not pending:
        return
    if dry_run:
        for row in pending:
            row.message = "would swap the AWS keys for a registry token (no AWS call in a dry run)"
        return
    from cs_registry.ecr.provider import for_context

    helper_missing = use_helper and helper_binary(HELPER_NAME, ctx.environ.get("PATH")) is None
    results = for_context(ctx).tokens(row.swap for row in pending if row.swap is not None)
    for row in pending:
        assert row.swap is not None
        result = results[row.swap.host]
        if isinstance(result, CsRegistryError):
            row.fail(Code(result.code), result.message)
            continue
        log.register_secret(result.password)
        row.credential = Credential(row.swap.host, TOKEN_USER, Secret(result.password))
        row.expires_at = result.expires_at
        row.helper = HELPER_NAME if use_helper and not helper_missing else None
        if use_helper and helper_missing:
            # a credHelpers entry Docker cannot run breaks every pull: write the token instead
            row.warnings.append(
                Finding(
                    Code.CREDS_STORE_UNAVAILABLE,
                    Severity.WARNING,
                    f"docker-credential-{HELPER_NAME} is not on PATH, so Docker could not run "
                    "it; wrote a static token instead (it expires: run `cs-registry login` again)",
                )
            )


def remember(ctx: Context, config_path: str, rows: list[Row]) -> None:
    """Expiries of static ECR entries (for doctor) and the keys the helper will need."""
    done = [r for r in rows if r.swap is not None and r.status in (WRITTEN, UNCHANGED)]
    static = [
        (r.swap, ctx.clock(), r.expires_at)
        for r in done
        if r.swap is not None and r.helper is None and r.expires_at is not None
    ]
    helped = [r.swap for r in done if r.swap is not None and r.helper is not None]
    tokens = [
        r
        for r in rows
        if r.kind is RowKind.ECR_TOKEN
        and r.status in (WRITTEN, UNCHANGED)
        and r.credential is not None
    ]
    if static or helped or tokens:
        # imported only now: plain logins never need the ECR records
        from pathlib import Path

        from cs_registry.ecr import records

        ready = []
        for row in tokens:
            assert row.credential is not None
            expiry = records.ready_token_expiry(row.credential.secret.reveal())
            if expiry is not None:
                ready.append(
                    records.StaticEntry(
                        row.credential.key, row.id, expiry, ctx.clock(), str(config_path)
                    )
                )
        records.remember_login(ctx.cache_dir, Path(config_path), static, helped, ready)
