"""ECR with AWS access keys: the key-to-token swap is the login that can fail.

Docker never sees the keys: Codespaces (and ``cs-registry login``) swap them for a
12-hour token with ``GetAuthorizationToken`` first. So for an ECR host whose user
is an access key ID, the ``auth`` step runs that swap (the ECR package's own
classification names the cause), then logs in with ``AWS`` and the token when the
registry itself was reached.
"""

from __future__ import annotations

from datetime import datetime, timezone

from cs_registry.diagnosis import Code
from cs_registry.ecr import names
from cs_registry.probe.credentials import Credentials
from cs_registry.probe.report import StepFailed
from cs_registry.probe.state import State
from cs_registry.secret import Secret
from cs_registry.status import Status

Outcome = tuple[Status, Code, str]


def needs_swap(state: State) -> bool:
    """Credentials for an ECR or ECR Public host whose user is an access key ID."""
    creds = state.credentials
    return (
        creds is not None and not creds.anonymous and names.needs_swap(state.server, creds.username)
    )


def swap(state: State) -> str:
    """Swap the keys for a token; a failure ends the step with the ECR code.

    The swap is login's and the helper's (:func:`cs_registry.ecr.provider.token_provider`)
    without their cache, whose token would not test the keys, and with one attempt
    bounded by what is left of ``--timeout``. Returns a sentence about the token;
    ``state.credentials`` become ``AWS`` + token.
    """
    from cs_registry import retrying
    from cs_registry.ecr.keys import EcrError, swap_target
    from cs_registry.ecr.provider import token_provider
    from cs_registry.ecr.swap import Timeouts

    server, creds = state.server, state.credentials
    assert server is not None
    assert creds is not None
    assert creds.secret is not None
    triplet = creds.triplet
    target = swap_target(
        triplet.id if triplet is not None else "ECR",
        server,
        creds.username,
        creds.secret,
        triplet.session_token if triplet is not None else None,
    )
    limit = state.budget.timeout(5.0, 0.4)
    provider = token_provider(
        state.environ,
        state.clock,
        cache_dir=None,
        policy=retrying.OFF,
        timeouts=Timeouts(connect=limit, read=limit),
    )
    try:
        token = provider.token(target)
    except EcrError as exc:
        raise StepFailed(
            exc.code, f"the key swap ({target.action}) failed: {exc.message}"
        ) from None
    expires = datetime.fromtimestamp(token.expires_at, tz=timezone.utc)
    state.credentials = Credentials(
        source=f"{creds.source}, swapped for an ECR token",
        username=names.TOKEN_USER,
        secret=Secret(token.password),
        triplet=triplet,
    )
    return f"{target.action} worked: token valid until {expires:%Y-%m-%d %H:%M} UTC"


def step_auth_ecr(state: State) -> Outcome | None:
    """The swap; ``None`` when the registry was reached and the login should go on."""
    said = swap(state)
    if state.ping is None:
        return Status.OK, Code.OK, f"{said}; the registry itself was not reached (see above)"
    state.swap_note = said
    return None


__all__ = ["needs_swap", "step_auth_ecr", "swap"]
