"""Rules for lifecycle commands and Features: is cs-registry wired in, and does a
prebuild hook need a Docker daemon that does not exist while a prebuild is made?
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from cs_registry.devcontainer.jsonc import JsonPath

#: container-side lifecycle hooks, in the order they run (initializeCommand runs on the host)
HOOKS = (
    "onCreateCommand",
    "updateContentCommand",
    "postCreateCommand",
    "postStartCommand",
    "postAttachCommand",
)
#: the hooks a Codespaces prebuild runs
PREBUILD_HOOKS = ("onCreateCommand", "updateContentCommand")

# `docker` or `docker-compose` as a command word (after a separator, `sudo`, a path…),
# not `dockerd`, `docker-credential-x` or a `.devcontainer/docker/` path.
_DOCKER = re.compile(r"(?:^|[\s;&|(`\"'])(?:[\w./-]*/)?docker(?:-compose)?(?=$|[\s;&|)`\"'])")
_WIRED_COMMAND = re.compile(r"cs-registry|(?:^|[\s/\"'])hooks/")
# "./cs-registry", "../cs-registry", "ghcr.io/acme/features/cs-registry:1"
_WIRED_FEATURE = re.compile(r"(?:^|/)cs-registry(?::[\w.+-]+|@sha256:[0-9a-f]+)?/?$")


def commands(value: Any, path: JsonPath) -> Iterator[tuple[JsonPath, str]]:
    """Each command of a hook as one string, with the path of the value that holds it.

    A string runs in ``/bin/sh``; an array runs without a shell (joined here); an
    object holds named commands of either form, run in parallel.
    """
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        yield path, " ".join(str(part) for part in value)
    elif isinstance(value, dict):
        for name, command in value.items():
            if isinstance(command, (str, list)):
                yield from commands(command, (*path, name))


def runs_docker(command: str) -> bool:
    """Whether ``command`` invokes the docker CLI."""
    return bool(_DOCKER.search(command))


def wired(config: Mapping[str, Any]) -> bool:
    """Whether a lifecycle command runs cs-registry (or its hooks), or its Feature is used."""
    for hook in HOOKS:
        for _, command in commands(config.get(hook), (hook,)):
            if _WIRED_COMMAND.search(command):
                return True
    features = config.get("features")
    return isinstance(features, dict) and any(_WIRED_FEATURE.search(ref) for ref in features)
