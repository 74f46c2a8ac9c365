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
from cs_registry.probe.credentials import Credentials
from cs_registry.probe.report import StepFailed
from cs_registry.probe.state import State
from cs_registry.secret import Secret
from cs_registry.servers import Kind
from cs_registry.status import Status

Outcome = tuple[Status, Code, str]
TOKEN_USER = "AWS"


def needs_swap(state: State) -> bool:
    """An ECR or ECR Public host with credentials whose user is not ``AWS``."""
    server, creds = state.server, state.credentials
    return (
        server is not None
        and creds is not None
        and not creds.anonymous
        and server.kind in (Kind.ECR, Kind.ECR_PUBLIC)
        and creds.username != TOKEN_USER
    )


def swap(state: State) -> str:
    """Swap the keys for a token; a failure ends the step with the ECR code.

    Returns a sentence about the token; ``state.credentials`` become ``AWS`` + token.
    """
    from cs_registry import retrying
    from cs_registry.ecr.keys import AwsKeys, EcrError, SwapTarget
    from cs_registry.ecr.swap import BotocoreSwapper, Timeouts

    server, creds = state.server, state.credentials
    assert server is not None
    assert creds is not None
    assert creds.secret is not None
    assert server.region is not None
    triplet = creds.triplet
    target = SwapTarget(
        triplet_id=triplet.id if triplet is not None else "ECR",
        host=server.key,
        region=server.region,
        public=server.kind is Kind.ECR_PUBLIC,
        keys=AwsKeys(
            creds.username, creds.secret, triplet.session_token if triplet is not None else None
        ),
    )
    limit = state.budget.timeout(5.0, 0.4)
    swapper = BotocoreSwapper(
        state.environ,
        state.clock,
        policy=retrying.OFF,  # one attempt: the --timeout budget is the bound here
        timeouts=Timeouts(connect=limit, read=limit),
    )
    try:
        token = swapper.swap(target)
    except EcrError as exc:
        try:
            code = Code(str(exc.code))
        except ValueError:  # a code the ECR package added after this module
            code = Code.ECR_UNREACHABLE
        raise StepFailed(code, f"the key swap ({target.action}) failed: {exc.message}") from None
    expires = datetime.fromtimestamp(token.expires_at, tz=timezone.utc)
    state.credentials = Credentials(
        source=f"{creds.source}, swapped for an ECR token",
        username=TOKEN_USER,
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
