"""The Docker daemon's side: its insecure registries and proxies, and a login through it.

We talk to the Engine API directly (``GET /info``, ``POST /auth``) over the socket
in ``DOCKER_HOST``: it is what ``docker login`` does, it is fast, and it never
touches the user's config file (``/auth`` only checks, it stores nothing).
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cs_registry import engine
from cs_registry.diagnosis import Code
from cs_registry.engine import Endpoint

#: Docker always treats these as insecure, whatever daemon.json says
ALWAYS_INSECURE = ("127.0.0.0/8", "::1/128")


class DaemonError(Exception):
    """The daemon did not answer, or answered something we cannot use."""


def call(
    target: Endpoint,
    method: str,
    path: str,
    *,
    timeout: float,
    body: Mapping[str, Any] | None = None,
) -> tuple[int, Any]:
    """One Engine API call through :mod:`cs_registry.engine`; the status and decoded JSON."""
    payload = json.dumps(body).encode() if body is not None else None
    try:
        answer = engine.request(target, method, path, timeout=timeout, body=payload)
    except TimeoutError:
        raise DaemonError(
            f"the daemon at {target.where} did not answer {method} {path} within {timeout:.1f} s"
        ) from None
    except OSError as exc:
        raise DaemonError(f"no daemon answers at {target.where} ({exc.strerror or exc})") from None
    except http.client.HTTPException as exc:
        raise DaemonError(
            f"what answers at {target.where} is not a Docker daemon ({type(exc).__name__})"
        ) from None
    return answer.status, answer.json()


@dataclass
class DaemonInfo:
    """What ``docker info`` says about registries and proxies."""

    insecure_cidrs: list[str] = field(default_factory=lambda: list(ALWAYS_INSECURE))
    insecure_names: list[str] = field(default_factory=list)
    http_proxy: str = ""
    https_proxy: str = ""
    no_proxy: str = ""
    #: ``OSType`` and ``Architecture``: the platform the daemon pulls for
    os_type: str = ""
    architecture: str = ""

    def insecure(self, hostport: str, addresses: list[str]) -> str | None:
        """Why Docker treats ``hostport`` as insecure, or ``None`` when it does not."""
        if hostport in self.insecure_names:
            return f"{hostport} is in the daemon's insecure-registries"
        for address in addresses:
            try:
                ip = ipaddress.ip_address(address.split("%")[0])
            except ValueError:
                continue
            for cidr in [*ALWAYS_INSECURE, *self.insecure_cidrs]:
                try:
                    network = ipaddress.ip_network(cidr, strict=False)
                except ValueError:
                    continue
                if ip.version == network.version and ip in network:
                    source = (
                        "Docker always treats loopback as insecure"
                        if cidr in ALWAYS_INSECURE
                        else "it is in the daemon's insecure-registries"
                    )
                    return f"{address} is in {cidr}: {source}"
        return None


def parse_info(info: Mapping[str, Any]) -> DaemonInfo:
    """The registry and proxy settings out of ``GET /info``."""
    result = DaemonInfo()
    config = info.get("RegistryConfig") or {}
    cidrs = config.get("InsecureRegistryCIDRs") or []
    result.insecure_cidrs = [str(c) for c in cidrs] or list(ALWAYS_INSECURE)
    for name, index in (config.get("IndexConfigs") or {}).items():
        if isinstance(index, dict) and index.get("Secure") is False:
            result.insecure_names.append(str(name))
    result.http_proxy = str(info.get("HttpProxy") or "")
    result.https_proxy = str(info.get("HttpsProxy") or "")
    result.no_proxy = str(info.get("NoProxy") or "")
    result.os_type = str(info.get("OSType") or "")
    result.architecture = str(info.get("Architecture") or "")
    return result


class InfoFetch:
    """``GET /info`` started in the background as the run begins; waited for when needed."""

    def __init__(self, target: Endpoint, timeout: float) -> None:
        self._target = target
        self._timeout = timeout
        self.info: DaemonInfo | None = None
        self.error: str | None = None
        self._thread = threading.Thread(target=self._fetch, name="docker-info", daemon=True)
        self._thread.start()

    def _fetch(self) -> None:
        try:
            status, body = call(self._target, "GET", "/info", timeout=self._timeout)
        except DaemonError as exc:
            self.error = str(exc)
            return
        if status != 200 or not isinstance(body, dict):
            self.error = f"GET /info answered {status}"
            return
        self.info = parse_info(body)

    def wait(self, timeout: float) -> DaemonInfo | None:
        self._thread.join(timeout)
        if self._thread.is_alive():
            self.error = self.error or f"the daemon did not answer GET /info within {timeout:.1f} s"
        return self.info


#: fragments of the daemon's (Go) error text → our code, most specific first
_DAEMON_MESSAGES: tuple[tuple[str, Code], ...] = (
    ("certificate signed by unknown authority", Code.TLS_UNKNOWN_CA),
    ("certificate is valid for", Code.TLS_HOSTNAME_MISMATCH),
    ("doesn't contain any ip sans", Code.TLS_HOSTNAME_MISMATCH),
    ("certificate has expired", Code.TLS_EXPIRED),
    ("server gave http response to https client", Code.HTTP_ON_HTTPS_PORT),
    ("no such host", Code.DNS_FAILURE),
    ("connection refused", Code.CONNECTION_REFUSED),
    ("tls handshake timeout", Code.READ_TIMEOUT),
    ("timeout", Code.READ_TIMEOUT),
    ("proxyconnect", Code.PROXY_ERROR),
    ("toomanyrequests", Code.RATE_LIMITED),
    ("incorrect username or password", Code.BAD_CREDENTIALS),
    ("unauthorized", Code.BAD_CREDENTIALS),
    ("401", Code.BAD_CREDENTIALS),
    ("denied", Code.BAD_CREDENTIALS),
)


def classify_message(message: str) -> Code:
    """Our code for a daemon login error (``tls_error`` when nothing matches)."""
    lowered = message.lower()
    for fragment, code in _DAEMON_MESSAGES:
        if fragment in lowered:
            return code
    return Code.REGISTRY_UNAVAILABLE


def login(target: Endpoint, payload: Mapping[str, str], timeout: float) -> tuple[bool, str]:
    """``POST /auth``: whether the daemon's login worked, and its verbatim message."""
    status, body = call(target, "POST", "/auth", timeout=timeout, body=payload)
    message = ""
    if isinstance(body, dict):
        message = str(body.get("Status") or body.get("message") or "")
    return status == 200, message or f"HTTP {status}"


class LoginRun:
    """``POST /auth`` in the background, so the daemon logs in while we do."""

    def __init__(self, target: Endpoint, payload: Mapping[str, str], timeout: float) -> None:
        self._args = (target, dict(payload), timeout)
        self.result: tuple[bool, str] | None = None
        self.error: str | None = None
        self._thread = threading.Thread(target=self._run, name="docker-login", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        target, payload, timeout = self._args
        try:
            self.result = login(target, payload, timeout)
        except DaemonError as exc:
            self.error = str(exc)

    def wait(self, timeout: float) -> tuple[bool, str]:
        """The daemon's verdict; :class:`DaemonError` when it failed or took too long."""
        self._thread.join(timeout)
        if self.result is not None:
            return self.result
        raise DaemonError(self.error or f"no answer to POST /auth within {timeout:.1f} s")


__all__ = [
    "ALWAYS_INSECURE",
    "DaemonError",
    "DaemonInfo",
    "InfoFetch",
    "LoginRun",
    "call",
    "classify_message",
    "login",
    "parse_info",
]
