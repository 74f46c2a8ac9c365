"""Doctor asks the credential helper Docker would ask: does it hold the triplet's login?

Every call goes through the bounded :mod:`cs_registry.helper_client`; one
:class:`~cs_registry.helper_client.Helper` per helper name and doctor run, so a
helper that stalls costs one helper timeout, not one per registry.
"""

from __future__ import annotations

from cs_registry.checks.record import Check, ok, problem
from cs_registry.diagnosis import Code
from cs_registry.helper_client import Helper, HelperError
from cs_registry.secrets import Triplet
from cs_registry.servers import Kind
from cs_registry.status import Status


def helper_entry(check_id: str, triplet: Triplet, helper: Helper, source: str) -> Check:
    """The ``entry:KEY`` check when ``source`` sends Docker to ``helper`` for the server."""
    assert triplet.server is not None
    key = triplet.server.key
    sends = f"{source} sends Docker to {helper.program} for {key}"
    try:
        held = helper.get(key)
    except HelperError as exc:
        if exc.diagnosis is Code.CREDS_STORE_UNAVAILABLE:
            return problem(
                check_id,
                Status.FAIL,
                Code.SHADOWED_BY_CRED_HELPER,
                f"{sends}, which is not installed; Docker never reads the auths entry for it",
            )
        return problem(check_id, Status.FAIL, exc.diagnosis, f"{sends}: {exc.message}")
    if held is None:
        return problem(
            check_id,
            Status.WARN,
            Code.MISSING_CREDENTIALS,
            f"{sends}, and it holds nothing for {key}: pulls are anonymous",
            remedy="Run `cs-registry login` (it stores the triplet's credentials through "
            "the helper).",
        )
    user, secret = held
    swapped = triplet.server.kind in (Kind.ECR, Kind.ECR_PUBLIC) and triplet.user != "AWS"
    if not swapped and (user, secret.reveal()) != (triplet.user, triplet.password.reveal()):
        return problem(
            check_id,
            Status.WARN,
            Code.MISSING_CREDENTIALS,
            f"{sends}, and it holds other credentials than the {triplet.id} triplet",
            remedy="Run `cs-registry login` to store the triplet's credentials there.",
        )
    return ok(
        check_id,
        f"Docker asks {helper.program} ({source}) for {key}; it holds the "
        f"{triplet.id} triplet's credentials",
    )


__all__ = ["helper_entry"]
