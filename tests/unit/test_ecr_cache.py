"""The token cache and the provider in front of it, with an injected clock and a fake swapper."""

from __future__ import annotations

import os
import stat
import threading
import time
from pathlib import Path

import pytest

from cs_registry.diagnosis import Code
from cs_registry.ecr.cache import CachedToken, TokenCache
from cs_registry.ecr.keys import AwsKeys, EcrError, SwapTarget
from cs_registry.ecr.provider import TokenProvider
from cs_registry.secret import Secret

HOST = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
KEY_ID = "AKIAIOSFODNN7EXAMPLE"
HOUR = 3600.0
T0 = 1_800_000_000.0


class Clock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class FakeSwapper:
    """Hands out token-1, token-2, ... valid for 12 h from the clock; or raises ``error``."""

    def __init__(self, clock: Clock, error: EcrError | None = None, delay: float = 0.0) -> None:
        self.clock = clock
        self.error = error
        self.delay = delay
        self.calls = 0
        self.lock = threading.Lock()

    def swap(self, target: SwapTarget) -> CachedToken:
        with self.lock:
            self.calls += 1
            n = self.calls
        time.sleep(self.delay)
        if self.error is not None:
            raise self.error
        return CachedToken(f"token-{n}", self.clock() + 12 * HOUR, self.clock())


def target(secret: str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY") -> SwapTarget:
    return SwapTarget("ECR", HOST, "us-east-1", False, AwsKeys(KEY_ID, Secret(secret)))


def provider(tmp_path: Path, swapper: FakeSwapper) -> TokenProvider:
    return TokenProvider(TokenCache(tmp_path / "cs-registry"), swapper.clock, lambda: swapper)


def test_second_request_is_a_cache_hit(tmp_path: Path) -> None:
    clock = Clock()
    swapper = FakeSwapper(clock)

    first = provider(tmp_path, swapper).token(target())
    clock.now += HOUR
    second = provider(tmp_path, swapper).token(target())

    assert (first.password, second.password, swapper.calls) == ("token-1", "token-1", 1)


def test_refreshed_when_a_quarter_of_the_lifetime_remains(tmp_path: Path) -> None:
    clock = Clock()
    swapper = FakeSwapper(clock)
    cached = provider(tmp_path, swapper)
    cached.token(target())

    clock.now = T0 + 9 * HOUR - 1  # 3 h + 1 s left of 12 h: still more than a quarter
    assert cached.token(target()).password == "token-1"
    clock.now = T0 + 9 * HOUR + 1  # under a quarter
    assert cached.token(target()).password == "token-2"
    assert swapper.calls == 2


def test_short_lived_tokens_refresh_with_an_hour_left(tmp_path: Path) -> None:
    cache = TokenCache(tmp_path)
    token = CachedToken("t", T0 + 2 * HOUR, T0)  # quarter of 2 h is 30 min; the floor is 1 h

    assert not token.needs_refresh(T0 + HOUR - 1)
    assert token.needs_refresh(T0 + HOUR + 1)
    assert cache.get(HOST, "none") is None


def test_expired_token_is_never_served_when_refresh_fails(tmp_path: Path) -> None:
    clock = Clock()
    good = FakeSwapper(clock)
    provider(tmp_path, good).token(target())
    clock.now = T0 + 13 * HOUR
    broken = FakeSwapper(clock, EcrError("ECR (h): AWS denied", code=Code.ECR_ACCESS_DENIED))

    with pytest.raises(EcrError) as caught:
        provider(tmp_path, broken).token(target())

    assert caught.value.code is Code.ECR_ACCESS_DENIED


def test_token_with_minutes_left_is_served_when_refresh_fails(tmp_path: Path) -> None:
    clock = Clock()
    provider(tmp_path, FakeSwapper(clock)).token(target())
    clock.now = T0 + 11 * HOUR  # an hour left: refresh due, but the token still works
    broken = FakeSwapper(clock, EcrError("ECR (h): unreachable", code=Code.ECR_UNREACHABLE))

    assert provider(tmp_path, broken).token(target()).password == "token-1"
    assert broken.calls == 1


def test_other_credentials_get_their_own_entry(tmp_path: Path) -> None:
    clock = Clock()
    swapper = FakeSwapper(clock)
    cached = provider(tmp_path, swapper)

    assert cached.token(target("secret-one")).password == "token-1"
    assert cached.token(target("secret-two")).password == "token-2"
    assert cached.token(target("secret-one")).password == "token-1"


def test_digest_is_salted_and_never_shows_the_key_id(tmp_path: Path) -> None:
    clock = Clock()
    provider(tmp_path, FakeSwapper(clock)).token(target())
    root = tmp_path / "cs-registry"

    files = [p for p in root.rglob("*") if p.is_file()]
    for path in files:
        data = path.read_bytes()
        assert KEY_ID.encode() not in data
        assert b"wJalrXUtnFEMI" not in data
        assert KEY_ID not in path.name
    # another cache (another salt) derives another digest from the same keys
    other = TokenCache(tmp_path / "other")
    mine = TokenCache(root)
    assert mine.digest(KEY_ID, "s", None) != other.digest(KEY_ID, "s", None)
    assert mine.digest(KEY_ID, "s", None) == mine.digest(KEY_ID, "s", None)


def test_modes_are_private(tmp_path: Path) -> None:
    clock = Clock()
    provider(tmp_path, FakeSwapper(clock)).token(target())
    root = tmp_path / "cs-registry"

    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), path


def test_token_file_holds_password_and_times(tmp_path: Path) -> None:
    clock = Clock()
    provider(tmp_path, FakeSwapper(clock)).token(target())

    (path,) = (tmp_path / "cs-registry" / "ecr" / "tokens").glob("*.json")
    assert path.name.startswith(HOST + ".")
    assert path.read_text() == (
        f"cs-registry-ecr-token/1\n{T0 + 12 * HOUR!r}\n{T0!r}\n{HOST}\ntoken-1\n"
    )


def test_concurrent_helpers_swap_once(tmp_path: Path) -> None:
    clock = Clock()
    swapper = FakeSwapper(clock, delay=0.2)
    results: list[str] = []

    def helper() -> None:
        # each "helper" has its own cache object, as separate processes would
        results.append(provider(tmp_path, swapper).token(target()).password)

    threads = [threading.Thread(target=helper) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert (swapper.calls, results) == (1, ["token-1"] * 8)


def test_erase_removes_only_that_host(tmp_path: Path) -> None:
    cache = TokenCache(tmp_path)
    digest = cache.digest(KEY_ID, "s", None)
    assert digest is not None
    cache.put(HOST, digest, CachedToken("a", T0, T0))
    cache.put(HOST + ".evil", digest, CachedToken("b", T0, T0))

    assert cache.erase(HOST) == 1
    assert cache.get(HOST, digest) is None
    assert cache.get(HOST + ".evil", digest) is not None


def test_corrupt_entry_is_a_miss(tmp_path: Path) -> None:
    cache = TokenCache(tmp_path)
    digest = cache.digest(KEY_ID, "s", None)
    assert digest is not None
    cache.put(HOST, digest, CachedToken("a", T0, T0))
    Path(cache.path(HOST, digest)).write_text("{not json")

    assert cache.get(HOST, digest) is None


def test_no_temp_files_left_behind(tmp_path: Path) -> None:
    clock = Clock()
    for _ in range(3):
        clock.now += 10 * HOUR
        provider(tmp_path, FakeSwapper(clock)).token(target())

    names = os.listdir(tmp_path / "cs-registry" / "ecr" / "tokens")
    assert not [n for n in names if n.endswith(".tmp")]


@pytest.mark.parametrize("key", [b"", b"k", b"s" * 32, b"x" * 64, b"long" * 40])
def test_hot_path_hmac_equals_the_standard_library(key: bytes) -> None:
    import hashlib
    import hmac

    from cs_registry.ecr.hashing import hmac_sha256

    message = b"AKIA\0secret\0" + key
    assert hmac_sha256(key, message) == hmac.new(key, message, hashlib.sha256).hexdigest()
