"""What an ECR swap needs (the target host and the AWS keys) and how it fails."""

from __future__ import annotations

from dataclasses import dataclass

from cs_registry.diagnosis import Code
from cs_registry.ecr.names import HELPER_NAME, TOKEN_USER, needs_swap
from cs_registry.errors import CsRegistryError
from cs_registry.secret import Secret
from cs_registry.servers import Kind, Server
from cs_registry.triplets import SESSION_TOKEN, Triplet

__all__ = [
    "HELPER_NAME",
    "TOKEN_USER",
    "AwsKeys",
    "EcrError",
    "SwapTarget",
    "needs_swap",
    "swap_target",
    "target_for",
]


class EcrError(CsRegistryError):
    """A swap failed; ``code`` is one of the ECR diagnosis codes (or ``clock_skew``)."""

    def __init__(self, message: str, *, code: Code) -> None:
        super().__init__(message, code=code)


@dataclass(frozen=True)
class AwsKeys:
    """An access key ID, its secret, and the session token temporary keys need."""

    access_key_id: str
    secret: Secret
    session_token: Secret | None = None

    @property
    def temporary(self) -> bool:
        """STS-issued keys start with ``ASIA`` and are useless without their session token."""
        return self.access_key_id.startswith("ASIA")


@dataclass(frozen=True)
class SwapTarget:
    """One registry to swap keys for: ``host`` is the key the user gave (we write there)."""

    triplet_id: str
    host: str
    region: str
    public: bool
    keys: AwsKeys

    @property
    def service(self) -> str:
        return "ecr-public" if self.public else "ecr"

    @property
    def action(self) -> str:
        """The IAM action the swap needs."""
        return f"{self.service}:GetAuthorizationToken"

    def session_var(self) -> str:
        return f"{self.triplet_id}{SESSION_TOKEN}"


def swap_target(
    triplet_id: str,
    server: Server,
    access_key_id: str,
    secret: Secret,
    session_token: Secret | None = None,
) -> SwapTarget:
    """What to swap for the ECR ``server`` (see :func:`needs_swap`): the keys and where."""
    if server.region is None:
        raise ValueError(f"{triplet_id}: {server.host} is not an ECR registry")
    return SwapTarget(
        triplet_id=triplet_id,
        host=server.key,
        region=server.region,
        public=server.kind is Kind.ECR_PUBLIC,
        keys=AwsKeys(access_key_id, secret, session_token),
    )


def target_for(triplet: Triplet) -> SwapTarget:
    """The swap target of an ECR triplet."""
    if triplet.server is None:
        raise ValueError(f"{triplet.id} is not an ECR triplet")
    return swap_target(
        triplet.id, triplet.server, triplet.user, triplet.password, triplet.session_token
    )
