"""Scaling, verification and start-up cases (issue 7's benchmark rows).

- ``login`` with 10, 100 and 1,000 plain triplets, each row next to the one ten
  times smaller: a ratio of 10x or less means cost grows no worse than linearly
  (the fixed start-up cost makes it much less). Target: 1,000 triplets under 1 s.
- ``login --verify`` with the five bcrypt-cost-10 registries, next to the
  ``docker login`` loop over the same registries (verification runs in parallel).
- ``import cs_registry.main``: the CLI entry module's import, next to the bare
  interpreter. ``python -m tests.benchmarks.importcost`` shows where it goes;
  ``python -m tests.benchmarks.memory`` measures peak memory.
"""

from __future__ import annotations

import sys

from tests.benchmarks.cases import (
    BARE_PYTHON,
    DOCKER_LOGIN_5,
    LOGIN_5,
    BenchContext,
    Command,
    _emptied,
    _triplets,
    case,
)

LOGIN_N = "cs-registry login, {n:,} plain triplets"
LOGIN_VERIFY_5 = "cs-registry login --verify, 5 registries (bcrypt cost 10)"
IMPORT_MAIN = "python -c 'import cs_registry.main' (CLI entry module)"


def triplets(count: int) -> dict[str, str]:
    """``count`` distinct plain triplets (no network: login only writes them)."""
    env = {}
    for index in range(count):
        prefix = f"SCALE{index}_CONTAINER_REGISTRY_"
        env[prefix + "SERVER"] = f"r{index}.registry.test:5000"
        env[prefix + "USER"] = f"robot{index}"
        env[prefix + "PASSWORD"] = f"scale-password-{index:05d}-0123456789abcdef"
    return env


def _login_n(count: int) -> None:
    smaller = LOGIN_N.format(n=count // 10)
    baselines = (smaller,) if count > 10 else (BARE_PYTHON,)

    @case(LOGIN_N.format(n=count), baselines=baselines)
    def login_n(ctx: BenchContext) -> Command:
        config = ctx.fresh_dir(f"login-{count}-config")
        env = ctx.env(DOCKER_CONFIG=str(config), **triplets(count))
        return Command([ctx.script("cs-registry"), "login"], env=env, before_each=_emptied(config))


for _count in (10, 100, 1000):
    _login_n(_count)


@case(LOGIN_VERIFY_5, baselines=(LOGIN_5, DOCKER_LOGIN_5))
def login_verify_five(ctx: BenchContext) -> Command:
    """Write five entries and log in to each registry, in parallel, to check them."""
    config = ctx.fresh_dir("login-verify-config")
    env = ctx.env(DOCKER_CONFIG=str(config), **dict(_triplets(ctx.registries())))
    return Command(
        [ctx.script("cs-registry"), "login", "--verify"], env=env, before_each=_emptied(config)
    )


@case(IMPORT_MAIN, baselines=(BARE_PYTHON,))
def import_main(ctx: BenchContext) -> Command:
    """What every ``cs-registry`` command pays before it does anything."""
    return Command([sys.executable, "-c", "import cs_registry.main"], env=ctx.env())
