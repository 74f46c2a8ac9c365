"""Benchmark cases: whole processes timed by :mod:`tests.benchmarks.run`.

A case is a function that receives a :class:`BenchContext` and returns the
:class:`Command` to time. Register it with :func:`case`; name the cases it should be
compared with in ``baselines`` (one table row per baseline). Add new cases here or
in another module imported by ``run.py`` (see ``CASE_MODULES`` there)::

    @case("cs-registry get (cached)", baselines=(BARE_PYTHON,))
    def helper_get(ctx: BenchContext) -> Command:
        return Command([ctx.script("docker-credential-cs-registry"), "get"],
                       env=ctx.env(), stdin=b"127.0.0.1:5000")
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.registry import Registry, start_registry

BARE_PYTHON = "python -c pass"
LOGIN_5 = "cs-registry login, 5 plain triplets"
DOCKER_LOGIN_5 = "docker login --password-stdin x5 (shell loop)"
REGISTRY_COUNT = 5
BENCH_USER = "alice"


@dataclass
class Command:
    """One timed process: argv, its environment, bytes for stdin, a reset before each run."""

    argv: list[str]
    env: dict[str, str]
    stdin: bytes | None = None
    before_each: Callable[[], None] | None = None


@dataclass
class BenchContext:
    """What cases share in one run: a scratch directory and lazily started registries."""

    tmp: Path
    stack: ExitStack
    bcrypt_rounds: int = 10
    _registries: list[Registry] = field(default_factory=list)

    def script(self, name: str) -> str:
        """A console script installed next to this interpreter (the project's .venv)."""
        path = Path(sys.executable).parent / name
        if not path.exists():
            raise SystemExit(f"{path} is missing: pip install -e '.[dev]' into .venv first")
        return str(path)

    def env(self, **extra: str) -> dict[str, str]:
        """A clean environment: PATH, a scratch HOME, no registry triplets from outside."""
        home = self.tmp / "home"
        home.mkdir(exist_ok=True)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "CS_REGISTRY_CODESPACES_ENV_FILE": str(self.tmp / "no-codespaces-env.json"),
        }
        # a worktree puts its package first with PYTHONPATH: time that code, not the venv's
        if os.environ.get("PYTHONPATH"):
            env["PYTHONPATH"] = os.environ["PYTHONPATH"]
        env.update(extra)
        return env

    def registries(self) -> list[Registry]:
        """Five plain-HTTP htpasswd registries (bcrypt cost ``bcrypt_rounds``), started once."""
        if not self._registries:
            for index in range(REGISTRY_COUNT):
                users = {BENCH_USER: f"bench-password-{index}-{os.urandom(6).hex()}"}
                registry = self.stack.enter_context(
                    start_registry(
                        self.tmp / f"registry-{index}",
                        users=users,
                        bcrypt_rounds=self.bcrypt_rounds,
                    )
                )
                self._registries.append(registry)
        return self._registries

    def fresh_dir(self, name: str) -> Path:
        """An empty directory under the scratch directory (emptied if it exists)."""
        path = self.tmp / name
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True, mode=0o700)
        return path


CaseFunction = Callable[[BenchContext], Command]


@dataclass(frozen=True)
class Case:
    """A registered benchmark: its name, how to build its command, what to compare with."""

    name: str
    build: CaseFunction
    baselines: tuple[str, ...] = ()
    runs: int | None = None  # a cap for slow cases (e.g. ones that wait for timeouts)


CASES: dict[str, Case] = {}


def case(
    name: str, *, baselines: tuple[str, ...] = (), runs: int | None = None
) -> Callable[[CaseFunction], CaseFunction]:
    """Register a benchmark case under ``name`` (unique), compared with ``baselines``.

    ``runs`` caps its timed runs below the runner's ``--runs`` (for slow cases).
    """

    def register(build: CaseFunction) -> CaseFunction:
        if name in CASES:
            raise ValueError(f"benchmark {name!r} is registered twice")
        CASES[name] = Case(name, build, baselines, runs)
        return build

    return register


def _emptied(path: Path) -> Callable[[], None]:
    def reset() -> None:
        for child in path.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()

    return reset


def _triplets(registries: list[Registry]) -> Iterator[tuple[str, str]]:
    for index, registry in enumerate(registries, start=1):
        assert registry.username is not None
        assert registry.password is not None
        yield f"BENCH{index}_CONTAINER_REGISTRY_SERVER", registry.host
        yield f"BENCH{index}_CONTAINER_REGISTRY_USER", registry.username
        yield f"BENCH{index}_CONTAINER_REGISTRY_PASSWORD", registry.password


@case(BARE_PYTHON)
def bare_python(ctx: BenchContext) -> Command:
    """The floor: start the same interpreter and do nothing."""
    return Command([sys.executable, "-c", "pass"], env=ctx.env())


@case(LOGIN_5, baselines=(BARE_PYTHON, DOCKER_LOGIN_5))
def login_five(ctx: BenchContext) -> Command:
    """``cs-registry login`` writing 5 entries into an empty Docker config each run."""
    config = ctx.fresh_dir("login-config")
    env = ctx.env(DOCKER_CONFIG=str(config), **dict(_triplets(ctx.registries())))
    return Command([ctx.script("cs-registry"), "login"], env=env, before_each=_emptied(config))


# The passwords reach docker on stdin through printf, a shell builtin: never in argv.
_DOCKER_LOOP = """
set -eu
i=1
for host in $BENCH_HOSTS; do
    eval "password=\\$BENCH_PASSWORD_$i"
    printf '%s' "$password" | docker --config "$BENCH_CONFIG" login \\
        --username "$BENCH_USER" --password-stdin "$host" >/dev/null
    i=$((i + 1))
done
"""


@case(DOCKER_LOGIN_5)
def docker_login_five(ctx: BenchContext) -> Command:
    """What a user would do without us: ``docker login`` once per registry."""
    config = ctx.fresh_dir("docker-login-config")
    registries = ctx.registries()
    env = ctx.env(
        BENCH_CONFIG=str(config),
        BENCH_USER=BENCH_USER,
        BENCH_HOSTS=" ".join(registry.host for registry in registries),
    )
    for index, registry in enumerate(registries, start=1):
        assert registry.password is not None
        env[f"BENCH_PASSWORD_{index}"] = registry.password
    return Command(["sh", "-c", _DOCKER_LOOP], env=env, before_each=_emptied(config))


HELPER_PLAIN = "docker-credential-cs-registry get (plain triplet host)"


@case(HELPER_PLAIN, baselines=(BARE_PYTHON,))
def helper_plain(ctx: BenchContext) -> Command:
    """``get`` for a host of a plain user/password triplet, as Docker asks on every pull."""
    env = ctx.env(
        PLAIN_CONTAINER_REGISTRY_SERVER="registry.example.test:5000",
        PLAIN_CONTAINER_REGISTRY_USER=BENCH_USER,
        PLAIN_CONTAINER_REGISTRY_PASSWORD="bench-plain-password",
    )
    return Command(
        [ctx.script("docker-credential-cs-registry"), "get"],
        env=env,
        stdin=b"registry.example.test:5000",
    )
