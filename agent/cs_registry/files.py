"""The one safe file layer: every file cs-registry reads or writes goes through here.

The trust model (README, "Trust model") in one place:

- A path where a regular file is expected is opened non-blocking and checked with
  ``fstat``: a FIFO, device, socket or directory is refused with an error naming the
  path and what it is (it is never read, replaced or written through), so a
  ``config.json -> /dev/null`` or a FIFO can neither hang a run nor be clobbered.
- Every read is capped: a file over its limit is refused, not slurped.
- A write goes to an ``O_EXCL`` temp file in the target's directory, is fsynced and
  renamed onto the target; a symlinked path is followed only to a regular file or to
  a path that does not exist yet (the link itself is kept).
- Our own files (cache entries, salt, locks, logs) are opened with ``O_NOFOLLOW`` and
  must be single-link regular files; a private directory must be ours and closed to
  group and others, or it is not used.
- Files and directories that root creates in a directory another user owns (``sudo``,
  a root lifecycle hook in a user's home) are given to that user, so the user's own
  runs keep working.
- Lock waits are bounded: after ``LOCK_TIMEOUT`` seconds the run stops with a
  ``config_locked`` error naming the lock file.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import time

from cs_registry.diagnosis import Code
from cs_registry.errors import CsRegistryError
from cs_registry.filecheck import (
    KIB,
    MIB,
    Refused,
    describe,
    file_problem,
    holder_problem,
    open_regular,
    private_dir_problem,
    read_regular,
)
from cs_registry.status import ExitStatus

TYPE_CHECKING = False  # not typing's: importing typing adds 0.3x python's start-up (README)
if TYPE_CHECKING:
    from collections.abc import Collection
    from typing import BinaryIO

    StrPath = str | os.PathLike[str]

#: Docker's config.json: the docker CLI has no limit, but nothing real comes near this
CONFIG_LIMIT = 16 * MIB
#: settings, env files, the Codespaces environment file, devcontainer.json
TEXT_LIMIT = 1 * MIB
#: our own small files: cache entries, salt, records
SMALL_LIMIT = 64 * KIB

FILE_MODE = 0o600
DIR_MODE = 0o700
#: how long a run waits for another run's lock before it gives up
LOCK_TIMEOUT = 10.0

_OWN = os.O_NOFOLLOW


class FileError(CsRegistryError):
    """A file we were asked to use cannot be used safely; ``path`` names it."""

    def __init__(
        self,
        message: str,
        path: str,
        *,
        code: Code = Code.UNSAFE_FILE,
        status: ExitStatus = ExitStatus.USAGE,
    ) -> None:
        super().__init__(message, code=code, status=status)
        self.path = path


class UnsafeFile(FileError):
    """Not a regular file (FIFO, device, socket, directory), a symlink where none may
    be, another user's file, or over the size limit. Left exactly as it is (exit 2)."""


class UntrustedFile(UnsafeFile):
    """A file whose owner this run may not trust (see ``owners`` in :func:`read_file`);
    ``owner`` is its uid. Callers that may go on without it warn and skip it."""

    def __init__(self, message: str, path: str, owner: int) -> None:
        super().__init__(message, path)
        self.owner = owner


class UnwritableFile(FileError):
    """The file or its directory cannot be written (exit 2, ``config_unwritable``)."""

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message, path, code=Code.CONFIG_UNWRITABLE)


class FileLocked(FileError):
    """Another run held the lock for longer than :data:`LOCK_TIMEOUT` (exit 1)."""

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message, path, code=Code.CONFIG_LOCKED, status=ExitStatus.FAILED)


def _check_regular(st: os.stat_result, path: str, what: str, *, own: bool) -> None:
    problem = file_problem(st, path, what, own=own)
    if problem is not None:
        raise UnsafeFile(problem, path)


def read_file(
    path: StrPath,
    *,
    limit: int,
    what: str = "file",
    own: bool = False,
    owners: Collection[int] | None = None,
) -> bytes | None:
    """The bytes of the regular file at ``path``, or ``None`` when it does not exist.

    ``own``: one of our own files (cache, salt, record): no symlink, owned by us,
    one link. ``owners``: the file as opened (a symlink followed) must belong to one
    of these uids, else :class:`UntrustedFile`, checked before anything else about
    it (another user's FIFO is untrusted, not a FIFO). Raises :class:`UnsafeFile`
    for anything but a regular file within ``limit`` bytes, and :class:`FileError`
    when it cannot be read.
    """
    try:
        return read_regular(path, limit=limit, what=what, own=own, owners=owners)
    except Refused as refused:
        raise _error(refused) from None


def open_stream(path: StrPath, *, what: str = "file") -> BinaryIO | None:
    """The regular file at ``path`` opened for reading as a stream (a log of any size,
    read in bounded chunks by the caller), or ``None`` when it does not exist.

    Refused exactly as :func:`read_file` refuses (a FIFO, device, socket or directory is
    never read, and opening it never blocks); the stream blocks normally once checked.
    """
    try:
        opened = open_regular(path, what=what)
    except Refused as refused:
        raise _error(refused) from None
    if opened is None:
        return None
    fd, _st = opened
    os.set_blocking(fd, True)
    return open(fd, "rb", buffering=0)


def _error(refused: Refused) -> FileError:
    """The product error for what :mod:`cs_registry.filecheck` refused."""
    if refused.owner is not None:
        return UntrustedFile(refused.message, refused.path, refused.owner)
    kind = UnsafeFile if refused.unsafe else FileError
    return kind(refused.message, refused.path)


def owner_for_new(directory: StrPath) -> tuple[int, int] | None:
    """Who a file that root creates in ``directory`` should belong to.

    ``None`` unless we are root and ``directory`` belongs to another user: then that
    user and the directory's group, so root leaves nothing the user cannot replace.
    """
    if os.geteuid() != 0:
        return None
    try:
        st = os.stat(directory)
    except OSError:
        return None
    return (st.st_uid, st.st_gid) if st.st_uid != 0 else None


def ensure_dir(path: StrPath, *, what: str = "directory", mode: int = DIR_MODE) -> None:
    """Create ``path`` and its missing parents with ``mode``; each new one belongs to
    the owner of the directory it was made in (see :func:`owner_for_new`)."""
    name = os.fspath(path)
    missing: list[str] = []
    probe = os.path.abspath(name)
    while not os.path.isdir(probe):
        # another run may make it between the two looks: only a path that is there and
        # still not a directory is an error
        if os.path.lexists(probe) and not os.path.isdir(probe):
            raise UnwritableFile(f"{what} {probe} exists and is not a directory", probe)
        missing.append(probe)
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    for directory in reversed(missing):
        owner = owner_for_new(os.path.dirname(directory))
        try:
            os.mkdir(directory, mode)
        except FileExistsError:
            if not os.path.isdir(directory):
                raise UnwritableFile(
                    f"{what} {directory} exists and is not a directory", directory
                ) from None
            continue
        except OSError as exc:
            raise UnwritableFile(
                f"cannot create {what} {directory}: {exc.strerror}", directory
            ) from None
        if owner is not None:
            os.lchown(directory, *owner)


def ensure_private_dir(path: StrPath, *, what: str = "directory") -> str | None:
    """Make ``path`` (0700, missing parents too) to hold our private files; returns why
    it may not (see :func:`private_dir_problem`), or ``None``.

    Nothing is created inside a directory that others could swap or write to: the
    deepest existing ancestor is checked first, as the holder of what would be made.
    """
    name = os.path.abspath(os.fspath(path))
    if not os.path.lexists(name):
        holder = os.path.dirname(name)
        while not os.path.lexists(holder) and os.path.dirname(holder) != holder:
            holder = os.path.dirname(holder)
        try:
            above = os.stat(holder)
        except OSError as exc:
            return f"{holder}: {exc.strerror}"
        owner = owner_for_new(holder)
        problem = holder_problem(name, holder, above, owner[0] if owner else os.geteuid())
        if problem is not None:
            return problem
        try:
            ensure_dir(name, what=what)
        except FileError as exc:
            return exc.message
    return private_dir_problem(name)


def target_of(path: StrPath, *, what: str = "file") -> str:
    """Where a write to ``path`` lands: itself, or a symlink's final target.

    The target must be a regular file or not exist yet; anything else (``/dev/null``,
    a FIFO, a directory) raises :class:`UnsafeFile` and nothing is written.
    """
    name = os.fspath(path)
    target = os.path.realpath(name) if os.path.islink(name) else name
    try:
        st: os.stat_result | None = os.lstat(target)
    except (FileNotFoundError, NotADirectoryError):  # the directory's creation says why
        st = None
    except OSError as exc:
        raise FileError(f"cannot use {what} {target}: {exc.strerror}", target) from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        via = f" (through the symlink {name})" if target != name else ""
        raise UnsafeFile(
            f"{what} {target}{via} is {describe(st.st_mode)}, not a regular file; "
            "it was left alone",
            target,
        )
    if os.geteuid() == 0:
        _root_stays_with_link_owner(name, target, st, what)
    return target


def _root_stays_with_link_owner(
    name: str, target: str, st: os.stat_result | None, what: str
) -> None:
    """Root follows another user's symlink only onto that user's files.

    A user's ``~/.docker/config.json -> /etc/docker/daemon.json`` (or ``~/.docker ->
    /etc``) must not make a root run (sudo, a root lifecycle hook) replace or create
    root's files: whoever owns the first symlink on the way must own where it lands
    (the file, or the directory a new file goes in). Root's own links are followed.
    """
    owner = None
    probe = "/"
    for part in os.path.abspath(name).split("/")[1:]:
        probe = os.path.join(probe, part)
        try:
            link = os.lstat(probe)
        except OSError:
            break
        if stat.S_ISLNK(link.st_mode) and link.st_uid != 0:
            owner = link.st_uid
            break
    if owner is None:
        return
    landed = st.st_uid if st is not None else _nearest_owner(os.path.abspath(target))
    if landed is None:
        return  # nothing there to write into: the write itself fails and says so
    if landed != owner:
        raise UnsafeFile(
            f"{what} {name} leads through {probe}, a symlink of uid {owner}, to "
            f"{os.path.realpath(target)}, which belongs to uid {landed}; running as root, "
            "cs-registry does not follow it",
            name,
        )


def _nearest_owner(path: str) -> int | None:
    """Who owns the nearest existing directory above ``path`` (where it, and any
    missing directories on the way, would be created)."""
    directory = os.path.dirname(path)
    while True:
        try:
            return os.stat(directory).st_uid
        except FileNotFoundError:
            if os.path.dirname(directory) == directory:
                return None
            directory = os.path.dirname(directory)
        except OSError:
            return None


def write_atomic(
    path: StrPath,
    content: bytes,
    *,
    what: str = "file",
    private: bool = False,
    own: bool = False,
    durable: bool = True,
    unless_same: bytes | None = None,
) -> int | None:
    """Replace ``path``'s target with ``content``: temp file, fsync, rename, fsync dir.

    A new file is 0600 (and belongs to the directory's owner when root writes into
    another user's directory); an existing one keeps its mode and owner. ``private``
    (the content holds credentials): a mode open to group or others is tightened to
    0600, and the old mode is returned so the caller can say so; otherwise ``None``.
    ``own`` (one of our own files): a symlink at ``path`` is refused, never followed,
    and the file belongs to us (or the directory's owner) as a new one would.
    ``durable=False`` (a cache, whose readers already take a corrupt or missing file
    as empty): still never half-written, but without the two fsyncs (about 0.2 ms
    each here, far more on network disks), so a power cut may lose the last write.
    ``unless_same`` (the bytes the caller read, under its lock): nothing is written
    when ``content`` is those bytes and the file already has the mode and owner a
    write would give it.
    """
    if own and os.path.islink(path):
        name = os.fspath(path)
        raise UnsafeFile(f"{what} {name} is a symbolic link; it was not used", name)
    target = target_of(path, what=what)
    directory = os.path.dirname(target) or "."
    current, mode, owner, tightened = _mode_and_owner(
        target, directory, what, private=private, own=own
    )
    if unless_same is not None and content == unless_same and _already(current, mode, owner):
        return None
    try:
        fd, temp = _create_temp(directory, os.path.basename(target))
    except OSError as exc:
        raise UnwritableFile(f"cannot write in {directory}: {exc.strerror}", directory) from None
    try:
        try:
            os.fchmod(fd, mode)
            if owner is not None:
                os.fchown(fd, *owner)
            view = memoryview(content)
            while view:
                view = view[os.write(fd, view) :]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        target_of(target, what=what)  # still a regular file (or absent) right before the rename
        os.replace(temp, target)
    except BaseException as exc:
        _unlink_quietly(temp)
        if isinstance(exc, OSError):
            raise UnwritableFile(f"cannot write {what} {target}: {exc.strerror}", target) from None
        raise
    if durable:
        _fsync_dir(directory)
    return tightened


def _mode_and_owner(
    target: str, directory: str, what: str, *, private: bool, own: bool
) -> tuple[os.stat_result | None, int, tuple[int, int] | None, int | None]:
    """The file there now (if any), its replacement's mode and owner (``None``: ours),
    and the mode that replacement tightens."""
    try:
        current: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        current = None
    except OSError as exc:
        raise UnwritableFile(f"cannot write {what} {target}: {exc.strerror}", target) from None
    mode = stat.S_IMODE(current.st_mode) if current else FILE_MODE
    tightened = mode if private and mode & 0o077 else None
    if tightened is not None:
        mode = FILE_MODE
    if current is not None and not own:
        owner = (current.st_uid, current.st_gid) if os.geteuid() == 0 else None
    else:  # our own files never inherit an owner from whatever was there (a planted file)
        owner = owner_for_new(directory)
    return current, mode, owner, tightened


def _already(current: os.stat_result | None, mode: int, owner: tuple[int, int] | None) -> bool:
    """Whether ``current`` already has the mode and owner a write would give it."""
    if current is None or stat.S_IMODE(current.st_mode) != mode:
        return False
    if owner is None:
        return current.st_uid == os.geteuid()
    return (current.st_uid, current.st_gid) == owner


def _create_temp(directory: str, name: str) -> tuple[int, str]:
    """A new, empty 0600 file ``.NAME.<random>.tmp`` in ``directory``, as ``mkstemp`` makes it.

    Kept, not ``tempfile.mkstemp``: tempfile imports ``shutil`` and ``random``, +6.9 ms
    paired (0.38x the bare interpreter, README "Benchmarks") on every login.
    ``O_EXCL | O_NOFOLLOW`` makes the name ours; a clash draws another.
    """
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for _ in range(100):
        path = os.path.join(directory, f".{name}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(path, flags, FILE_MODE), path
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no unused temporary file name", directory)


def sweep_stale_temps(path: StrPath) -> None:
    """Remove temp files that a killed writer left next to ``path``'s target.

    Call only while holding its :class:`Lock`: every live writer holds the lock for
    as long as its temp file exists, so any temp file seen then is orphaned (and may
    hold credentials).
    """
    target = target_of(path)
    directory = os.path.dirname(target) or "."
    prefix, suffix = f".{os.path.basename(target)}.", ".tmp"
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        if name.startswith(prefix) and name.endswith(suffix) and len(name) > len(prefix + suffix):
            _unlink_quietly(os.path.join(directory, name))


def _unlink_quietly(path: str) -> None:
    try:  # noqa: SIM105 - contextlib.suppress would cost the hot path an import
        os.unlink(path)
    except OSError:
        pass


def _fsync_dir(directory: str) -> None:
    try:
        dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def _open_own(path: str, flags: int, what: str) -> int:
    """Open (creating 0600 when missing) one of our own files: no symlink, regular,
    one link; a new one belongs to the directory's owner when root creates it."""
    flags |= _OWN | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        try:
            fd = os.open(path, flags | os.O_CREAT | os.O_EXCL, FILE_MODE)
            created = True
        except FileExistsError:
            fd = os.open(path, flags)
            created = False
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENXIO, errno.EISDIR):
            try:
                kind = describe(os.lstat(path).st_mode)
            except OSError:
                kind = "not a regular file"
            raise UnsafeFile(f"{what} {path} is {kind}; it was not used", path) from None
        raise UnwritableFile(f"cannot open {what} {path}: {exc.strerror}", path) from None
    try:
        _check_regular(os.fstat(fd), path, what, own=True)
        owner = owner_for_new(os.path.dirname(path) or ".") if created else None
        if owner is not None:
            os.fchown(fd, *owner)
    except BaseException:
        os.close(fd)
        raise
    return fd


class Lock:
    """An exclusive ``flock`` on ``path`` for the ``with`` block, waited for at most
    ``timeout`` seconds (then :class:`FileLocked`).

    A class, not a ``contextlib`` generator: contextlib would cost the login path
    its import. Closing the descriptor releases the lock, also when a signal ends
    the run.
    """

    def __init__(self, path: StrPath, *, timeout: float = LOCK_TIMEOUT, what: str = "lock file"):
        self.path = os.fspath(path)
        self.timeout = timeout
        self.what = what
        self._fd: int | None = None

    def __enter__(self) -> Lock:
        fd = _open_own(self.path, os.O_RDONLY, self.what)
        deadline = time.monotonic() + self.timeout
        pause = 0.005
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise FileLocked(
                            f"another cs-registry run has held {self.path} for more than "
                            f"{self.timeout:g} s; try again, or look for a stuck run "
                            f"(fuser {self.path})",
                            self.path,
                        ) from None
                    time.sleep(min(pause, left))
                    pause = min(pause * 2, 0.1)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing releases the flock
            self._fd = None


def lock_beside(path: StrPath, *, timeout: float = LOCK_TIMEOUT) -> Lock:
    """The lock every cs-registry writer of ``path``'s target shares: ``.NAME.lock``
    in the target's directory."""
    target = target_of(path)
    lock_path = os.path.join(os.path.dirname(target) or ".", f".{os.path.basename(target)}.lock")
    return Lock(lock_path, timeout=timeout)


def append_text(path: StrPath, text: str, *, what: str = "log file") -> None:
    """Append ``text`` to one of our own files (a log): created 0600, never through a
    symlink, never to anything but a single-link regular file of ours."""
    name = os.fspath(path)
    fd = _open_own(name, os.O_WRONLY | os.O_APPEND, what)
    try:
        data = text.encode("utf-8", "backslashreplace")
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except OSError as exc:
        raise UnwritableFile(f"cannot write {what} {name}: {exc.strerror}", name) from None
    finally:
        os.close(fd)


def remove(path: StrPath) -> bool:
    """Remove one of our own files; ``False`` when it was not there."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False
    return True


__all__ = [
    "CONFIG_LIMIT",
    "DIR_MODE",
    "FILE_MODE",
    "LOCK_TIMEOUT",
    "SMALL_LIMIT",
    "TEXT_LIMIT",
    "FileError",
    "FileLocked",
    "Lock",
    "UnsafeFile",
    "UntrustedFile",
    "UnwritableFile",
    "append_text",
    "describe",
    "ensure_dir",
    "ensure_private_dir",
    "lock_beside",
    "owner_for_new",
    "private_dir_problem",
    "read_file",
    "remove",
    "sweep_stale_temps",
    "target_of",
    "write_atomic",
]
