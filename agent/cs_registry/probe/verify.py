"""``login --verify``: check freshly written credentials against their registries."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass

from cs_registry.diagnosis import Code
from cs_registry.probe.credentials import Credentials
from cs_registry.probe.runner import diagnose
from cs_registry.probe.state import ProbeOptions
from cs_registry.secret import Secret
from cs_registry.status import Status

VERIFY_TIMEOUT = 10.0


@dataclass(frozen=True)
class Verdict:
    """Whether the registry accepted the credential; on failure the code and why."""

    verified: bool
    code: Code
    detail: str


def verify(
    server: str,
    username: str,
    secret: Secret,
    *,
    environ: Mapping[str, str],
    timeout: float = VERIFY_TIMEOUT,
) -> Verdict:
    """Log in to ``server`` as debug-login's ``auth`` step does (no daemon, no config)."""
    report = diagnose(
        ProbeOptions(server=server, timeout=timeout, docker_side=False),
        environ=environ,
        stdin=io.StringIO(),
        credentials=Credentials(
            source="the credential just written", username=username, secret=secret
        ),
    )
    code = report.code
    if code is Code.OK:
        return Verdict(True, code, "the registry accepted the credential")
    step = next(
        (s for s in report.steps if s.status is Status.FAIL or s.code is code), report.steps[-1]
    )
    return Verdict(False, code, f"{step.name}: {step.detail}")


__all__ = ["VERIFY_TIMEOUT", "Verdict", "verify"]
