"""The registry steps: ``challenge`` → ``auth`` → ``scope``."""

from __future__ import annotations

from cs_registry.diagnosis import Code
from cs_registry.probe import challenge as challenges
from cs_registry.probe.docker_steps import start_daemon_login
from cs_registry.probe.ecrstep import needs_swap, step_auth_ecr
from cs_registry.probe.network import skew_note
from cs_registry.probe.pullerrors import denied
from cs_registry.probe.report import StepFailed
from cs_registry.probe.sockets import NetError
from cs_registry.probe.state import State
from cs_registry.probe.tokens import (
    TokenAnswer,
    basic_header,
    checked_realm,
    fetch_token,
    registry_errors,
)
from cs_registry.probe.transport import Response, request
from cs_registry.status import Status

Outcome = tuple[Status, Code, str]


def step_challenge(state: State) -> Outcome:
    """Parse every ``WWW-Authenticate`` challenge and pick the one Docker answers."""
    assert state.ping is not None
    if state.ping.status == 200:
        return Status.SKIP, Code.OK, "no challenge: /v2/ is open to anyone"
    state.challenges = challenges.parse(state.ping.header_all("WWW-Authenticate"))
    state.challenge = challenges.preferred(state.challenges)
    offered = "; ".join(c.describe() for c in state.challenges) or "nothing readable"
    if state.challenge is None:
        raise StepFailed(
            Code.NOT_A_REGISTRY,
            f"the challenges offer {offered}; Docker answers only Basic or Bearer",
        )
    if state.challenge.scheme == "bearer" and not state.challenge.realm:
        raise StepFailed(Code.NOT_A_REGISTRY, f"the Bearer challenge names no realm ({offered})")
    return (
        Status.OK,
        Code.OK,
        f"Docker answers: {state.challenge.describe()}"
        + (f" (offered: {offered})" if len(state.challenges) > 1 else ""),
    )


def _registry_get(state: State, target: str, authorization: str | None) -> Response:
    assert state.endpoint is not None
    headers = {"Authorization": authorization} if authorization else {}
    try:
        response = request(
            state.endpoint, "GET", target, timeout=state.budget.timeout(8.0, 0.8), headers=headers
        )
    except NetError as exc:
        state.record(exc.trace)
        raise StepFailed(exc.code, exc.detail) from None
    state.record(response.trace)
    return response


def _rejected(state: State, who: str, message: str) -> StepFailed:
    """A 401/403: bad credentials, unless the secret's shape or the clock explains it."""
    creds = state.credentials
    assert creds is not None
    reason = f" ({message})" if message else ""
    shaped = creds.shape_code()
    if shaped is not None:
        what = "stray whitespace" if shaped is Code.SECRET_WHITESPACE else "surrounding quotes"
        return StepFailed(
            shaped,
            f"{who} rejected the credentials{reason}; the secret has {what}, "
            "which is sent as part of it",
        )
    return StepFailed(Code.BAD_CREDENTIALS, f"{who} rejected user {creds.username!r}{reason}")


def _status_failure(response: Response, who: str) -> StepFailed | None:
    if response.status == 429:
        wait = response.header("Retry-After") or "unspecified"
        return StepFailed(Code.RATE_LIMITED, f"{who} answered 429; Retry-After: {wait}")
    if response.status >= 500:
        return StepFailed(Code.REGISTRY_UNAVAILABLE, f"{who} answered {response.status}")
    return None


def step_auth(state: State) -> Outcome:
    """Log in as Docker does: Basic on /v2/, or a token from the realm, then /v2/ with it."""
    if needs_swap(state):
        swapped = step_auth_ecr(state)
        if swapped is not None:
            return swapped
    assert state.ping is not None
    assert state.credentials is not None
    if state.ping.status == 200:
        return Status.SKIP, Code.OK, "Docker never sends the credentials here: /v2/ is open"
    assert state.challenge is not None
    if state.challenge.scheme == "basic":
        return _basic_auth(state)
    return _bearer_auth(state)


def _basic_auth(state: State) -> Outcome:
    """Basic credentials on /v2/, as ``docker login`` sends them."""
    creds = state.credentials
    assert creds is not None
    if creds.anonymous:
        raise StepFailed(
            Code.MISSING_CREDENTIALS, "the registry asks for Basic credentials and we have none"
        )
    assert creds.secret is not None
    start_daemon_login(state)  # the daemon logs in while we do
    response = _registry_get(state, "/v2/", basic_header(creds.username, creds.secret.reveal()))
    return _judge(state, response, "Basic")


def _bearer_auth(state: State) -> Outcome:
    """A token from the challenge's realm, then /v2/ with it."""
    creds = state.credentials
    assert creds is not None
    assert state.challenge is not None
    if not creds.anonymous:
        # refuses (untrusted_realm) before anything, the daemon's login included, is sent
        checked_realm(state, state.challenge.realm or "", sending=True)
        start_daemon_login(state)
    answer = fetch_token(state, None)
    realm = state.challenge.realm
    if answer.token is None:
        raise _token_refused(state, answer)
    state.token = answer.token
    if creds.anonymous and state.options.image is not None:
        # a pull needs no login: public images come with an anonymous token
        return (
            Status.WARN,
            Code.MISSING_CREDENTIALS,
            f"no credentials; {realm} gives anonymous tokens, so the image is tried anonymously",
        )
    if creds.anonymous:
        raise StepFailed(
            Code.MISSING_CREDENTIALS,
            f"no credentials to test; {realm} gives anonymous tokens, so public images pull "
            "without a login",
        )
    response = _registry_get(state, "/v2/", f"Bearer {answer.token}")
    return _judge(state, response, f"Bearer (token from {realm})")


def _token_refused(state: State, answer: TokenAnswer) -> StepFailed:
    """Why the token server gave no token: not a token server, busy, or the credentials."""
    assert state.challenge is not None
    assert state.credentials is not None
    realm = state.challenge.realm
    if answer.status == 200:
        return StepFailed(Code.NOT_A_REGISTRY, f"{realm}: {answer.message}")
    if answer.status == 429:
        return StepFailed(Code.RATE_LIMITED, f"the token server answered 429 ({answer.message})")
    if answer.status >= 500:
        return StepFailed(Code.REGISTRY_UNAVAILABLE, f"the token server answered {answer.status}")
    if state.credentials.anonymous:
        return StepFailed(
            Code.MISSING_CREDENTIALS,
            f"no credentials, and {realm} refuses an anonymous token ({answer.status})",
        )
    return _rejected(state, f"the token server {realm}", answer.message or str(answer.status))


def _judge(state: State, response: Response, how: str) -> Outcome:
    failure = _status_failure(response, "the registry")
    if failure is not None:
        raise failure
    if response.status == 200:
        state.authenticated = True
        said = f"{how}: /v2/ answered 200, Docker would print Login Succeeded"
        return Status.OK, Code.OK, f"{state.swap_note}; {said}" if state.swap_note else said
    state.authenticated = False
    message = registry_errors(response.body)
    if response.status in (401, 403):
        skew = skew_note(state)
        if state.token is not None and skew is not None:
            raise StepFailed(Code.CLOCK_SKEW, f"the registry rejected a fresh token and {skew}")
        if state.token is not None and "expired" in message.lower():
            raise StepFailed(Code.TOKEN_EXPIRED, f"the registry says the token expired ({message})")
        raise _rejected(state, "the registry", message or f"{response.status} {response.reason}")
    raise StepFailed(Code.NOT_A_REGISTRY, f"/v2/ answered {response.status} after {how}")


def _pull_authorization(state: State, name: str) -> str | None:
    """The ``Authorization`` a pull of ``name`` sends: Basic, a pull-scoped token, or none."""
    assert state.ping is not None
    assert state.credentials is not None
    creds = state.credentials
    if state.ping.status == 200:
        return None
    assert state.challenge is not None
    if state.challenge.scheme == "basic":
        if creds.secret is None:
            return None
        return basic_header(creds.username, creds.secret.reveal())
    answer = fetch_token(state, f"repository:{name}:pull")
    if answer.token is None:
        if answer.status in (401, 403):
            if state.options.image is not None:
                raise denied(state, f"the token server refused the pull scope: {answer.message}")
            raise StepFailed(
                Code.INSUFFICIENT_SCOPE,
                f"the token server refused a pull token for {name} ({answer.message})",
            )
        if answer.status == 429:
            raise StepFailed(Code.RATE_LIMITED, f"the token server answered 429 ({answer.message})")
        raise StepFailed(
            Code.TOKEN_ENDPOINT_UNREACHABLE,
            f"no pull token for {name}: {answer.status} {answer.message}",
        )
    return f"Bearer {answer.token}"


def step_scope(state: State) -> Outcome:
    """A pull-scoped token; with ``--repository`` (not an image) also a tags request."""
    image = state.options.image
    if image is not None:
        state.pull_authorization = _pull_authorization(state, image.path)
        sent = state.pull_authorization
        if sent is None:
            opened = state.ping is not None and state.ping.status == 200
            how = "none needed (/v2/ is open)" if opened else "none: the pull goes anonymously"
        else:
            scope = f"token for repository:{image.path}:pull"
            how = "Basic" if sent.startswith("Basic ") else scope
        return Status.OK, Code.OK, f"pull authorization: {how}"
    name = state.options.repository
    if not name:
        return Status.SKIP, Code.OK, "add --repository NAME to check pull rights"
    assert state.credentials is not None
    creds = state.credentials
    authorization = _pull_authorization(state, name)
    response = _registry_get(state, f"/v2/{name}/tags/list", authorization)
    failure = _status_failure(response, "the registry")
    if failure is not None:
        raise failure
    message = registry_errors(response.body)
    if response.status == 200:
        return Status.OK, Code.OK, f"may pull {name} (tags/list answered 200)"
    if response.status == 404:
        raise StepFailed(
            Code.REPOSITORY_NOT_FOUND, f"{name}: the registry has no such repository ({message})"
        )
    if response.status in (401, 403):
        said = challenges.parse(response.header_all("WWW-Authenticate"))
        hint = next((c.error for c in said if c.error), None)
        raise StepFailed(
            Code.INSUFFICIENT_SCOPE,
            f"{creds.username or 'anonymous'} may not pull {name} "
            f"({message or response.status}{'; ' + hint if hint else ''})",
        )
    raise StepFailed(Code.NOT_A_REGISTRY, f"tags/list for {name} answered {response.status}")


__all__ = ["step_auth", "step_challenge", "step_scope"]
