"""ECR benchmark cases: the credential helper's cached ``get`` and a cold swap.

- cached ``get``: ``docker-credential-cs-registry get`` answered from the token
  cache, next to the bare interpreter (target: <= 2.5x) and to the Go helper
  answering from its own cache.
- cold swap: ours and Debian's ``docker-credential-ecr-login`` against the same
  moto server. The Go helper (0.6.x) ignores ``AWS_ENDPOINT_URL*``, so both go
  through one TLS-terminating ``HTTPS_PROXY`` (``AWS_CA_BUNDLE`` trusts its test
  CA) to the real AWS host names: the same path and the same server for both.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from tests.benchmarks.cases import BARE_PYTHON, BenchContext, Command, case
from tests.support import fakeaws
from tests.support.awsproxy import AwsProxy, aws_proxy
from tests.support.moto import start_moto

HELPER_CACHED = "docker-credential-cs-registry get (cached ECR token)"
HELPER_COLD = "docker-credential-cs-registry get (cold swap, moto via proxy)"
GO_COLD = "docker-credential-ecr-login get (cold swap, moto via proxy)"
GO_CACHED = "docker-credential-ecr-login get (cached token)"
GO_HELPER = "/usr/bin/docker-credential-ecr-login"
HOST = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
_proxies: dict[int, AwsProxy] = {}


def _proxy(ctx: BenchContext) -> AwsProxy:
    """One moto server and one proxy per benchmark run, shared by the cold cases."""
    if id(ctx) not in _proxies:
        directory = ctx.fresh_dir("moto")
        moto = ctx.stack.enter_context(start_moto(directory))
        port = int(moto.url.rsplit(":", 1)[1])
        _proxies[id(ctx)] = ctx.stack.enter_context(aws_proxy(directory, port))
    return _proxies[id(ctx)]


def _triplet() -> dict[str, str]:
    return {
        "ECR_CONTAINER_REGISTRY_SERVER": HOST,
        "ECR_CONTAINER_REGISTRY_USER": KEY_ID,
        "ECR_CONTAINER_REGISTRY_PASSWORD": SECRET,
    }


def _emptied(path: Path) -> Callable[[], None]:
    def reset() -> None:
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(mode=0o700)

    return reset


@case(HELPER_CACHED, baselines=(BARE_PYTHON, GO_CACHED))
def helper_cached(ctx: BenchContext) -> Command:
    """A cached ``get``, as Docker runs it on every pull of an ECR image."""
    from cs_registry.ecr.cache import CachedToken, TokenCache

    cache_home = ctx.fresh_dir("ecr-cache-warm")
    cache = TokenCache(cache_home / "cs-registry")
    digest = cache.digest(KEY_ID, SECRET, None)
    assert digest is not None
    now = time.time()
    cache.put(HOST, digest, CachedToken("bench-token", now + 12 * 3600, now))
    env = ctx.env(XDG_CACHE_HOME=str(cache_home), **_triplet())
    return Command(
        [ctx.script("docker-credential-cs-registry"), "get"], env=env, stdin=HOST.encode()
    )


@case(HELPER_COLD, baselines=(GO_COLD,))
def helper_cold(ctx: BenchContext) -> Command:
    """A cold ``get``: empty cache, one GetAuthorizationToken through botocore."""
    cache_home = ctx.fresh_dir("ecr-cache-cold")
    env = ctx.env(XDG_CACHE_HOME=str(cache_home), **_proxy(ctx).env(), **_triplet())
    return Command(
        [ctx.script("docker-credential-cs-registry"), "get"],
        env=env,
        stdin=HOST.encode(),
        before_each=_emptied(cache_home),
    )


@case(GO_COLD)
def go_cold(ctx: BenchContext) -> Command:
    """The upstream Go helper with its cache off: one GetAuthorizationToken per run."""
    if shutil.which(GO_HELPER) is None:
        raise SystemExit(f"{GO_HELPER} is missing: apt-get install amazon-ecr-credential-helper")
    env = ctx.env(
        AWS_ACCESS_KEY_ID=KEY_ID,
        AWS_SECRET_ACCESS_KEY=SECRET,
        AWS_ECR_DISABLE_CACHE="true",
        AWS_EC2_METADATA_DISABLED="true",
        **_proxy(ctx).env(),
    )
    return Command([GO_HELPER, "get"], env=env, stdin=HOST.encode())


@case(GO_CACHED)
def go_cached(ctx: BenchContext) -> Command:
    """The upstream Go helper answering from its own cache (primed once before timing).

    moto's token expired in 2015, which the Go helper never caches, so its cache is
    primed from the loopback fake AWS (a 12-hour token) through the same proxy.
    """
    if shutil.which(GO_HELPER) is None:
        raise SystemExit(f"{GO_HELPER} is missing: apt-get install amazon-ecr-credential-helper")
    fake = ctx.stack.enter_context(fakeaws.fake_aws())
    fake.answer(
        "ecr", fakeaws.token("go-token", time.time() + 12 * 3600, proxy_endpoint=f"https://{HOST}")
    )
    directory = ctx.fresh_dir("go-cached")
    proxy = ctx.stack.enter_context(aws_proxy(directory, int(fake.url.rsplit(":", 1)[1])))
    env = ctx.env(
        AWS_ACCESS_KEY_ID=KEY_ID,
        AWS_SECRET_ACCESS_KEY=SECRET,
        AWS_ECR_CACHE_DIR=str(directory / "cache"),
        AWS_EC2_METADATA_DISABLED="true",
        **proxy.env(),
    )
    command = Command([GO_HELPER, "get"], env=env, stdin=HOST.encode())
    subprocess.run(command.argv, env=env, input=command.stdin, capture_output=True, check=True)
    return command
