"""Calling Docker's ``docker-credential-*`` helpers: the one bounded client.

Docker's config may send any registry to a credential helper (``credHelpers``,
``credsStore``): a keychain, ``pass``, a cloud CLI. ``login`` stores through it,
``debug-login`` and ``doctor`` ask it, and every such call goes through
:class:`Helper`, which keeps the promises a helper cannot be trusted to keep:

- the program is looked up on the ``PATH`` of the environment we were given (what
  Docker would run) and runs with that environment;
- the server and the secret travel on stdin, never in the arguments (``ps`` shows those);
- each call is bounded (:data:`DEFAULT_TIMEOUT`, or what a caller's budget has left);
  the helper runs in a session of its own and its whole process group is killed on
  timeout, so a password prompt it forked dies with it; a helper that stalled once is
  not asked again by the same :class:`Helper`;
- stdout and stderr are captured, never shown raw; stdout is capped
  (:data:`OUTPUT_LIMIT`, a flood is stopped at once), stderr kept up to
  :data:`STDERR_KEPT`;
- answers are decoded strictly, and a miss is Docker's exact "not found" text;
- every failure is one :class:`HelperError` naming the helper, its text scrubbed of the
  secret and of control characters, with the code ``cred_helper_failed`` (ran and
  failed), ``cred_helper_timeout`` (stalled) or ``creds_store_unavailable`` (not installed).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING  # off the login and helper hot paths: typing is affordable

from cs_registry import jsontext, log
from cs_registry.auths import HELPER_PREFIX, helper_binary
from cs_registry.bounded_process import Flooded, Stalled, run_bounded
from cs_registry.diagnosis import Code
from cs_registry.errors import CsRegistryError
from cs_registry.secret import Secret, redact
from cs_registry.ui import inert

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

#: seconds one helper call may take (README, "Credential helpers")
DEFAULT_TIMEOUT = 5.0
#: a credential answer is a few hundred bytes; ``list`` of thousands of hosts fits
OUTPUT_LIMIT = 1 << 20
STDERR_KEPT = 64 << 10
#: docker-credential-helpers' ``errCredentialsNotFoundMessage``, compared trimmed as Docker does
NOT_FOUND = "credentials not found in native keychain"
#: characters of a helper's own words kept in a message
_SHOWN = 300


class HelperError(CsRegistryError):
    """A credential helper is missing, failed or stalled; ``diagnosis`` says which."""

    def __init__(self, program: str, diagnosis: Code, message: str) -> None:
        super().__init__(message, code=diagnosis)
        self.program = program
        self.diagnosis = diagnosis


class Helper:
    """``docker-credential-NAME`` as Docker would run it, every call bounded."""

    def __init__(
        self, name: str, environ: Mapping[str, str], *, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self.name = name
        self.program = HELPER_PREFIX + name
        self.timeout = timeout
        self._environ = environ
        self._stalled: HelperError | None = None

    def __repr__(self) -> str:  # never the environment: it holds the registry secrets
        return f"Helper({self.program!r})"

    def executable(self) -> str:
        """Where the program is on the environment's ``PATH``.

        Raises :class:`HelperError` (``creds_store_unavailable``) when it is not there;
        a name with a slash or a NUL names no program on ``PATH``.
        """
        found = None
        if self.name and "/" not in self.name and "\0" not in self.name:
            found = helper_binary(self.name, self._environ.get("PATH"))
        if found is None:
            raise HelperError(
                self.program, Code.CREDS_STORE_UNAVAILABLE, f"{self.program} is not on PATH"
            )
        return found

    def get(self, server: str, *, timeout: float | None = None) -> tuple[str, Secret] | None:
        """The user and secret the helper holds for ``server``; ``None`` when it holds none."""
        status, text, err = self._call("get", server.encode(), timeout)
        if status != 0:
            if text.strip() == NOT_FOUND:
                return None
            raise self._failed("get", status, text, err)
        answer = _json(text)
        user = answer.get("Username") if isinstance(answer, dict) else None
        secret = answer.get("Secret") if isinstance(answer, dict) else None
        if not isinstance(user, str) or not isinstance(secret, str):
            raise HelperError(
                self.program,
                Code.CRED_HELPER_FAILED,
                f"{self.program} get answered something that is not a credential "
                '(expected JSON {"Username": "…", "Secret": "…"})',
            )
        log.register_secret(secret, user=user)
        return user, Secret(secret)

    def store(
        self, server: str, username: str, secret: Secret, *, timeout: float | None = None
    ) -> None:
        """Store ``username``/``secret`` for ``server`` (the JSON document on stdin)."""
        document = {"ServerURL": server, "Username": username, "Secret": secret.reveal()}
        payload = json.dumps(document).encode()
        status, text, err = self._call("store", payload, timeout)
        if status != 0:
            raise self._failed("store", status, text, err, hide=(secret.reveal(),))

    def erase(self, server: str, *, timeout: float | None = None) -> bool:
        """Remove what the helper holds for ``server``; ``False`` when it held nothing."""
        status, text, err = self._call("erase", server.encode(), timeout)
        if status != 0:
            if text.strip() == NOT_FOUND:
                return False
            raise self._failed("erase", status, text, err)
        return True

    def list(self, *, timeout: float | None = None) -> dict[str, str]:
        """Every server the helper holds credentials for, with its user name."""
        # Docker's client sends "unused" on stdin for list; some helpers read it
        status, text, err = self._call("list", b"unused", timeout)
        if status != 0:
            raise self._failed("list", status, text, err)
        answer = _json(text)
        if not isinstance(answer, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in answer.items()
        ):
            raise HelperError(
                self.program,
                Code.CRED_HELPER_FAILED,
                f"{self.program} list answered something that is not a JSON object of "
                "server → user name",
            )
        return answer

    def _call(self, action: str, payload: bytes, timeout: float | None) -> tuple[int, str, bytes]:
        if self._stalled is not None:
            raise HelperError(
                self.program,
                Code.CRED_HELPER_TIMEOUT,
                f"{self.program} did not answer earlier in this run, so it was not asked again",
            )
        limit = self.timeout if timeout is None else timeout
        argv = [self.executable(), action]
        try:
            status, out, err = run_bounded(
                argv,
                payload,
                env=dict(self._environ),
                timeout=limit,
                output_limit=OUTPUT_LIMIT,
                stderr_kept=STDERR_KEPT,
            )
        except Stalled:
            self._stalled = HelperError(
                self.program,
                Code.CRED_HELPER_TIMEOUT,
                f"{self.program} {action} did not answer within {limit:.3g} s and was stopped, "
                "with every process it started (a locked keyring or a password prompt waits "
                "for input no one can give)",
            )
            raise self._stalled from None
        except Flooded:
            raise HelperError(
                self.program,
                Code.CRED_HELPER_FAILED,
                f"{self.program} {action} wrote more than {OUTPUT_LIMIT >> 20} MiB and was "
                "stopped; a credential answer is a few hundred bytes",
            ) from None
        except OSError as exc:  # not executable, a bad #! line, no memory to fork...
            raise HelperError(
                self.program,
                Code.CRED_HELPER_FAILED,
                f"{self.program} could not be started: {exc.strerror or exc}",
            ) from None
        try:
            text = out.decode("utf-8")
        except UnicodeDecodeError:
            if status == 0:
                raise HelperError(
                    self.program,
                    Code.CRED_HELPER_FAILED,
                    f"{self.program} {action} answered bytes that are not UTF-8",
                ) from None
            text = out.decode("utf-8", "replace")
        return status, text, err

    def _failed(
        self, action: str, status: int, text: str, err: bytes, hide: Iterable[str] = ()
    ) -> HelperError:
        how = f"exit status {status}" if status >= 0 else f"killed by signal {-status}"
        words = text.strip() or err.decode("utf-8", "replace").strip()
        said = f": {shown(words, hide)}" if words else " (it said nothing)"
        return HelperError(
            self.program, Code.CRED_HELPER_FAILED, f"{self.program} {action} failed ({how}){said}"
        )


def store_if_changed(helper: Helper, server: str, username: str, secret: Secret) -> bool:
    """Store unless the helper already holds exactly these credentials; whether it wrote."""
    if helper.get(server) == (username, secret):
        return False
    helper.store(server, username, secret)
    return True


def shown(text: str, hide: Iterable[str] = ()) -> str:
    """A helper's own words made safe to show: secrets masked, one inert line, capped."""
    for secret in hide:
        for form in {secret, json.dumps(secret)[1:-1]}:
            if form and form in text:
                if len(form) < 4:  # masking "ab" everywhere would mangle the text: drop it
                    return "(its message is withheld: it contains the secret)"
                text = text.replace(form, redact(secret))
    text = log.scrub(text)
    line = "; ".join(part.strip() for part in text.splitlines() if part.strip())
    safe = inert(line)  # the one escape for text from outside (ui.inert)
    return safe if len(safe) <= _SHOWN else safe[:_SHOWN] + "…"


def _json(text: str) -> object:
    try:
        return jsontext.loads(text)
    except (ValueError, RecursionError):
        return None


__all__ = [
    "DEFAULT_TIMEOUT",
    "NOT_FOUND",
    "OUTPUT_LIMIT",
    "Helper",
    "HelperError",
    "shown",
    "store_if_changed",
]
