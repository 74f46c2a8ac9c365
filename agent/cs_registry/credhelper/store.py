"""The store behind the helper: registry secrets from the environment, ECR swaps, the cache.

Where credentials come from, in order:

1. the helper's environment: Docker passes its own environment to helpers, so
   the ``<ID>_CONTAINER_REGISTRY_*`` triplets of the shell (or codespace) that
   runs ``docker`` are seen as they are;
2. for ECR hosts only, the keys ``cs-registry login --ecr-helper`` saved in
   ``$XDG_CACHE_HOME/cs-registry/ecr/helper-keys.json`` (0600), for Docker
   clients started without the secrets in their environment.

ECR triplets with access keys are answered with a fresh token (cache, else swap);
every other triplet with its own user and password.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Protocol

from cs_registry import log
from cs_registry.context import Context
from cs_registry.ecr import records
from cs_registry.ecr.cache import TokenCache
from cs_registry.ecr.keys import TOKEN_USER, EcrError, needs_swap, target_for
from cs_registry.ecr.provider import TokenProvider, for_context
from cs_registry.errors import CsRegistryError
from cs_registry.secret import Secret
from cs_registry.servers import ServerError, normalise
from cs_registry.triplets import Discovery, Triplet

_log = log.get_logger("cs_registry.credhelper")


class NotFound(Exception):
    """No credentials for this server: Docker gets the standard miss message."""


class Failure(CsRegistryError):
    """Credentials exist but cannot be produced; the message is shown to Docker's user."""


class Store(Protocol):
    """What the protocol needs from a store (docker-credential-helpers' ``Helper``)."""

    def get(self, server_url: str) -> tuple[str, str]: ...

    def store(self, server_url: str, username: str, secret: str) -> None: ...

    def erase(self, server_url: str) -> None: ...

    def list(self) -> dict[str, str]: ...


class EnvironmentStore:
    """Answers from the environment's triplets (and saved ECR helper keys)."""

    def __init__(
        self, ctx: Context, provider: Callable[[Context], TokenProvider] = for_context
    ) -> None:
        self._ctx = ctx
        self._make_provider = provider

    def _in_play(self) -> Discovery:
        """The registries login counts: settings applied (``ignore``, ``registries``,
        ``ghcr_from_github_token``); a broken settings file counts as none here."""
        from cs_registry import settings  # its YAML parse only when a settings file exists

        return settings.in_play(self._ctx, lenient=True)[1]

    def _triplet(self, key: str) -> Triplet | None:
        discovery = self._in_play()
        for triplet in discovery.triplets:
            if triplet.server is not None and triplet.server.key == key:
                log.register_secret(triplet.password.reveal(), user=triplet.user)
                return triplet
        saved = records.helper_keys(self._ctx.cache_dir, key) if self._records_trusted() else None
        if saved is None:
            return None
        log.register_secret(saved.password)
        return Triplet(
            id=saved.triplet_id,
            server=normalise(key),
            user=saved.user,
            password=Secret(saved.password),
            session_token=Secret(saved.session_token) if saved.session_token else None,
        )

    def _records_trusted(self) -> bool:
        """Saved keys are read (or erased) only from a cache that is ours alone: keys
        planted in a shared one would make us pull with someone else's account."""
        problem = TokenCache(self._ctx.cache_dir).problem(tokens=False)
        if problem is None:
            return True
        if os.path.lexists(os.path.join(self._ctx.cache_dir, "ecr")):
            _log.warning("ecr_cache_not_used", reason=problem)
        return False

    def get(self, server_url: str) -> tuple[str, str]:
        """(user, secret) for ``server_url``; ECR access keys become a fresh token."""
        try:
            key = normalise(server_url).key
        except ServerError:
            raise NotFound from None
        triplet = self._triplet(key)
        if triplet is None:
            raise NotFound
        if not triplet.usable:
            first = triplet.errors[0]
            raise Failure(
                f"{triplet.id}: {'; '.join(f.message for f in triplet.errors)}", code=first.code
            )
        if not needs_swap(triplet.server, triplet.user):
            return triplet.user, triplet.password.reveal()
        try:
            token = self._make_provider(self._ctx).token(target_for(triplet))
        except EcrError as exc:
            raise Failure(exc.message, code=exc.code) from None
        return TOKEN_USER, token.password

    def store(self, server_url: str, username: str, secret: str) -> None:
        """Refused: credentials come from the registry secrets, never from ``docker login``."""
        raise Failure(
            "docker-credential-cs-registry serves credentials from registry secrets "
            "(<ID>_CONTAINER_REGISTRY_SERVER/_USER/_PASSWORD) and does not store any; "
            f"remove credHelpers[{server_url!r}] from Docker's config to use `docker login` there"
        )

    def erase(self, server_url: str) -> None:
        """Forget cached tokens and saved keys of ``server_url`` (the secrets stay)."""
        try:
            key = normalise(server_url).key
        except ServerError:
            return
        TokenCache(self._ctx.cache_dir).erase(key)
        if self._records_trusted():
            records.forget_helper_keys(self._ctx.cache_dir, key)

    def list(self) -> dict[str, str]:
        """Every host this helper answers for, with the user name it would give."""
        saved = records.helper_hosts(self._ctx.cache_dir) if self._records_trusted() else {}
        found = dict.fromkeys(saved, TOKEN_USER)
        for triplet in self._in_play().usable:
            if triplet.server is not None:
                found[triplet.server.key] = (
                    TOKEN_USER if needs_swap(triplet.server, triplet.user) else triplet.user
                )
        return found
