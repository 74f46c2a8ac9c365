"""Run the steps in order under one time budget and turn them into a :class:`Report`."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TextIO

from cs_registry import dockerconfig, engine
from cs_registry.diagnosis import Code
from cs_registry.probe.authsteps import step_auth, step_challenge, step_scope
from cs_registry.probe.credentials import Credentials
from cs_registry.probe.daemon_api import InfoFetch
from cs_registry.probe.docker_steps import step_config, step_docker
from cs_registry.probe.ecrstep import needs_swap
from cs_registry.probe.image import step_blob, step_manifest, step_platform
from cs_registry.probe.network import (
    skew_note,
    step_dns,
    step_input,
    step_ping,
    step_tcp,
    step_tls,
)
from cs_registry.probe.pull import step_pull
from cs_registry.probe.report import Budget, Report, Step, StepFailed
from cs_registry.probe.state import ProbeOptions, State
from cs_registry.status import Status

StepFunction = Callable[[State], tuple[Status, Code, str]]

REGISTRY_STEPS: tuple[tuple[str, StepFunction], ...] = (
    ("input", step_input),
    ("dns", step_dns),
    ("tcp", step_tcp),
    ("tls", step_tls),
    ("ping", step_ping),
    ("challenge", step_challenge),
    ("auth", step_auth),
    ("scope", step_scope),
)
#: after the login, for ``debug-login IMAGE``: what ``docker pull`` asks next
IMAGE_STEPS: tuple[tuple[str, StepFunction], ...] = (
    ("manifest", step_manifest),
    ("platform", step_platform),
    ("blob", step_blob),
)
DOCKER_STEPS: tuple[tuple[str, StepFunction], ...] = (
    ("docker", step_docker),
    ("config", step_config),
)
#: with ``--pull`` the daemon pulls the image (its login included) instead of only logging in
PULL_STEPS: tuple[tuple[str, StepFunction], ...] = (
    ("docker", step_pull),
    ("config", step_config),
)


def _run_step(state: State, name: str, function: StepFunction) -> Step:
    state.trace = []
    started = time.monotonic()
    try:
        status, code, detail = function(state)
    except StepFailed as failure:
        status, code, detail = failure.status, failure.code, failure.detail
    elapsed = int((time.monotonic() - started) * 1000)
    return Step(name, status, code, detail, elapsed, trace=list(state.trace))


def diagnose(
    options: ProbeOptions,
    *,
    environ: Mapping[str, str],
    stdin: TextIO,
    clock: Callable[[], float] = time.time,
    credentials: Credentials | None = None,
) -> Report:
    """Walk ``docker login``'s path for ``options.server`` and report every step.

    ``credentials`` skips the lookup (``login --verify`` already has them). Raises
    :class:`~cs_registry.errors.UsageError` for bad flags or unreadable CA files.
    """
    budget = Budget(options.timeout)
    state = State(
        options=options,
        environ=environ,
        stdin=stdin,
        clock=clock,
        budget=budget,
        config_dir=dockerconfig.config_dir(environ, str(options.config_dir or "") or None),
        preset=credentials,
    )
    if options.docker_side:
        state.engine = engine.endpoint(environ, state.config_dir)
        # docker info takes tens of ms: ask it now, read it when the tls step needs it
        state.daemon = InfoFetch(state.engine, timeout=min(2.0, options.timeout))
    image = str(options.image) if options.image is not None else None
    report = Report(server=options.server, repository=options.repository, image=image)
    failed: Step | None = None
    steps = REGISTRY_STEPS + (IMAGE_STEPS if options.image is not None else ())
    for name, function in steps:
        # the ECR swap talks to the ECR API, not the registry host: worth running anyway
        ecr_anyway = name == "auth" and failed is not None and failed.name != "input"
        if failed is not None and not (ecr_anyway and needs_swap(state)):
            report.steps.append(Step(name, Status.SKIP, detail=f"not run: {failed.name} failed"))
            continue
        if name != "input" and budget.expired:
            step = Step(
                name,
                Status.FAIL,
                Code.READ_TIMEOUT,
                f"not reached: the whole run is bounded by --timeout {options.timeout:g} s",
            )
        else:
            step = _run_step(state, name, function)
        if name == "ping" and step.status is Status.OK and skew_note(state):
            step.status, step.code = Status.WARN, Code.CLOCK_SKEW
            step.detail += (
                f"; {skew_note(state)}: tokens may be rejected as not yet valid or expired"
            )
        report.steps.append(step)
        if step.status is Status.FAIL:
            failed = step
    if state.server is None or not options.docker_side:
        return report
    state.verdict = failed.code if failed is not None else Code.OK  # for the daemon's pull
    for name, function in PULL_STEPS if options.image and options.pull else DOCKER_STEPS:
        report.steps.append(_run_step(state, name, function))
    return report


__all__ = ["DOCKER_STEPS", "IMAGE_STEPS", "PULL_STEPS", "REGISTRY_STEPS", "diagnose"]
