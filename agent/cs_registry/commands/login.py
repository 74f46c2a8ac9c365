"""``cs-registry login``: registry secrets → Docker's config.

Discovers the triplets, resolves each to a credential (ECR keys are swapped for
tokens), and merges them into ``config.json`` in one locked, atomic update. One
bad registry never stops the others.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cs_registry import dockerconfig, lifecycle, log, settings
from cs_registry.auths import Credential, alias_index, helper_binary, helper_for, put
from cs_registry.context import Context
from cs_registry.credstore import DockerPyHelper, HelperError, HelperStore, store_through
from cs_registry.diagnosis import Code, debug_hint
from cs_registry.ecr.keys import HELPER_NAME, TOKEN_USER, SwapTarget, needs_swap, target_for
from cs_registry.errors import CsRegistryError
from cs_registry.secrets import Triplet
from cs_registry.servers import Kind
from cs_registry.status import ExitStatus
from cs_registry.ui import mark, paint, print_json

WRITTEN, UNCHANGED, SKIPPED, FAILED = "written", "unchanged", "skipped", "failed"
_DUPLICATE = "same server and credentials as"
# failures `debug-login` can take apart step by step
_NETWORK_CODES = frozenset(
    {Code.BAD_CREDENTIALS, Code.SHADOWED_BY_CRED_HELPER, Code.ECR_UNREACHABLE}
)


@dataclass
class LoginOptions:
    """What ``login`` was asked to do (parsed by :mod:`cs_registry.main`)."""

    config_dir: str | None = None
    env_file: str | None = None
    dry_run: bool = False
    json: bool = False
    hook: bool = False
    ignore: tuple[str, ...] = ()
    # Settings a flag may give; None = not given, so the environment or a config
    # file decides (see cs_registry.settings). `run` fills in the resolved values.
    verify: bool | None = None
    ecr_helper: bool | None = None
    timeout: float | None = None


@dataclass
class Row:
    """One registry's outcome; serialises to the ``registries`` items of the JSON contract."""

    id: str
    server: str | None
    key: str | None
    kind: str
    status: str = WRITTEN
    code: Code = Code.OK
    message: str = ""
    verified: bool | None = None
    warnings: list[str] = field(default_factory=list)
    credential: Credential | None = field(default=None, repr=False)
    #: ECR access keys to swap for a token before writing
    swap: SwapTarget | None = field(default=None, repr=False)
    #: write credHelpers[key] = helper instead of an `auths` entry
    helper: str | None = None
    #: when the token written for an ECR row expires (epoch seconds)
    expires_at: float | None = None

    def fail(self, code: Code, message: str) -> None:
        self.status, self.code, self.message = FAILED, code, message

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "server": self.server,
            "key": self.key,
            "kind": self.kind,
            "status": self.status,
            "code": self.code.value,
            "message": self.message,
            "verified": self.verified,
            "warnings": self.warnings,
        }


def _entry_kind(triplet: Triplet) -> str:
    if triplet.server is None:
        return "basic"
    if triplet.server.kind is Kind.ECR_PUBLIC:
        return "ecr-public"
    if triplet.server.kind is Kind.ECR:
        return "ecr-token" if triplet.user == "AWS" else "ecr"
    return "basic"


def _row(triplet: Triplet) -> Row:
    server = triplet.server
    row = Row(
        id=triplet.id,
        server=server.host if server else None,
        key=server.key if server else None,
        kind=_entry_kind(triplet),
        warnings=[f.message for f in triplet.warnings],
    )
    if triplet.errors:
        first = triplet.errors[0]
        row.fail(first.code, "; ".join(f.message for f in triplet.errors))
    elif triplet.duplicate_of is not None:
        row.status, row.message = SKIPPED, f"{_DUPLICATE} {triplet.duplicate_of}"
    elif needs_swap(triplet):
        row.swap = target_for(triplet)  # swapped with the others in _swap_ecr
    elif server is not None:
        row.credential = Credential(server.key, triplet.user, triplet.password)
    return row


def _environ(ctx: Context, options: LoginOptions) -> Mapping[str, str]:
    if not options.env_file:
        return ctx.environ
    from cs_registry import envfile

    return {**ctx.environ, **envfile.load(options.env_file)}


def _apply(
    data: dict[str, Any], rows: list[Row], path_env: str | None, dry_run: bool
) -> tuple[bool, list[tuple[Row, str]]]:
    """Put every plain credential into ``data``; return (changed, rows for helpers)."""
    index = alias_index(data.get("auths") or {})
    changed = False
    via_helper: list[tuple[Row, str]] = []
    for row in rows:
        credential = row.credential
        if credential is None or row.status == FAILED:
            continue
        if row.helper is not None:
            row.status = WRITTEN if _put_helper(data, credential.key, row.helper) else UNCHANGED
            row.message = f"Docker asks docker-credential-{row.helper} for a fresh token"
            changed = changed or row.status == WRITTEN
            continue
        helper = helper_for(data, credential.key)
        if helper == HELPER_NAME and row.swap is not None and _drop_own_helper(data, row):
            changed, helper = True, helper_for(data, credential.key)
        if helper == HELPER_NAME:
            # our own helper answers for this key from the environment: nothing to store
            row.status, row.message = UNCHANGED, f"served by docker-credential-{HELPER_NAME}"
            continue
        if helper is not None:
            if helper_binary(helper, path_env) is None:
                named = credential.key in (data.get("credHelpers") or {})
                source = "credHelpers" if named else "credsStore"
                row.fail(
                    Code.CREDS_STORE_UNAVAILABLE,
                    f"{source} names '{helper}' for {credential.key} but "
                    f"docker-credential-{helper} is not on PATH; Docker would not read an "
                    "`auths` entry, so none was written",
                )
            else:
                via_helper.append((row, helper))
            continue
        row.status = WRITTEN if put(data, credential, index) else UNCHANGED
        changed = changed or row.status == WRITTEN
    return changed, via_helper


def _put_helper(data: dict[str, Any], key: str, helper: str) -> bool:
    helpers = data.get("credHelpers")
    if not isinstance(helpers, dict):
        helpers = data["credHelpers"] = {}
    if helpers.get(key) == helper:
        return False
    helpers[key] = helper
    return True


def _drop_own_helper(data: dict[str, Any], row: Row) -> bool:
    """A static ECR entry replaces the credHelpers entry an earlier --ecr-helper run wrote."""
    helpers = data.get("credHelpers")
    if isinstance(helpers, dict) and helpers.get(row.key) == HELPER_NAME:
        del helpers[row.key]
        return True
    return False


def _swap_ecr(ctx: Context, rows: list[Row], use_helper: bool, dry_run: bool) -> None:
    """Swap AWS keys for ECR tokens, every registry at once; botocore only if a swap runs."""
    pending = [row for row in rows if row.swap is not None and row.status != FAILED]
    if not pending:
        return
    if dry_run:
        for row in pending:
            row.message = "would swap the AWS keys for a registry token (no AWS call in a dry run)"
        return
    from cs_registry.ecr.provider import for_context
    from cs_registry.secret import Secret

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
                f"docker-credential-{HELPER_NAME} is not on PATH, so Docker could not run it; "
                "wrote a static token instead (it expires: run `cs-registry login` again)"
            )


def _remember_ecr(ctx: Context, config_path: Path, rows: list[Row]) -> None:
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
        if r.kind == "ecr-token" and r.status in (WRITTEN, UNCHANGED) and r.credential is not None
    ]
    if static or helped or tokens:
        # imported only now: plain logins never need the ECR records
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
        records.remember_login(ctx.cache_dir, config_path, static, helped, ready)


def _store_via_helpers(ctx: Context, pending: list[tuple[Row, str]], dry_run: bool) -> None:
    for row, helper in pending:
        assert row.credential is not None
        if dry_run:
            row.message = f"would store through docker-credential-{helper}"
            continue
        try:
            store: HelperStore = DockerPyHelper(helper, dict(ctx.environ))
            wrote = store_through(store, row.credential)
        except HelperError as exc:
            row.fail(
                Code.SHADOWED_BY_CRED_HELPER,
                f"Docker asks docker-credential-{helper} for {row.key}, and it could not store "
                f"the credential ({log.scrub(exc.message)}); no `auths` entry was written",
            )
            continue
        row.status = WRITTEN if wrote else UNCHANGED
        row.message = f"stored through docker-credential-{helper}"


def run(ctx: Context, options: LoginOptions) -> ExitStatus:
    """Run ``login``; returns the exit status (always OK in hook mode)."""
    try:
        status = _run(ctx, options)
    except CsRegistryError as exc:
        if not options.hook:
            raise
        ctx.print(f"cs-registry: {exc.message}; run `cs-registry doctor` for details")
        return ExitStatus.OK
    return ExitStatus.OK if options.hook else status


def _run(ctx: Context, options: LoginOptions) -> ExitStatus:
    environ = _environ(ctx, options)
    config_path = dockerconfig.config_dir(environ, options.config_dir) / dockerconfig.CONFIG_NAME
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
    options = replace(
        options,
        ignore=resolved.ignore,
        verify=resolved.verify,
        ecr_helper=resolved.ecr_helper,
        timeout=resolved.timeout,
    )
    discovery = settings.discover(resolved, environ)
    for triplet in discovery.triplets:
        log.register_secret(triplet.password.reveal())
        if triplet.session_token is not None:
            log.register_secret(triplet.session_token.reveal())
    rows = [_row(t) for t in discovery.triplets]
    if where.phase is lifecycle.Phase.PREBUILD and not options.dry_run:
        return _report_prebuild(ctx, options, config_path, rows, where)
    _swap_ecr(ctx, rows, bool(options.ecr_helper), options.dry_run)
    pending: list[tuple[Row, str]] = []

    def change(data: dict[str, Any]) -> bool:
        nonlocal pending
        changed, pending = _apply(data, rows, environ.get("PATH"), options.dry_run)
        return changed and not options.dry_run

    if any(row.credential is not None for row in rows):
        if options.dry_run:
            loaded = dockerconfig.load(config_path)
            change(loaded.data)
        else:
            dockerconfig.update(config_path, change)
            _remember_ecr(ctx, config_path, rows)
        _store_via_helpers(ctx, pending, options.dry_run)
    if options.verify and not options.dry_run:
        _verify(rows, environ, options.timeout or 10.0)
    _report(ctx, options, config_path, rows, discovery.stray)
    failed = any(r.status == FAILED or r.verified is False for r in rows)
    return ExitStatus.FAILED if failed else ExitStatus.OK


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


def _report_prebuild(
    ctx: Context, options: LoginOptions, path: Path, rows: list[Row], where: lifecycle.Where
) -> ExitStatus:
    origin = "the environment" if where.source == "ACTION_NAME" else where.source
    reason = (
        f"a Codespaces prebuild is being made (ACTION_NAME=createPrebuildTemplate from "
        f"{origin}); its snapshot is shared, so no credentials are written"
    )
    for row in rows:
        if row.status != FAILED:
            row.status, row.code, row.message = SKIPPED, Code.PREBUILD_PHASE, reason
    if options.json:
        print_json(ctx, {"config_path": str(path), "registries": [r.as_json() for r in rows]})
    else:
        ctx.print(f"cs-registry: {reason}.")
    return ExitStatus.OK


def _report(
    ctx: Context, options: LoginOptions, path: Path, rows: list[Row], stray: list[Any]
) -> None:
    if options.json:
        document: dict[str, Any] = {
            "config_path": str(path),
            "registries": [r.as_json() for r in rows],
        }
        if options.dry_run:
            document["dry_run"] = True
        if stray:
            document["warnings"] = [f.message for f in stray]
        print_json(ctx, document)
        return
    if options.hook:
        _report_hook(ctx, rows, stray)
        return
    shown = _display_path(path, ctx.environ)
    if not rows:
        ctx.print("No registry secrets found (<ID>_CONTAINER_REGISTRY_SERVER/_USER/_PASSWORD).")
    else:
        verb = "would update" if options.dry_run else "updated"
        ctx.print(f"Docker config: {shown}" + (f" ({verb})" if options.dry_run else ""))
    for row in rows:
        status = row.status
        status_text = "would write" if options.dry_run and status == WRITTEN else status
        line = f"  {mark(ctx, status)} {row.id:<12} {row.key or '-':<40} {status_text}"
        if row.code is not Code.OK:
            line += f"  {paint(ctx, row.code.value, 'red' if status == FAILED else 'dim')}"
        ctx.print(line)
        if row.message:
            ctx.print(f"      {row.message}")
        if row.verified is not None:
            ctx.print(
                f"      {mark(ctx, 'ok' if row.verified else 'fail')} "
                + ("verified: the registry accepted it" if row.verified else "verification failed")
                + ("" if row.verified else f"; {debug_hint(row.server or row.key or '')}")
            )
        if options.dry_run and row.credential is not None and status != FAILED:
            credential = row.credential
            ctx.print(f"      user {credential.username}, password {credential.secret.redacted}")
        for warning in row.warnings:
            ctx.print(f"      {mark(ctx, 'warn')} {warning}")
        if status == FAILED and row.key and row.code in _NETWORK_CODES:
            ctx.print(f"      → {debug_hint(row.server or row.key)}")
    for finding in stray:
        ctx.print(f"  {mark(ctx, 'warn')} {finding.message}")


def _report_hook(ctx: Context, rows: list[Row], stray: list[Any]) -> None:
    settled = all(
        r.status == UNCHANGED or (r.status == SKIPPED and r.message.startswith(_DUPLICATE))
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


def _display_path(path: Path, environ: Mapping[str, str]) -> str:
    home = environ.get("HOME")
    text = str(path)
    if home and text.startswith(home.rstrip(os.sep) + os.sep):
        return "~" + text[len(home.rstrip(os.sep)) :]
    return text
