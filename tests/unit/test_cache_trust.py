"""The token cache trusts only itself: private directories, sane expiries, a good salt.

In process, with an injected clock and a fake swapper (the real helper process is
driven in tests/integration/hardening/test_shared_cache.py).
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from cs_registry import log
from cs_registry.credhelper import fast
from cs_registry.diagnosis import Code
from cs_registry.ecr.cache import FORMAT, MAX_LIFETIME, CachedToken, TokenCache
from cs_registry.ecr.keys import EcrError, SwapTarget
from cs_registry.ecr.provider import TokenProvider
from tests.unit.test_ecr_cache import HOST, KEY_ID, T0, Clock, FakeSwapper, target

HOUR = 3600.0
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


@pytest.fixture(autouse=True)
def _structlog_ready() -> None:
    """structlog is set up at the first event; before capture_logs, or it undoes it."""
    log.get_logger("warm-up").warning("warm-up")


def provider(root: Path, swapper: FakeSwapper) -> TokenProvider:
    return TokenProvider(TokenCache(root), swapper.clock, lambda: swapper)


def warm(root: Path, clock: Clock) -> tuple[TokenCache, str]:
    """A cache at ``root`` holding token-1 for the default keys; returns it and the digest."""
    provider(root, FakeSwapper(clock)).token(target())
    cache = TokenCache(root)
    digest = cache.digest(KEY_ID, SECRET, None)
    assert digest is not None
    return cache, digest


@pytest.mark.parametrize(
    ("expires", "issued"),
    [
        (float("nan"), T0),
        (float("inf"), T0),
        (T0 + HOUR * 6, float("nan")),
        (T0 + HOUR * 6, float("-inf")),
        (-1.0, -2.0),
        (T0 + MAX_LIFETIME + 2 * HOUR, T0 + 2 * HOUR),  # expires too far ahead
        (T0 + 6 * HOUR, T0 - MAX_LIFETIME),  # lived too long
        (T0 + 6 * HOUR, T0 + 7 * HOUR),  # issued after it expires
    ],
)
def test_a_token_whose_times_make_no_sense_is_never_served(
    tmp_path: Path, expires: float, issued: float
) -> None:
    token = CachedToken("planted", expires, issued)
    assert token.remaining(T0) == 0.0
    assert token.needs_refresh(T0)
    assert token.expired(T0)

    clock = Clock()
    cache, digest = warm(tmp_path / "c", clock)
    Path(cache.path(HOST, digest)).write_text(
        f"{FORMAT}\n{expires!r}\n{issued!r}\n{HOST}\nplanted\n"
    )
    broken = FakeSwapper(clock, error=_denied())

    # the refresh fails: the planted token is still not served as a grace token
    with pytest.raises(EcrError, match="denied"):
        provider(tmp_path / "c", broken).token(target())
    assert provider(tmp_path / "c", FakeSwapper(clock)).token(target()).password == "token-1"


def _denied() -> EcrError:
    return EcrError("ECR (h): AWS denied", code=Code.ECR_ACCESS_DENIED)


def test_a_sane_token_keeps_its_remaining_time() -> None:
    token = CachedToken("t", T0 + 12 * HOUR, T0)
    assert token.remaining(T0 + HOUR) == 11 * HOUR
    assert not token.needs_refresh(T0 + HOUR)


@pytest.mark.parametrize("mode", [0o777, 0o775, 0o757])
def test_a_cache_others_may_write_is_skipped_and_said_once(tmp_path: Path, mode: int) -> None:
    clock = Clock()
    root = tmp_path / "c"
    warm(root, clock)
    root.chmod(mode)
    before = sorted(p.name for p in root.rglob("*"))
    swapper = FakeSwapper(clock)
    tokens = provider(root, swapper)

    with capture_logs() as logs:
        first, second = tokens.token(target()), tokens.token(target())

    assert (first.password, second.password, swapper.calls) == ("token-1", "token-2", 2)
    said = [entry for entry in logs if entry["event"] == "ecr_cache_not_used"]
    assert len(said) == 1
    assert "writable by group or others" in said[0]["reason"]
    assert sorted(p.name for p in root.rglob("*")) == before


def test_the_hot_path_skips_a_cache_others_may_write(tmp_path: Path) -> None:
    environ = {
        "XDG_CACHE_HOME": str(tmp_path),
        "ECR_CONTAINER_REGISTRY_SERVER": HOST,
        "ECR_CONTAINER_REGISTRY_USER": KEY_ID,
        "ECR_CONTAINER_REGISTRY_PASSWORD": SECRET,
    }
    now = time.time()
    cache = TokenCache(tmp_path / "cs-registry")
    digest = cache.digest(KEY_ID, SECRET, None)
    assert digest is not None
    assert cache.put(HOST, digest, CachedToken("cached", now + 6 * HOUR, now)) is None
    assert fast.cached_get(HOST, environ, now) is not None

    (tmp_path / "cs-registry" / "ecr").chmod(0o777)

    assert fast.cached_get(HOST, environ, now) is None


def test_a_short_salt_is_replaced_not_fatal(tmp_path: Path) -> None:
    clock = Clock()
    root = tmp_path / "c"
    warm(root, clock)
    salt = root / "ecr" / "salt"
    salt.write_bytes(b"short")
    swapper = FakeSwapper(clock)

    assert provider(root, swapper).token(target()).password == "token-1"
    assert provider(root, swapper).token(target()).password == "token-1"  # a hit
    assert swapper.calls == 1
    assert len(salt.read_bytes()) == 32
    assert stat.S_IMODE(salt.stat().st_mode) == 0o600


def test_a_symlinked_salt_is_left_alone_and_the_cache_skipped(tmp_path: Path) -> None:
    clock = Clock()
    root = tmp_path / "c"
    warm(root, clock)
    victim = tmp_path / "victim"
    victim.write_bytes(b"v" * 32)
    salt = root / "ecr" / "salt"
    salt.unlink()
    salt.symlink_to(victim)

    assert TokenCache(root).digest(KEY_ID, SECRET, None) is None
    assert "symbolic link" in (TokenCache(root).ready() or "")
    assert provider(root, FakeSwapper(clock)).token(target()).password == "token-1"
    assert salt.is_symlink()
    assert victim.read_bytes() == b"v" * 32


def test_a_fifo_entry_is_a_miss_and_never_written_through(tmp_path: Path) -> None:
    clock = Clock()
    cache, digest = warm(tmp_path / "c", clock)
    entry = Path(cache.path(HOST, digest))
    entry.unlink()
    os.mkfifo(entry)

    assert cache.get(HOST, digest) is None
    problem = cache.put(HOST, digest, CachedToken("t", T0 + HOUR, T0))
    assert problem is not None
    assert "FIFO" in problem
    assert stat.S_ISFIFO(entry.lstat().st_mode)


def test_a_fifo_lock_lets_the_refresh_go_ahead(tmp_path: Path) -> None:
    clock = Clock()
    cache, digest = warm(tmp_path / "c", clock)
    lock = Path(cache.path(HOST, digest) + ".lock")
    lock.unlink()
    os.mkfifo(lock)
    clock.now += 11 * HOUR  # refresh due: the lock is taken
    swapper = FakeSwapper(clock)

    with capture_logs() as logs:
        assert provider(tmp_path / "c", swapper).token(target()).password == "token-1"

    assert swapper.calls == 1
    assert [e["event"] for e in logs] == ["ecr_cache_lock_not_used"]


def test_root_cache_of_another_user_in_a_shared_directory_is_refused(tmp_path: Path) -> None:
    from tests.support.users import other_user

    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    root = shared / "cs-registry"
    root.mkdir(mode=0o700)
    other = other_user()
    other.chown(root)

    assert f"belongs to uid {other.uid}" in (TokenCache(root).ready() or "")


def test_the_cached_get_imports_neither_files_nor_the_code_table(tmp_path: Path) -> None:
    """The hot path reads through filecheck: files.py would bring enum and the codes."""
    now = time.time()
    cache = TokenCache(tmp_path / "cs-registry")
    digest = cache.digest(KEY_ID, SECRET, None)
    assert digest is not None
    cache.put(HOST, digest, CachedToken("cached", now + 6 * HOUR, now))
    code = (
        "import sys, time\n"
        "from cs_registry.credhelper.fast import cached_get\n"
        f"env = {{'XDG_CACHE_HOME': {str(tmp_path)!r},\n"
        f" 'ECR_CONTAINER_REGISTRY_SERVER': {HOST!r},\n"
        f" 'ECR_CONTAINER_REGISTRY_USER': {KEY_ID!r},\n"
        f" 'ECR_CONTAINER_REGISTRY_PASSWORD': {SECRET!r}}}\n"
        f"assert cached_get({HOST!r}, env, time.time()) is not None\n"
        "print(sorted(m for m in sys.modules if m.startswith('cs_registry') or m == 'enum'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    loaded = done.stdout
    for heavy in ("'enum'", "cs_registry.files'", "cs_registry.diagnosis", "cs_registry.log'"):
        assert heavy not in loaded, loaded
    assert "cs_registry.filecheck" in loaded


def test_a_token_that_cannot_be_stored_is_served_not_cached(tmp_path: Path) -> None:
    class OddSwapper(FakeSwapper):
        def swap(self, target: SwapTarget) -> CachedToken:
            self.calls += 1
            return CachedToken("line\nbreak", self.clock() + 12 * HOUR, self.clock())

    clock = Clock()
    swapper = OddSwapper(clock)

    with capture_logs() as logs:
        assert provider(tmp_path / "c", swapper).token(target()).password == "line\nbreak"

    assert [e["event"] for e in logs] == ["ecr_cache_not_written"]
    assert list((tmp_path / "c" / "ecr" / "tokens").glob("*.json")) == []
