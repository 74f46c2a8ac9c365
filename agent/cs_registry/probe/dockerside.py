"""The Docker side: the same login through the daemon, and what Docker's config would use."""

from __future__ import annotations

from cs_registry import dockerconfig
from cs_registry.auths import decode_auth, helper_for
from cs_registry.diagnosis import Code
from cs_registry.helper_client import DEFAULT_TIMEOUT as HELPER_TIMEOUT
from cs_registry.helper_client import Helper, HelperError
from cs_registry.probe import daemon
from cs_registry.probe.model import StepFailed
from cs_registry.probe.state import State
from cs_registry.servers import DOCKER_HUB_ALIASES, Kind
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
        extra = [c for c in info.insecure_cidrs if c not in daemon.ALWAYS_INSECURE]
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
    state.daemon_login = daemon.LoginRun(state.environ, payload, state.budget.timeout(30.0, 0.95))


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
    except daemon.DaemonError as exc:
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
    code = daemon.classify_message(message)
    detail = f"the daemon says: {message}"
    if ours:
        detail += (
            f"; this shell's login worked, so the daemon's view differs: {_differences(state)}"
        )
    raise StepFailed(code, detail)


def _helper_holds(state: State, helper: Helper) -> str | None:
    """The user ``helper`` holds for the server, or ``None`` when it holds nothing.

    The input step may have asked it already (its answer or its failure is reused: a
    stalled helper is never waited for twice); otherwise it is asked within what is
    left of ``--timeout``. Raises :class:`HelperError`.
    """
    creds, server = state.credentials, state.server
    assert server is not None
    if creds is not None and creds.helper == helper.name:
        if creds.helper_failure is not None:
            raise creds.helper_failure
        return creds.username
    found = helper.get(server.key, timeout=state.budget.timeout(HELPER_TIMEOUT))
    return found[0] if found is not None else None


def _through_helper(state: State, name: str, source: str, shadows: bool) -> Outcome:
    """Docker asks a credential helper for this server: is it there, does it answer?"""
    key = state.server.key if state.server else ""
    helper = Helper(name, state.environ)
    asks = f"Docker asks {helper.program} ({source}) for {key}"
    asked = state.credentials is not None and state.credentials.helper == name
    try:
        helper.executable()
        if not asked and state.budget.expired:
            return Status.SKIP, Code.OK, f"{asks}; not asked: the --timeout budget is spent"
        user = _helper_holds(state, helper)
    except HelperError as exc:
        if exc.diagnosis is Code.CREDS_STORE_UNAVAILABLE:
            detail = f"{source} names {name!r} for {key} but {helper.program} is not on PATH"
        else:
            detail = f"{asks}: {exc.message}"
        raise StepFailed(exc.diagnosis, detail) from None
    if user is None:
        return (
            Status.WARN,
            Code.MISSING_CREDENTIALS,
            f"{asks}, and it holds nothing for it: pulls are anonymous until `docker login` "
            "or `cs-registry login` stores credentials there",
        )
    if shadows:
        return Status.WARN, Code.SHADOWED_BY_CRED_HELPER, f"{asks} and ignores auths[{key!r}]"
    creds = state.credentials
    if creds is not None and not creds.anonymous and user != creds.username:
        return (
            Status.WARN,
            Code.OK,
            f"{asks}; it holds user {user!r}, not the {creds.username!r} tested here",
        )
    return Status.OK, Code.OK, f"{asks}; it holds user {user!r}"


def step_config(state: State) -> Outcome:
    """What Docker would actually read for this server when it pulls."""
    server = state.server
    assert server is not None
    path = state.config_dir / dockerconfig.CONFIG_NAME
    try:
        loaded = dockerconfig.load(path)
    except dockerconfig.ConfigUnreadable as exc:
        raise StepFailed(Code.CONFIG_UNREADABLE, exc.message) from None
    data = loaded.data
    auths = data.get("auths") or {}
    key = server.key
    broken = [
        name
        for name, entry in auths.items()
        if isinstance(entry, dict) and "auth" in entry and decode_auth(entry["auth"]) is None
    ]
    if broken:
        raise StepFailed(
            Code.CONFIG_UNREADABLE,
            f"{path}: auths[{broken[0]!r}].auth cannot be decoded; the docker CLI then ignores "
            "every entry of the file",
        )
    helper = helper_for(data, key)
    if helper is not None:
        source = "credHelpers" if key in (data.get("credHelpers") or {}) else "credsStore"
        return _through_helper(state, helper, source, key in auths)
    if server.kind is Kind.DOCKER_HUB and key not in auths:
        aliases = [
            name for name in auths if name.rstrip("/").split("://")[-1] in DOCKER_HUB_ALIASES
        ]
        if aliases:
            return (
                Status.WARN,
                Code.DOCKERHUB_ALIAS_KEY,
                f"Docker Hub credentials are stored under {aliases[0]!r}, which the docker CLI "
                f"never reads; it reads {key!r}",
            )
    entry = auths.get(key)
    if not isinstance(entry, dict) or not (entry.get("auth") or entry.get("identitytoken")):
        return (
            Status.WARN,
            Code.MISSING_CREDENTIALS,
            f"{path} holds nothing for {key}: pulls are anonymous until `docker login` or "
            "`cs-registry login` stores credentials",
        )
    decoded = decode_auth(entry.get("auth"))
    stored_user = decoded[0] if decoded else "(identity token)"
    creds = state.credentials
    if creds is not None and not creds.anonymous and decoded and decoded[0] != creds.username:
        return (
            Status.WARN,
            Code.OK,
            f"auths[{key!r}] holds user {stored_user!r}, not the {creds.username!r} tested here",
        )
    return Status.OK, Code.OK, f"Docker would use auths[{key!r}] (user {stored_user!r})"


__all__ = ["start_daemon_login", "step_config", "step_docker"]
