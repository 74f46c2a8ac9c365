"""debug-login benchmark cases, each next to ``docker login`` on the same target.

- healthy: a local htpasswd registry, right password (target: debug-login < 500 ms);
- black hole: a listener that accepts TCP and never answers; debug-login runs with
  ``--timeout 2`` (target: ends within 3 s), docker login waits for its own
  timeouts (10 s TLS handshake + 15 s request on docker 20.10).

Both black-hole processes exit 1 by design; ``sh -c '"$@" || true'`` keeps the
runner's "every process exits 0" rule for them. The docker black-hole case takes
~25 s a run, so run it on its own with few runs::

    .venv/bin/python -m tests.benchmarks.run --runs 3 --warmup 0 \\
        --only "debug-login --timeout 2, black hole" --only "docker login, black hole"
"""

from __future__ import annotations

from tests.benchmarks.cases import BENCH_USER, BenchContext, Command, case
from tests.support.fake_servers import black_hole

DEBUG_HEALTHY = "debug-login, healthy registry"
DOCKER_HEALTHY = "docker login, healthy registry"
DEBUG_HOLE = "debug-login --timeout 2, black hole"
DOCKER_HOLE = "docker login, black hole"
HOLE_TIMEOUT = "2"
_ALLOW_FAILURE = ["sh", "-c", '"$@" >/dev/null 2>&1 || true', "sh"]
_holes: dict[int, str] = {}


def _hole(ctx: BenchContext) -> str:
    """One black-hole listener per benchmark run, shared by both cases."""
    if id(ctx) not in _holes:
        _holes[id(ctx)] = ctx.stack.enter_context(black_hole())
    return _holes[id(ctx)]


def _password(ctx: BenchContext) -> tuple[str, bytes]:
    registry = ctx.registries()[0]
    assert registry.password is not None
    return registry.host, registry.password.encode()


@case(DEBUG_HEALTHY, baselines=(DOCKER_HEALTHY,))
def debug_healthy(ctx: BenchContext) -> Command:
    """The whole walk, daemon login included, against a healthy registry."""
    host, password = _password(ctx)
    argv = [ctx.script("cs-registry"), "debug-login", host, "-u", BENCH_USER, "--password-stdin"]
    return Command(argv, env=ctx.env(), stdin=password)


@case(DOCKER_HEALTHY)
def docker_healthy(ctx: BenchContext) -> Command:
    """``docker login`` on the same registry, into a scratch config."""
    host, password = _password(ctx)
    config = ctx.fresh_dir("debug-login-docker-config")
    argv = ["docker", "--config", str(config), "login", "-u", BENCH_USER, "--password-stdin", host]
    return Command(argv, env=ctx.env(), stdin=password)


@case(DEBUG_HOLE, baselines=(DOCKER_HOLE,))
def debug_black_hole(ctx: BenchContext) -> Command:
    """debug-login against a listener that never answers: bounded by ``--timeout``."""
    argv = [
        ctx.script("cs-registry"),
        "debug-login",
        _hole(ctx),
        "-u",
        BENCH_USER,
        "--password-stdin",
        "--timeout",
        HOLE_TIMEOUT,
    ]
    return Command([*_ALLOW_FAILURE, *argv], env=ctx.env(), stdin=b"password")


@case(DOCKER_HOLE)
def docker_black_hole(ctx: BenchContext) -> Command:
    """``docker login`` against the same listener: it waits for the daemon's timeouts."""
    config = ctx.fresh_dir("debug-login-docker-hole-config")
    argv = ["docker", "--config", str(config), "login", "-u", BENCH_USER, "--password-stdin"]
    return Command([*_ALLOW_FAILURE, *argv, _hole(ctx)], env=ctx.env(), stdin=b"password")
