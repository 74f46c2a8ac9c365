"""Group the recognised lines into failures: a root cause first, its consequences folded.

A log says one thing several times: docker's error, then ``Command failed: docker pull
IMG`` (and its retries), ``{"outcome":"error", ...}``, ``Error code: 1302``. The first
*root* line opens a failure; consequence lines and repeats of the same cause fold
under it. A consequence with no root before it opens a failure of its own (it becomes
``image_unavailable``, ``feature_unavailable`` or ``no_known_cause``), and a root
cause that arrives later in the same phase takes its place at the top.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from cs_registry.diagnosis import Code, explain
from cs_registry.explain import phases, rules
from cs_registry.explain.formats import Format, Sniffer, strip
from cs_registry.explain.reader import Readable, Reader

MAX_FAILURES = 50
MAX_LINES_PER_FAILURE = 8
_STRUCTURED = (Format.CODESPACES, Format.DEVCONTAINERS, Format.ACTIONS)
_TARGETS = (
    re.compile(r'Head "https?://(?P<host>[^/"]+)/v2/(?P<name>.+?)/manifests/(?P<tag>[^"]+)"'),
    re.compile(
        r"(?:docker pull |docker inspect --type image |pull access denied for |"
        r"docker://|Trying to pull |load metadata for |Feature manifest for '|Feature '|"
        r"Failed to process feature |No such image: |FROM |dependencies for '|"
        r"Processing feature: )(?P<ref>[\w.:/@-]+)"
    ),
    re.compile(r"manifest for (?P<ref>\S+) not found"),
    re.compile(r"(?:pulling from host |pinging container registry |service ')(?P<ref>[\w.:-]+)"),
    re.compile(r"https?://(?P<ref>[\w.-]+(?::\d+)?)/v2/"),
)


@dataclass
class Failure:
    """One distinct failure: its code, phase, quoted lines and what to do."""

    code: Code
    phase: str | None
    lines: list[tuple[int, str]]
    root: bool
    cause: str = ""
    remedy: str = ""
    next: str = ""
    target: str | None = None
    more_lines: int = 0
    #: how many of ``lines`` state the cause (a message's first line, then the root line)
    lead: int = 1

    def add(self, number: int, text: str) -> None:
        """Quote one more line (a repeat of a quoted one, or one past the cap, is counted)."""
        if len(self.lines) < MAX_LINES_PER_FAILURE and all(text != t for _, t in self.lines):
            self.lines.append((number, text))
        else:
            self.more_lines += 1


@dataclass
class Analysis:
    """What :func:`analyse` found in one log."""

    source: str
    format: Format = Format.PLAIN
    failures: list[Failure] = field(default_factory=list)
    lines_read: int = 0
    more_failures: int = 0


def _target(text: str) -> str | None:
    for pattern in _TARGETS:
        found = pattern.search(text)
        if found is not None:
            groups = found.groupdict()
            if "host" in groups:
                return f"{groups['host']}/{groups['name']}:{groups['tag']}"
            return groups["ref"].rstrip(".:,'")
    return None


@functools.lru_cache(maxsize=1024)
def _repository(reference: str) -> str:
    """``reference`` without its tag or digest (``pull access denied for NAME`` has none)."""
    reference = reference.partition("@")[0]
    host, slash, path = reference.rpartition("/")
    return f"{host}{slash}{path.partition(':')[0]}" if slash else reference


def _fill(template: str | None, found: re.Match[str], fallback: str) -> str:
    if template is None:
        return fallback
    values = {k: (v or "") for k, v in found.groupdict().items()}
    values.setdefault("helper", "NAME")
    try:
        text = template.format(**values)
    except (KeyError, IndexError):
        return fallback
    return text.replace(" ()", "")  # an optional detail the line did not give


@dataclass(frozen=True)
class _Reading:
    """What one line says by itself; the same text always reads the same way."""

    marker: tuple[bool, str | None]
    match: tuple[rules.Rule, re.Match[str]] | None
    target: str | None
    error_like: bool
    line_phase: str | None


_MEMO_SIZE = 4096  # a log repeats itself (retries, the same error per layer): read once


class _Folder:
    def __init__(self, analysis: Analysis) -> None:
        self._memo: dict[str, _Reading] = {}
        self.analysis = analysis
        self.phase: str | None = None
        self.open: Failure | None = None
        self.first_unknown: tuple[int, str, str | None] | None = None
        self.context: str | None = None  # the image the log was last busy with

    def _read(self, text: str) -> _Reading:
        reading = self._memo.get(text)
        if reading is None:
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            reading = _Reading(
                phases.marker(text),
                rules.classify(text),
                _target(text),
                bool(rules.UNKNOWN_ERROR.search(text)),
                phases.line_phase(text),
            )
            self._memo[text] = reading
        return reading

    def feed(self, number: int, text: str, marked: bool) -> None:
        reading = self._read(text)
        is_marker, phase = reading.marker
        if is_marker and phase != self.phase:
            self.phase, self.context = phase, None
        if reading.match is None:
            self.context = reading.target or self.context
            if self.first_unknown is None and (marked or reading.error_like):
                self.first_unknown = (number, text, self.phase or reading.line_phase)
            return
        rule, found = reading.match
        phase = rule.phase or self.phase or reading.line_phase
        target = reading.target or (found.groupdict().get("ref") or None)
        if self.context and (target is None or self.context.startswith(target)):
            target = self.context  # "service 'HOST'" says less than the image named before
        current = self.open
        if current is not None and self._folds(current, rule, phase, target, number):
            if rule.root and not current.root:  # the cause arrived after its symptom
                current.root, current.code = True, rule.code
                current.lines.insert(0, (number, text))
                self._explain(current, rule, found)
            else:
                current.add(number, text)
            current.target = current.target or target
            return
        failure = Failure(rule.code, phase, [], rule.root, target=target)
        unknown = self.first_unknown
        if unknown is not None and (
            unknown[0] == number - 1 or (not rule.root and rule.code is Code.NO_KNOWN_CAUSE)
        ):
            failure.add(*unknown[:2])  # the message's first line, or the only error shown
            failure.lead = 2 if rule.root else 1
        failure.add(number, text)
        self._explain(failure, rule, found)
        self._push(failure)

    @staticmethod
    def _folds(
        current: Failure, rule: rules.Rule, phase: str | None, target: str | None, number: int
    ) -> bool:
        if not rule.root:  # a Feature's failure does not belong under an image's
            return rule.phase is None or current.phase in (None, rule.phase)
        if not current.root:
            return current.phase in (None, phase) or phase is None
        if number == current.lines[-1][0] + 1 and not current.more_lines:
            return True  # one message over several lines (podman's "errors:" list)
        if rule.code is not current.code:
            return False
        return (
            current.target is None
            or target is None
            or _repository(current.target) == _repository(target)
        )

    @staticmethod
    def _explain(failure: Failure, rule: rules.Rule, found: re.Match[str]) -> None:
        meaning = explain(rule.code)
        failure.cause = _fill(rule.cause, found, meaning.summary)
        failure.remedy = _fill(rule.remedy, found, meaning.remedy)

    def _push(self, failure: Failure) -> None:
        if len(self.analysis.failures) >= MAX_FAILURES:
            self.analysis.more_failures += 1
            return
        self.analysis.failures.append(failure)
        self.open = failure

    def finish(self) -> None:
        if not self.analysis.failures and self.first_unknown is not None:
            number, text, phase = self.first_unknown
            failure = Failure(Code.NO_KNOWN_CAUSE, phase, [(number, text)], False)
            meaning = explain(Code.NO_KNOWN_CAUSE)
            failure.cause, failure.remedy = meaning.summary, meaning.remedy
            self.analysis.failures.append(failure)
        for failure in self.analysis.failures:
            _settle(failure, self.analysis.format)


def _settle(failure: Failure, fmt: Format) -> None:
    """Phase names and the next command, once the whole log (and its format) is known."""
    if failure.phase == rules.PULL and fmt in _STRUCTURED:
        failure.phase = rules.HOST_PULL
    if failure.phase is None:
        failure.phase = rules.PREBUILD if fmt is Format.ACTIONS else rules.UNKNOWN
    prebuild_hook = failure.phase in ("onCreateCommand", "updateContentCommand", rules.PREBUILD)
    if failure.code is Code.DAEMON_UNREACHABLE and fmt is Format.ACTIONS and prebuild_hook:
        failure.code = Code.DOCKER_IN_PREBUILD_HOOK
        meaning = explain(failure.code)
        failure.cause, failure.remedy = meaning.summary, meaning.remedy
    failure.next = next_command(failure.code, failure.target)


_DOCTOR_CODES = {
    Code.DAEMON_UNREACHABLE,
    Code.CREDS_STORE_UNAVAILABLE,
    Code.CRED_HELPER_FAILED,
    Code.NO_KNOWN_CAUSE,
}


def next_command(code: Code, target: str | None) -> str:
    """The command to run next, with what the log names."""
    if code in (Code.REPOSITORY_ACCESS_DENIED, Code.DOCKER_IN_PREBUILD_HOOK):
        return "cs-registry doctor --prebuild"
    if code in _DOCTOR_CODES or target is None:
        return "cs-registry doctor"
    return f"cs-registry debug-login {target}"


def analyse(stream: Readable, source: str) -> Analysis:
    """Read ``stream`` to its end and return the failures it shows, in order."""
    analysis = Analysis(source)
    reader = Reader(stream, phases.KEYWORDS)
    sniffer = Sniffer()
    folder = _Folder(analysis)
    for number, raw in reader:
        text, marked = strip(raw)
        sniffer.see(text)
        folder.feed(number, text, marked)
    analysis.lines_read = reader.lines
    analysis.format = sniffer.verdict(reader.head)
    folder.finish()
    return analysis
