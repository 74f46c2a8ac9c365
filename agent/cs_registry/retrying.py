"""The one retry policy: transient faults only, bounded in attempts and in total time.

Callers describe *what* is transient (a predicate on the exception); this module
decides *how often* and *how long*. Tests pass :data:`FAST` or :data:`OFF` instead
of patching tenacity or ``time.sleep`` globally. tenacity is imported on first use,
so modules that merely hold a policy stay cheap to import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


def _real_sleep(seconds: float) -> None:
    import time

    time.sleep(seconds)


@dataclass(frozen=True)
class RetryPolicy:
    """How many attempts, how long in total, and how to wait between attempts."""

    attempts: int = 3
    total_seconds: float = 15.0
    #: the longest one attempt may take (its connect + read timeouts)
    attempt_seconds: float = 7.0
    first_wait: float = 0.5
    max_wait: float = 4.0
    sleep: Callable[[float], None] = _real_sleep

    def call(self, func: Callable[[], T], *, transient: Callable[[BaseException], bool]) -> T:
        """Run ``func``; retry it while it raises something ``transient`` and budget remains.

        The last exception is re-raised as it was (``reraise=True``), so callers
        classify the real cause, never a ``RetryError``.
        """
        if self.attempts <= 1:
            return func()
        import tenacity

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.attempts)
            # never start an attempt that could still be running when the budget ends
            | tenacity.stop_before_delay(max(self.total_seconds - self.attempt_seconds, 0.0)),
            wait=tenacity.wait_exponential(multiplier=self.first_wait, max=self.max_wait)
            + tenacity.wait_random(0, self.first_wait),
            retry=tenacity.retry_if_exception(transient),
            sleep=self.sleep,
            reraise=True,
        )
        return retrying(func)


#: production: at most 3 attempts and 15 s in total
DEFAULT = RetryPolicy()
#: tests: the same decisions without waiting
FAST = RetryPolicy(sleep=lambda _seconds: None)
#: tests: a single attempt
OFF = RetryPolicy(attempts=1)
