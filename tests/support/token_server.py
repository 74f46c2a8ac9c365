"""A Docker token server (distribution's ``auth: token`` protocol) for tests.

It signs ES256 JWTs with a test key whose self-signed certificate is the
registry's ``rootcertbundle``; the token header carries the certificate in ``x5c``,
which distribution 2.8 verifies against that bundle. It records every request
(and its ``Authorization`` header) so tests can prove what a client sent.

:func:`start_token_registry` runs a real registry configured for it.
"""

from __future__ import annotations

import base64
import contextlib
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

from tests.support import registry as registry_support
from tests.support.fake_servers import QuietServer

ISSUER = "cs-registry-test-issuer"
SERVICE = "cs-registry-test-registry"
_BUNDLE_IN_CONTAINER = "/token/rootcertbundle.pem"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass
class Seen:
    """One request the token server received."""

    method: str
    path: str
    query: dict[str, list[str]]
    authorization: str | None


@dataclass
class TokenServer:
    """A running token server: its realm URL, users, pull (and push) rights and what it saw.

    ``pull[""]`` lists what anonymous clients may pull. ``retry_after``, when set, makes
    every token request with a scope answer 429 with that ``Retry-After``.
    """

    users: dict[str, str]
    pull: dict[str, set[str]]
    key: ec.EllipticCurvePrivateKey
    cert_der: bytes
    bundle_path: Path
    host: str = "127.0.0.1"
    port: int = 0
    seen: list[Seen] = field(default_factory=list)
    push: dict[str, set[str]] = field(default_factory=dict)
    retry_after: str | None = None

    @property
    def realm(self) -> str:
        return f"http://{self.host}:{self.port}/token"

    def sign(self, subject: str, access: list[dict[str, object]]) -> str:
        header = {"typ": "JWT", "alg": "ES256", "x5c": [base64.b64encode(self.cert_der).decode()]}
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "sub": subject,
            "aud": SERVICE,
            "exp": now + 300,
            "nbf": now - 10,
            "iat": now,
            "jti": uuid.uuid4().hex,
            "access": access,
        }
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        der = self.key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return f"{signing_input}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"

    def grant(self, user: str | None, scopes: list[str]) -> list[dict[str, object]]:
        access: list[dict[str, object]] = []
        for scope in scopes:
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            if kind != "repository" or not name:
                continue
            pushable = self.push.get(user or "", set())
            pullable = self.pull.get(user or "", set()) | pushable
            wanted = actions.split(",")
            granted = [
                action
                for action, allowed in (("pull", pullable), ("push", pushable))
                if action in wanted and (name in allowed or "*" in allowed)
            ]
            if granted:
                access.append({"type": "repository", "name": name, "actions": granted})
        return access


def _handler(server: TokenServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        timeout = 0.5  # a TLS hello carries no newline: give up on it fast

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _reply(self, status: int, document: dict[str, object]) -> None:
            body = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            authorization = self.headers.get("Authorization")
            server.seen.append(Seen("GET", parts.path, query, authorization))
            user: str | None = None
            if authorization:
                scheme, _, encoded = authorization.partition(" ")
                try:
                    name, _, password = base64.b64decode(encoded).decode().partition(":")
                except ValueError:
                    name, password = "", ""
                if scheme.lower() != "basic" or server.users.get(name) != password:
                    self._reply(401, {"details": "incorrect username or password"})
                    return
                user = name
            if server.retry_after is not None and query.get("scope"):
                self.send_response(429)
                self.send_header("Retry-After", server.retry_after)
                body = b'{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}'
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            token = server.sign(user or "", server.grant(user, query.get("scope", [])))
            issued = datetime.now(timezone.utc).isoformat()
            self._reply(
                200, {"token": token, "access_token": token, "expires_in": 300, "issued_at": issued}
            )

    return Handler


def _self_signed(key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cs-registry test token signer")])
    now = datetime.now(timezone.utc)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )


@contextlib.contextmanager
def start_token_server(
    tmp_dir: Path,
    *,
    users: dict[str, str],
    pull: dict[str, set[str]] | None = None,
    host: str = "127.0.0.1",
    push: dict[str, set[str]] | None = None,
) -> Iterator[TokenServer]:
    """Serve tokens on ``host`` (another loopback address plays "another host")."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _self_signed(key)
    bundle = tmp_dir / "rootcertbundle.pem"
    bundle.parent.mkdir(parents=True, exist_ok=True)
    bundle.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    bundle.chmod(0o644)
    server = TokenServer(
        users=users,
        pull=pull or {},
        key=key,
        cert_der=cert.public_bytes(serialization.Encoding.DER),
        bundle_path=bundle,
        host=host,
        push=push or {},
    )
    httpd = QuietServer((host, 0), _handler(server))
    server.port = int(httpd.server_address[1])
    thread = threading.Thread(
        target=httpd.serve_forever, args=(0.05,), name="token-server", daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()


def token_registry_env(realm: str) -> dict[str, str]:
    """``REGISTRY_*`` settings for ``auth: token`` pointing at ``realm``."""
    return {
        "REGISTRY_AUTH": "token",
        "REGISTRY_AUTH_TOKEN_REALM": realm,
        "REGISTRY_AUTH_TOKEN_SERVICE": SERVICE,
        "REGISTRY_AUTH_TOKEN_ISSUER": ISSUER,
        "REGISTRY_AUTH_TOKEN_ROOTCERTBUNDLE": _BUNDLE_IN_CONTAINER,
    }


@contextlib.contextmanager
def start_token_registry(
    tmp_dir: Path, bundle: Path, realm: str
) -> Iterator[registry_support.Registry]:
    """A real registry with ``auth: token`` trusting ``bundle`` and naming ``realm``.

    ``start_registry`` mounts no extra files, so this builds the container from the
    same pieces and adds the bundle mount.
    """
    for attempt in range(3):
        port = registry_support.free_port()
        name = f"cs-registry-test-token-{port}-{uuid.uuid4().hex[:8]}"
        container = registry_support._container(port, name, None, None, token_registry_env(realm))
        container.with_volume_mapping(str(bundle.resolve()), _BUNDLE_IN_CONTAINER, "ro")
        registry = registry_support.Registry(
            host=f"127.0.0.1:{port}",
            username=None,
            password=None,
            tls=False,
            ca_path=None,
            container_name=name,
        )
        try:
            container.start()
            registry_support._wait_ready(container, registry, registry_support.READY_TIMEOUT)
        except registry_support.RegistryStartError:
            container.stop()
            if attempt == 2:
                raise
            continue
        except BaseException:
            container.stop()
            raise
        try:
            yield registry
        finally:
            container.stop()
        return
