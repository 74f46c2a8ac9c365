"""``docker_view.resolve`` against the real docker CLI: does ``docker pull`` authenticate?

For each config shape, our answer ("Docker will authenticate") must match what the
real CLI does. Shapes for a loopback registry are pulled for real through the daemon
(htpasswd: a pull without credentials is refused, with them it works). Docker Hub
shapes cannot reach Docker Hub from here, so the real CLI pulls through a recording
daemon on a unix socket that keeps the ``X-Registry-Auth`` header the CLI sends:
that header is exactly the CLI's credential lookup.

Both CLIs on the test bed are asked: the current one (``/usr/local/bin/docker`` when
present) and Debian's 20.10 (``/usr/bin/docker``).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socketserver
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from cs_registry.docker_verdict import ask, assess
from cs_registry.docker_view import DockerView, HelperAnswer, resolve
from cs_registry.servers import DOCKER_HUB_KEY
from tests.support.images import remove_image
from tests.support.registry import Registry
from tests.support.require import missing

pytestmark = pytest.mark.integration

TEST_REPOSITORY = "test/tiny"
TEST_TAG = "1"
_HELPER_TEMPLATES = {
    # answers with the registry's real credentials
    "good": "#!/bin/sh\nread _\n"
    + """printf '%s' '{"ServerURL":"x","Username":"USER","Secret":"PASS"}'\n""",
    # exists but fails, as a locked keychain does
    "fail": '#!/bin/sh\necho "keychain locked" >&2\nexit 1\n',
    # Docker's own "no credentials" answer
    "nf": '#!/bin/sh\necho "credentials not found in native keychain"\nexit 1\n',
}
_ANSWERS = {
    "good": HelperAnswer.CREDENTIALS,
    "fail": HelperAnswer.FAILED,
    "nf": HelperAnswer.NOT_FOUND,
}


def _clis() -> list[str]:
    found = [cli for cli in ("/usr/local/bin/docker", "/usr/bin/docker") if os.access(cli, os.X_OK)]
    if not found:
        missing("the docker CLI")
    return found


@dataclass
class Bed:
    """A registry, a folder of fake credential helpers and the pieces of an entry."""

    registry: Registry
    bin_dir: Path
    good: str  # base64 "user:password" that the registry accepts

    @property
    def key(self) -> str:
        return self.registry.host

    def which(self, program: str) -> str | None:
        return shutil.which(program, path=str(self.bin_dir))


@pytest.fixture(scope="module")
def bed(registry_plain: Registry, tmp_path_factory: pytest.TempPathFactory) -> Bed:
    assert registry_plain.username is not None
    assert registry_plain.password is not None
    bin_dir = tmp_path_factory.mktemp("helpers")
    for name, template in _HELPER_TEMPLATES.items():
        script = bin_dir / f"docker-credential-{name}"
        body = template.replace("USER", registry_plain.username)
        script.write_text(body.replace("PASS", registry_plain.password))
        script.chmod(0o755)
    raw = f"{registry_plain.username}:{registry_plain.password}".encode()
    return Bed(registry_plain, bin_dir, base64.b64encode(raw).decode())


def _shapes(bed: Bed) -> dict[str, dict[str, Any]]:
    host, good = bed.key, {"auth": bed.good}
    user, password = bed.registry.username, bed.registry.password
    no_colon = {"auth": base64.b64encode(b"no-colon-here").decode()}
    return {
        "auths exact key": {"auths": {host: good}},
        "auths https:// key": {"auths": {f"https://{host}": good}},
        "auths key with scheme and path": {"auths": {f"http://{host}/v2/": good}},
        "auths username/password fields": {
            "auths": {host: {"username": user, "password": password}}
        },
        "auths empty auth": {"auths": {host: {"auth": ""}}},
        "auths undecodable entry": {"auths": {host: no_colon}},
        "auths for another host only": {"auths": {"other.example:5000": good}},
        "credHelpers installed": {"credHelpers": {host: "good"}},
        "credHelpers installed over a stale auths entry": {
            "auths": {host: {"auth": base64.b64encode(b"x:y").decode()}},
            "credHelpers": {host: "good"},
        },
        "credHelpers missing, auths entry": {"auths": {host: good}, "credHelpers": {host: "gone"}},
        "credHelpers missing, no entry": {"credHelpers": {host: "gone"}},
        "credHelpers failing, auths entry": {"auths": {host: good}, "credHelpers": {host: "fail"}},
        "credHelpers failing, no entry": {"credHelpers": {host: "fail"}},
        "credHelpers not found, auths entry": {"auths": {host: good}, "credHelpers": {host: "nf"}},
        "credHelpers empty name beats credsStore": {
            "auths": {host: good},
            "credHelpers": {host: ""},
            "credsStore": "gone",
        },
        "credHelpers for another host only": {
            "auths": {host: good},
            "credHelpers": {"other.example:5000": "gone"},
        },
        "credsStore installed": {"credsStore": "good"},
        "credsStore missing, auths entry": {"auths": {host: good}, "credsStore": "gone"},
        "credsStore missing, no entry": {"credsStore": "gone"},
        "credsStore failing, auths entry": {"auths": {host: good}, "credsStore": "fail"},
        "credsStore not found, auths entry": {"auths": {host: good}, "credsStore": "nf"},
        "credsStore missing, credHelpers installed": {
            "credsStore": "gone",
            "credHelpers": {host: "good"},
        },
    }


def _helper_answer(view: DockerView) -> HelperAnswer | None:
    if view.helper is None or view.helper_path is None:
        return None
    return _ANSWERS[view.helper]


def _pull(cli: str, config: Path, reference: str, env: dict[str, str]) -> bool:
    remove_image(reference)  # the pull must fetch it through the registry
    done = subprocess.run(
        [cli, "--config", str(config), "pull", "-q", reference],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    remove_image(reference)
    if done.returncode == 0:
        return True
    refusal = ("no basic auth credentials", "unauthorized", "authentication required")
    assert any(word in done.stderr for word in refusal), done.stderr
    return False


def test_the_table_has_at_least_twenty_shapes(bed: Bed) -> None:
    assert len(_shapes(bed)) + len(_HUB_SHAPES) >= 20


@pytest.mark.parametrize("cli", _clis())
def test_our_answer_matches_docker_pull_for_every_shape(cli: str, bed: Bed, tmp_path: Path) -> None:
    reference = f"{bed.key}/{TEST_REPOSITORY}:{TEST_TAG}"
    env = {"PATH": f"{bed.bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)}
    disagreements = []
    for name, shape in _shapes(bed).items():
        config = tmp_path / name.replace(" ", "-").replace("/", "_")
        config.mkdir()
        (config / "config.json").write_text(json.dumps(shape))
        view = resolve(shape, bed.key, bed.which)
        ours = view.pull_authenticates(_helper_answer(view))
        assert ours is not None, f"{name}: our answer is unknown"
        pulled = _pull(cli, config, reference, env)
        if ours != pulled:
            disagreements.append(f"{name}: we say {ours}, docker pull {pulled} ({view})")
    assert not disagreements, "\n".join(disagreements)


# --- Docker Hub, through a recording daemon ----------------------------------------

_HUB_SHAPES: dict[str, dict[str, Any]] = {
    "hub under its key": {"auths": {DOCKER_HUB_KEY: {"auth": "aHViOnB3"}}},
    "hub under docker.io": {"auths": {"docker.io": {"auth": "aHViOnB3"}}},
    "hub under index.docker.io": {"auths": {"index.docker.io": {"auth": "aHViOnB3"}}},
    "hub under https://index.docker.io": {
        "auths": {"https://index.docker.io": {"auth": "aHViOnB3"}}
    },
    "hub under registry-1.docker.io": {"auths": {"registry-1.docker.io": {"auth": "aHViOnB3"}}},
    "hub under its key and an alias": {
        "auths": {DOCKER_HUB_KEY: {"auth": "aHViOnB3"}, "docker.io": {"auth": "eDp5"}}
    },
}


class _Recorder(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    seen: list[str]


class _Handler(BaseHTTPRequestHandler):
    server: _Recorder

    def log_message(self, *_args: object) -> None:
        pass

    def _answer(self, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(200)
        self.send_header("Api-Version", "1.41")
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        self._answer(b"OK", "text/plain")

    def do_GET(self) -> None:
        if self.path.endswith("/_ping"):
            self._answer(b"OK", "text/plain")
        else:
            self._answer(b'{"Version": "20.10.24", "ApiVersion": "1.41", "Os": "linux"}')

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if "/images/create" in self.path:
            self.server.seen.append(self.headers.get("X-Registry-Auth", ""))
        self._answer(b'{"status":"Status: Image is up to date"}\n')


@contextmanager
def _recording_daemon(socket_path: Path) -> Iterator[_Recorder]:
    server = _Recorder(str(socket_path), _Handler)
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _sent_credentials(header: str) -> bool:
    if not header:
        return False
    padded = header + "=" * (-len(header) % 4)
    sent = json.loads(base64.urlsafe_b64decode(padded) or b"{}")
    return bool(sent.get("username") or sent.get("password") or sent.get("identitytoken"))


@pytest.mark.parametrize("cli", _clis())
@pytest.mark.parametrize("name", list(_HUB_SHAPES))
def test_our_answer_matches_the_cli_for_docker_hub(cli: str, name: str, tmp_path: Path) -> None:
    shape = _HUB_SHAPES[name]
    (tmp_path / "config.json").write_text(json.dumps(shape))
    view = resolve(shape, DOCKER_HUB_KEY, lambda _program: None)
    with _recording_daemon(tmp_path / "docker.sock") as daemon:
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "DOCKER_HOST": f"unix://{tmp_path / 'docker.sock'}",
        }
        done = subprocess.run(
            [cli, "--config", str(tmp_path), "pull", "-q", "cs-registry-test/none:1"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert daemon.seen, done.stderr
    assert view.pull_authenticates() == _sent_credentials(daemon.seen[0]), view


# --- login, doctor and debug-login give the one answer ------------------------------


def _command(argv: list[str], env: dict[str, str], stdin: str = "") -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "cs_registry", *argv],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    return document


def test_login_doctor_and_debug_login_give_the_same_code_for_every_shape(
    bed: Bed, tmp_path: Path
) -> None:
    assert bed.registry.username is not None
    assert bed.registry.password is not None
    passed = {name: os.environ[name] for name in ("PYTHONPATH",) if name in os.environ}
    disagreements = []
    for name, shape in _shapes(bed).items():
        config = tmp_path / name.replace(" ", "-").replace("/", "_")
        config.mkdir()
        (config / "config.json").write_text(json.dumps(shape))
        env = {
            **passed,
            "PATH": f"{bed.bin_dir}:{os.environ['PATH']}",
            "HOME": str(tmp_path),
            "DOCKER_CONFIG": str(config),
            "XDG_CACHE_HOME": str(tmp_path / "cache"),
            "CS_REGISTRY_CODESPACES_ENV_FILE": str(tmp_path / "none.json"),
            "REG_CONTAINER_REGISTRY_SERVER": bed.key,
            "REG_CONTAINER_REGISTRY_USER": bed.registry.username,
            "REG_CONTAINER_REGISTRY_PASSWORD": bed.registry.password,
        }
        view = resolve(shape, bed.key, bed.which)
        expected = assess(view, ask(view, env, 5.0)).code.value
        doctor = _command(["doctor", "--json"], env)
        [entry] = [c for c in doctor["checks"] if c["id"] == f"entry:{bed.key}"]
        probe = _command(
            ["debug-login", bed.key, "-u", bed.registry.username, "--password-stdin", "--json"],
            env,
            stdin=bed.registry.password,
        )
        [step] = [s for s in probe["steps"] if s["name"] == "config"]
        said = {"doctor": entry["code"], "debug-login": step["code"]}
        if view.helper is not None and view.helper_path is None:
            login = _command(["login", "--dry-run", "--json"], env)
            said["login"] = login["registries"][0]["code"]
        if set(said.values()) != {expected}:
            disagreements.append(f"{name}: expected {expected}, got {said}")
    assert not disagreements, "\n".join(disagreements)
