"""The protocol side: read the action and stdin, call the store, write Docker's answer.

stdout carries only protocol output: credentials JSON, the ``list`` map, the
version line, or one error line (exit 1). The real cause of a failure is also
written to stderr and appended to ``$XDG_CACHE_HOME/cs-registry/credhelper.log``
(0600), because Docker often shows only the first line or nothing at all.
"""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from cs_registry import __version__, log
from cs_registry.context import Context
from cs_registry.credhelper import wire
from cs_registry.credhelper.store import EnvironmentStore, NotFound, Store
from cs_registry.diagnosis import Code
from cs_registry.errors import CsRegistryError
from cs_registry.ui import inert

LOG_NAME = "credhelper.log"
LOG_LIMIT = 1 << 20


class _BadInput(CsRegistryError):
    """The protocol input itself is wrong (empty server URL, bad JSON)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code=Code.USAGE_ERROR)


def log_path(ctx: Context) -> Path:
    """Where the helper records the cause of every failure."""
    return ctx.cache_dir / LOG_NAME


def _record(ctx: Context, text: str) -> Path | None:
    """Append ``text`` to the helper's log (rotated at :data:`LOG_LIMIT`); ``None`` when
    it cannot be written (see :func:`cs_registry.log.write_log`)."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ctx.clock()))
    return log.append_to_log_file(
        ctx.cache_dir, f"{stamp} {text.rstrip()}", name=LOG_NAME, rotate_at=LOG_LIMIT
    )


def _server_url(text: str) -> str:
    server = text.strip()  # Go: strings.TrimSpace
    if not server:
        raise _BadInput(wire.MISSING_SERVER_URL)
    return server


def _dispatch(action: str, text: str, store: Store, ctx: Context) -> str:
    if action == "get":
        username, secret = store.get(_server_url(text))
        log.register_secret(secret, user=username)
        return wire.credentials(text.strip(), username, secret)
    if action == "erase":
        store.erase(_server_url(text))
        return ""
    if action == "list":
        return wire.go_json(store.list())
    # store
    try:
        creds = json.loads(text)
        server, username = str(creds.get("ServerURL") or ""), str(creds.get("Username") or "")
        secret = str(creds.get("Secret") or "")
    except (ValueError, AttributeError, RecursionError):
        raise _BadInput("invalid credentials JSON on stdin") from None
    log.register_secret(secret, user=username)
    if not server:
        raise _BadInput(wire.MISSING_SERVER_URL)
    if not username:
        raise _BadInput(wire.MISSING_USERNAME)
    store.store(server, username, secret)
    return ""


def _oversized(out: TextIO, action: str) -> int:
    """More on stdin than any Docker call writes. No server URL is that long: get and
    erase answer as for any server they do not know; store names the size."""
    if action == "erase":
        return 0
    size = f"the input on stdin is larger than {wire.MAX_INPUT >> 10} KiB"
    out.write(wire.error_line(wire.NOT_FOUND if action == "get" else size))
    return 1


def run(
    args: Sequence[str], ctx: Context, *, stdin_text: str | None = None, store: Store | None = None
) -> int:
    """Serve one protocol call; returns the exit status (0, or 1 on any error)."""
    out = ctx.stdout
    if len(args) != 1:
        out.write(wire.error_line(wire.usage()))
        return 1
    action = args[0]
    if action not in wire.ACTIONS:
        out.write(wire.error_line(wire.unknown_action(action)))
        return 1
    if action == "version":
        out.write(f"{wire.NAME} (cs-registry) {__version__}\n")
        return 0
    text = (
        stdin_text
        if stdin_text is not None
        else ("" if action == "list" else ctx.stdin.read(wire.MAX_INPUT + 1))
    )
    if len(text) > wire.MAX_INPUT:
        return _oversized(out, action)
    try:
        answer = _dispatch(action, text, store or EnvironmentStore(ctx), ctx)
    except NotFound:
        message = wire.NOT_FOUND
    except CsRegistryError as exc:
        message = _refused(ctx, action, text, exc)
    except Exception as exc:  # a bug: Docker gets one line, the log the traceback
        message = _crashed(ctx, action, exc)
    else:
        out.write(answer)
        return 0
    out.write(wire.error_line(message))
    return 1


def _refused(ctx: Context, action: str, text: str, exc: CsRegistryError) -> str:
    """Log and show on stderr why the call failed; the one line Docker gets."""
    # Docker shows this line as the error: one line, inert, the code when it says more
    # than "bad input" (the protocol's own messages stay byte-exact)
    code = f" [{exc.code}]" if str(exc.code) not in ("usage_error", "internal_error") else ""
    message = inert(log.scrub(exc.message)) + code
    # get/erase read a server URL; store's stdin holds the secret, even when it
    # is not JSON we could parse (and so not registered for scrubbing)
    subject = "(credentials on stdin)" if action == "store" else repr(text.strip())
    where = _record(ctx, f"{action} {subject}: {message}")
    ctx.stderr.write(f"{wire.NAME}: {message}" + (f" (logged in {where})" if where else "") + "\n")
    return message


def _crashed(ctx: Context, action: str, exc: Exception) -> str:
    """Log the traceback of a bug; the one line Docker gets (it names the log)."""
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    where = _record(ctx, f"{action}: internal error\n{trace}")
    message = f"internal error ({type(exc).__name__}); " + (
        f"the traceback is in {where}" if where else "no log file could be written"
    )
    ctx.stderr.write(f"{wire.NAME}: {message}\n")
    return message
