"""The shapes of a diagnosis: steps, their status, the time budget and the final report."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cs_registry import log
from cs_registry.diagnosis import Code, explain
from cs_registry.status import Status

#: warnings that are the diagnosis when nothing failed: the login "works" but proves nothing
DIAGNOSTIC_WARNINGS = frozenset({Code.UNVERIFIED_ANONYMOUS})


@dataclass
class Step:
    """One step of the walk: the JSON contract's ``steps`` item, plus verbose trace lines."""

    name: str
    status: Status
    code: Code = Code.OK
    detail: str = ""
    elapsed_ms: int = 0
    trace: list[str] = field(default_factory=list)

    def as_json(self, *, verbose: bool = False) -> dict[str, Any]:
        # details never hold a secret by construction; scrubbing is the second line
        document: dict[str, Any] = {
            "name": self.name,
            "status": self.status.value,
            "code": self.code.value,
            "detail": log.scrub(self.detail),
            "elapsed_ms": self.elapsed_ms,
        }
        if verbose:
            document["trace"] = [log.scrub(line) for line in self.trace]
        return document


class StepFailed(Exception):
    """Raised inside a step: it ends with ``status`` and ``code``."""

    def __init__(self, code: Code, detail: str, status: Status = Status.FAIL) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.status = status


class Budget:
    """The whole run's deadline; each step asks it for its own bounded timeout."""

    def __init__(self, seconds: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._monotonic = monotonic
        self._deadline = monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self._deadline - self._monotonic())

    def timeout(self, cap: float, share: float = 1.0) -> float:
        """At most ``cap`` seconds and ``share`` of what is left (never zero: sockets need > 0)."""
        return max(0.05, min(cap, self.remaining() * share))

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0.05


@dataclass
class Report:
    """Everything ``debug-login`` found; ``ok`` means ``docker login`` would succeed."""

    server: str
    repository: str | None = None
    #: the image reference checked (``debug-login IMAGE``), canonical form
    image: str | None = None
    steps: list[Step] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(step.status is Status.FAIL for step in self.steps)

    @property
    def code(self) -> Code:
        """The first failing step's code; else a diagnostic warning's; else ``ok``."""
        for step in self.steps:
            if step.status is Status.FAIL:
                return step.code
        for step in self.steps:
            if step.status is Status.WARN and step.code in DIAGNOSTIC_WARNINGS:
                return step.code
        return Code.OK

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name == name), None)

    def as_json(self, *, verbose: bool = False) -> dict[str, Any]:
        explanation = explain(self.code)
        document: dict[str, Any] = {"server": self.server}
        if self.image is not None:
            document["image"] = self.image
        document |= {
            "ok": self.ok,
            "steps": [step.as_json(verbose=verbose) for step in self.steps],
            "diagnosis": {
                "code": self.code.value,
                "summary": explanation.summary,
                "remedy": explanation.remedy,
            },
        }
        return document


__all__ = ["DIAGNOSTIC_WARNINGS", "Budget", "Report", "Step", "StepFailed"]
