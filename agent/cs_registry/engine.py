"""The one Docker Engine client: which daemon answers, and one request to it.

The daemon is picked as the docker CLI picks it (``cli/command/cli.go``,
``cli/flags/options.go``, ``cli/context/docker/load.go``): ``DOCKER_HOST`` (with
``DOCKER_TLS_VERIFY`` / ``DOCKER_TLS`` and the ``ca.pem``/``cert.pem``/``key.pem`` of
``DOCKER_CERT_PATH``, else of Docker's config directory), else the context named by
``DOCKER_CONTEXT`` or the config's ``currentContext`` (its host, ``SkipTLSVerify`` and
its TLS material under ``contexts/tls/``), else ``/var/run/docker.sock``.

Plain ``unix://`` and ``tcp://`` endpoints are spoken to with a small ``http.client``
connection: cheap, bounded by a timeout, and every failure keeps its exact
``OSError``. TLS-protected TCP and ``ssh://`` go through docker-py (imported only
for such an endpoint), whose failures are turned into :class:`EngineUnreachable`
(an ``OSError``) so callers handle one kind of error.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cs_registry import files, jsontext
from cs_registry.errors import UsageError

DEFAULT_SOCKET = "/var/run/docker.sock"
#: the Engine's default TLS port, as docker-py and the CLI use it when none is given
DEFAULT_TLS_PORT = 2376
DEFAULT_TCP_PORT = 2375
_TLS_FILES = ("ca.pem", "cert.pem", "key.pem")
#: an Engine answer larger than this is cut (no call we make needs more)
ANSWER_LIMIT = 1 << 20


class EngineUnreachable(ConnectionError):
    """A TLS or ssh endpoint could not be reached; ``strerror`` says why."""


class UnixConnection(http.client.HTTPConnection):
    """``http.client`` over a unix socket."""

    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self._path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


@dataclass(frozen=True)
class Tls:
    """The TLS settings of a TCP endpoint; a file is ``None`` when it does not exist."""

    verify: bool
    ca: str | None = None
    cert: str | None = None
    key: str | None = None


@dataclass(frozen=True)
class Endpoint:
    """Where the daemon is, and how to speak to it.

    ``source`` says where the address came from (``DOCKER_HOST``, ``context NAME``,
    ``the default socket``) so messages can name it.
    """

    url: str
    source: str = "DOCKER_HOST"
    unix_path: str | None = None
    tcp: tuple[str, int] | None = None
    tls: Tls | None = None
    ssh: bool = False

    @property
    def plain(self) -> bool:
        """Spoken to with the small socket client (not TLS, not ssh)."""
        return self.tls is None and not self.ssh

    @property
    def where(self) -> str:
        """The address to name in a message: the socket path or the URL."""
        return self.unix_path or self.url

    def connection(self, timeout: float) -> http.client.HTTPConnection:
        """A new, not yet connected, plain connection (unix or TCP without TLS)."""
        if self.unix_path is not None:
            return UnixConnection(self.unix_path, timeout)
        assert self.tcp is not None
        return http.client.HTTPConnection(*self.tcp, timeout=timeout)


@dataclass(frozen=True)
class Answer:
    """One Engine API answer: status, headers (lower-case names) and body (capped)."""

    status: int
    headers: Mapping[str, str] = field(repr=False)
    body: bytes = field(repr=False)  # may echo what was sent

    def json(self) -> Any:
        """The body as JSON; ``{"message": text}`` when it is not JSON, ``None`` when empty."""
        if not self.body.strip():
            return None
        try:
            return jsontext.loads(self.body)
        except ValueError:
            return {"message": self.body.decode("utf-8", "replace").strip()}


# -- which daemon -------------------------------------------------------------------


def _read_json(path: Path, limit: int, what: str) -> Any:
    """The JSON in ``path``, or ``None`` when it is missing, unsafe or not JSON: the
    context only picks the daemon, and the config check reports the file itself."""
    try:
        raw = files.read_file(path, limit=limit, what=what)
        return jsontext.loads(raw) if raw is not None else None
    except (files.FileError, ValueError):
        return None


def context_name(environ: Mapping[str, str], config_dir: Path | None) -> str | None:
    """The active context (``DOCKER_CONTEXT``, else ``currentContext``); ``None``: default."""
    name = environ.get("DOCKER_CONTEXT")
    if not name and config_dir is not None:
        data = _read_json(config_dir / "config.json", files.CONFIG_LIMIT, "Docker config")
        name = data.get("currentContext") if isinstance(data, dict) else None
    if not isinstance(name, str) or name in ("", "default"):
        return None
    return name


def _context_endpoint(name: str, config_dir: Path) -> Endpoint | None:
    digest = hashlib.sha256(name.encode()).hexdigest()  # the CLI's layout of contexts
    meta = _read_json(
        config_dir / "contexts" / "meta" / digest / "meta.json",
        files.TEXT_LIMIT,
        "Docker context metadata",
    )
    try:
        docker = meta["Endpoints"]["docker"]
        host = docker["Host"]
    except (KeyError, TypeError):
        return None
    if not isinstance(host, str) or not host:
        return None
    tls_dir = config_dir / "contexts" / "tls" / digest / "docker"
    present = {name: str(tls_dir / name) for name in _TLS_FILES if (tls_dir / name).is_file()}
    skip_verify = bool(docker.get("SkipTLSVerify"))
    tls = None
    if present or skip_verify:
        tls = Tls(
            verify=not skip_verify,
            ca=present.get("ca.pem"),
            cert=present.get("cert.pem"),
            key=present.get("key.pem"),
        )
    return _parse(host, f"context {name!r}", tls)


def _environment_tls(environ: Mapping[str, str], config_dir: Path | None) -> Tls | None:
    verify = bool(environ.get("DOCKER_TLS_VERIFY"))
    if not verify and not environ.get("DOCKER_TLS"):
        return None
    cert_dir = environ.get("DOCKER_CERT_PATH") or (str(config_dir) if config_dir else "")
    present = {
        name: os.path.join(cert_dir, name)
        for name in _TLS_FILES
        if cert_dir and os.path.isfile(os.path.join(cert_dir, name))
    }
    return Tls(
        verify=verify,
        ca=present.get("ca.pem"),
        cert=present.get("cert.pem"),
        key=present.get("key.pem"),
    )


def _parse(raw: str, source: str, tls: Tls | None) -> Endpoint:
    try:
        parts = urlsplit(raw)
        port = parts.port  # parsed on access: a port out of range raises only here
    except ValueError as exc:
        raise UsageError(
            f"{source}={raw!r} is not a Docker daemon address ({exc}); use e.g. "
            f"unix://{DEFAULT_SOCKET} or tcp://127.0.0.1:{DEFAULT_TCP_PORT}"
        ) from None
    if parts.scheme == "unix":
        return Endpoint(raw, source, unix_path=parts.path or DEFAULT_SOCKET)
    if parts.scheme == "ssh" and parts.hostname:
        return Endpoint(raw, source, ssh=True)
    if parts.scheme in ("tcp", "http", "https") and parts.hostname:
        if parts.scheme == "https" and tls is None:
            tls = Tls(verify=True)
        default = DEFAULT_TLS_PORT if tls is not None else DEFAULT_TCP_PORT
        return Endpoint(raw, source, tcp=(parts.hostname, port or default), tls=tls)
    raise UsageError(
        f"{source}={raw!r}: cs-registry speaks to Docker over unix://, tcp:// (with or "
        "without TLS) and ssh://; npipe:// and fd:// are not available here"
    )


def endpoint(environ: Mapping[str, str], config_dir: Path | None = None) -> Endpoint:
    """The daemon the docker CLI would use with this environment and config directory.

    ``DOCKER_HOST`` beats a context, as in the CLI. An address that does not parse
    (``tcp://127.0.0.1:99999``, ``tcp://[::1``) is a :class:`UsageError` naming where
    it came from.
    """
    host = environ.get("DOCKER_HOST")
    if host:
        return _parse(host, "DOCKER_HOST", _environment_tls(environ, config_dir))
    name = context_name(environ, config_dir)
    if name is not None and config_dir is not None:
        found = _context_endpoint(name, config_dir)
        if found is not None:
            return found
    return Endpoint(f"unix://{DEFAULT_SOCKET}", "the default socket", unix_path=DEFAULT_SOCKET)


def daemon_url(environ: Mapping[str, str], config_dir: Path | None = None) -> str:
    """The address of the daemon :func:`endpoint` picks."""
    return endpoint(environ, config_dir).url


# -- one request --------------------------------------------------------------------


@dataclass(frozen=True)
class _Call:
    method: str
    path: str
    timeout: float
    body: bytes | None = field(repr=False)  # /auth carries a password
    headers: Mapping[str, str] = field(repr=False)  # X-Registry-Auth carries credentials
    limit: int = ANSWER_LIMIT


class Stream:
    """An Engine answer read as it arrives (``POST /images/create`` streams progress).

    Use as a ``with`` block; ``readline`` and ``read`` are capped by the caller.
    """

    def __init__(
        self, status: int, headers: Mapping[str, str], raw: Any, close: Callable[[], None]
    ) -> None:
        self.status = status
        self.headers = headers
        self._raw = raw
        self._close = close

    def readline(self, limit: int) -> bytes:
        return bytes(self._raw.readline(limit))

    def read(self, limit: int) -> bytes:
        return bytes(self._raw.read(limit))

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._close()


def open_stream(
    target: Endpoint,
    method: str,
    path: str,
    *,
    timeout: float,
    headers: Mapping[str, str] | None = None,
) -> Stream:
    """Start one Engine API call and hand back its answer unread (see :class:`Stream`).

    Raises as :func:`request` does.
    """
    sent = dict(headers or {})
    if target.plain:
        connection = target.connection(timeout)
        try:
            connection.request(method, path, headers=sent)
            answer = connection.getresponse()
        except BaseException:
            connection.close()
            raise
        found = {k.lower(): v for k, v in answer.getheaders()}
        return Stream(answer.status, found, answer, connection.close)
    call = _Call(method, path, timeout, None, sent)
    client, response = _docker_py_send(target, call)

    def close() -> None:
        response.close()
        client.close()

    found = {k.lower(): v for k, v in response.headers.items()}
    return Stream(response.status_code, found, response.raw, close)


def request(
    target: Endpoint,
    method: str,
    path: str,
    *,
    timeout: float,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    limit: int = ANSWER_LIMIT,
) -> Answer:
    """One Engine API call (``path`` unversioned: the daemon's own API version answers).

    Raises ``OSError`` when the daemon cannot be reached or stops answering within
    ``timeout`` (``TimeoutError``), and ``http.client.HTTPException`` when what
    answers does not speak HTTP.
    """
    sent = dict(headers or {})
    if body is not None:
        sent.setdefault("Content-Type", "application/json")
    call = _Call(method, path, timeout, body, sent, limit)
    return _plain(target, call) if target.plain else _docker_py(target, call)


def _plain(target: Endpoint, call: _Call) -> Answer:
    connection = target.connection(call.timeout)
    try:
        connection.request(call.method, call.path, body=call.body, headers=dict(call.headers))
        answer = connection.getresponse()
        data = answer.read(call.limit)
        return Answer(answer.status, {k.lower(): v for k, v in answer.getheaders()}, data)
    finally:
        connection.close()


def _docker_py(target: Endpoint, call: _Call) -> Answer:
    client, response = _docker_py_send(target, call)
    try:
        data = response.raw.read(call.limit, decode_content=True)
        return Answer(
            response.status_code, {k.lower(): v for k, v in response.headers.items()}, data
        )
    except OSError as exc:
        raise EngineUnreachable(f"{target.url}: {exc}") from None
    finally:
        response.close()
        client.close()


def _docker_py_send(target: Endpoint, call: _Call) -> tuple[Any, Any]:
    """Send ``call`` through docker-py; its client and the unread streamed response."""
    import requests  # docker-py's transport; imported only for TLS and ssh endpoints
    from docker import APIClient
    from docker.errors import DockerException
    from docker.tls import TLSConfig

    tls: TLSConfig | bool = False
    if target.tls is not None:
        client_cert = (
            (target.tls.cert, target.tls.key) if target.tls.cert and target.tls.key else None
        )
        verify: bool | str = target.tls.verify
        if target.tls.verify and target.tls.ca:
            verify = target.tls.ca
        tls = TLSConfig(client_cert=client_cert, ca_cert=target.tls.ca, verify=verify)
    try:
        client = APIClient(
            base_url=target.url,
            tls=tls,
            timeout=call.timeout,
            version="1.24",  # fixed: no /version round trip; paths we send are unversioned
            use_ssh_client=target.ssh,
        )
    except DockerException as exc:
        raise EngineUnreachable(f"{target.source}={target.url}: {exc}") from None
    try:
        response = client.request(
            call.method,
            client.base_url + call.path,
            data=call.body,
            headers=dict(call.headers),
            timeout=call.timeout,
            stream=True,
        )
    except requests.exceptions.Timeout:
        client.close()
        raise TimeoutError(f"{target.url} did not answer within {call.timeout:.1f} s") from None
    except requests.exceptions.SSLError as exc:
        client.close()
        raise EngineUnreachable(f"TLS with {target.url} failed: {_root_cause(exc)}") from None
    except (requests.exceptions.RequestException, DockerException) as exc:
        client.close()
        raise EngineUnreachable(f"{target.url}: {_root_cause(exc)}") from None
    return client, response


def _root_cause(exc: BaseException) -> str:
    """The innermost error's text: requests wraps urllib3, which wraps the ``OSError``."""
    seen = exc
    while seen.__context__ is not None and seen.__context__ is not seen:
        seen = seen.__context__
    cause = seen.args[0] if seen.args else seen
    return str(cause)
