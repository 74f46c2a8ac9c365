"""What the steps share while a diagnosis runs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from cs_registry.diagnosis import Code
from cs_registry.engine import Endpoint as EngineEndpoint
from cs_registry.probe.challenge import Challenge
from cs_registry.probe.credentials import CredentialRequest, Credentials
from cs_registry.probe.daemon_api import InfoFetch, LoginRun
from cs_registry.probe.proxy import Proxy, ProxySettings
from cs_registry.probe.report import Budget
from cs_registry.probe.sockets import Address
from cs_registry.probe.transport import Endpoint, Response
from cs_registry.references import Reference
from cs_registry.servers import Server

#: server ``Date`` farther than this from our clock is worth a warning
SKEW_LIMIT_S = 60.0


@dataclass(frozen=True)
class ProbeOptions:
    """What to diagnose and how (built by the command from its flags)."""

    server: str
    credentials: CredentialRequest = field(default_factory=CredentialRequest)
    repository: str | None = None
    ca_file: Path | None = None
    allow_realms: tuple[str, ...] = ()
    timeout: float = 10.0
    config_dir: Path | None = None
    certs_d: Path | None = None
    #: run the ``docker`` and ``config`` steps (``login --verify`` turns them off)
    docker_side: bool = True
    #: an image to check after the login (``debug-login IMAGE``): adds the image steps
    image: Reference | None = None
    #: with ``image``: the daemon pulls it (the ``docker`` step), not only logs in
    pull: bool = False
    #: with ``image``: ``os/arch[/variant]`` to ask for instead of the daemon's own
    platform: str | None = None


@dataclass
class State:
    """Filled in step by step; later steps read what earlier ones found."""

    options: ProbeOptions
    environ: Mapping[str, str] = field(repr=False)  # the whole environment: never in a repr
    stdin: TextIO
    clock: Callable[[], float]
    budget: Budget
    config_dir: Path
    #: the Docker daemon the docker CLI would use (engine.endpoint)
    engine: EngineEndpoint | None = None
    daemon: InfoFetch | None = None
    daemon_login: LoginRun | None = None
    #: credentials given by the caller (``login --verify``): no lookup
    preset: Credentials | None = None
    server: Server | None = None
    credentials: Credentials | None = None
    port: int = 443
    addresses: list[Address] = field(default_factory=list)
    proxy_settings: ProxySettings | None = None
    #: the proxy HTTPS requests to the registry go through, if any
    proxy: Proxy | None = None
    insecure: str | None = None
    endpoint: Endpoint | None = None
    ping: Response | None = None
    challenges: list[Challenge] = field(default_factory=list)
    challenge: Challenge | None = None
    skew_s: float | None = None
    token: str | None = None
    realm_refused: str | None = None
    #: what the ECR key swap said, for the auth step's detail
    swap_note: str | None = None
    authenticated: bool | None = None
    #: the ``Authorization`` header for pulling the image's repository (``None``: anonymous)
    pull_authorization: str | None = None
    #: what the image steps found: the top manifest, then the chosen image manifest
    manifest: dict[str, Any] | None = None
    manifest_type: str = ""
    image_manifest: dict[str, Any] | None = None
    #: the registry and image steps' verdict, set before the Docker-side steps run
    verdict: Code | None = None
    trace: list[str] = field(default_factory=list)

    @property
    def hostname(self) -> str:
        assert self.server is not None
        return self.server.hostname

    def record(self, lines: list[str]) -> None:
        self.trace.extend(lines)


__all__ = ["SKEW_LIMIT_S", "ProbeOptions", "State"]
