"""Where doctor runs: Codespaces or not, the lifecycle phase, and variables that
change where credentials are read from."""

from __future__ import annotations

from collections.abc import Mapping

from cs_registry import lifecycle
from cs_registry.checks.check import Check, ok, problem
from cs_registry.diagnosis import Code
from cs_registry.status import Status

#: variable → which tools it affects (knowledge.md, section 3)
AFFECTS = {
    "DOCKER_CONFIG": (
        "the docker CLI, docker-py and cs-registry use {value}/config.json instead of "
        "~/.docker/config.json (docker-py falls back to ~/.docker when it is missing; "
        "podman and skopeo read it after their own auth.json)"
    ),
    "DOCKER_AUTH_CONFIG": (
        "the docker CLI (28.3+) takes credentials from this variable before config.json; "
        "docker-py, podman, skopeo and cs-registry login ignore it"
    ),
    "REGISTRY_AUTH_FILE": (
        "podman, skopeo and buildah read {value} before Docker's config; the docker CLI and "
        "docker-py ignore it"
    ),
}


def check_environment(environ: Mapping[str, str]) -> list[Check]:
    """The environment line, the lifecycle phase, and one line per relevant variable set."""
    where = lifecycle.detect(environ)
    if where.in_codespaces:
        name = environ.get("CODESPACE_NAME")
        place = f"inside GitHub Codespaces ({name})" if name else "inside GitHub Codespaces"
    else:
        place = "not in a codespace (CODESPACES is not true)"
    checks = [ok("environment", place)]
    checks.append(_phase(where))
    for variable, text in AFFECTS.items():
        value = environ.get(variable)
        if value:
            shown = "(set)" if variable == "DOCKER_AUTH_CONFIG" else value
            checks.append(ok(f"env:{variable}", f"{variable}={shown}: " + text.format(value=value)))
    return checks


def _phase(where: lifecycle.Where) -> Check:
    source = f" (ACTION_NAME={where.action_name} from {where.source})" if where.source else ""
    if where.phase is lifecycle.Phase.PREBUILD:
        return problem(
            "lifecycle",
            Status.WARN,
            Code.PREBUILD_PHASE,
            f"a Codespaces prebuild is being made{source}: no Docker daemon, no user secrets, "
            "and nothing secret may be written",
        )
    if where.phase is lifecycle.Phase.FROM_PREBUILD:
        return ok("lifecycle", f"codespace created from a prebuild{source}")
    return ok("lifecycle", "normal lifecycle phase (no prebuild)")
