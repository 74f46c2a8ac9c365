"""Many ``cs-registry login`` processes racing on one Docker config lose nothing.

Issue 7, suite 1: 32 logins at once, each adding a different registry to a config
that already holds keys we do not own, 20 rounds. After every round every entry of
every round is present, every foreign key is intact, and the file parses; a reader
polling the file while the writers run never sees a torn or partial document.
"""

from __future__ import annotations

import json
import subprocess
import threading
from pathlib import Path
from typing import Any

from tests.integration.hardening import cli, fake_ecr

WRITERS = 32
ROUNDS = 20

FOREIGN: dict[str, Any] = {
    "auths": {
        "foreign.example.com": {"auth": cli.auth("someone", "theirs"), "email": "a@b.c"},
        "https://index.docker.io/v1/": {"auth": cli.auth("hubuser", "hubtoken")},
    },
    "credHelpers": {"gcr.io": "gcloud", "public.ecr.aws": "ecr-login"},
    "HttpHeaders": {"User-Agent": "Docker-Client/28 (linux)"},
    "psFormat": "table {{.ID}}\\t{{.Names}}",
    "proxies": {"default": {"httpProxy": "http://proxy.example:3128"}},
    "currentContext": "remote",
    "plugins": {"buildx": {"default": "true"}},
    "experimental": "enabled",
    "detachKeys": "ctrl-e,e",
}


def _expected_auths(rounds: int) -> dict[str, str]:
    return {
        f"r{r}-w{w}.registry.test:5000": cli.auth(f"user{w}", f"pw-{r}-{w}-secret")
        for r in range(rounds)
        for w in range(WRITERS)
    }


def _check(document: Any, rounds_done: int) -> None:
    """Foreign keys intact and every entry written so far present and exact."""
    assert isinstance(document, dict)
    for key, value in FOREIGN.items():
        if key != "auths":
            assert document[key] == value, key
    for key, entry in FOREIGN["auths"].items():
        assert document["auths"][key] == entry, key
    for key, encoded in _expected_auths(rounds_done).items():
        assert document["auths"].get(key) == {"auth": encoded}, key


class _Reader(threading.Thread):
    """Reads the config as fast as it can; every read must parse and hold the foreign keys."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.reads = 0
        self.failures: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            raw = self.path.read_bytes()
            self.reads += 1
            try:
                document = json.loads(raw)
                assert document["credHelpers"] == FOREIGN["credHelpers"]
                assert "foreign.example.com" in document["auths"]
            except (ValueError, KeyError, AssertionError) as exc:
                self.failures.append(f"{type(exc).__name__}: {raw[:200]!r}")


def test_32_concurrent_logins_x20_keep_every_entry_and_foreign_key(tmp_path: Path) -> None:
    home = tmp_path / "home"
    docker_dir = home / ".docker"
    docker_dir.mkdir(parents=True, mode=0o700)
    config = docker_dir / "config.json"
    config.write_text(json.dumps(FOREIGN, indent=2))
    reader = _Reader(config)
    reader.start()
    try:
        for r in range(ROUNDS):
            procs = []
            for w in range(WRITERS):
                env = cli.base_env(
                    home,
                    **cli.triplet(
                        f"R{w}",
                        f"https://R{r}-W{w}.registry.test:5000/",
                        f"user{w}",
                        f"pw-{r}-{w}-secret",
                    ),
                    # a cache (and so a login record) of its own: each process sees one
                    # triplet, and with a shared record it would rightly remove the entries
                    # the others wrote (their triplets are not in its environment); this
                    # test is about the lock, so no entry may go
                    XDG_CACHE_HOME=str(home / "caches" / f"r{r}-w{w}"),
                )
                procs.append(
                    subprocess.Popen(
                        [*cli.program("cs-registry"), "login", "--json"],
                        env=env,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                    )
                )
            for w, proc in enumerate(procs):
                out, err = proc.communicate(timeout=60)
                assert proc.returncode == 0, (r, w, err.decode(errors="replace"))
                assert err == b""
                row = json.loads(out)["registries"][0]
                assert (row["status"], row["key"]) == ("written", f"r{r}-w{w}.registry.test:5000")
            _check(json.loads(config.read_bytes()), r + 1)
    finally:
        reader.stop.set()
        reader.join()
    assert reader.failures == []
    assert reader.reads > ROUNDS  # the reader really raced the writers
    assert len(json.loads(config.read_bytes())["auths"]) == ROUNDS * WRITERS + 2
    # no temp file survives a clean run
    assert sorted(p.name for p in docker_dir.iterdir()) == [".config.json.lock", "config.json"]


HELPERS = 32
HELPER_ROUNDS = 20
#: rounds that start with an empty cache entry (a swap each, so botocore loads in
#: every process); the rest are served from the cache the cold rounds filled
COLD_ROUNDS = 2


def test_32_concurrent_helper_gets_x20_share_one_swap_per_key(tmp_path: Path) -> None:
    home = tmp_path / "helper-home"
    home.mkdir()
    with fake_ecr.serve(fake_ecr.FakeEcr(delay=0.3)) as ecr:
        for r in range(HELPER_ROUNDS):
            generation = min(r, COLD_ROUNDS - 1)  # new AWS secret => new cache entry
            ecr.password = f"ecr-token-{generation}"
            env = cli.base_env(
                home,
                **ecr.env(),
                **cli.triplet(
                    "ECR", fake_ecr.HOST, "AKIAIOSFODNN7EXAMPLE", f"aws-secret-{generation}"
                ),
            )
            procs = [
                subprocess.Popen(
                    [*cli.program("docker-credential-cs-registry"), "get"],
                    env=env,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                )
                for _ in range(HELPERS)
            ]
            for proc in procs:
                out, err = proc.communicate(fake_ecr.HOST.encode(), timeout=120)
                assert proc.returncode == 0, err.decode(errors="replace")
                assert json.loads(out) == {
                    "ServerURL": fake_ecr.HOST,
                    "Username": "AWS",
                    "Secret": f"ecr-token-{generation}",
                }
            # concurrent misses serialise on the entry's lock: one swap per key, ever
            assert ecr.swaps == generation + 1, r
    tokens = home / ".cache" / "cs-registry" / "ecr" / "tokens"
    files = sorted(tokens.iterdir())
    assert [p.suffix for p in files].count(".json") == COLD_ROUNDS
    assert not [p for p in files if p.name.endswith(".tmp")]
    for path in files:
        assert path.stat().st_mode & 0o777 == 0o600
    assert tokens.stat().st_mode & 0o777 == 0o700
