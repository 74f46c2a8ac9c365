"""The ECR names a plain ``login`` needs, without :mod:`.keys`' swap machinery.

``login`` asks every triplet whether it needs a swap and every config key whether
our helper answers for it; this module keeps those answers off the import path of
the classes a swap uses.
"""

from __future__ import annotations

from cs_registry.servers import Kind

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~4 ms)
if TYPE_CHECKING:
    from cs_registry.triplets import Triplet

#: user name of every ECR registry token; as a triplet USER it means "PASSWORD is a token"
TOKEN_USER = "AWS"
#: the helper name we write into ``credHelpers`` (``docker-credential-cs-registry``)
HELPER_NAME = "cs-registry"


def needs_swap(triplet: Triplet) -> bool:
    """An ECR (or ECR Public) triplet whose USER is an access key ID, not ``AWS``."""
    server = triplet.server
    return (
        server is not None
        and server.kind in (Kind.ECR, Kind.ECR_PUBLIC)
        and triplet.user != TOKEN_USER
    )
