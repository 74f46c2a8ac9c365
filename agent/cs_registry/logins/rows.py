"""One outcome per registry, and how the plain credentials merge into Docker's config."""

from __future__ import annotations

import enum

from cs_registry.auths import Credential, alias_index, put
from cs_registry.diagnosis import Code
from cs_registry.docker_view import resolve, who_answers
from cs_registry.ecr.names import HELPER_NAME, TOKEN_USER, needs_swap
from cs_registry.servers import Kind

TYPE_CHECKING = False  # not typing's: importing typing adds 0.3x python's start-up (README)
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from cs_registry.ecr.keys import SwapTarget
    from cs_registry.triplets import Finding, Triplet


class RowStatus(str, enum.Enum):
    """What login did for one registry (the ``status`` of the JSON contract)."""

    WRITTEN = "written"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    FAILED = "failed"
    #: an entry login wrote, removed because its triplet is gone (logins.removal)
    REMOVED = "removed"

    def __str__(self) -> str:
        return self.value


class RowKind(str, enum.Enum):
    """How a registry's credential is made (the ``kind`` of the JSON contract)."""

    BASIC = "basic"
    #: ECR access keys, swapped for a token
    ECR = "ecr"
    #: user ``AWS``: the password is a ready ECR token
    ECR_TOKEN = "ecr-token"
    ECR_PUBLIC = "ecr-public"

    def __str__(self) -> str:
        return self.value


WRITTEN, UNCHANGED, SKIPPED, FAILED, REMOVED = RowStatus
DUPLICATE = "same server and credentials as"


class Row:
    """One registry's outcome; serialises to the ``registries`` items of the JSON contract.

    A plain class with ``__slots__`` rather than a dataclass: ``dataclasses`` imports
    ``inspect`` and costs plain logins (every lifecycle hook) ~10 ms.
    """

    __slots__ = (
        "code",
        "credential",
        "expires_at",
        "helper",
        "id",
        "in_auths",
        "key",
        "kind",
        "message",
        "server",
        "status",
        "stored_in",
        "swap",
        "verified",
        "warnings",
    )

    def __init__(self, id: str, server: str | None, key: str | None, kind: RowKind) -> None:
        self.id = id
        self.server = server
        self.key = key
        self.kind = kind
        self.status = WRITTEN
        self.code = Code.OK
        self.message = ""
        self.verified: bool | None = None
        self.warnings: list[Finding] = []
        self.credential: Credential | None = None
        #: ECR access keys to swap for a token before writing
        self.swap: SwapTarget | None = None
        #: write credHelpers[key] = helper instead of an `auths` entry
        self.helper: str | None = None
        #: when the token written for an ECR row expires (epoch seconds)
        self.expires_at: float | None = None
        #: the credential went into `auths` (what login's record may list)
        self.in_auths = False
        #: the helper the credential was stored through (what login's record may list)
        self.stored_in: str | None = None

    def __repr__(self) -> str:
        return f"Row(id={self.id!r}, key={self.key!r}, status={self.status!r}, code={self.code!r})"

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
            "warnings": [warning_json(w) for w in self.warnings],
        }


def warning_json(finding: Finding) -> dict[str, str]:
    """A warning in ``--json`` output: its stable code and its message."""
    return {"code": finding.code.value, "message": finding.message}


def _entry_kind(triplet: Triplet) -> RowKind:
    if triplet.server is None:
        return RowKind.BASIC
    if triplet.server.kind is Kind.ECR_PUBLIC:
        return RowKind.ECR_PUBLIC
    if triplet.server.kind is Kind.ECR:
        return RowKind.ECR_TOKEN if triplet.user == TOKEN_USER else RowKind.ECR
    return RowKind.BASIC


def row_for(triplet: Triplet) -> Row:
    """The starting outcome of one triplet: failed, skipped, to swap, or a credential."""
    server = triplet.server
    row = Row(
        id=triplet.id,
        server=server.host if server else None,
        key=server.key if server else None,
        kind=_entry_kind(triplet),
    )
    row.warnings = list(triplet.warnings)
    if triplet.errors:
        first = triplet.errors[0]
        row.fail(first.code, "; ".join(f.message for f in triplet.errors))
    elif triplet.duplicate_of is not None:
        row.status, row.message = SKIPPED, f"{DUPLICATE} {triplet.duplicate_of}"
    elif needs_swap(server, triplet.user):
        # imported only now: plain logins never build a swap target
        from cs_registry.ecr.keys import target_for

        row.swap = target_for(triplet)  # swapped with the others by logins.ecr.swap
    elif server is not None:
        row.credential = Credential(server.key, triplet.user, triplet.password)
    return row


def apply(
    data: dict[str, Any], rows: list[Row], path_env: str | None
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
        helper, helper_path = _helper(data, credential.key, path_env)
        if helper == HELPER_NAME and row.swap is not None and _drop_own_helper(data, row):
            changed = True
            helper, helper_path = _helper(data, credential.key, path_env)
        if helper is not None and helper_path is None:
            # the same answer doctor and debug-login give (docker_view)
            view = resolve(data, credential.key, lambda program: _which(program, path_env))
            row.fail(
                Code.CREDS_STORE_UNAVAILABLE,
                f"{view.describe()}; no `auths` entry was written",
            )
            continue
        if helper == HELPER_NAME:
            # our own helper answers for this key from the environment: nothing to store
            row.status, row.message = UNCHANGED, f"served by docker-credential-{HELPER_NAME}"
            continue
        if helper is not None:
            via_helper.append((row, helper))
            continue
        row.status = WRITTEN if put(data, credential, index) else UNCHANGED
        row.in_auths = True
        changed = changed or row.status == WRITTEN
    return changed, via_helper


def _helper(data: dict[str, Any], key: str, path_env: str | None) -> tuple[str | None, str | None]:
    """The helper Docker asks for ``key`` and where it is installed (docker_view's first
    step); ``PATH`` is searched only when a helper is named."""
    helper, _source, path = who_answers(data, key, lambda program: _which(program, path_env))
    return helper, path


def _which(program: str, path_env: str | None) -> str | None:
    import shutil  # only when a helper is configured: ~2 ms that plain logins skip

    return shutil.which(program, path=path_env)


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


def store_via_helpers(
    environ: Mapping[str, str], pending: list[tuple[Row, str]], dry_run: bool
) -> None:
    """Store the credentials a ``credHelpers``/``credsStore`` helper answers for.

    Each call is bounded (:mod:`cs_registry.helper_client`); a helper that stalls
    fails its rows with ``cred_helper_timeout`` and is asked once per run, so one
    locked keyring costs one helper timeout, however many registries it answers for.
    """
    if not pending:
        return
    # the helper client, imported only when a helper is involved
    from cs_registry.helper_client import Helper, HelperError, store_if_changed

    helpers: dict[str, Helper] = {}
    for row, name in pending:
        assert row.credential is not None
        if dry_run:
            row.message = f"would store through docker-credential-{name}"
            continue
        helper = helpers.setdefault(name, Helper(name, environ))
        credential = row.credential
        try:
            wrote = store_if_changed(helper, credential.key, credential.username, credential.secret)
        except HelperError as exc:
            row.fail(
                exc.diagnosis,
                f"Docker asks {helper.program} for {row.key}, and it could not store the "
                f"credential: {exc.message}; no `auths` entry was written",
            )
            continue
        row.status = WRITTEN if wrote else UNCHANGED
        row.stored_in = name
        row.message = f"stored through {helper.program}"
