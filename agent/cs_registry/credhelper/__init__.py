"""``docker-credential-cs-registry``: Docker's credential-helper protocol.

The protocol (:mod:`.wire`, :mod:`.cli`) is kept apart from the store behind it
(:mod:`.store`), as in docker/docker-credential-helpers. :mod:`.entry` is the
console script: it answers a cached ECR ``get`` through :mod:`.fast` with the
standard library only, and imports the rest only when that misses.
"""
