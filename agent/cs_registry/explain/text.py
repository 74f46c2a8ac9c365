"""Secrets in outside text: the shapes a log gives credentials in, redacted.

A log is outside text: it may hold a password (a URL's user info, a ``-p`` flag, an
``Authorization`` header, a config's ``auth`` field, a token). Every quoted line goes
through :func:`redact` (all output), then :func:`cs_registry.ui.inert` (human output).
"""

from __future__ import annotations

import re

from cs_registry import log
from cs_registry.secret import redact as _redacted

#: a value: quoted (the whole quoted text, spaces included) or one bare word; the
#: opening quote, when there is one, is the group ``q`` of the pattern's ``keep``
_QUOTED_OR_WORD = r"(?(q)[^'\"]+|[^\s'\",;]{4,})"

_SECRETS = (
    # scheme://user:SECRET@host
    re.compile(r"(?P<keep>[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:)(?P<secret>[^@\s/'\"]+)(?=@)", re.I),
    re.compile(
        r"(?P<keep>\bauthorization:\s*(?:basic|bearer|token)\s+)(?P<secret>[^\s'\",]+)", re.I
    ),
    # -p SECRET, --password=SECRET, -p 'SECRET'
    re.compile(
        r"(?P<keep>(?:^|\s)(?:-p|--password)(?:\s+|=)(?P<q>['\"])?)"
        r"(?P<secret>(?(q)[^'\"]+|(?!-)[^\s'\"]+))"
    ),
    # -pSECRET (pflag takes a shorthand's value attached), only in a login command: in
    # others -p is a port or mkdir's flag
    re.compile(r"(?P<keep>\blogin\b.*?\s-p)(?P<secret>[^\s'\"=-][^\s'\"]*)"),
    re.compile(
        r"(?P<keep>\"(?:auth|password|secret|identitytoken|registrytoken|token|access_token|"
        r"refresh_token)\"\s*:\s*\")(?P<secret>[^\"]+)",
        re.I,
    ),
    # NAME=SECRET anywhere, quoted or not
    re.compile(
        r"(?P<keep>(?:_PASSWORD|_TOKEN|_SECRET|password|passwd|token|secret)=(?P<q>['\"])?)"
        r"(?P<secret>" + _QUOTED_OR_WORD + ")",
        re.I,
    ),
    # a settings line: `key = value` (AWS credentials file), `key: value` (YAML), a
    # quoted JSON key; only at the start of a line, where a key stands (mid-sentence,
    # "oauth token: unexpected status" is prose)
    re.compile(
        r"(?P<keep>^\s*(?:export\s+|-\s+)?[\"']?[\w.-]*(?:password|passwd|secret|token|"
        r"secret_access_key)[\"']?\s*[:=]\s*(?P<q>['\"])?)(?P<secret>" + _QUOTED_OR_WORD + ")",
        re.I | re.M,
    ),
    re.compile(
        r"(?P<keep>)(?P<secret>\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{20,}|"
        r"eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}))"
    ),
)


def redact(text: str) -> str:
    """``text`` with every credential-looking value shown as ``ab…(40 chars)`` at most.

    Secrets this process knows (registered with :func:`cs_registry.log.register_secret`)
    go first, then the shapes a log gives credentials in.
    """
    text = log.scrub(text)
    for pattern in _SECRETS:
        text = pattern.sub(lambda m: m.group("keep") + _redacted(m.group("secret")), text)
    return text
