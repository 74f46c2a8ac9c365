"""Replacing a config file safely: one lock per target, temp file, fsync, rename, fsync dir.

Every function takes a ``Path`` or (on the login hot path) text; errors are
:class:`ConfigUnwritable`. No contextlib, tempfile or pathlib: see :mod:`.paths`.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat

from cs_registry import paths
from cs_registry.diagnosis import Code
from cs_registry.errors import CsRegistryError
from cs_registry.status import ExitStatus

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~4 ms)
if TYPE_CHECKING:
    from cs_registry.paths import StrPath

_WHERE_ELSE = "pass --config DIR or set DOCKER_CONFIG to a writable directory"
FILE_MODE = 0o600
DIR_MODE = 0o700


class ConfigUnwritable(CsRegistryError):
    """The config directory or file cannot be written (exit 2)."""

    def __init__(self, message: str) -> None:
        super().__init__(
            f"{message}; {_WHERE_ELSE}", code=Code.CONFIG_UNWRITABLE, status=ExitStatus.USAGE
        )


def ensure_dir(directory: StrPath) -> None:
    """Create ``directory`` (0700) when missing."""
    directory = paths.text(directory)
    try:
        paths.make_dirs(directory, DIR_MODE)
    except FileExistsError:
        raise ConfigUnwritable(f"{directory} exists and is not a directory") from None
    except OSError as exc:
        raise ConfigUnwritable(f"cannot create {directory}: {exc.strerror}") from None
    if not paths.is_dir(directory):
        raise ConfigUnwritable(f"{directory} exists and is not a directory")


class _Lock:
    """The ``with`` block of :func:`locked` (a class, not a ``contextlib`` generator:
    contextlib would cost every login its import, and this module avoids it throughout)."""

    def __init__(self, path: StrPath) -> None:
        self._path = path
        self._fd: int | None = None

    def __enter__(self) -> None:
        target = paths.link_target(paths.text(self._path))
        lock_path = paths.join(paths.parent(target), f".{os.path.basename(target)}.lock")
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
        except OSError as exc:
            raise ConfigUnwritable(
                f"cannot create the lock file {lock_path}: {exc.strerror}"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def __exit__(self, *_exc: object) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing releases the flock
            self._fd = None


def locked(path: StrPath) -> _Lock:
    """Hold an exclusive lock shared by every cs-registry writer of ``path``'s target."""
    return _Lock(path)


def write_atomic(path: StrPath, content: bytes) -> None:
    """Replace ``path``'s target with ``content``: temp file, fsync, rename, fsync dir."""
    target = paths.link_target(paths.text(path))
    directory = paths.parent(target)
    try:
        current = os.stat(target)
    except FileNotFoundError:
        current = None
    mode = stat.S_IMODE(current.st_mode) if current else FILE_MODE
    try:
        fd, tmp = _create_temp(directory, os.path.basename(target))
    except OSError as exc:
        raise ConfigUnwritable(f"cannot write in {directory}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            if current is not None and os.geteuid() == 0:
                # root writing a user's file (sudo, a lifecycle hook): keep the owner
                os.fchown(handle.fileno(), current.st_uid, current.st_gid)
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        try:  # noqa: SIM105 - contextlib.suppress would cost the hot path an import
            os.unlink(tmp)
        except OSError:
            pass
        raise ConfigUnwritable(f"cannot write {target}: {exc.strerror}") from None
    _fsync_dir(directory)


def _create_temp(directory: str, name: str) -> tuple[int, str]:
    """A new, empty 0600 file ``.NAME.<random>.tmp`` in ``directory``, as ``mkstemp`` makes it.

    Not :mod:`tempfile` itself: it imports ``shutil`` and ``random``, ~3 ms of every
    login. ``O_EXCL`` makes the name ours; a clash (one in 2**48) draws another.
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

    Call only while holding :func:`locked`: every live writer holds the lock for
    as long as its temp file exists, so any temp file seen then is orphaned (and
    holds credentials).
    """
    target = paths.link_target(paths.text(path))
    directory = paths.parent(target)
    prefix, suffix = f".{os.path.basename(target)}.", ".tmp"
    try:
        names = os.listdir(directory)
    except OSError:
        return
    # what the glob ".NAME.*.tmp" matches, tested directly: glob and fnmatch stay unimported
    for name in names:
        if name.startswith(prefix) and name.endswith(suffix) and len(name) >= len(prefix + suffix):
            try:  # noqa: SIM105 - as above
                os.unlink(os.path.join(directory, name))
            except OSError:
                pass


def _fsync_dir(directory: str) -> None:
    try:
        dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass
