"""Where in a dev container's life a log line is: markers that set the phase, and hints.

Phases (issue 13): host image pull, Feature fetch, the lifecycle commands, prebuild,
clone, login, pull, build. A *marker* line (``Resolving Feature dependencies``,
``Start: Run: docker pull``, ``Running the postCreateCommand``) sets the phase of what
follows; a root line with no marker before it names its own phase (a login attempt, a
BuildKit step, a manifest URL).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cs_registry.explain.rules import (
    BUILD,
    CLONE,
    FEATURE,
    HOOKS,
    LOGIN,
    PULL,
    RULES,
    UNKNOWN_KEYWORDS,
)


@dataclass(frozen=True)
class Marker:
    """A line that says which phase the log is in from here on (``None``: no phase)."""

    pattern: re.Pattern[str]
    keywords: tuple[str, ...]
    phase: str | None


MARKERS: tuple[Marker, ...] = (
    Marker(
        re.compile(r"^Cloning into |^Cloning\.\.\.|\bgit clone |^Checking out"),
        ("cloning", "git clone", "checking out"),
        CLONE,
    ),
    Marker(
        re.compile(r"Resolving Feature dependencies|\* Processing feature"),
        ("resolving feature", "processing feature"),
        FEATURE,
    ),
    Marker(
        re.compile(
            r"Start: Run: docker (?:pull|inspect --type image)|^\$ docker pull |"
            r"^Trying to pull |: Pulling from "
        ),
        (
            "run: docker pull",
            "run: docker inspect --type image",
            "$ docker pull",
            "trying to pull",
            "pulling from",
        ),
        PULL,
    ),
    Marker(re.compile(r"\[internal\] load metadata for "), ("load metadata for",), BUILD),
    Marker(
        re.compile(r"Start: Run: docker (?:buildx )?build|^Step 1/\d+ :|^\$ docker build"),
        ("run: docker build", "run: docker buildx build", "step 1/", "$ docker build"),
        BUILD,
    ),
    Marker(
        re.compile(r"\b(?P<hook>" + "|".join(HOOKS) + r")Command\b"),
        ("createcommand", "contentcommand", "startcommand", "attachcommand"),
        "hook",
    ),
    Marker(
        re.compile(r"^\$ docker login|^Login Succeeded"), ("docker login", "login succeeded"), LOGIN
    ),
    Marker(
        re.compile(r"^Creating container\.\.\.|^Configuration starting"),
        ("creating container", "configuration starting"),
        None,
    ),
)

#: phase a root line names by itself, when the log gave no marker before it
LINE_PHASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"login attempt|Error saving credentials|error storing credentials", re.I), LOGIN),
    (re.compile(r"Feature '|Feature manifest"), FEATURE),
    (re.compile(r"failed to solve|load metadata for|^#\d+ |^Step \d+/|^ > \["), BUILD),
    (
        re.compile(
            r"manifests/|pull access denied|docker://|reading manifest|pulling from host|"
            r"manifest for |Pulling |no matching manifest|toomanyrequests|docker pull",
            re.I,
        ),
        PULL,
    ),
)


def _keywords() -> set[str]:
    words = {word for rule in RULES for word in rule.keywords}
    words.update(word for marker in MARKERS for word in marker.keywords)
    words.update(UNKNOWN_KEYWORDS)
    words.add("==========")  # Codespaces banners (format evidence)
    words.add("/.codespaces/")
    return words


def _minimal(words: set[str]) -> tuple[bytes, ...]:
    """``words`` without those that contain another (a line holding one holds the other)."""
    lowered = {word.lower() for word in words}
    kept = [w for w in lowered if not any(o != w and o in w for o in lowered)]
    return tuple(sorted(word.encode() for word in kept))


#: every line a rule or a marker could match holds one of these (lowercase) words
KEYWORDS = _minimal(_keywords())


def marker(text: str) -> tuple[bool, str | None]:
    """Whether ``text`` is a phase marker, and the phase it starts (``None``: no phase)."""
    lowered = text.lower()
    for each in MARKERS:
        if any(word in lowered for word in each.keywords):
            found = each.pattern.search(text)
            if found is not None:
                if each.phase == "hook":
                    return True, f"{found.group('hook')}Command"
                return True, each.phase
    return False, None


def marker_phase(text: str, current: str | None) -> str | None:
    """The phase after ``text``: a marker's, or ``current`` when it is none."""
    is_marker, phase = marker(text)
    return phase if is_marker else current


def line_phase(text: str) -> str | None:
    """The phase a line names by itself (a login attempt, a BuildKit step, a manifest URL)."""
    for pattern, phase in LINE_PHASES:
        if pattern.search(text):
            return phase
    return None
