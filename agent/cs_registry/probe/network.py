"""The network steps: ``input`` → ``dns`` → ``tcp`` → ``tls`` → ``ping``.

Each step returns ``(status, code, detail)`` or raises
:class:`~cs_registry.probe.report.StepFailed`; the runner times them.
"""

from __future__ import annotations

import email.utils
import socket
from dataclasses import replace

from cs_registry.diagnosis import Code
from cs_registry.errors import UsageError
from cs_registry.helper_client import DEFAULT_TIMEOUT as HELPER_TIMEOUT
from cs_registry.probe import credentials, tlstrust
from cs_registry.probe.daemon_api import DaemonInfo
from cs_registry.probe.proxy import ProxySettings, choose, resolve_proxy, shell_settings, tunnel
from cs_registry.probe.report import StepFailed
from cs_registry.probe.sockets import (
    Address,
    NetError,
    connect,
    handshake,
    resolve,
    show_address,
    speaks_plain_http,
)
from cs_registry.probe.state import SKEW_LIMIT_S, State
from cs_registry.probe.transport import Endpoint, request
from cs_registry.servers import ServerError, normalise
from cs_registry.status import Status

Outcome = tuple[Status, Code, str]
_PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy")

TLS_FINDINGS = frozenset(
    {Code.TLS_UNKNOWN_CA, Code.TLS_HOSTNAME_MISMATCH, Code.TLS_EXPIRED, Code.HTTP_ON_HTTPS_PORT}
)


def step_input(state: State) -> Outcome:
    """Normalise SERVER as Docker does and pick the credentials to test."""
    try:
        server = normalise(state.options.server, "SERVER")
    except ServerError as exc:
        raise StepFailed(Code.MALFORMED_SERVER, exc.message) from None
    state.server = server
    host_port = server.host.rsplit(":", 1)
    explicit = len(host_port) == 2 and host_port[1].isdigit() and not server.host.endswith("]")
    state.port = int(host_port[1]) if explicit else 443
    state.credentials = state.preset or credentials.resolve(
        state.options.credentials,
        server,
        environ=state.environ,
        stdin=state.stdin,
        config_dir=state.config_dir,
        helper_timeout=state.budget.timeout(HELPER_TIMEOUT),
    )
    creds = state.credentials
    failure = creds.helper_failure
    if failure is not None:  # Docker would get no credentials from that helper either
        raise StepFailed(
            failure.diagnosis,
            f"{failure.message} (Docker's config sends {server.key} to it: Docker gets no "
            "credentials either)",
        )
    who = (
        f"none ({creds.source})"
        if creds.anonymous
        else f"user {creds.username!r} from {creds.source}"
    )
    detail = f"{server.host} (Docker config key {server.key}); credentials: {who}"
    if state.options.image is not None:
        detail = f"image {state.options.image} on {detail}"
    if server.fixes:
        detail += f"; normalised: {'; '.join(server.fixes)}"
    if creds.warnings:
        detail += "; " + "; ".join(creds.warnings)
    if creds.anonymous:
        return Status.WARN, Code.MISSING_CREDENTIALS, detail
    if creds.warnings:
        return Status.WARN, creds.shape_code() or creds.warning_code or Code.OK, detail
    return Status.OK, Code.OK, detail


def _proxy_settings(state: State) -> ProxySettings:
    """The daemon's proxies when a daemon answers (docker login goes through it), else ours."""
    info = state.daemon.wait(state.budget.timeout(2.0, 0.2)) if state.daemon else None
    if info is None:
        return shell_settings(state.environ)
    return ProxySettings(info.https_proxy, info.http_proxy, info.no_proxy, "the daemon's")


def _addresses(state: State) -> str:
    return ", ".join(str(address[1][0]) for address in state.addresses[:4])


def step_dns(state: State) -> Outcome:
    """Resolve the registry host (bounded: ``getaddrinfo`` runs in a thread), or the proxy."""
    state.proxy_settings = _proxy_settings(state)
    timeout = state.budget.timeout(5.0, 0.5)
    try:
        state.proxy = choose(state.proxy_settings, "https", state.hostname, state.port)
        if state.proxy is None:
            state.addresses = resolve(state.hostname, state.port, timeout)
            return Status.OK, Code.OK, f"{state.hostname} → {_addresses(state)}"
        resolve_proxy(state.proxy, timeout)
    except NetError as exc:
        raise StepFailed(exc.code, exc.detail) from None
    proxy = state.proxy
    detail = f"through {proxy.variable} {proxy.shown}, which resolves {state.hostname} itself"
    try:
        # only for the insecure-registry check, as Docker does; the proxy connects
        state.addresses = resolve(state.hostname, state.port, state.budget.timeout(2.0, 0.2))
    except NetError:
        return Status.OK, Code.OK, f"{detail} (it does not resolve here)"
    return Status.OK, Code.OK, f"{detail} (here: {_addresses(state)})"


def _open(state: State, timeout: float) -> socket.socket:
    """TCP to the registry: directly, or a CONNECT tunnel through the proxy."""
    if state.proxy is not None:
        return tunnel(state.proxy, state.hostname, state.port, timeout)
    return connect(state.addresses, timeout)


def step_tcp(state: State) -> Outcome:
    """Open a TCP connection to the registry's port (through the proxy when one applies)."""
    try:
        sock = _open(state, state.budget.timeout(5.0, 0.5))
    except NetError as exc:
        raise StepFailed(exc.code, exc.detail) from None
    peer = sock.getpeername()
    sock.close()
    if state.proxy is not None:
        proxy = state.proxy
        return (
            Status.OK,
            Code.OK,
            f"{proxy.variable} {proxy.shown} opened a tunnel to {state.hostname}:{state.port}",
        )
    detail = f"connected to {show_address((0, tuple(peer)))}"
    proxies = [name for name in _PROXY_VARIABLES if state.environ.get(name)]
    if (
        proxies
        and state.proxy_settings is not None
        and state.proxy_settings.owner != "this shell's"
    ):
        detail += (
            f" directly; {', '.join(proxies)} is set in this shell but only the daemon's own "
            "proxy settings apply to docker login (see the docker step)"
        )
    return Status.OK, Code.OK, detail


def _insecure_reason(state: State) -> str | None:
    assert state.server is not None
    info = state.daemon.wait(state.budget.timeout(2.0, 0.2)) if state.daemon else None
    ips = [str(address[1][0]) for address in state.addresses]
    return (info or DaemonInfo()).insecure(state.server.host, ips)


def _with_port(addresses: list[Address], port: int) -> list[Address]:
    return [(family, (sockaddr[0], port, *sockaddr[2:])) for family, sockaddr in addresses]


def step_tls(state: State) -> Outcome:
    """Verify the certificate; for insecure registries do what Docker does, and say so."""
    assert state.server is not None
    try:
        context, extra = tlstrust.trust_context(
            state.server.host,
            ca_file=state.options.ca_file,
            certs_d=state.options.certs_d or tlstrust.DOCKER_CERTS_D,
        )
    except tlstrust.TrustError as exc:
        raise UsageError(str(exc)) from None
    state.insecure = _insecure_reason(state)
    https = Endpoint("https", state.hostname, state.port, state.addresses, context, state.proxy)
    trust = "system store" + "".join(f" + {path}" for path in extra)
    try:
        sock = _open(state, state.budget.timeout(5.0, 0.5))
        secured = handshake(sock, context, state.hostname, state.budget.timeout(5.0, 0.4))
    except NetError as exc:
        return _tls_failed(state, https, exc)
    version = secured.version() or "TLS"
    secured.close()
    state.endpoint = https
    return Status.OK, Code.OK, f"{version}, certificate verified against the {trust}"


def _tls_failed(state: State, https: Endpoint, exc: NetError) -> Outcome:
    code, detail = exc.code, exc.detail
    if exc.code in (Code.CONNECTION_REFUSED, Code.CONNECT_TIMEOUT):
        raise StepFailed(code, detail)
    # a plain-HTTP server may wait for a newline that a TLS hello never sends, so a
    # handshake timeout can mean plain HTTP too: ask the port directly
    if code is Code.PROXY_ERROR:
        raise StepFailed(code, detail)
    if (
        state.proxy is None
        and code in (Code.TLS_ERROR, Code.READ_TIMEOUT)
        and speaks_plain_http(state.addresses, state.hostname, state.budget.timeout(2.0, 0.3))
    ):
        code = Code.HTTP_ON_HTTPS_PORT
        detail = f"the port answers plain HTTP, not TLS ({detail})"
    if state.insecure is None:
        raise StepFailed(code, f"{detail}; Docker requires valid TLS for {state.hostname}")
    verification_only = code in TLS_FINDINGS and code is not Code.HTTP_ON_HTTPS_PORT
    if verification_only:
        # Docker skips verification for insecure registries: continue over unverified TLS
        state.endpoint = replace(https, context=tlstrust.unverified_context())
        how = (
            "Docker skips certificate verification here; skopeo, containerd and BuildKit do "
            "not share the daemon's insecure list and will still refuse this certificate"
        )
    else:
        port = state.port if state.port != 443 else 80
        assert state.proxy_settings is not None
        try:
            proxy = choose(state.proxy_settings, "http", state.hostname, port)
        except NetError as error:
            raise StepFailed(error.code, error.detail) from None
        state.endpoint = Endpoint(
            "http", state.hostname, port, _with_port(state.addresses, port), None, proxy
        )
        how = f"Docker falls back to {state.endpoint.origin} here (and hides this HTTPS error)"
        if code is Code.HTTP_ON_HTTPS_PORT:
            how += (
                "; skopeo, containerd and BuildKit need their own plain-HTTP setting for this "
                "registry"
            )
    return Status.WARN, code, f"{detail}; {state.insecure}, so {how}"


def _skew(state: State, date: str | None) -> float | None:
    if not date:
        return None
    try:
        server_time = email.utils.parsedate_to_datetime(date).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return state.clock() - server_time


def step_ping(state: State) -> Outcome:
    """``GET /v2/``: a 401 with a challenge is what a registry should answer."""
    assert state.endpoint is not None
    try:
        response = request(state.endpoint, "GET", "/v2/", timeout=state.budget.timeout(8.0, 0.9))
    except NetError as exc:
        state.record(exc.trace)
        raise StepFailed(exc.code, exc.detail) from None
    state.record(response.trace)
    state.ping = response
    state.skew_s = _skew(state, response.header("Date"))
    url = state.endpoint.url("/v2/")
    api = response.header("Docker-Distribution-Api-Version")
    html = "html" in (response.header("Content-Type") or "").lower()
    status = response.status
    if status == 429:
        wait = response.header("Retry-After") or "an unspecified time"
        raise StepFailed(Code.RATE_LIMITED, f"{url} answered 429; Retry-After: {wait}")
    if status >= 500:
        raise StepFailed(Code.REGISTRY_UNAVAILABLE, f"{url} answered {status} {response.reason}")
    if status == 200:
        if api is None or html:
            raise StepFailed(
                Code.NOT_A_REGISTRY,
                f"{url} answered 200 without the Docker-Distribution-Api-Version header"
                + (" (an HTML page)" if html else ""),
            )
        return (
            Status.WARN,
            Code.UNVERIFIED_ANONYMOUS,
            f"{url} answered 200 to an anonymous request: `docker login` says Login Succeeded "
            "with any password here",
        )
    if status == 401:
        if not response.header_all("WWW-Authenticate"):
            raise StepFailed(Code.NOT_A_REGISTRY, f"{url} answered 401 without a challenge")
        note = "" if api else " (no Docker-Distribution-Api-Version header)"
        return Status.OK, Code.OK, f"{url} answered 401 with a challenge, as expected{note}"
    if 300 <= status < 400:
        where = response.header("Location") or "nowhere"
        raise StepFailed(
            Code.NOT_A_REGISTRY, f"{url} redirects to {where}; the registry API is not here"
        )
    raise StepFailed(
        Code.NOT_A_REGISTRY,
        f"{url} answered {status} {response.reason}"
        + (" (an HTML page)" if html else "")
        + "; a registry answers 401 or 200",
    )


def skew_note(state: State) -> str | None:
    """A sentence about the clock when it is more than a minute off."""
    if state.skew_s is None or abs(state.skew_s) <= SKEW_LIMIT_S:
        return None
    side = "ahead of" if state.skew_s > 0 else "behind"
    return f"this machine's clock is {abs(state.skew_s):.0f} s {side} the registry's"


__all__ = [
    "TLS_FINDINGS",
    "skew_note",
    "step_dns",
    "step_input",
    "step_ping",
    "step_tcp",
    "step_tls",
]
