"""Which folder is the workspace, and whose files in it may be trusted.

One answer for every command: the repository settings file and the devcontainer.json
lookup both start from :func:`top_level`. Trust follows git's ``safe.directory`` rule
(CVE-2022-24765): a settings file found by walking up from the working directory is
only as trustworthy as the owners of the file and of the folders it lies in, so each
must be the current user or root (and, when root runs through ``sudo``, the user who
ran it, as git allows). :func:`owner_problem` says which folder fails that rule;
the file itself is checked on the open descriptor by :func:`cs_registry.files.read_file`.

Cheap on purpose: ``login`` runs in every lifecycle hook, so this is a walk with
``stat`` calls, not ``git rev-parse`` in a subprocess.
"""

from __future__ import annotations

import os
import stat

TYPE_CHECKING = False  # not typing's: importing typing adds 0.3x python's start-up (README)
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

#: what marks a git work tree's top level: a folder, or a file (worktrees, submodules)
GIT = ".git"


def top_level(start: str) -> str:
    """The nearest folder at or above ``start`` (a normal, absolute path) holding a
    ``.git`` entry, else ``start`` itself."""
    folder = start
    while not os.path.lexists(os.path.join(folder, GIT)):
        up = os.path.dirname(folder)
        if up == folder:
            return start
        folder = up
    return folder


def trusted_owners(environ: Mapping[str, str]) -> frozenset[int]:
    """The uids whose settings files this run may read: this user and root, and for a
    root run the ``SUDO_UID`` that ``sudo`` sets (git's rule since 2.39)."""
    uid = os.geteuid()
    owners = {uid, 0}
    sudo = environ.get("SUDO_UID", "")
    if uid == 0 and sudo.isdigit() and sudo.isascii():
        owners.add(int(sudo))
    return frozenset(owners)


def owner_name(uid: int) -> str:
    """``name (uid N)``, or ``uid N`` for a uid without an account."""
    import pwd  # only when a warning is written

    try:
        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except KeyError:
        return f"uid {uid}"


def owner_problem(folders: Iterable[str], owners: frozenset[int]) -> str | None:
    """``"FOLDER belongs to WHO"`` for the first of ``folders`` owned by a uid outside
    ``owners``, or ``None`` when every one is trusted (or missing).

    A folder that is a symlink must be trusted twice: whoever owns the link chooses
    where it points (another user's ``/tmp/.devcontainer`` pointing into your home
    would choose which of your files apply), and the folder it reaches must be ours.
    """
    for folder in folders:
        try:
            found = os.lstat(folder)
            if stat.S_ISLNK(found.st_mode):
                if found.st_uid not in owners:
                    return f"{folder} is a symbolic link that belongs to {owner_name(found.st_uid)}"
                found = os.stat(folder)
        except OSError:
            continue  # missing or unreadable: the file below it is not read either way
        if found.st_uid not in owners:
            return f"{folder} belongs to {owner_name(found.st_uid)}"
    return None


def link_problem(path: str, owners: frozenset[int]) -> str | None:
    """``"WHO"`` when ``path`` is a symbolic link owned by a uid outside ``owners``
    (the file it reaches is checked when it is opened)."""
    try:
        found = os.lstat(path)
    except OSError:
        return None
    if stat.S_ISLNK(found.st_mode) and found.st_uid not in owners:
        return owner_name(found.st_uid)
    return None


#: how long git may take to print its safe.directory list
GIT_TIMEOUT = 2.0


def git_trusts(top: str, environ: Mapping[str, str]) -> bool:
    """Whether git's own ``safe.directory`` lists ``top`` (or ``*``): the opt-in git
    offers for a repository another user owns, e.g. a workspace mounted from the host
    into a container that runs as root.

    Only git's protected configuration counts (system, then global, as git reads it):
    never the repository's own ``.git/config``, which its owner writes. Run only when
    a file was about to be ignored; any failure of git means "no".
    """
    import subprocess  # only on this rare path

    values: list[str] = []
    for scope in ("--system", "--global"):
        try:
            done = subprocess.run(
                ["git", "config", scope, "--get-all", "safe.directory"],
                env=dict(environ),
                cwd="/",
                capture_output=True,
                text=True,
                timeout=GIT_TIMEOUT,
                check=False,
            )
        except (OSError, ValueError, subprocess.SubprocessError):
            continue
        for value in done.stdout.splitlines() if done.returncode == 0 else ():
            # an empty value resets the list, as in git
            values = [] if not value else [*values, value]
    real = os.path.realpath(top)
    for value in values:
        if value == "*":
            return True
        if value.endswith("/*") and (real + "/").startswith(os.path.realpath(value[:-2]) + "/"):
            return True
        if os.path.realpath(value) == real:
            return True
    return False
