"""debug-login through an HTTPS proxy, chosen the way docker login would choose it.

``registry.test`` does not resolve here; only the proxy knows it (it tunnels every
CONNECT to the registry on 127.0.0.1), which proves the traffic took the tunnel.
"""

from __future__ import annotations

from pathlib import Path

from tests.integration.debug_login.conftest import Run
from tests.support.ca import make_ca
from tests.support.fake_servers import closed_port, connect_proxy
from tests.support.registry import start_registry

USERS = {"alice": "proxied-password-1"}
NO_DAEMON = {"DOCKER_HOST": "unix:///nonexistent/docker.sock"}  # so the shell's proxy applies


def test_login_through_the_shells_proxy(
    debug_login: Run, docker_available: None, tmp_path: Path
) -> None:
    ca = make_ca(tmp_path / "ca")
    cert = ca.issue(tmp_path / "leaf", ["registry.test"])
    with start_registry(tmp_path / "registry", users=USERS, tls_cert=cert) as registry:
        port = int(registry.host.rsplit(":", 1)[1])
        with connect_proxy(port) as (proxy, heads):
            outcome = debug_login(
                f"registry.test:{port}",
                "-u",
                "alice",
                "--password-stdin",
                "--ca-file",
                str(ca.cert_path),
                stdin=USERS["alice"],
                env={**NO_DAEMON, "HTTPS_PROXY": f"http://{proxy}"},
            )
    assert outcome.code == "ok"
    assert outcome.step("tls")["status"] == "ok"  # verified through the tunnel
    assert f"this shell's HTTPS_PROXY {proxy}" in outcome.step("tcp")["detail"]
    assert heads
    assert all(head.startswith(f"CONNECT registry.test:{port} ") for head in heads)


def test_proxy_refusing_the_tunnel_is_proxy_error(debug_login: Run) -> None:
    with connect_proxy(closed_port(), status="407 Proxy Authentication Required") as (proxy, _):
        outcome = debug_login(
            "registry.test",
            "-u",
            "alice",
            "--password-stdin",
            stdin="pw",
            env={**NO_DAEMON, "HTTPS_PROXY": proxy},
        )
    assert outcome.code == "proxy_error"
    assert "407" in outcome.step("tcp")["detail"]


def test_proxy_that_is_not_there_is_proxy_error(debug_login: Run) -> None:
    outcome = debug_login(
        "registry.test",
        "-u",
        "alice",
        "--password-stdin",
        stdin="pw",
        env={**NO_DAEMON, "HTTPS_PROXY": f"http://127.0.0.1:{closed_port()}"},
    )
    assert outcome.code == "proxy_error"


def test_no_proxy_sends_the_registry_direct(debug_login: Run) -> None:
    outcome = debug_login(
        "registry.cs-registry-test.invalid",
        "-u",
        "alice",
        "--password-stdin",
        stdin="pw",
        env={
            **NO_DAEMON,
            "HTTPS_PROXY": f"http://127.0.0.1:{closed_port()}",
            "NO_PROXY": ".invalid",
        },
    )
    assert outcome.code == "dns_failure"  # not proxy_error: the proxy was bypassed
