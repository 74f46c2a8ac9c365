"""Logging: structlog to stderr, configured once, imported only when something is logged.

structlog costs more to import than the whole ``login`` hot path may take, so
:func:`get_logger` hands out a proxy that imports and configures structlog on its
first event. A quiet, successful run never pays for it.

Secrets are kept out twice over: they travel as :class:`~cs_registry.secret.Secret`
(whose ``repr`` is redacted), and the :func:`redact_processor` masks every value
registered with :func:`register_secret` and every field whose name says it holds one.
"""

from __future__ import annotations

import _thread
import os
import re
import sys
from collections.abc import Iterable, Mapping, MutableMapping

from cs_registry.secret import Secret, redact

TYPE_CHECKING = False  # not typing's: importing typing adds 0.3x python's start-up (README)
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, TextIO

# compiled at the first logged event (re caches it), not by every quiet run at import
_SECRET_FIELD = r"(?i)(pass(word|wd)?|secret|token|auth|authorization|credential|cookie)s?$"

# _thread's lock is threading.Lock itself; importing threading would cost every login ~1 ms
_lock = _thread.allocate_lock()
_registered: set[str] = set()
_settings: dict[str, Any] = {
    "stream": None,
    "json": None,
    "verbose": False,
    "no_color": False,
    "ready": False,
}


def register_secret(value: str, *, user: str | None = None) -> None:
    """Mask ``value`` wherever it would appear in a log event, a log file or a message.

    However short: a 3-character password is still a password (its masked form may
    then hide the same letters elsewhere in a line, a price worth paying). Its base64
    forms are masked too: ``user:value`` (Docker's ``auth`` field and the Basic
    header, when ``user`` is known) and the value's own, which a helper or a registry
    echoing its input would show, and which hide nothing.
    """
    if not value:
        return
    forms = {value}
    forms.update(_base64_forms(value, user))
    with _lock:
        _registered.update(forms)


def _base64_forms(value: str, user: str | None) -> list[str]:
    # binascii, not base64: base64 stays off the login hot path (test_imports)
    import binascii

    def encode(raw: bytes) -> str:
        return binascii.b2a_base64(raw, newline=False).decode("ascii")

    forms = [encode(f"{user}:{value}".encode(errors="surrogateescape"))] if user else []
    raw = value.encode(errors="surrogateescape")
    # the value's own base64, cut at whole 3-byte groups: the same characters whatever
    # follows it in a longer encoded text; too short a cut would mask ordinary words
    whole = raw[: len(raw) - len(raw) % 3]
    if len(whole) >= 6:
        forms.append(encode(whole))
    return forms


def scrub(text: str) -> str:
    """``text`` with every registered secret replaced by its redacted form."""
    with _lock:
        values = sorted(_registered, key=len, reverse=True)
    for value in values:
        if value in text:
            text = text.replace(value, redact(value))
    return text


#: shorter secrets are left alone in JSON output, where masking them could mangle a
#: server name or a path that happens to contain them
_MIN_JSON_SCRUB_LEN = 8
#: secrets x characters up to which one ``in`` per secret is cheapest (a few ms)
_DIRECT_SCAN_BUDGET = 20_000_000


def short_secrets() -> list[str]:
    """The registered secrets too short for :func:`scrub_json` (longest first)."""
    with _lock:
        return sorted((v for v in _registered if len(v) < _MIN_JSON_SCRUB_LEN), key=len)[::-1]


def scrub_json(text: str) -> str:
    """Serialised JSON ``text`` with each registered secret, as JSON escapes it, redacted.

    Linear in the size of the document however many secrets are registered: a
    ``login --json`` over 1,000 triplets registers 2,000 of them.
    """
    # as jsontext.dumps writes it (a lone surrogate as \udcXX): the form in the document
    from cs_registry.jsontext import dumps

    with _lock:
        values = [value for value in _registered if len(value) >= _MIN_JSON_SCRUB_LEN]
    escaped = {dumps(value, indent=None)[1:-1]: value for value in values}
    if len(escaped) * len(text) <= _DIRECT_SCAN_BUDGET:
        found = {needle for needle in escaped if needle in text}
    else:
        found = _occurring(text, escaped)
    for needle in sorted(found, key=len, reverse=True):
        text = text.replace(needle, dumps(redact(escaped[needle]), indent=None)[1:-1])
    return text


def _occurring(text: str, needles: Iterable[str]) -> set[str]:
    """The ``needles`` (each at least ``_MIN_JSON_SCRUB_LEN`` long) that occur in ``text``.

    One pass with a dict lookup of each position's prefix: linear in ``text``.
    """
    width = _MIN_JSON_SCRUB_LEN
    by_prefix: dict[str, list[str]] = {}
    for needle in needles:
        by_prefix.setdefault(needle[:width], []).append(needle)
    lookup = by_prefix.get
    found: set[str] = set()
    for index in range(len(text) - width + 1):
        candidates = lookup(text[index : index + width])
        if candidates:
            found.update(n for n in candidates if text.startswith(n, index))
    return found


def _scrub_text(key: str, value: str) -> str:
    """A secret-named field's text is redacted whole; any other text loses known secrets."""
    if re.search(_SECRET_FIELD, key) and value:
        return redact(value)
    return scrub(value)


def _scrub_value(key: str, value: Any) -> Any:
    if isinstance(value, Secret):
        return value.redacted
    if isinstance(value, str):
        return _scrub_text(key, value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, Mapping):  # e.g. request headers: {"Authorization": ...}
        return {k: _scrub_value(str(k), v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_scrub_value(key, item) for item in value]
    # anything else is rendered as text anyway (exceptions, paths): scrub that text
    return _scrub_text(key, str(value))


def redact_processor(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: the last line of defence against a leaked secret."""
    for key in list(event_dict):
        event_dict[key] = _scrub_value(key, event_dict[key])
    return event_dict


def configure(
    *,
    stream: TextIO | None = None,
    json: bool | None = None,
    verbose: bool = False,
    no_color: bool = False,
) -> None:
    """Record how to log; structlog itself is set up on the first event.

    ``json=None`` means: JSON lines unless ``stream`` is a terminal. ``no_color``
    comes from the invocation's ``NO_COLOR`` (the injected environment, not ours).
    """
    _settings.update(stream=stream, json=json, verbose=verbose, no_color=no_color, ready=False)


def _setup() -> Any:
    import logging

    import structlog

    stream = _settings["stream"] or sys.stderr
    as_json = _settings["json"]
    if as_json is None:
        try:
            as_json = not stream.isatty()
        except (AttributeError, ValueError):
            as_json = True
    renderer: Any
    if as_json:
        renderer = structlog.processors.JSONRenderer()
    else:
        renderer = structlog.dev.ConsoleRenderer(
            colors=not _settings["no_color"] and stream.isatty()
        )
    level = logging.DEBUG if _settings["verbose"] else logging.WARNING
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact_processor,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=False,
    )
    _settings["ready"] = True
    return structlog


class _LazyLogger:
    """Looks like a structlog logger; imports structlog at the first event."""

    def __init__(self, name: str) -> None:
        self._name = name

    def _emit(self, method: str, event: str, **fields: Any) -> None:
        with _lock:
            structlog = sys.modules["structlog"] if _settings["ready"] else _setup()
        getattr(structlog.get_logger(self._name), method)(event, **fields)

    def debug(self, event: str, **fields: Any) -> None:
        if _settings["verbose"]:
            self._emit("debug", event, **fields)

    def info(self, event: str, **fields: Any) -> None:
        if _settings["verbose"]:
            self._emit("info", event, **fields)

    def warning(self, event: str, **fields: Any) -> None:
        self._emit("warning", event, **fields)

    def error(self, event: str, **fields: Any) -> None:
        self._emit("error", event, **fields)


def get_logger(name: str = "cs_registry") -> _LazyLogger:
    """A logger for ``name``; cheap until it logs."""
    return _LazyLogger(name)


#: where tracebacks of internal errors go, in the cache directory
LOG_NAME = "cs-registry.log"
#: a log over this size is renamed to NAME.1 before the next entry (one old file kept)
LOG_LIMIT = 1 << 20


def log_file(cache_dir: Path) -> Path:
    """Where tracebacks of internal errors go (0600 in a 0700 directory)."""
    return cache_dir / LOG_NAME


def write_log(
    cache_dir: Path | str, text: str, *, name: str = LOG_NAME, rotate_at: int = LOG_LIMIT
) -> Path:
    """Append scrubbed, inert ``text`` (one newline at the end) to the log ``name``.

    The one appender of every log file we write: in a private directory only (ours,
    closed to others, made 0700 when missing), never through a symlink, only to a
    single-link regular file of ours, created 0600 (:func:`cs_registry.files.append_text`).
    Each line is inert (:func:`cs_registry.ui.inert`: text from a registry cannot drive
    the terminal of whoever reads the log). ``rotate_at``: a log over this many bytes
    is renamed to ``NAME.1`` first (the entry itself, never what it points to).
    Raises :class:`cs_registry.files.FileError` naming the file or directory and why.
    """
    import stat

    from cs_registry import files
    from cs_registry.ui import inert

    directory = os.fspath(cache_dir)
    problem = files.ensure_private_dir(directory, what="log directory")
    if problem is not None:
        raise files.UnsafeFile(problem, directory)
    path = os.path.join(directory, name)
    try:
        st = os.lstat(path)
        if stat.S_ISREG(st.st_mode) and st.st_size > rotate_at:
            # Docker may call a failing helper on every pull: keep one old file, not all
            os.replace(path, path + ".1")
    except OSError:
        pass  # absent, or the rename failed: append to it as it is
    lines = scrub(text).rstrip("\n").split("\n")
    files.append_text(path, "\n".join(inert(line) for line in lines) + "\n", what="log file")
    from pathlib import Path

    return Path(path)


def append_to_log_file(
    cache_dir: Path | str, text: str, *, name: str = LOG_NAME, rotate_at: int = LOG_LIMIT
) -> Path | None:
    """:func:`write_log`, or ``None`` when the log cannot be written (a log never
    breaks the command it records)."""
    from cs_registry import files

    try:
        return write_log(cache_dir, text, name=name, rotate_at=rotate_at)
    except (files.FileError, OSError):
        return None


def traceback_pointer(cache_dir: Path | str, text: str, *, name: str = LOG_NAME) -> str:
    """Log the traceback ``text``; the words that tell the user where it went (or, when
    no log could be written, why not), for the one line an internal error prints."""
    from cs_registry import files

    try:
        return f"the traceback is in {write_log(cache_dir, text, name=name)}"
    except (files.FileError, OSError) as exc:
        reason = exc.message if isinstance(exc, files.FileError) else str(exc)
        return f"no log file could be written ({reason})"
