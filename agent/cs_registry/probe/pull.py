"""``debug-login IMAGE --pull``: the daemon pulls the image itself (``POST /images/create``).

The credentials travel in ``X-Registry-Auth`` (base64url JSON), as the docker CLI
sends them; the daemon never reads config.json. The answer streams JSON lines; an
error arrives as ``{"errorDetail": {"message": ...}, "error": ...}`` and is shown
word for word. The whole exchange is bounded by what is left of ``--timeout``.
"""

from __future__ import annotations

import base64
import http.client
import json
import time
from collections.abc import Mapping
from urllib.parse import urlencode

from cs_registry import engine, jsontext
from cs_registry.diagnosis import Code
from cs_registry.engine import Endpoint
from cs_registry.probe import daemon_api
from cs_registry.probe.pullerrors import escape
from cs_registry.probe.report import StepFailed
from cs_registry.probe.state import State
from cs_registry.references import Reference
from cs_registry.status import Status

Outcome = tuple[Status, Code, str]
_MAX_LINE = 64 * 1024
_MAX_LINES = 10_000

#: fragments of the daemon's pull errors → our code, most specific first
_PULL_MESSAGES: tuple[tuple[str, Code], ...] = (
    ("no matching manifest", Code.PLATFORM_MISSING),
    ("does not match the specified platform", Code.PLATFORM_MISSING),
    ("toomanyrequests", Code.RATE_LIMITED),
    ("blob unknown", Code.BLOB_UNKNOWN),
    ("unknown blob", Code.BLOB_UNKNOWN),
    ("manifest unknown", Code.MANIFEST_UNKNOWN),
    (": not found", Code.MANIFEST_UNKNOWN),
    ("repository name not known", Code.REPOSITORY_NOT_FOUND),
    ("pull access denied", Code.INSUFFICIENT_SCOPE),
    ("requested access to the resource is denied", Code.INSUFFICIENT_SCOPE),
    ("insufficient_scope", Code.INSUFFICIENT_SCOPE),
    ("unauthorized", Code.INSUFFICIENT_SCOPE),
    ("denied", Code.INSUFFICIENT_SCOPE),
    ("digest", Code.DIGEST_MISMATCH),
)


class PullTimeout(daemon_api.DaemonError):
    """The pull did not finish within what is left of ``--timeout``."""


def classify_pull(message: str) -> Code:
    """Our code for a daemon pull error (the login classifier for network and TLS faults)."""
    lowered = message.lower()
    for fragment, code in _PULL_MESSAGES:
        if fragment in lowered:
            return code
    return daemon_api.classify_message(message)


def registry_auth(payload: Mapping[str, str]) -> str:
    """``X-Registry-Auth``: base64url of the JSON auth config (the docker CLI's encoding)."""
    return base64.urlsafe_b64encode(json.dumps(dict(payload)).encode()).decode("ascii")


def _query(image: Reference, platform: str | None) -> str:
    params = {"fromImage": image.name, "tag": image.digest or image.tag or "latest"}
    if platform:
        params["platform"] = platform
    return "/images/create?" + urlencode(params)


def pull(
    target: Endpoint,
    image: Reference,
    auth: Mapping[str, str] | None,
    *,
    platform: str | None,
    timeout: float,
) -> tuple[bool, str]:
    """Whether the daemon pulled ``image``, and its last status or its error verbatim."""
    deadline = time.monotonic() + timeout
    headers = {"X-Registry-Auth": registry_auth(auth)} if auth else {}
    last = ""
    try:
        with engine.open_stream(
            target, "POST", _query(image, platform), timeout=timeout, headers=headers
        ) as answer:
            if answer.status != 200:
                body = answer.read(_MAX_LINE)
                try:
                    said = jsontext.loads(body).get("message", "")
                except (ValueError, AttributeError):
                    said = body.decode("utf-8", "replace").strip()
                return False, str(said or f"HTTP {answer.status}")
            for _ in range(_MAX_LINES):
                if time.monotonic() > deadline:
                    raise PullTimeout(f"the pull did not finish within {timeout:.1f} s")
                line = answer.readline(_MAX_LINE)
                if not line:
                    break
                try:
                    event = jsontext.loads(line)
                except ValueError:
                    continue
                if not isinstance(event, dict):
                    continue
                if event.get("error") or event.get("errorDetail"):
                    detail = event.get("errorDetail")
                    said = detail.get("message") if isinstance(detail, dict) else None
                    return False, str(said or event.get("error"))
                if event.get("status"):
                    last = str(event["status"])
    except TimeoutError:
        raise PullTimeout(f"no answer to the pull within {timeout:.1f} s") from None
    except OSError as exc:
        raise daemon_api.DaemonError(
            f"no daemon answers at {target.where} ({exc.strerror or exc})"
        ) from None
    except http.client.HTTPException as exc:
        raise daemon_api.DaemonError(f"the daemon's answer was not HTTP ({exc!r})") from None
    return True, last or "pulled"


def step_pull(state: State) -> Outcome:
    """The daemon's own pull of the image, its message next to our diagnosis."""
    image, creds, server = state.options.image, state.credentials, state.server
    assert image is not None
    assert creds is not None
    assert server is not None
    if state.budget.remaining() < 0.5:
        return Status.SKIP, Code.OK, "not run: the --timeout budget is spent"
    auth: dict[str, str] | None = None
    if not creds.anonymous and creds.secret is not None:
        auth = {"serveraddress": server.key}
        if creds.identity_token:
            auth["identitytoken"] = creds.secret.reveal()
        else:
            auth.update(username=creds.username, password=creds.secret.reveal())
    try:
        assert state.engine is not None
        worked, message = pull(
            state.engine,
            image,
            auth,
            platform=state.options.platform,
            timeout=state.budget.timeout(60.0, 0.95),
        )
    except PullTimeout as exc:
        return (
            Status.WARN,
            Code.READ_TIMEOUT,
            f"{exc} (bounded by --timeout; a large image needs a larger one)",
        )
    except daemon_api.DaemonError as exc:
        return Status.WARN, Code.DAEMON_UNREACHABLE, f"the daemon's pull did not finish: {exc}"
    ours = state.verdict
    if worked:
        detail = f"the daemon pulled {image.familiar}: {escape(message)}"
        if ours not in (None, Code.OK):
            assert ours is not None
            # the daemon's own network, proxies, CAs and mirrors apply, not this shell's
            detail += f"; this shell found {ours.value}: the daemon's view differs"
            return Status.WARN, Code.OK, detail
        return Status.OK, Code.OK, detail
    detail = f"the daemon says: {escape(message, 600)}"
    if ours is Code.OK:
        detail += (
            "; this shell's steps all passed, so the daemon's view differs (its proxies, "
            "CA files in /etc/docker/certs.d, registry mirrors and DNS apply)"
        )
    raise StepFailed(classify_pull(message), detail)


__all__ = ["PullTimeout", "classify_pull", "pull", "registry_auth", "step_pull"]
