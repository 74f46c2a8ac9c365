"""Bearer tokens: the realm's own reachability, trusted redirects, GET and OAuth2 POST.

Docker asks the realm for a token with Basic credentials
(``?service=S&account=U&client_id=docker&offline_token=true``), or POSTs an OAuth2
form when it holds an identity (refresh) token. The realm host gets its own
DNS/TCP/TLS check, so "the token server is unreachable" is told apart from "the
registry is unreachable".
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from cs_registry import jsontext, log
from cs_registry.diagnosis import Code
from cs_registry.probe import tlstrust
from cs_registry.probe.proxy import ProxySettings, choose, resolve_proxy, tunnel
from cs_registry.probe.realm import RealmUrl, parse_realm, untrusted_reason
from cs_registry.probe.report import StepFailed
from cs_registry.probe.sockets import NetError, connect, handshake
from cs_registry.probe.sockets import resolve as resolve_host
from cs_registry.probe.state import State
from cs_registry.probe.transport import Endpoint, Response, request

MAX_REDIRECTS = 3


@dataclass
class TokenAnswer:
    """What the token server said: a token, or the HTTP status and the reason."""

    token: str | None
    status: int
    message: str


def basic_header(username: str, secret: str) -> str:
    encoded = base64.b64encode(f"{username}:{secret}".encode()).decode("ascii")
    log.register_secret(encoded)  # a registry may echo the header back in an error
    return "Basic " + encoded


def registry_errors(body: bytes) -> str:
    """``CODE: message`` of a registry or token-server error body, or a short excerpt."""
    try:
        document: Any = jsontext.loads(body)
    except ValueError:
        text = body.decode("utf-8", "replace").strip()
        return text[:120]
    if isinstance(document, dict):
        errors = document.get("errors")
        if isinstance(errors, list) and errors:
            parts = []
            for error in errors[:3]:
                if isinstance(error, dict):
                    parts.append(f"{error.get('code', '?')}: {error.get('message', '')}".strip())
            return "; ".join(parts)
        for key in ("details", "error_description", "error", "message"):
            if isinstance(document.get(key), str):
                return str(document[key])[:200]
    return ""


def realm_endpoint(state: State, realm: RealmUrl) -> Endpoint:
    """Resolve, connect and (for HTTPS) verify the realm host: ``token_endpoint_unreachable``."""
    assert state.endpoint is not None
    same = (
        realm.host == state.endpoint.host
        and realm.port == state.endpoint.port
        and realm.scheme == state.endpoint.scheme
    )
    if same:
        return state.endpoint
    where = f"the token server {realm.hostport} (from the challenge's realm)"
    context = None
    try:
        if realm.scheme == "https":
            if state.insecure is not None and realm.host == state.hostname:
                # Docker uses the registry's transport for its token server too
                context = tlstrust.unverified_context()
            else:
                context, _ = tlstrust.trust_context(
                    realm.host if realm.port == 443 else realm.hostport,
                    ca_file=state.options.ca_file,
                    certs_d=state.options.certs_d or tlstrust.DOCKER_CERTS_D,
                )
        settings = state.proxy_settings or ProxySettings()
        proxy = choose(settings, realm.scheme, realm.host, realm.port)
        timeout = state.budget.timeout(5.0, 0.4)
        addresses = []
        if proxy is None:
            addresses = resolve_host(realm.host, realm.port, timeout)
            sock = connect(addresses, timeout)
        elif realm.scheme == "https":
            sock = tunnel(proxy, realm.host, realm.port, timeout)
        else:
            resolve_proxy(proxy, timeout)
            sock = connect(proxy.addresses, timeout)
        if context is not None:
            sock = handshake(sock, context, realm.host, state.budget.timeout(5.0, 0.4))
        sock.close()
    except NetError as exc:
        raise StepFailed(
            Code.TOKEN_ENDPOINT_UNREACHABLE, f"{where}: {exc.code.value}: {exc.detail}"
        ) from None
    except tlstrust.TrustError as exc:
        raise StepFailed(Code.TOKEN_ENDPOINT_UNREACHABLE, f"{where}: {exc}") from None
    return Endpoint(realm.scheme, realm.host, realm.port, addresses, context, proxy)


def checked_realm(state: State, url: str, *, sending: bool) -> RealmUrl:
    """The realm as a URL, refused (``untrusted_realm``) when credentials may not go there."""
    realm = parse_realm(url)
    if realm is None:
        raise StepFailed(
            Code.NOT_A_REGISTRY, f"the challenge's realm {url!r} is not an http(s) URL"
        )
    if sending:
        why = untrusted_reason(realm, state.hostname, state.options.allow_realms)
        if why is not None:
            state.realm_refused = why
            raise StepFailed(
                Code.UNTRUSTED_REALM,
                f"{why}; nothing was sent (allow it with --allow-realm {realm.host})",
            )
    return realm


def fetch_token(state: State, scope: str | None) -> TokenAnswer:
    """Ask the challenge's realm for a token (with the credentials when we have them)."""
    challenge = state.challenge
    creds = state.credentials
    assert challenge is not None
    assert creds is not None
    sending = not creds.anonymous
    realm = checked_realm(state, challenge.realm or "", sending=sending)
    params: dict[str, str] = {}
    if challenge.service:
        params["service"] = challenge.service
    if scope:
        params["scope"] = scope
    headers: dict[str, str] = {}
    body: bytes | None = None
    method = "GET"
    if creds.identity_token and creds.secret is not None:
        method = "POST"
        form = {
            "grant_type": "refresh_token",
            "refresh_token": creds.secret.reveal(),
            "client_id": "docker",
            "access_type": "offline",
            **params,
        }
        body = urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif creds.secret is not None:
        params.update(account=creds.username, client_id="docker", offline_token="true")
        headers["Authorization"] = basic_header(creds.username, creds.secret.reveal())
    url = realm.url + (("&" if "?" in realm.url else "?") + urlencode(params) if params else "")
    for _ in range(MAX_REDIRECTS + 1):
        endpoint = realm_endpoint(state, realm)
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            response = request(
                endpoint,
                method,
                target,
                timeout=state.budget.timeout(8.0, 0.8),
                headers=headers,
                body=body,
            )
        except NetError as exc:
            state.record(exc.trace)
            raise StepFailed(
                Code.TOKEN_ENDPOINT_UNREACHABLE, f"token request to {realm.hostport}: {exc.detail}"
            ) from None
        state.record(response.trace)
        if response.status not in (301, 302, 303, 307, 308):
            return _answer(response)
        location = urljoin(url, response.header("Location") or "")
        moved = parse_realm(location)
        if moved is None or (moved.scheme, moved.host, moved.port) != (
            realm.scheme,
            realm.host,
            realm.port,
        ):
            if sending:
                state.realm_refused = f"the token request was redirected to {location}"
                raise StepFailed(
                    Code.UNTRUSTED_REALM,
                    f"the token server redirected the request to another origin ({location}); "
                    "the credentials were not sent there",
                )
            if moved is None:
                raise StepFailed(Code.NOT_A_REGISTRY, f"the token server redirected to {location}")
            realm = moved
        url = location
    raise StepFailed(
        Code.NOT_A_REGISTRY, f"the token server redirected more than {MAX_REDIRECTS} times"
    )


def _answer(response: Response) -> TokenAnswer:
    if response.status != 200:
        return TokenAnswer(None, response.status, registry_errors(response.body))
    try:
        document = jsontext.loads(response.body)
    except ValueError:
        return TokenAnswer(None, 200, "the token server's answer is not JSON")
    token = (
        document.get("token") or document.get("access_token")
        if isinstance(document, dict)
        else None
    )
    if not isinstance(token, str) or not token:
        return TokenAnswer(None, 200, "the token server's answer holds no token")
    from cs_registry import log

    log.register_secret(token)
    return TokenAnswer(token, 200, "")


__all__ = [
    "TokenAnswer",
    "basic_header",
    "checked_realm",
    "fetch_token",
    "realm_endpoint",
    "registry_errors",
]
