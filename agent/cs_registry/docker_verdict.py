"""How Docker's view of a registry reads to a user: one verdict for login, doctor and
debug-login, and the one way they ask the helper Docker would ask.

:mod:`cs_registry.docker_view` says what Docker will do for a registry; this module
says what that means (ok, a warning or a failure, with its code and one line), after
asking the credential helper, when one answers, through the bounded helper client.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING  # off the login and helper hot paths: typing is affordable

from cs_registry.diagnosis import Code
from cs_registry.docker_view import DockerView, HelperAnswer
from cs_registry.record import Record
from cs_registry.secret import Secret
from cs_registry.servers import DOCKER_HUB_KEY
from cs_registry.status import Status

if TYPE_CHECKING:
    from cs_registry.helper_client import Helper


class Asked(Record):
    """What the helper Docker asks for a key said: its answer, the credential it holds
    (the secret stays a :class:`Secret`), and on failure the code and message naming
    the helper."""

    __slots__ = ("answer", "code", "error", "secret", "user")

    def __init__(
        self,
        answer: HelperAnswer,
        *,
        user: str | None = None,
        secret: Secret | None = None,
        code: Code | None = None,
        error: str | None = None,
    ) -> None:
        self.answer = answer
        self.user = user
        self.secret = secret
        self.code = code
        self.error = error


def ask(
    view: DockerView,
    environ: Mapping[str, str],
    timeout: float,
    clients: dict[str, Helper] | None = None,
) -> Asked | None:
    """Ask the installed helper Docker would ask for ``view.key`` (``None``: no helper to
    ask), through the bounded helper client. ``clients`` keeps one client per helper
    for a run, so a helper that stalled once is not waited for again."""
    if view.helper is None or view.helper_path is None:
        return None
    from cs_registry.helper_client import Helper, HelperError

    clients = {} if clients is None else clients
    helper = clients.setdefault(view.helper, Helper(view.helper, environ))
    try:
        found = helper.get(view.key, timeout=timeout)
    except HelperError as exc:
        return Asked(HelperAnswer.FAILED, code=exc.diagnosis, error=exc.message)
    if found is None:
        return Asked(HelperAnswer.NOT_FOUND)
    return Asked(HelperAnswer.CREDENTIALS, user=found[0], secret=found[1])


class Verdict(Record):
    """How a :class:`DockerView` reads to a user: the same in login, doctor, debug-login."""

    __slots__ = ("code", "message", "status")

    def __init__(self, status: Status, code: Code, message: str) -> None:
        self.status = status
        self.code = code
        self.message = message


def assess(view: DockerView, asked: Asked | None = None) -> Verdict:
    """The one reading of ``view`` (and of what its helper said, when it was asked)."""
    if view.broken_keys:
        listed = ", ".join(f'auths["{key}"]' for key in view.broken_keys)
        return Verdict(
            Status.FAIL,
            Code.CONFIG_UNREADABLE,
            f"{listed} cannot be decoded: the docker CLI stops reading auths there "
            "('WARNING: Error loading config file'), and which entries it kept depends on "
            "Go's map order",
        )
    if view.helper is not None and view.helper_path is None:
        return Verdict(Status.FAIL, Code.CREDS_STORE_UNAVAILABLE, view.describe())
    if view.helper is not None:
        return _assess_helper(view, asked)
    if view.entry_key is not None:
        return Verdict(Status.OK, Code.OK, view.describe())
    if view.code is Code.DOCKERHUB_ALIAS_KEY:
        listed = ", ".join(f'"{key}"' for key in view.unread_keys)
        return Verdict(
            Status.FAIL,
            Code.DOCKERHUB_ALIAS_KEY,
            f"Docker Hub credentials are under {listed}, a key the docker CLI never reads; "
            f"it reads {DOCKER_HUB_KEY!r}: pulls from Docker Hub run anonymously",
        )
    return Verdict(Status.WARN, Code.MISSING_CREDENTIALS, view.describe())


def _assess_helper(view: DockerView, asked: Asked | None) -> Verdict:
    asks = view.describe()
    if asked is None:
        return Verdict(Status.OK, Code.OK, f"{asks} (not asked)")
    if asked.answer is HelperAnswer.FAILED:
        fallback = (
            f'; pulls fall back to auths["{view.entry_key}"]'
            if view.entry_key is not None
            else "; pulls run without credentials"
        )
        return Verdict(
            Status.FAIL, asked.code or Code.CRED_HELPER_FAILED, f"{asked.error}{fallback}"
        )
    if asked.answer is HelperAnswer.NOT_FOUND:
        ignored = f' (auths["{view.entry_key}"] is not used)' if view.entry_key is not None else ""
        return Verdict(
            Status.WARN,
            Code.MISSING_CREDENTIALS,
            f"{asks}, and it holds nothing for it: pulls run without credentials{ignored}",
        )
    if view.entry_key is not None:
        return Verdict(
            Status.WARN,
            Code.SHADOWED_BY_CRED_HELPER,
            f"{asks}; it holds user {asked.user!r} and Docker ignores "
            f'auths["{view.entry_key}"] (used only if the helper fails)',
        )
    return Verdict(Status.OK, Code.OK, f"{asks}; it holds user {asked.user!r}")
