"""The part of Docker's config we own: ``auths`` entries, and who answers for a key.

Pure functions over the parsed document; :mod:`cs_registry.dockerconfig` does the I/O.
"""

from __future__ import annotations

import binascii
from collections.abc import Mapping

from cs_registry import log
from cs_registry.record import Record
from cs_registry.secret import Secret
from cs_registry.servers import DOCKER_HUB_KEY, config_key_for

TYPE_CHECKING = False  # not typing's: importing typing adds 0.3x python's start-up (README)
if TYPE_CHECKING:
    from typing import Any

#: entry fields that carry a credential; replaced together when we write one
CREDENTIAL_FIELDS = frozenset({"auth", "username", "password", "identitytoken", "registrytoken"})
HELPER_PREFIX = "docker-credential-"


class Credential(Record):
    """What goes under one key: ``username`` and a secret."""

    __slots__ = ("key", "secret", "username")

    def __init__(self, key: str, username: str, secret: Secret) -> None:
        self.key = key
        self.username = username
        self.secret = secret


def encode_auth(username: str, secret: Secret) -> str:
    """``base64("user:secret")``, padded standard base64, as the docker CLI writes it."""
    # binascii is what base64.b64encode calls; the base64 module itself stays off the hot path
    raw = f"{username}:{secret.reveal()}".encode()
    encoded = binascii.b2a_base64(raw, newline=False).decode("ascii")
    log.register_secret(encoded)  # base64 hides nothing: mask it in logs like the secret
    return encoded


def decode_auth(value: object) -> tuple[str, Secret] | None:
    """Decode an ``auth`` the way the docker CLI does; ``None`` if it would reject it."""
    if not isinstance(value, str) or not value:
        return None
    import base64  # only when reading an existing entry

    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    user, sep, password = decoded.partition(":")
    if not sep or not user:
        return None
    return user, Secret(password.strip("\x00"))


def helper_for(data: Mapping[str, Any], key: str) -> str | None:
    """The credential helper Docker asks for ``key``: ``credHelpers[key]``, else ``credsStore``.

    An empty name means "no helper" to the docker CLI, and so here.
    """
    helpers = data.get("credHelpers")
    if isinstance(helpers, dict) and key in helpers:
        name = helpers[key]
        return name if isinstance(name, str) and name else None
    store = data.get("credsStore")
    return store if isinstance(store, str) and store else None


def helper_binary(name: str, path: str | None) -> str | None:
    """Where ``docker-credential-NAME`` is on ``path``, or ``None``."""
    import shutil  # only when a helper is configured: ~2 ms that plain logins skip

    return shutil.which(HELPER_PREFIX + name, path=path)


def alias_index(auths: Mapping[str, Any]) -> dict[str, list[str]]:
    """Normalised key → the raw ``auths`` keys that stand for it (legacy forms included)."""
    index: dict[str, list[str]] = {}
    for raw in auths:
        if raw.startswith(DOCKER_HUB_KEY) and raw != DOCKER_HUB_KEY:
            continue  # Docker Desktop's own token slots (…/v1/access-token), not an alias
        normalised = config_key_for(raw)
        if normalised is not None:
            index.setdefault(normalised, []).append(raw)
    return index


def put(data: dict[str, Any], credential: Credential, index: Mapping[str, list[str]]) -> bool:
    """Write ``credential`` into ``data["auths"]``; returns whether anything changed.

    Legacy keys that normalise to the same key (``https://ghcr.io``, ``docker.io``)
    are removed; every other field of the entry is kept.
    """
    auths = data.get("auths")
    if not isinstance(auths, dict):  # absent or null
        auths = data["auths"] = {}
    changed = False
    for raw in index.get(credential.key, ()):
        if raw != credential.key and raw in auths:
            del auths[raw]
            changed = True
    existing = auths.get(credential.key)
    encoded = encode_auth(credential.username, credential.secret)
    if isinstance(existing, dict):
        owned = {k: v for k, v in existing.items() if k in CREDENTIAL_FIELDS}
        if owned == {"auth": encoded}:
            return changed
        entry = {k: v for k, v in existing.items() if k not in CREDENTIAL_FIELDS}
    else:
        entry = {}
    auths[credential.key] = {"auth": encoded, **entry}
    return True
