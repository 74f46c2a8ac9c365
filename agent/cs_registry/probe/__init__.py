"""The network steps of ``cs-registry debug-login``: walk docker login's path and name the cause.

:func:`diagnose` runs ``input → dns → tcp → tls → ping → challenge → auth → scope
→ docker → config`` under one time budget; :func:`verify` runs the registry part
only, for ``cs-registry login --verify``.
"""

from __future__ import annotations

from cs_registry.probe.report import Report, Step
from cs_registry.probe.runner import diagnose
from cs_registry.probe.state import ProbeOptions
from cs_registry.probe.verify import verify
from cs_registry.status import Status

__all__ = ["ProbeOptions", "Report", "Status", "Step", "diagnose", "verify"]
