"""The ECR names a plain ``login`` needs, without :mod:`.keys`' swap machinery.

``login`` asks every triplet whether it needs a swap and every config key whether
our helper answers for it; this module keeps those answers off the import path of
the classes a swap uses.
"""

from __future__ import annotations

from cs_registry.servers import Kind

TYPE_CHECKING = False  # not typing's: importing typing adds 0.3x python's start-up (README)
if TYPE_CHECKING:
    from cs_registry.servers import Server

#: user name of every ECR registry token; as a triplet USER it means "PASSWORD is a token"
TOKEN_USER = "AWS"
#: the helper name we write into ``credHelpers`` (``docker-credential-cs-registry``)
HELPER_NAME = "cs-registry"


def needs_swap(server: Server | None, user: str) -> bool:
    """An ECR (or ECR Public) registry whose user is an access key ID, not ``AWS``:
    Docker never sees such keys, they are swapped for a registry token first."""
    return server is not None and server.kind in (Kind.ECR, Kind.ECR_PUBLIC) and user != TOKEN_USER
