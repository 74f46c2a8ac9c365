"""A second, unprivileged local user for trust tests (tests run as root under CI).

``other_user()`` creates the account once (``useradd --system``, no home, no login
shell) and returns it; ``run_as`` runs a command as that user through ``setpriv``
with the environment given, so a test can plant files as "another user" or run
cs-registry as a user whose files root touched.
"""

from __future__ import annotations

import os
import pwd
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.support.require import missing

#: the account the trust tests use; created on first use, kept for later runs
USER_NAME = "csr-test-other"


@dataclass(frozen=True)
class User:
    name: str
    uid: int
    gid: int

    def chown(self, *paths: Path) -> None:
        """Give ``paths`` (not following symlinks) to this user."""
        for path in paths:
            os.lchown(path, self.uid, self.gid)


def other_user(name: str = USER_NAME) -> User:
    """The second local user, created when missing; needs root (a failure under CI)."""
    if os.geteuid() != 0:
        missing(f"root, to create the local user {name}")
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
            check=True,
            capture_output=True,
            timeout=30,
        )
        entry = pwd.getpwnam(name)
    return User(name, entry.pw_uid, entry.pw_gid)


def run_as(
    user: User,
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path | None = None,
    input: bytes | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``argv`` as ``user`` (uid, gid, no supplementary groups) with exactly ``env``."""
    command = [
        "setpriv",
        f"--reuid={user.uid}",
        f"--regid={user.gid}",
        "--clear-groups",
        "--",
        *argv,
    ]
    return subprocess.run(
        command,
        env=dict(env),
        cwd=cwd,
        input=input,
        capture_output=True,
        timeout=timeout,
        check=False,
    )
