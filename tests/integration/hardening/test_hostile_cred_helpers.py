"""Other people's credential helpers, stalled, failing, flooding or babbling (issue 10, item 4).

Docker's config may name any ``docker-credential-*`` program; ``login`` stores through
it, ``debug-login`` and ``doctor`` ask it. Each case is a real script on ``PATH`` run by
the real ``cs-registry`` executable: one that sleeps forever and forks a child that
sleeps too (a locked keyring waiting on a pinentry), one that fails and echoes the
secret, one that prints 10 MB, one that prints something that is not JSON. Every run
must end within its documented bound with the helper's own diagnosis code, leave no
helper process behind, and never show a canary secret in stdout, stderr, a log file or
any process's command line.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.hardening import cli

#: the documented bound of one helper call (README, "Credential helpers")
HELPER_TIMEOUT = 5.0
#: process start-up, the other checks and a loaded machine; never a tight clock
SLACK = 4.0

_STALL = """#!/bin/sh
# a keyring that waits for a password prompt no one answers: a child sleeps too
sleep 1000 &
echo $! >> "{pids}"
echo $$ >> "{pids}"
sleep 1000
"""

_FAIL = """#!/bin/sh
# fails every action and, carelessly, echoes the secrets it can see
payload=$(cat)
echo "keyring locked for $SECRET_ECHO: $payload" >&2
echo "keyring locked: $SECRET_ECHO"
exit 1
"""

_FLOOD = """#!{python}
import sys
sys.stdin.read()
sys.stdout.write("x" * (10 << 20))
"""

_GARBAGE = """#!/bin/sh
cat > /dev/null
echo 'this is not JSON'
"""

# a well-behaved helper for the registries that must still be written
_GOOD = """#!{python}
import json, os, sys
path = os.environ["GOOD_STORE"]
data = sys.stdin.read()
entries = json.load(open(path)) if os.path.exists(path) else {{}}
if sys.argv[1] == "get":
    if data in entries:
        print(json.dumps({{"ServerURL": data, **entries[data]}}))
        sys.exit(0)
    print("credentials not found in native keychain")
    sys.exit(1)
if sys.argv[1] == "store":
    item = json.loads(data)
    entries[item["ServerURL"]] = {{"Username": item["Username"], "Secret": item["Secret"]}}
    json.dump(entries, open(path, "w"))
"""

SCRIPTS = {"stall": _STALL, "fail": _FAIL, "flood": _FLOOD, "garbage": _GARBAGE}
CODES = {
    "stall": "cred_helper_timeout",
    "fail": "cred_helper_failed",
    "flood": "cred_helper_failed",
    "garbage": "cred_helper_failed",
}


class Setup:
    """A home, a bin directory with the helpers, canaries, and the helper's pid file."""

    def __init__(self, tmp_path: Path) -> None:
        self.home = tmp_path / "helper-home"
        self.home.mkdir(mode=0o700)
        self.outside = tmp_path / "outside"  # the helpers' own state: not ours to judge
        self.outside.mkdir()
        self.bin = tmp_path / "bin"
        self.bin.mkdir()
        self.pids = self.outside / "pids"
        for name, script in {**SCRIPTS, "good": _GOOD}.items():
            path = self.bin / f"docker-credential-{name}"
            path.write_text(script.format(python=sys.executable, pids=self.pids))
            path.chmod(0o755)
        self.password = cli.canary("PW")
        self.other = cli.canary("OTHER")

    def config(self, document: dict[str, object]) -> None:
        docker = self.home / ".docker"
        docker.mkdir(mode=0o700, exist_ok=True)
        (docker / "config.json").write_text(json.dumps(document))

    def env(self, **extra: str) -> dict[str, str]:
        return cli.base_env(
            self.home,
            PATH=f"{self.bin}:/usr/bin:/bin",
            GOOD_STORE=str(self.outside / "good.json"),
            SECRET_ECHO=self.password,
            PYTHONIOENCODING="utf-8:strict",
            **extra,
        )

    def assert_clean(self, result: cli.Result) -> None:
        """No traceback, no canary in the streams or in any file of the home."""
        cli.assert_no_traceback(result)
        for canary in (self.password, self.other):
            assert canary not in result.out, result.out[-800:]
            assert canary not in result.err, result.err[-800:]
            for path in cli.files_under(self.home):
                assert canary.encode() not in path.read_bytes(), path

    def assert_helpers_gone(self) -> None:
        """Every process the stalled helper started (it and its child) was killed."""
        if not self.pids.exists():  # only the stalled helper writes it
            return
        assert self.pids.read_text().split(), "the stalled helper wrote no pid"
        for pid in (int(line) for line in self.pids.read_text().split()):
            assert not _alive(pid), f"helper process {pid} survived"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")  # a zombie waiting for init to reap it is dead


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    made = Setup(tmp_path)
    with cli.CmdlineWatcher([made.password, made.other]) as watching:
        yield made
    assert watching.hits == []
    assert watching.scans > 1


def _until_gone(setup: Setup, helper: str = "stall") -> None:
    if helper == "stall":
        assert setup.pids.exists(), "the stalled helper never ran"
    # the kill is synchronous; a moment for the kernel to finish the exit is all we allow
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        try:
            setup.assert_helpers_gone()
            return
        except AssertionError:
            time.sleep(0.05)
    setup.assert_helpers_gone()


# -- login --------------------------------------------------------------------------


@pytest.mark.parametrize("helper", sorted(SCRIPTS))
def test_login_hook_with_a_broken_creds_store_fails_its_rows_and_writes_the_others(
    setup: Setup, helper: str
) -> None:
    setup.config({"credsStore": helper, "credHelpers": {"good.registry.test": "good"}})
    env = setup.env(
        **cli.triplet("GHCR", "ghcr.io", "octo", setup.password),
        **cli.triplet("QUAY", "quay.io", "robot", setup.password),
        **cli.triplet("GOOD", "good.registry.test", "me", setup.other),
    )
    result = cli.run(["login", "--hook"], env, timeout=60)
    assert result.returncode == 0, result.err
    # one stalled helper costs one helper timeout per run, not one per registry
    assert result.seconds < HELPER_TIMEOUT + SLACK
    assert CODES[helper] in result.out  # the hook's one summary line names the code
    setup.assert_clean(result)
    _until_gone(setup, helper)
    stored = json.loads((setup.outside / "good.json").read_text())
    assert stored == {"good.registry.test": {"Username": "me", "Secret": setup.other}}

    result = cli.run(["login", "--json"], env, timeout=60)
    assert result.returncode == 1, result.err
    assert result.seconds < HELPER_TIMEOUT + SLACK
    rows = {row["id"]: row for row in json.loads(result.stdout)["registries"]}
    for ident in ("GHCR", "QUAY"):
        assert (rows[ident]["status"], rows[ident]["code"]) == ("failed", CODES[helper])
        assert f"docker-credential-{helper}" in rows[ident]["message"]
    assert (rows["GOOD"]["status"], rows["GOOD"]["code"]) == ("unchanged", "ok")
    setup.assert_clean(result)
    _until_gone(setup, helper)


def test_login_names_the_failing_helper_and_masks_the_secret_it_echoed(setup: Setup) -> None:
    setup.config({"credsStore": "fail"})
    env = setup.env(**cli.triplet("GHCR", "ghcr.io", "octo", setup.password))
    result = cli.run(["login"], env, timeout=60)
    assert result.returncode == 1
    assert "docker-credential-fail" in result.out + result.err
    assert "keyring locked" in result.out + result.err  # the helper's own words ...
    setup.assert_clean(result)  # ... with the secret masked


# -- debug-login --------------------------------------------------------------------


def test_debug_login_with_a_stalled_helper_ends_within_its_timeout_and_names_it(
    setup: Setup,
) -> None:
    setup.config({"credsStore": "stall"})
    result = cli.run(
        ["debug-login", "127.0.0.1:1", "--timeout", "2", "--json"], setup.env(), timeout=60
    )
    assert result.returncode == 1, result.err
    assert result.seconds < 2 + SLACK - 1.5
    report = json.loads(result.stdout)
    assert report["diagnosis"]["code"] == "cred_helper_timeout"
    steps = {step["name"]: step for step in report["steps"]}
    assert "docker-credential-stall" in steps["input"]["detail"]
    assert all(step["code"] != "read_timeout" for step in report["steps"])
    setup.assert_clean(result)
    _until_gone(setup)


@pytest.mark.parametrize("helper", sorted(SCRIPTS))
def test_debug_login_config_step_asks_the_helper_within_the_budget(
    setup: Setup, helper: str
) -> None:
    # credentials from the triplet: only the config step asks the helper what Docker would use
    setup.config({"credsStore": helper})
    env = setup.env(**cli.triplet("LOCAL", "127.0.0.1:1", "octo", setup.password))
    result = cli.run(["debug-login", "127.0.0.1:1", "--timeout", "2", "--json"], env, timeout=60)
    assert result.returncode == 1, result.err
    assert result.seconds < 2 + SLACK - 1.5
    steps = {step["name"]: step for step in json.loads(result.stdout)["steps"]}
    assert (steps["config"]["status"], steps["config"]["code"]) == ("fail", CODES[helper])
    assert "docker-credential-" + helper in steps["config"]["detail"]
    setup.assert_clean(result)
    _until_gone(setup, helper)


# -- doctor -------------------------------------------------------------------------


@pytest.mark.parametrize("helper", sorted(SCRIPTS))
def test_doctor_asks_the_helper_for_each_registry_within_one_timeout(
    setup: Setup, helper: str
) -> None:
    setup.config({"credsStore": helper})
    env = setup.env(
        **cli.triplet("GHCR", "ghcr.io", "octo", setup.password),
        **cli.triplet("QUAY", "quay.io", "robot", setup.password),
    )
    args = ["doctor", "--json", "--wait", "0.5", "--workspace", str(setup.home)]
    result = cli.run(args, env, timeout=60)
    assert result.returncode == 1, result.err
    assert result.seconds < HELPER_TIMEOUT + SLACK
    checks = {check["id"]: check for check in json.loads(result.stdout)["checks"]}
    for key in ("ghcr.io", "quay.io"):
        entry = checks[f"entry:{key}"]
        assert (entry["status"], entry["code"]) == ("fail", CODES[helper])
        assert f"docker-credential-{helper}" in entry["message"]
    setup.assert_clean(result)
    _until_gone(setup, helper)
