"""Byte-exact protocol output, as docker/docker-credential-helpers' Go code writes it.

Go's ``json.Encoder`` writes compact JSON, escapes ``<``, ``>``, ``&``, U+2028 and
U+2029, keeps other non-ASCII as UTF-8, sorts map keys, and ends with a newline.
Errors are printed with ``fmt.Fprintln`` to stdout (then exit 1).
"""

from __future__ import annotations

#: the one miss message Docker recognises (client.go: errCredentialsNotFoundMessage)
NOT_FOUND = "credentials not found in native keychain"
MISSING_SERVER_URL = "no credentials server URL"
MISSING_USERNAME = "no credentials username"
NAME = "docker-credential-cs-registry"
#: what one call reads from stdin at most: Docker writes a server URL, or for
#: ``store`` one JSON object whose secret GitHub caps at 48 KB; a caller that streams
#: without end gets an error line instead of growing our memory
MAX_INPUT = 1 << 20
ACTIONS = ("store", "get", "erase", "list", "version")

_SHORT = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_GO_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def go_json(value: object) -> str:
    """``value`` encoded the way Go's ``json.NewEncoder(w).Encode`` does (newline included)."""
    import json

    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    for char, escaped in _GO_ESCAPES.items():
        text = text.replace(char, escaped)
    return text + "\n"


def _go_quote(text: str) -> str:
    """A JSON string literal as Go writes it (no ``json`` import: this is the hot path)."""
    out = ['"']
    for char in text:
        if char in _SHORT:
            out.append(_SHORT[char])
        elif char < " " or char in _GO_ESCAPES:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def credentials(server_url: str, username: str, secret: str) -> str:
    """The ``get`` answer (field order as Go's struct: ServerURL, Username, Secret)."""
    return (
        f'{{"ServerURL":{_go_quote(server_url)},"Username":{_go_quote(username)},'
        f'"Secret":{_go_quote(secret)}}}\n'
    )


def error_line(message: str) -> str:
    """An error as ``fmt.Fprintln`` prints it: the text and one newline."""
    return message + "\n"


def usage() -> str:
    return f"Usage: {NAME} <store|get|erase|list|version>"


def unknown_action(action: str) -> str:
    return f"Unknown credential action `{action}`"
