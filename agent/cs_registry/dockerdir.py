"""Where Docker's config lives: ``--config`` > ``$DOCKER_CONFIG`` > ``~/.docker``.

One resolution for login, doctor and debug-login, read exactly as the docker CLI
reads it (docker/cli ``cli/config/config.go``): the value is taken literally, with
no ``~`` expansion, and a relative path is relative to the working directory.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from cs_registry import paths
from cs_registry.errors import UsageError
from cs_registry.record import Record

TYPE_CHECKING = False  # not typing's: importing typing adds 0.3x python's start-up (README)
if TYPE_CHECKING:
    from pathlib import Path

CONFIG_NAME = "config.json"


class ConfigLocation(Record):
    """Where one run finds Docker's config: ``directory``, ``file`` (both absolute when
    the value was relative) and ``warning`` (text for a relative value, else ``None``)."""

    __slots__ = ("directory", "file", "warning")

    def __init__(self, directory: str, file: str, warning: str | None) -> None:
        self.directory = directory
        self.file = file
        self.warning = warning


def locate(environ: Mapping[str, str], override: str | None = None) -> ConfigLocation:
    """``--config`` > ``$DOCKER_CONFIG`` > ``~/.docker``, exactly as the docker CLI reads it.

    The one resolution login, doctor and debug-login share. The docker CLI takes the
    value literally (docker/cli ``cli/config/config.go``: no ``~`` expansion, a
    relative path is relative to the working directory), so a value starting with
    ``~`` is refused (:class:`~cs_registry.errors.UsageError`, saying what the docker
    CLI would read instead) and a relative one is used from the working directory,
    with a warning.
    """
    source = "--config" if override else "DOCKER_CONFIG"
    value = override or environ.get("DOCKER_CONFIG")
    if not value:
        # no HOME: the password database's home, as the docker CLI finds it; without
        # one expanduser leaves "~", which would mean ./~/.docker in the working directory
        home = environ.get("HOME") or os.path.expanduser("~")
        if home.startswith("~"):
            raise UsageError(
                f"HOME is not set and uid {os.getuid()} has no home directory to find "
                "Docker's config in; set HOME, or DOCKER_CONFIG to Docker's config directory"
            )
        directory = paths.normal(os.path.join(home, ".docker"))
        return ConfigLocation(directory, paths.join(directory, CONFIG_NAME), None)
    warning = None
    if value.startswith("~") or not os.path.isabs(value):
        try:
            cwd = os.getcwd()
        except OSError as exc:
            raise UsageError(
                f"{source}={value!r} is relative, and the working directory is gone "
                f"({exc.strerror}); give an absolute path"
            ) from None
        if value.startswith("~"):
            raise UsageError(_tilde_message(source, value, cwd))
        warning = (
            f"{source}={value!r} is relative: Docker's config is "
            f"{os.path.join(cwd, value, CONFIG_NAME)} when run from {cwd} (the docker CLI "
            "reads it relative to the working directory too); give an absolute path"
        )
        value = os.path.join(cwd, value)
    # filepath.Join in the docker CLI cleans the path the same way
    directory = os.path.normpath(value)
    return ConfigLocation(directory, os.path.join(directory, CONFIG_NAME), warning)


def _tilde_message(source: str, value: str, cwd: str) -> str:
    literal = os.path.normpath(os.path.join(cwd, value, CONFIG_NAME))
    if value == "~" or value.startswith("~/"):
        instead = f'{source}="$HOME{value[1:]}" (the shell expands $HOME)'
    else:
        instead = "an absolute path"
    return (
        f"{source}={value!r} starts with '~', which the docker CLI does not expand: "
        f"it would read {literal}; set {instead}"
    )


def config_dir(environ: Mapping[str, str], override: str | None = None) -> Path:
    """:func:`locate`'s directory as a ``Path`` (off the login path: pathlib costs ~4 ms)."""
    from pathlib import Path

    return Path(locate(environ, override).directory)


def config_file(environ: Mapping[str, str], override: str | None = None) -> str:
    """:func:`locate`'s config file path, as text."""
    return locate(environ, override).file


__all__ = ["CONFIG_NAME", "ConfigLocation", "config_dir", "config_file", "locate"]
