"""The checks and the capped reader under :mod:`cs_registry.files`, standard library only.

:mod:`cs_registry.files` is the one safe file layer and its public face; this module
holds the part of it that the credential helper's cached ``get`` needs on every
``docker pull``: what kind of file a path is, whether one of our own files or a
private directory may be used, and a non-blocking, capped read. It raises
:class:`Refused` (an ``Exception`` carrying the message) instead of the product's
error classes, whose import (``enum`` and the code table) would cost that hot path
about a fifth of its time; :func:`cs_registry.files.read_file` turns it into
``UnsafeFile`` / ``FileError``.
"""

from __future__ import annotations

import errno
import os
import stat

TYPE_CHECKING = False  # not typing's: importing typing adds 0.3x python's start-up (README)
if TYPE_CHECKING:
    from collections.abc import Collection

KIB = 1024
MIB = 1024 * KIB

_READ_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC


class Refused(Exception):
    """A file that may not be used; ``unsafe``: not a regular file of ours (else unreadable)."""

    def __init__(
        self, message: str, path: str, *, unsafe: bool = True, owner: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.unsafe = unsafe
        #: set when the file was refused for its owner (see ``owners`` in read_regular)
        self.owner = owner


def describe(mode: int) -> str:
    """What kind of file ``mode`` is, in words: "a FIFO", "a character device", ..."""
    kinds = (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISREG, "a regular file"),
    )
    for test, name in kinds:
        if test(mode):
            return name
    return "not a regular file"


def size_text(limit: int) -> str:
    return f"{limit // MIB} MiB" if limit >= MIB else f"{limit // KIB} KiB"


def file_problem(st: os.stat_result, path: str, what: str, *, own: bool) -> str | None:
    """Why the file ``st`` describes may not be used, or ``None``.

    Any file must be regular; one of our own (``own``) must also have one link and be
    ours (root may use a file of the user who owns the directory it lies in).
    """
    if not stat.S_ISREG(st.st_mode):
        return f"{what} {path} is {describe(st.st_mode)}, not a regular file; it was left alone"
    if not own:
        return None
    if st.st_nlink != 1:
        return f"{what} {path} is a hard link; it was not used"
    if st.st_uid != os.geteuid() and not _root_for_owner(path, st.st_uid):
        return f"{what} {path} belongs to uid {st.st_uid}, not to this user; it was not used"
    return None


def _root_for_owner(path: str, uid: int) -> bool:
    """Root may use a file of the user who owns the directory it lies in (root's runs
    give what they create there to that user)."""
    if os.geteuid() != 0:
        return False
    try:
        return os.stat(os.path.dirname(path) or ".").st_uid == uid
    except OSError:
        return False


def private_dir_problem(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` may not hold our private files, or ``None`` when it may.

    It must be a real directory (no symlink), not writable by group or others, and
    ours; root may use the directory of a user when that user also owns the directory
    it lies in (root running in the user's home). Its parent must not let anyone else
    swap it: owned by us, by root or by the directory's owner, and writable by group
    or others only when sticky (like ``/tmp``).
    """
    name = os.fspath(path)
    try:
        st = os.lstat(name)
    except OSError as exc:
        return f"{name}: {exc.strerror}"
    if not stat.S_ISDIR(st.st_mode):
        return f"{name} is {describe(st.st_mode)}, not a directory"
    if st.st_mode & 0o022:
        return f"{name} is writable by group or others (mode {stat.S_IMODE(st.st_mode):04o})"
    parent = os.path.dirname(os.path.abspath(name))
    try:
        above = os.stat(parent)
    except OSError as exc:
        return f"{parent}: {exc.strerror}"
    me = os.geteuid()
    if st.st_uid != me and not (me == 0 and above.st_uid == st.st_uid):
        return f"{name} belongs to uid {st.st_uid}, not to this user (uid {me})"
    return holder_problem(name, parent, above, st.st_uid)


def holder_problem(name: str, parent: str, above: os.stat_result, owner: int) -> str | None:
    """Why ``parent`` (whose stat is ``above``) may not hold ``name``, a private directory
    of uid ``owner``: someone else could rename it away and put their own in its place.

    The parent must belong to us, to root or to ``owner``, and be writable by group
    or others only when sticky (like ``/tmp``).
    """
    if above.st_uid not in (os.geteuid(), 0, owner):
        return f"{name} lies in {parent}, which belongs to uid {above.st_uid}"
    if above.st_mode & 0o022 and not above.st_mode & stat.S_ISVTX:
        mode = stat.S_IMODE(above.st_mode)
        return f"{name} lies in {parent}, which others may write to (mode {mode:04o})"
    return None


def _kind_at(name: str) -> str:
    try:
        return describe(os.stat(name).st_mode)
    except OSError:
        return "not a regular file"


def open_regular(
    path: str | os.PathLike[str],
    *,
    what: str = "file",
    own: bool = False,
    owners: Collection[int] | None = None,
) -> tuple[int, os.stat_result] | None:
    """The open descriptor (non-blocking: a FIFO never hangs) and ``fstat`` of the
    regular file at ``path``, or ``None`` when it does not exist; the caller closes it.

    ``own``: never through a symlink (``O_NOFOLLOW``), see :func:`file_problem`.
    ``owners``: the file as opened must belong to one of these uids, checked first
    (another user's FIFO is refused for its owner, with ``Refused.owner`` set). Raises
    :class:`Refused` for anything else.
    """
    name = os.fspath(path)
    try:
        fd = os.open(name, _READ_FLAGS | (os.O_NOFOLLOW if own else 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        if own and exc.errno == errno.ELOOP:
            raise Refused(f"{what} {name} is a symbolic link; it was not used", name) from None
        if exc.errno == errno.ENXIO:  # a socket (or a device without a driver): say which
            raise Refused(
                f"{what} {name} is {_kind_at(name)}, not a regular file; it was left alone", name
            ) from None
        raise Refused(f"cannot read {what} {name}: {exc.strerror}", name, unsafe=False) from None
    try:
        st = os.fstat(fd)
        if owners is not None and st.st_uid not in owners:
            raise Refused(
                f"{what} {name} belongs to uid {st.st_uid}, which this run does not trust",
                name,
                owner=st.st_uid,
            )
        problem = file_problem(st, name, what, own=own)
        if problem is not None:
            raise Refused(problem, name)
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def read_regular(
    path: str | os.PathLike[str],
    *,
    limit: int,
    what: str = "file",
    own: bool = False,
    owners: Collection[int] | None = None,
) -> bytes | None:
    """The bytes of the regular file at ``path``, or ``None`` when it does not exist.

    Opened as :func:`open_regular` opens it; raises :class:`Refused` as it does, or
    over ``limit`` bytes.
    """
    name = os.fspath(path)
    opened = open_regular(name, what=what, own=own, owners=owners)
    if opened is None:
        return None
    fd, st = opened
    try:
        if st.st_size > limit:
            raise Refused(
                f"{what} {name} is {st.st_size} bytes, over the {size_text(limit)} limit; "
                "it was not read",
                name,
            )
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(limit + 1 - total, MIB))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:  # grew while we read it
            raise Refused(f"{what} {name} is over the {size_text(limit)} limit", name)
        return b"".join(chunks)
    except OSError as exc:
        raise Refused(f"cannot read {what} {name}: {exc.strerror}", name, unsafe=False) from None
    finally:
        os.close(fd)
