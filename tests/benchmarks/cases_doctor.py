"""``cs-registry doctor`` as a whole process (issue target: under 2 s when the daemon answers).

A healthy setup: one triplet for a local registry already written by ``login``, the real
daemon answering, and this repository's devcontainer.json to lint. Baseline: ``docker
info``, the one command users would run to see the same daemon state.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.benchmarks.cases import BENCH_USER, BenchContext, Command, case

DOCTOR_HEALTHY = "doctor, healthy setup (daemon answers)"
DOCKER_INFO = "docker info"
_ROOT = Path(__file__).resolve().parents[2]


@case(DOCTOR_HEALTHY, baselines=(DOCKER_INFO,))
def doctor_healthy(ctx: BenchContext) -> Command:
    """Every check, the daemon ping and the devcontainer.json lint included."""
    registry = ctx.registries()[0]
    assert registry.password is not None
    config = ctx.fresh_dir("doctor-config")
    env = ctx.env(
        DOCKER_CONFIG=str(config),
        BENCH_CONTAINER_REGISTRY_SERVER=registry.host,
        BENCH_CONTAINER_REGISTRY_USER=BENCH_USER,
        BENCH_CONTAINER_REGISTRY_PASSWORD=registry.password,
    )
    subprocess.run([ctx.script("cs-registry"), "login"], env=env, check=True, capture_output=True)
    argv = [ctx.script("cs-registry"), "doctor", "--workspace", str(_ROOT)]
    return Command(argv, env=env)


@case(DOCKER_INFO)
def docker_info(ctx: BenchContext) -> Command:
    """``docker info``: the CLI asking the same daemon for its state."""
    return Command(["docker", "info"], env=ctx.env())
