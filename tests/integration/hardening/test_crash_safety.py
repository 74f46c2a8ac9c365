"""``cs-registry login`` killed with SIGKILL at any moment never corrupts Docker's config.

Issue 7, suite 2: 200 logins, each killed at a random moment of its life. After each
kill the config parses and equals exactly the document before or the document after
that login; the lock is free again; and a later login succeeds.
"""

from __future__ import annotations

import fcntl
import json
import os
import random
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tests.integration.hardening import cli

KILLS = 200
LANES = 2  # independent homes, so two cores kill in parallel

FOREIGN: dict[str, Any] = {
    "auths": {"foreign.example.com": {"auth": cli.auth("someone", "theirs"), "email": "x@y.z"}},
    "credHelpers": {"gcr.io": "gcloud"},
    "psFormat": "table {{.ID}}",
    "HttpHeaders": {"X-Meta": "ünïcode ✓"},
}


def _login_env(home: Path, n: int) -> dict[str, str]:
    # even runs add a new registry, odd runs rotate the password of an earlier one,
    # so both "new entry" and "changed entry" writes are interrupted
    server = f"k{n}.registry.test" if n % 2 == 0 else f"k{n - 1}.registry.test"
    return cli.base_env(home, **cli.triplet("KILL", server, "robot", f"password-{n}"))


def _lock_is_free(lock: Path) -> bool:
    if not lock.exists():
        return True
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing releases our probe lock
    return True


def _lane(home: Path, runs: range, lifetime: float, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    docker_dir = home / ".docker"
    config = docker_dir / "config.json"
    outcomes = {"before": 0, "after": 0, "exited": 0}
    for n in runs:
        before = config.read_bytes()
        expected_after = json.loads(before)
        key = f"k{n if n % 2 == 0 else n - 1}.registry.test"
        expected_after["auths"][key] = {"auth": cli.auth("robot", f"password-{n}")}
        proc = subprocess.Popen(
            [*cli.program("cs-registry"), "login"],
            env=_login_env(home, n),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        time.sleep(rng.uniform(0, lifetime))
        proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate(timeout=30)
        finished = proc.returncode == 0  # the login won the race against the kill
        assert finished or proc.returncode == -signal.SIGKILL, err
        after = config.read_bytes()
        document = json.loads(after)  # always parses
        if after != before:
            assert document == expected_after, n
        outcome = "exited" if finished else "after" if after != before else "before"
        outcomes[outcome] += 1
        assert _lock_is_free(docker_dir / ".config.json.lock"), n
        # a temp file a kill leaves behind is as private as the config itself
        for stray in docker_dir.glob(".config.json.*.tmp"):
            assert stray.stat().st_mode & 0o777 == 0o600
    return outcomes


def _lifetime(home: Path) -> float:
    """How long one uninterrupted login takes here, so kills spread over all of it."""
    started = time.monotonic()
    done = cli.run(["login"], _login_env(home, 10_000), timeout=60)
    assert done.returncode == 0, done.err
    return (time.monotonic() - started) * 1.2


def test_200_logins_killed_at_random_moments_leave_before_or_after(tmp_path: Path) -> None:
    homes = []
    for lane in range(LANES):
        home = tmp_path / f"home{lane}"
        (home / ".docker").mkdir(parents=True, mode=0o700)
        (home / ".docker" / "config.json").write_text(json.dumps(FOREIGN, indent=4))
        (home / ".docker" / "config.json").chmod(0o600)
        homes.append(home)
    lifetime = _lifetime(homes[0])
    per_lane = KILLS // LANES
    with ThreadPoolExecutor(LANES) as pool:
        futures = [
            pool.submit(_lane, home, range(i * per_lane, (i + 1) * per_lane), lifetime, i)
            for i, home in enumerate(homes)
        ]
        totals = [f.result() for f in futures]
    merged = {k: sum(t[k] for t in totals) for k in totals[0]}
    assert sum(merged.values()) == KILLS
    # the kills really landed on both sides of the write
    assert merged["before"] > 0
    assert merged["after"] + merged["exited"] > 0

    for home in homes:
        # a following login succeeds (no stale lock), and sweeps what kills left
        final = cli.run(
            ["login"],
            cli.base_env(home, **cli.triplet("LAST", "last.registry.test", "u", "last-pw")),
            timeout=60,
        )
        assert final.returncode == 0, final.err
        document = json.loads((home / ".docker" / "config.json").read_bytes())
        assert document["auths"]["last.registry.test"] == {"auth": cli.auth("u", "last-pw")}
        assert document["auths"]["foreign.example.com"] == FOREIGN["auths"]["foreign.example.com"]
        assert {k: document[k] for k in FOREIGN if k != "auths"} == {
            k: v for k, v in FOREIGN.items() if k != "auths"
        }
        assert sorted(p.name for p in (home / ".docker").iterdir()) == [
            ".config.json.lock",
            "config.json",
        ]
