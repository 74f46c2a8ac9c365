"""``WWW-Authenticate`` parsing (RFC 9110 section 11.6.1), forgiving and total.

One header may carry several challenges (``Basic realm="a", Bearer realm="b"``),
a response may carry several headers, parameter values may be quoted strings
holding commas and backslash escapes, and a challenge may carry a ``token68``
instead of parameters. Registries get all of this slightly wrong, so the parser
never raises: whatever it cannot read it skips, and it reads the rest.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

#: longest header we look at; registries send a few hundred bytes
MAX_HEADER = 16 * 1024

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_TOKEN68 = re.compile(r"[A-Za-z0-9\-._~+/]+=*(?=[ \t]*(?:,|$))")
_SPACE = " \t"


@dataclass(frozen=True)
class Challenge:
    """One challenge: a lower-cased scheme and its parameters (lower-cased names)."""

    scheme: str
    params: dict[str, str] = field(default_factory=dict)
    token68: str | None = None

    @property
    def realm(self) -> str | None:
        return self.params.get("realm")

    @property
    def service(self) -> str | None:
        return self.params.get("service")

    @property
    def scope(self) -> str | None:
        return self.params.get("scope")

    @property
    def error(self) -> str | None:
        return self.params.get("error")

    def describe(self) -> str:
        """A one-line rendering for humans (the scheme as registries spell it)."""
        shown = self.scheme.capitalize()
        if self.token68 is not None:
            return f"{shown} {self.token68}"
        inner = ", ".join(f'{name}="{value}"' for name, value in self.params.items())
        return f"{shown} {inner}".rstrip()


class _Reader:
    """A cursor over one header value."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    @property
    def done(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self) -> str:
        return self.text[self.pos] if not self.done else ""

    def skip(self, chars: str) -> None:
        while not self.done and self.text[self.pos] in chars:
            self.pos += 1

    def token(self) -> str | None:
        found = _TOKEN.match(self.text, self.pos)
        if found is None:
            return None
        self.pos = found.end()
        return found.group(0)

    def token68(self) -> str | None:
        found = _TOKEN68.match(self.text, self.pos)
        if found is None:
            return None
        self.pos = found.end()
        return found.group(0)

    def quoted(self) -> str:
        """A quoted string starting at the opening quote; an unterminated one runs to the end."""
        self.pos += 1
        out: list[str] = []
        while not self.done:
            char = self.text[self.pos]
            self.pos += 1
            if char == "\\" and not self.done:
                out.append(self.text[self.pos])
                self.pos += 1
            elif char == '"':
                break
            else:
                out.append(char)
        return "".join(out)

    def value(self) -> str:
        if self.peek() == '"':
            return self.quoted()
        # be lenient: registries sometimes send unquoted values with characters
        # outside tchar (a realm URL); take everything up to the next comma
        start = self.pos
        while not self.done and self.text[self.pos] != ",":
            self.pos += 1
        return self.text[start : self.pos].strip(_SPACE)

    def at_param(self) -> bool:
        """Whether ``name =`` starts here (an auth-param, not the next challenge's scheme)."""
        found = _TOKEN.match(self.text, self.pos)
        if found is None:
            return False
        rest = found.end()
        while rest < len(self.text) and self.text[rest] in _SPACE:
            rest += 1
        return rest < len(self.text) and self.text[rest] == "="


def _params(reader: _Reader) -> dict[str, str]:
    params: dict[str, str] = {}
    while True:
        reader.skip(_SPACE + ",")
        if reader.done or not reader.at_param():
            return params
        name = reader.token()
        if name is None:  # pragma: no cover - at_param guarantees a token
            return params
        reader.skip(_SPACE)
        reader.pos += 1  # the "="
        reader.skip(_SPACE)
        value = reader.value()
        params.setdefault(name.lower(), value)
        reader.skip(_SPACE)
        if reader.peek() not in (",", ""):
            # garbage after a value: drop it up to the next comma
            while not reader.done and reader.peek() != ",":
                reader.pos += 1


def parse_header(value: str) -> list[Challenge]:
    """Every challenge in one ``WWW-Authenticate`` value, in order."""
    reader = _Reader(value[:MAX_HEADER])
    challenges: list[Challenge] = []
    while True:
        reader.skip(_SPACE + ",")
        if reader.done:
            return challenges
        scheme = reader.token()
        if scheme is None:
            reader.pos += 1  # not a token: step over it and look again
            continue
        if reader.peek() not in (" ", "\t", ",", ""):
            continue  # "Basic/x": not a challenge
        reader.skip(_SPACE)
        # a token68 stands alone up to the next comma ("Basic abc=="); anything
        # with a value after its "=" is a parameter instead
        token68 = reader.token68()
        if token68 is not None:
            challenges.append(Challenge(scheme.lower(), {}, token68))
            continue
        challenges.append(Challenge(scheme.lower(), _params(reader)))


def parse(headers: Iterable[str]) -> list[Challenge]:
    """Every challenge of every ``WWW-Authenticate`` header of a response."""
    challenges: list[Challenge] = []
    for value in headers:
        challenges.extend(parse_header(value))
    return challenges


def preferred(challenges: Iterable[Challenge]) -> Challenge | None:
    """The challenge Docker answers: Bearer before Basic (docker/distribution's order)."""
    listed = list(challenges)
    for scheme in ("bearer", "basic"):
        for challenge in listed:
            if challenge.scheme == scheme:
                return challenge
    return None


def quote(value: str) -> str:
    """``value`` as an RFC 9110 quoted string."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


__all__ = ["MAX_HEADER", "Challenge", "parse", "parse_header", "preferred", "quote"]
