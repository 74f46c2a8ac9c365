"""Where settings files may be: the three layers' paths, computed with the standard library.

:mod:`cs_registry.settings` reads these files; the credential helper's fast path only
asks whether any of them exists (then it leaves the answer to the full path, which
applies them). Both use :func:`candidates`, so they look in the same places.
"""

from __future__ import annotations

import os

from cs_registry import paths, workspace

TYPE_CHECKING = False  # not typing's: importing typing adds 0.3x python's start-up (README)
if TYPE_CHECKING:
    from collections.abc import Mapping

REPOSITORY_FILE = ".devcontainer/cs-registry.yaml"
USER_FILE = "config.yaml"
SYSTEM_FILE = "/etc/cs-registry/config.yaml"
#: overrides :data:`SYSTEM_FILE` (tests, unusual layouts)
SYSTEM_FILE_ENV = "CS_REGISTRY_SYSTEM_CONFIG"
#: the environment variable of each setting that has one
ENV = {
    "verify": "CS_REGISTRY_VERIFY",
    "ecr_helper": "CS_REGISTRY_ECR_HELPER",
    "timeout": "CS_REGISTRY_TIMEOUT",
    "ignore": "CS_REGISTRY_IGNORE",
    "ghcr_from_github_token": "CS_REGISTRY_GHCR_FROM_GITHUB_TOKEN",
}
#: how ``origins`` name the file layers, lowest first
FILE_LAYERS = (SYSTEM_LAYER, REPOSITORY_LAYER, USER_LAYER) = (
    "system file",
    "repository file",
    "user file",
)


def candidates(
    environ: Mapping[str, str], cwd: str, config_home: str
) -> list[tuple[str, str, tuple[str, ...]]]:
    """(layer, file, the folders that must be trusted) for a normal ``cwd``, lowest first.

    ``config_home`` is our folder under ``XDG_CONFIG_HOME`` (``Context.config_home_text``).
    The repository file's folders are the top level and its ``.devcontainer``; the
    user file's, its ``cs-registry`` folder and the one above (``XDG_CONFIG_HOME``).
    """
    system = paths.normal(environ.get(SYSTEM_FILE_ENV) or SYSTEM_FILE)
    top = workspace.top_level(cwd)
    repository = paths.join(top, REPOSITORY_FILE)
    return [
        (SYSTEM_LAYER, system, (paths.parent(system),)),
        (REPOSITORY_LAYER, repository, (top, paths.parent(repository))),
        (USER_LAYER, paths.join(config_home, USER_FILE), (paths.parent(config_home), config_home)),
    ]


def any_exists(environ: Mapping[str, str], cwd: str, config_home: str) -> bool:
    """Whether a settings file (or anything in its place) is there to be read."""
    return any(os.path.lexists(path) for _, path, _ in candidates(environ, cwd, config_home))
