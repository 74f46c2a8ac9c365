"""Fresh ECR tokens: from the cache while they are fresh, else from a swap.

:func:`token_provider` is the one way into the swap: ``login`` (every ECR registry
at once), the credential helper (one per ``get``) and ``debug-login`` (no cache: it
tests the keys, which a cached token would not) all enter here.

An expired token is never handed out, nor one whose times make no sense. A token
inside its refresh window (under a quarter of its lifetime or an hour left) is
swapped again; if that swap fails and the old token still has a few minutes, the
old one is served and the failure logged, otherwise the caller gets the classified
:class:`EcrError`. A cache that may not be used (not ours alone, a planted salt)
is skipped: every token is swapped fresh, and the log says why, once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from cs_registry import log, retrying
from cs_registry.context import Context
from cs_registry.ecr.cache import CachedToken, TokenCache
from cs_registry.ecr.keys import EcrError, SwapTarget
from cs_registry.ecr.swap import Swapper, Timeouts

if TYPE_CHECKING:
    from cs_registry.paths import StrPath

_log = log.get_logger("cs_registry.ecr")
#: a token in its refresh window is still served, after a failed refresh, if it has this long
GRACE_SECONDS = 300.0
MAX_PARALLEL_SWAPS = 8


class TokenProvider:
    """Cache first, then swap; the swapper is built only when a swap is really needed."""

    def __init__(
        self,
        cache: TokenCache | None,
        clock: Callable[[], float],
        swapper: Callable[[], Swapper],
    ) -> None:
        self._cache = cache
        self._clock = clock
        self._make_swapper = swapper
        self._swapper: Swapper | None = None
        self._said: set[str] = set()
        self._said_lock = threading.Lock()

    def _say_once(self, event: str, problem: str) -> None:
        """Log ``problem`` once per run, however many tokens meet it."""
        with self._said_lock:
            if problem in self._said:
                return
            self._said.add(problem)
        _log.warning(event, reason=problem)

    def _swap(self, target: SwapTarget) -> CachedToken:
        if self._swapper is None:
            self._swapper = self._make_swapper()
        return self._swapper.swap(target)

    def _digest(self, target: SwapTarget) -> str | None:
        """The cache key of ``target``'s keys; ``None`` when there is no cache to use."""
        if self._cache is None:
            return None
        problem = self._cache.ready()
        if problem is not None:
            self._say_once("ecr_cache_not_used", problem)
            return None
        keys = target.keys
        return self._cache.digest(
            keys.access_key_id,
            keys.secret.reveal(),
            keys.session_token.reveal() if keys.session_token else None,
        )

    def token(self, target: SwapTarget) -> CachedToken:
        """A token for ``target`` that is not expired (raises :class:`EcrError` otherwise)."""
        digest = self._digest(target)
        if self._cache is None or digest is None:
            return self._swap(target)
        cached = self._cache.get(target.host, digest)
        if cached is not None and not cached.needs_refresh(self._clock()):
            return cached
        # one refresh at a time per entry: helpers started together swap once
        with self._cache.locked(target.host, digest) as lock:
            if lock.problem is not None:
                self._say_once("ecr_cache_lock_not_used", lock.problem)
            cached = self._cache.get(target.host, digest)
            if cached is not None and not cached.needs_refresh(self._clock()):
                return cached
            try:
                fresh = self._swap(target)
            except EcrError as exc:
                if cached is not None and cached.remaining(self._clock()) > GRACE_SECONDS:
                    _log.warning(
                        "ecr_refresh_failed_serving_cached", host=target.host, error=str(exc)
                    )
                    return cached
                raise
            problem = self._cache.put(target.host, digest, fresh)
            if problem is not None:
                self._say_once("ecr_cache_not_written", problem)
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
        digest = self._digest(target)
        if self._cache is None or digest is None:
            return True
        cached = self._cache.get(target.host, digest)
        return cached is None or cached.needs_refresh(self._clock())


def token_provider(
    environ: Mapping[str, str],
    clock: Callable[[], float],
    *,
    cache_dir: StrPath | None,
    policy: retrying.RetryPolicy = retrying.DEFAULT,
    timeouts: Timeouts | None = None,
) -> TokenProvider:
    """Where every ECR token comes from: the cache under ``cache_dir`` (``None``: none,
    every token swapped), else ``GetAuthorizationToken`` through botocore with ``policy``
    and ``timeouts`` (default: :class:`Timeouts`); botocore is imported only when a swap
    really runs."""
    from cs_registry.ecr.swap import BotocoreSwapper

    cache = TokenCache(cache_dir) if cache_dir is not None else None
    return TokenProvider(
        cache,
        clock,
        lambda: BotocoreSwapper(environ, clock, policy=policy, timeouts=timeouts or Timeouts()),
    )


def for_context(ctx: Context) -> TokenProvider:
    """The provider of ``login`` and the helper: cached, retried (:data:`retrying.DEFAULT`)."""
    return token_provider(ctx.environ, ctx.clock, cache_dir=ctx.cache_dir)
