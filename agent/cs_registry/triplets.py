"""Registry secret triplets from the environment.

Codespaces turns secrets named ``<ID>_CONTAINER_REGISTRY_SERVER``, ``_USER`` and
``_PASSWORD`` into registry logins. :func:`discover` finds every triplet, checks
the shape of each value, normalises the server and detects conflicts, so that
``login`` and ``doctor`` see exactly the same picture.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from cs_registry.diagnosis import Code
from cs_registry.record import Record
from cs_registry.secret import Secret
from cs_registry.servers import Server, ServerError, normalise
from cs_registry.status import Severity

SERVER = "_CONTAINER_REGISTRY_SERVER"
USER = "_CONTAINER_REGISTRY_USER"
PASSWORD = "_CONTAINER_REGISTRY_PASSWORD"
#: our extension: the session token that goes with temporary (ASIA…) AWS keys
SESSION_TOKEN = "_CONTAINER_REGISTRY_SESSION_TOKEN"
_PARTS = (SERVER, USER, PASSWORD)
_SUFFIXES = (*_PARTS, SESSION_TOKEN)

# GitHub's secret-name rules: [A-Za-z0-9_], no leading digit, no GITHUB_ prefix.
_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*", re.ASCII)
_QUOTES = ("'", '"', "`")


class Finding(Record):
    """Something worth telling the user about one triplet. Never holds a secret."""

    __slots__ = ("code", "message", "severity")

    def __init__(self, code: Code, severity: Severity, message: str) -> None:
        self.code = code
        self.severity = severity
        self.message = message


class Triplet(Record):
    """One ``<ID>`` with what the environment gave for it.

    ``usable`` is true when there is no error finding: the credentials may be
    written. ``duplicate_of`` names an earlier ID with identical credentials.
    """

    __slots__ = ("duplicate_of", "findings", "id", "password", "server", "session_token", "user")

    def __init__(
        self,
        *,
        id: str,
        server: Server | None,
        user: str,
        password: Secret,
        session_token: Secret | None,
        findings: tuple[Finding, ...] = (),
        duplicate_of: str | None = None,
    ) -> None:
        self.id = id
        self.server = server
        self.user = user
        self.password = password
        self.session_token = session_token
        self.findings = findings
        self.duplicate_of = duplicate_of

    @property
    def usable(self) -> bool:
        return self.server is not None and not any(
            f.severity is Severity.ERROR for f in self.findings
        )

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    def var(self, suffix: str) -> str:
        """The environment variable name of one part, e.g. ``GHCR_CONTAINER_REGISTRY_USER``."""
        return f"{self.id}{suffix}"


class Extra(Record):
    """A triplet whose parts are not ``<ID>_CONTAINER_REGISTRY_*`` variables.

    The config file's ``registries:`` and the GHCR-from-``GITHUB_TOKEN`` opt-in make
    these. ``values`` maps a part's suffix (:data:`SERVER`, :data:`USER`,
    :data:`PASSWORD`) to its raw value, leaving absent parts out; ``names`` maps it to
    what messages call that part (a variable name, or ``file:line`` for a server
    written in a config file).
    """

    __slots__ = ("id", "names", "values")

    def __init__(self, id: str, values: Mapping[str, str], names: Mapping[str, str]) -> None:
        self.id = id
        self.values = values
        self.names = names


class Discovery(Record):
    """All triplets found, plus findings that belong to no triplet."""

    __slots__ = ("stray", "triplets")
    __hash__ = None  # type: ignore[assignment]  # mutable: compares by value, never hashed

    def __init__(
        self, triplets: list[Triplet] | None = None, stray: list[Finding] | None = None
    ) -> None:
        self.triplets: list[Triplet] = triplets if triplets is not None else []
        self.stray: list[Finding] = stray if stray is not None else []

    @property
    def usable(self) -> list[Triplet]:
        """Triplets whose credentials may be written (duplicates left out)."""
        return [t for t in self.triplets if t.usable and t.duplicate_of is None]


def _split_name(name: str) -> tuple[str, str] | None:
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)], suffix
    return None


def valid_id(ident: str) -> bool:
    """Whether ``ident`` makes legal secret names (``GITHUB_`` may not start one)."""
    return id_problem(ident) is None


def id_problem(ident: str) -> str | None:
    """Why ``ident`` cannot start a secret name, or ``None`` when it can."""
    if not ident:
        return "the ID before _CONTAINER_REGISTRY_ is empty"
    if f"{ident}_".upper().startswith("GITHUB_"):
        return "secret names may not start with GITHUB_"
    if ident[0].isdigit():
        return "secret names may not start with a digit"
    if not _ID.fullmatch(ident):
        return "secret names may use only letters, digits and underscores"
    return None


def _usable_text(value: str) -> bool:
    """Valid UTF-8 (no lone surrogates from undecodable bytes), no control characters."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not any((ord(ch) < 0x20 and ch not in "\t\n\r") or ch == "\x7f" for ch in value)


def shape(value: str, var: str) -> tuple[str, list[Finding]]:
    """Apply ``docker login --password-stdin``'s trimming and report odd shapes.

    Exactly one trailing newline (and then one carriage return) is removed, as
    Docker does; other whitespace and quotes are kept but reported. Messages name
    ``var`` and never the value.
    """
    findings: list[Finding] = []
    trimmed = value.removesuffix("\n").removesuffix("\r") if value.endswith("\n") else value
    if trimmed != value:
        findings.append(
            Finding(
                Code.SECRET_WHITESPACE,
                Severity.WARNING,
                f"{var} ended with a newline; removed it, as `docker login --password-stdin` does",
            )
        )
    if trimmed != trimmed.strip():
        where = []
        if trimmed[:1].isspace():
            where.append("leading")
        if trimmed[-1:].isspace():
            where.append("trailing")
        findings.append(
            Finding(
                Code.SECRET_WHITESPACE,
                Severity.WARNING,
                f"{var} has {' and '.join(where)} whitespace, kept as part of the value; "
                "registries rarely expect it",
            )
        )
    core = trimmed.strip()
    if len(core) >= 2 and core[0] == core[-1] and core[0] in _QUOTES:
        findings.append(
            Finding(
                Code.SECRET_QUOTED,
                Severity.WARNING,
                f"{var} is wrapped in {core[0]} quotes, which are kept as part of the value",
            )
        )
    if not _usable_text(trimmed):
        findings.append(
            Finding(
                Code.INVALID_SECRET,
                Severity.ERROR,
                f"{var} is not valid UTF-8 text or contains control characters",
            )
        )
    return trimmed, findings


def _build(ident: str, parts: Mapping[str, str], names: Mapping[str, str] | None = None) -> Triplet:
    findings: list[Finding] = []

    def name(suffix: str) -> str:
        return (names or {}).get(suffix) or f"{ident}{suffix}"

    needs = (
        f"the {ident} triplet needs _SERVER, _USER and _PASSWORD"
        if names is None
        else f"the {ident} registry needs a server, a user and a password"
    )
    missing = [suffix for suffix in _PARTS if not parts.get(suffix)]
    if missing:
        # one finding for the triplet, naming every missing variable exactly once
        states = []
        for state, group in (
            ("not set", [name(s) for s in missing if s not in parts]),
            ("empty", [name(s) for s in missing if s in parts]),
        ):
            if group:
                verb = "is" if len(group) == 1 else "are"
                states.append(f"{' and '.join(group)} {verb} {state}")
        findings.append(
            Finding(Code.PARTIAL_TRIPLET, Severity.ERROR, f"{'; '.join(states)}; {needs}")
        )
    server: Server | None = None
    raw_server = parts.get(SERVER, "")
    if raw_server:
        try:
            server = normalise(raw_server, name(SERVER))
        except ServerError as exc:
            findings.append(Finding(Code.MALFORMED_SERVER, Severity.ERROR, exc.message))
        else:
            if server.fixes:
                findings.append(
                    Finding(
                        Code.MALFORMED_SERVER,
                        Severity.WARNING,
                        f"{name(SERVER)}: {'; '.join(server.fixes)} (using {server.key})",
                    )
                )
    user, user_findings = shape(parts.get(USER, ""), name(USER))
    password, password_findings = shape(parts.get(PASSWORD, ""), name(PASSWORD))
    for suffix, shaped in ((USER, user), (PASSWORD, password)):
        if parts.get(suffix) and not shaped:
            # "\n" alone: after Docker's trimming nothing is left, so it is as good as empty
            missing.append(suffix)
            findings.append(
                Finding(
                    Code.PARTIAL_TRIPLET,
                    Severity.ERROR,
                    f"{name(suffix)} holds only a newline; {needs}",
                )
            )
    problem = user_problem(user)
    if problem is not None:
        user_findings.append(
            Finding(Code.INVALID_SECRET, Severity.ERROR, f"{name(USER)} {problem}")
        )
    session: Secret | None = None
    if parts.get(SESSION_TOKEN):
        token, token_findings = shape(parts[SESSION_TOKEN], f"{ident}{SESSION_TOKEN}")
        session = Secret(token)
        findings.extend(token_findings)
    if not missing:
        findings.extend(user_findings)
        findings.extend(password_findings)
    return Triplet(
        id=ident,
        server=server,
        user=user,
        password=Secret(password),
        session_token=session,
        findings=tuple(findings),
    )


def user_problem(user: str) -> str | None:
    """Why Docker cannot store ``user`` (the rest of a sentence), or ``None``.

    ``login`` and ``debug-login -u`` refuse the same user names through this.
    """
    if ":" in user:
        return "contains ':', which Docker's `auth` encoding cannot carry"
    return None


def _credentials(triplet: Triplet) -> tuple[str, Secret, Secret | None]:
    return triplet.user, triplet.password, triplet.session_token


def _resolve_conflicts(triplets: list[Triplet]) -> list[Triplet]:
    by_key: dict[str, list[int]] = {}
    for index, triplet in enumerate(triplets):
        if triplet.usable and triplet.server is not None:
            by_key.setdefault(triplet.server.key, []).append(index)
    result = list(triplets)
    for key, indexes in by_key.items():
        if len(indexes) < 2:
            continue
        first = triplets[indexes[0]]
        if all(_credentials(triplets[i]) == _credentials(first) for i in indexes):
            for i in indexes[1:]:
                result[i] = result[i].replace(duplicate_of=first.id)
            continue
        ids = ", ".join(triplets[i].id for i in indexes)
        for i in indexes:
            conflict = Finding(
                Code.CONFLICTING_TRIPLETS,
                Severity.ERROR,
                f"{ids} all name {key} with different credentials; none of them is written",
            )
            result[i] = result[i].replace(findings=(*result[i].findings, conflict))
    return result


def _shown(name: str) -> str:
    """A variable name safe to print: undecodable bytes and control characters escaped.

    A name holding surrogate escapes (invalid UTF-8 in the environment) would make a
    strict UTF-8 stdout raise, and raw control characters would reach the terminal.
    """
    return name if name.isascii() and name.isprintable() else ascii(name)


def discover(
    environ: Mapping[str, str], *, ignore: Iterable[str] = (), extra: Iterable[Extra] = ()
) -> Discovery:
    """Every registry triplet in ``environ``, checked and normalised, in ID order.

    ``extra`` triplets (from the config file) follow the environment's, in their
    own order, and take part in duplicate and conflict detection like any other.
    """
    ignored = {ident.upper() for ident in ignore}
    grouped: dict[str, dict[str, str]] = {}
    discovery = Discovery()
    bad_ids: set[str] = set()
    for name, value in environ.items():
        split = _split_name(name)
        if split is None:
            continue
        ident, suffix = split
        if ident.upper() in ignored:
            continue
        problem = id_problem(ident)
        if problem is not None:
            if ident not in bad_ids:
                bad_ids.add(ident)
                discovery.stray.append(
                    Finding(
                        Code.INVALID_SECRET_NAME,
                        Severity.WARNING,
                        f"{_shown(name)}: {problem}, so Codespaces would not accept it; ignored",
                    )
                )
            continue
        grouped.setdefault(ident, {})[suffix] = value
    built = [
        _build(ident, parts)
        for ident, parts in sorted(grouped.items())
        if any(suffix in parts for suffix in _PARTS)
    ]
    built += [_build(e.id, e.values, e.names) for e in extra if e.id.upper() not in ignored]
    discovery.triplets = _resolve_conflicts(built)
    return discovery
