"""Fresh ECR tokens: from the cache while they are fresh, else from a swap.

An expired token is never handed out. A token inside its refresh window (under a
quarter of its lifetime or an hour left) is swapped again; if that swap fails and
the old token still has a few minutes, the old one is served and the failure
logged, otherwise the caller gets the classified :class:`EcrError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

from cs_registry import log
from cs_registry.context import Context
from cs_registry.ecr.cache import CachedToken, TokenCache
from cs_registry.ecr.keys import EcrError, SwapTarget
from cs_registry.ecr.swap import Swapper

_log = log.get_logger("cs_registry.ecr")
#: a token in its refresh window is still served, after a failed refresh, if it has this long
GRACE_SECONDS = 300.0
MAX_PARALLEL_SWAPS = 8


class TokenProvider:
    """Cache first, then swap; the swapper is built only when a swap is really needed."""

    def __init__(
        self,
        cache: TokenCache,
        clock: Callable[[], float],
        swapper: Callable[[], Swapper],
    ) -> None:
        self._cache = cache
        self._clock = clock
        self._make_swapper = swapper
        self._swapper: Swapper | None = None

    def _swap(self, target: SwapTarget) -> CachedToken:
        if self._swapper is None:
            self._swapper = self._make_swapper()
        return self._swapper.swap(target)

    def _digest(self, target: SwapTarget) -> str:
        keys = target.keys
        digest = self._cache.digest(
            keys.access_key_id,
            keys.secret.reveal(),
            keys.session_token.reveal() if keys.session_token else None,
        )
        assert digest is not None  # create=True always yields a salt
        return digest

    def token(self, target: SwapTarget) -> CachedToken:
        """A token for ``target`` that is not expired (raises :class:`EcrError` otherwise)."""
        digest = self._digest(target)
        cached = self._cache.get(target.host, digest)
        if cached is not None and not cached.needs_refresh(self._clock()):
            return cached
        # one refresh at a time per entry: helpers started together swap once
        with self._cache.locked(target.host, digest):
            cached = self._cache.get(target.host, digest)
            if cached is not None and not cached.needs_refresh(self._clock()):
                return cached
            try:
                fresh = self._swap(target)
            except EcrError as exc:
                now = self._clock()
                if cached is not None and cached.expires_at - now > GRACE_SECONDS:
                    _log.warning(
                        "ecr_refresh_failed_serving_cached", host=target.host, error=str(exc)
                    )
                    return cached
                raise
            self._cache.put(target.host, digest, fresh)
            return fresh

    def tokens(self, targets: Iterable[SwapTarget]) -> dict[str, CachedToken | EcrError]:
        """Tokens for several registries at once, by host; failures are returned, not raised."""
        todo = list(targets)
        if not todo:
            return {}
        if any(self._needs_swap(t) for t in todo) and self._swapper is None:
            # build botocore's session once, before the threads share it
            self._swapper = self._make_swapper()

        def one(target: SwapTarget) -> CachedToken | EcrError:
            try:
                return self.token(target)
            except EcrError as exc:
                return exc

        with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL_SWAPS, len(todo))) as pool:
            results = list(pool.map(one, todo))
        return {target.host: result for target, result in zip(todo, results, strict=True)}

    def _needs_swap(self, target: SwapTarget) -> bool:
        cached = self._cache.get(target.host, self._digest(target))
        return cached is None or cached.needs_refresh(self._clock())


def for_context(ctx: Context) -> TokenProvider:
    """The provider of one invocation: cache under ``ctx.cache_dir``, swaps through botocore."""
    from cs_registry.ecr.swap import BotocoreSwapper

    return TokenProvider(
        TokenCache(ctx.cache_dir), ctx.clock, lambda: BotocoreSwapper(ctx.environ, ctx.clock)
    )
