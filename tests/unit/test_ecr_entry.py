"""One way into the ECR swap (``ecr.provider.token_provider``) for login, the helper and
debug-login: login and the helper share the cache, debug-login never uses it.

Only botocore is replaced (``ecr.swap.BotocoreSwapper``); the provider, the cache and
each caller's wiring are the real ones.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from cs_registry import retrying
from cs_registry.credhelper.store import EnvironmentStore
from cs_registry.ecr import swap as ecr_swap
from cs_registry.ecr.cache import CachedToken
from cs_registry.ecr.keys import SwapTarget
from cs_registry.main import main
from cs_registry.probe import ecrstep
from cs_registry.probe.credentials import Credentials
from cs_registry.probe.report import Budget
from cs_registry.probe.state import ProbeOptions, State
from cs_registry.secret import Secret
from cs_registry.servers import normalise
from tests.support.captured import MakeCtx

HOST = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
ECR = {
    "ECR_CONTAINER_REGISTRY_SERVER": HOST,
    "ECR_CONTAINER_REGISTRY_USER": KEY_ID,
    "ECR_CONTAINER_REGISTRY_PASSWORD": SECRET,
}


class Botocore:
    """Stands in for ``BotocoreSwapper``: records how each swapper was built and each swap."""

    def __init__(self) -> None:
        self.built: list[tuple[retrying.RetryPolicy, ecr_swap.Timeouts]] = []
        self.swapped: list[str] = []

    def __call__(
        self,
        environ: Mapping[str, str],
        clock: Callable[[], float],
        *,
        policy: retrying.RetryPolicy = retrying.DEFAULT,
        timeouts: ecr_swap.Timeouts | None = None,
    ) -> Botocore:
        self.built.append((policy, timeouts or ecr_swap.Timeouts()))
        return self

    def swap(self, target: SwapTarget) -> CachedToken:
        self.swapped.append(target.host)
        now = time.time()
        return CachedToken(f"token-{len(self.swapped)}", now + 12 * 3600, now)


@pytest.fixture
def botocore(monkeypatch: pytest.MonkeyPatch) -> Botocore:
    fake = Botocore()
    monkeypatch.setattr(ecr_swap, "BotocoreSwapper", fake)
    return fake


def test_login_and_the_helper_share_one_cached_swap(make_ctx: MakeCtx, botocore: Botocore) -> None:
    ctx = make_ctx(ECR)
    assert main(["login", "--json"], ctx) == 0
    (row,) = json.loads(ctx.stdout.getvalue())["registries"]
    assert row["status"] == "written"
    assert botocore.swapped == [HOST]
    assert botocore.built == [(retrying.DEFAULT, ecr_swap.Timeouts())]

    user, token = EnvironmentStore(make_ctx(ECR)).get(HOST)
    assert (user, token) == ("AWS", "token-1")  # login's token, from the cache
    assert botocore.swapped == [HOST]


def test_debug_login_swaps_every_time_in_one_bounded_attempt(
    make_ctx: MakeCtx, botocore: Botocore
) -> None:
    assert main(["login"], make_ctx(ECR)) == 0  # a cached token it must not use
    for expected in ("token-2", "token-3"):
        state = State(
            options=ProbeOptions(server=HOST),
            environ=ECR,
            stdin=io.StringIO(),
            clock=time.time,
            budget=Budget(10.0),
            config_dir=Path("/nonexistent"),
        )
        state.server = normalise(HOST)
        state.credentials = Credentials(source="-u", username=KEY_ID, secret=Secret(SECRET))
        assert ecrstep.needs_swap(state)
        assert "GetAuthorizationToken worked" in ecrstep.swap(state)
        assert state.credentials.username == "AWS"
        assert state.credentials.secret is not None
        assert state.credentials.secret.reveal() == expected
    policy, timeouts = botocore.built[-1]
    assert policy is retrying.OFF
    assert timeouts.connect <= 5.0
    assert timeouts.read <= 5.0
