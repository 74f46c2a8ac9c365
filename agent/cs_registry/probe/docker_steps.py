"""The Docker side: the same login through the daemon, and what Docker's config would use."""

from __future__ import annotations

import shutil
from collections.abc import Callable

from cs_registry import docker_verdict, docker_view, dockerconfig
from cs_registry.diagnosis import Code
from cs_registry.helper_client import DEFAULT_TIMEOUT as HELPER_TIMEOUT
from cs_registry.probe import daemon_api
from cs_registry.probe.report import StepFailed
from cs_registry.probe.state import State
from cs_registry.servers import Kind
from cs_registry.status import Status

Outcome = tuple[Status, Code, str]
_PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy")


def _differences(state: State) -> str:
    """What the daemon sees differently from this shell: proxies and insecure registries."""
    info = state.daemon.info if state.daemon else None
    parts: list[str] = []
    shell = {name.upper(): state.environ[name] for name in _PROXY_VARS if state.environ.get(name)}
    if info is not None:
        daemon_side = {
            "HTTPS_PROXY": info.https_proxy,
            "HTTP_PROXY": info.http_proxy,
            "NO_PROXY": info.no_proxy,
        }
        for name, value in daemon_side.items():
            if value != shell.get(name, ""):
                parts.append(
                    f"{name}: daemon {value or '(unset)'} vs shell {shell.get(name) or '(unset)'}"
                )
        extra = [c for c in info.insecure_cidrs if c not in daemon_api.ALWAYS_INSECURE]
        if extra or info.insecure_names:
            parts.append(f"daemon insecure registries: {', '.join(info.insecure_names + extra)}")
    parts.append(
        "this registry is "
        + (
            f"insecure for the daemon ({state.insecure})"
            if state.insecure
            else "secure (TLS verified)"
        )
    )
    parts.append("the daemon's DNS and CA files (/etc/docker/certs.d) apply, not the shell's")
    return "; ".join(parts)


def _not_run(state: State) -> str | None:
    """Why the daemon's login is not reproduced, or ``None`` when it is."""
    creds, server = state.credentials, state.server
    assert creds is not None
    assert server is not None
    if not state.options.docker_side:
        return "not asked for"
    if creds.anonymous:
        return "no credentials: there is no docker login to reproduce"
    if state.realm_refused:
        return (
            f"not run: the daemon would send the credentials to the untrusted realm "
            f"({state.realm_refused})"
        )
    if server.kind is Kind.ECR and creds.username != "AWS":
        return "ECR access keys are swapped for a token before docker login"
    return _no_daemon(state)


def _no_daemon(state: State) -> str | None:
    """Why no daemon can log in now (budget spent, none answers), or ``None`` when one can."""
    if state.budget.remaining() < 0.5:
        return "not run: the --timeout budget is spent"
    info = state.daemon.wait(state.budget.timeout(2.0, 0.3)) if state.daemon else None
    if info is None:
        why = state.daemon.error if state.daemon else "not asked"
        return f"no daemon answers ({why}); `docker login` would log in from this shell, as above"
    return None


def start_daemon_login(state: State) -> None:
    """Start ``POST /auth`` now (once the realm is known to be trusted), unless it is moot."""
    if state.daemon_login is not None or _not_run(state) is not None:
        return
    creds, server = state.credentials, state.server
    assert creds is not None
    assert creds.secret is not None
    assert server is not None
    payload = {"serveraddress": server.key}
    if creds.identity_token:
        payload["identitytoken"] = creds.secret.reveal()
    else:
        payload.update(username=creds.username, password=creds.secret.reveal())
    assert state.engine is not None
    state.daemon_login = daemon_api.LoginRun(
        state.engine, payload, state.budget.timeout(30.0, 0.95)
    )


def step_docker(state: State) -> Outcome:
    """``POST /auth`` through the daemon, with the same credentials; never stores anything."""
    if state.daemon_login is None:
        why = _not_run(state)
        if why is not None:
            return Status.SKIP, Code.OK, why
        start_daemon_login(state)
    assert state.daemon_login is not None
    try:
        worked, message = state.daemon_login.wait(state.budget.timeout(30.0, 0.95))
    except daemon_api.DaemonError as exc:
        return Status.WARN, Code.DAEMON_UNREACHABLE, f"the daemon's login did not finish: {exc}"
    # this shell's verdict: logged in, or an open /v2/ where docker login always "works"
    ours = state.authenticated
    if state.ping is not None and state.ping.status == 200:
        ours = True
    if worked:
        if ours is False:
            return (
                Status.WARN,
                Code.OK,
                f"the daemon says {message!r} while this shell's login failed; "
                f"{_differences(state)}",
            )
        return Status.OK, Code.OK, f"the daemon says {message!r}"
    code = daemon_api.classify_message(message)
    detail = f"the daemon says: {message}"
    if ours:
        detail += (
            f"; this shell's login worked, so the daemon's view differs: {_differences(state)}"
        )
    raise StepFailed(code, detail)


def _ask(state: State, view: docker_view.DockerView) -> docker_verdict.Asked | None:
    """What the helper Docker asks said. The input step may have asked it already (its
    answer or failure is reused: a stalled helper is never waited for twice); otherwise
    it is asked within what is left of ``--timeout``."""
    if view.helper is None or view.helper_path is None:
        return None
    creds = state.credentials
    if creds is not None and creds.helper == view.helper:
        failure = creds.helper_failure
        if failure is not None:
            return docker_verdict.Asked(
                docker_view.HelperAnswer.FAILED, code=failure.diagnosis, error=failure.message
            )
        if creds.anonymous:
            return docker_verdict.Asked(docker_view.HelperAnswer.NOT_FOUND)
        return docker_verdict.Asked(docker_view.HelperAnswer.CREDENTIALS, user=creds.username)
    if state.budget.expired:
        return None
    return docker_verdict.ask(view, state.environ, state.budget.timeout(HELPER_TIMEOUT))


def step_config(state: State) -> Outcome:
    """What Docker would actually use for this server when it pulls (docker_view)."""
    server = state.server
    assert server is not None
    path = state.config_dir / dockerconfig.CONFIG_NAME
    try:
        loaded = dockerconfig.load(path)
    except dockerconfig.ConfigUnreadable as exc:
        raise StepFailed(Code.CONFIG_UNREADABLE, exc.message) from None
    view = docker_view.resolve(loaded.data, server.key, _which(state))
    asked = _ask(state, view)
    if view.helper is not None and view.helper_path is not None and asked is None:
        return Status.SKIP, Code.OK, f"{view.describe()}; not asked: the --timeout budget is spent"
    verdict = docker_verdict.assess(view, asked)
    if verdict.status is Status.FAIL:
        raise StepFailed(verdict.code, verdict.message)
    held = asked.user if asked is not None else view.entry_user
    creds = state.credentials
    tested = creds.username if creds is not None and not creds.anonymous else None
    if verdict.code is Code.OK and tested and held and held not in (tested, "<token>"):
        return (
            Status.WARN,
            Code.OK,
            f"{verdict.message}; it holds user {held!r}, not the {tested!r} tested here",
        )
    return verdict.status, verdict.code, verdict.message


def _which(state: State) -> Callable[[str], str | None]:
    """Where a program is on the ``PATH`` Docker would see (this environment's)."""

    def which(program: str) -> str | None:
        return shutil.which(program, path=state.environ.get("PATH"))

    return which


__all__ = ["start_daemon_login", "step_config", "step_docker"]
