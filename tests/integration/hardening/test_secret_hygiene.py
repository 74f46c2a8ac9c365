"""No secret escapes: every command, success and failure paths, with canary secrets.

Issue 7, suite 3. Each scenario runs real processes with unique canary values as
passwords, AWS secret keys and registry tokens, while a watcher polls every
process's command line. A canary may appear only where the product must put it
(Docker's config, as base64 ``auth``; the 0600 ECR token cache; a credential
helper's protocol answer on stdout) and never in stdout, stderr, a log file, an
exception text or any child's argv. Files holding a secret are 0600 in 0700
directories.
"""

from __future__ import annotations

import base64
import json
import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.hardening import cli, fake_ecr, raw_http
from tests.support import loopback_names

REPO = Path(__file__).resolve().parents[3]
_TOKEN_CACHE = ".cache/cs-registry/ecr/tokens/"
USER = "robot"


@dataclass
class Canaries:
    """The secrets of one test: none of them may leak."""

    password: str
    aws_secret: str
    token: str

    @property
    def all(self) -> list[str]:
        return [self.password, self.aws_secret, self.token]

    def forms(self) -> list[bytes]:
        """Each canary raw, and wrapped the ways our code encodes it."""
        found = []
        for value in self.all:
            found.append(value.encode())
            found.append(base64.b64encode(f"{USER}:{value}".encode()))
            found.append(base64.b64encode(f"AWS:{value}".encode()))
        return found


@pytest.fixture
def canaries() -> Canaries:
    return Canaries(cli.canary("PW"), cli.canary("AWS"), cli.canary("TOK"))


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "hygiene-home"
    path.mkdir(mode=0o700)
    return path


@pytest.fixture
def watcher(canaries: Canaries) -> Iterator[cli.CmdlineWatcher]:
    with cli.CmdlineWatcher(canaries.all) as watching:
        yield watching
    assert watching.hits == []
    assert watching.scans > 1


# -- the fakes the scenarios talk to ------------------------------------------------


def _basic_registry(password: str) -> raw_http.Behaviour:
    """A registry that takes ``USER``/``password`` with Basic auth."""

    def behaviour(req: raw_http.Request, conn: object, srv: raw_http.RawServer) -> None:
        assert hasattr(conn, "sendall")
        if req.basic == (USER, password):
            conn.sendall(raw_http.json_response("200 OK", {}))
            return
        # a careless registry that echoes what it was sent in its error
        sent = req.headers.get("authorization", "")
        conn.sendall(
            raw_http.json_response(
                "401 Unauthorized",
                {"errors": [{"code": "UNAUTHORIZED", "message": f"bad {sent} {req.basic}"}]},
                {"WWW-Authenticate": 'Basic realm="hygiene"'},
            )
        )

    return behaviour


def _token_registry(password: str, token: str) -> raw_http.Behaviour:
    """A registry with a Bearer token server on the same origin issuing ``token``."""

    def behaviour(req: raw_http.Request, conn: object, srv: raw_http.RawServer) -> None:
        assert hasattr(conn, "sendall")
        if req.path.startswith("/token"):
            if req.basic == (USER, password):
                conn.sendall(raw_http.json_response("200 OK", {"token": token, "expires_in": 300}))
            else:  # echoes the rejected credentials back, as some servers do
                conn.sendall(
                    raw_http.json_response("401 Unauthorized", {"details": f"rejected {req.basic}"})
                )
            return
        if req.headers.get("authorization") == f"Bearer {token}":
            conn.sendall(raw_http.json_response("200 OK", {}))
            return
        challenge = f'Bearer realm="http://{srv.host}/token",service="hygiene"'
        conn.sendall(
            raw_http.json_response(
                "401 Unauthorized",
                {"errors": [{"code": "UNAUTHORIZED"}]},
                {"WWW-Authenticate": challenge},
            )
        )

    return behaviour


_LEAKY_HELPER = """#!{python}
# docker-credential-leaky: echoes the secret it was given in its error, as a careless
# helper might; records its argv so the test can check nothing secret was passed there
import json, os, sys
action = sys.argv[1]
payload = sys.stdin.read()
with open(os.environ["LEAKY_LOG"], "a") as log:
    log.write(json.dumps(sys.argv) + "\\n")
if action == "get":
    print("credentials not found in native keychain")
    sys.exit(1)
if action == "store" and os.environ.get("LEAKY_FAIL"):
    print("cannot store " + payload)
    sys.exit(1)
store = os.environ["LEAKY_STORE"]
with open(store, "a") as handle:
    handle.write(payload + "\\n")
"""


def _leaky_helper(home: Path) -> dict[str, str]:
    bin_dir = home / "bin"
    bin_dir.mkdir()
    script = bin_dir / "docker-credential-leaky"
    script.write_text(_LEAKY_HELPER.format(python=sys.executable))
    script.chmod(0o755)
    outside = home.parent / "leaky-store"  # the helper's own keychain: not ours to judge
    outside.mkdir(exist_ok=True)
    return {
        "PATH": f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "LEAKY_LOG": str(outside / "argv.log"),
        "LEAKY_STORE": str(outside / "store.txt"),
    }


# -- the check ------------------------------------------------------------------------


def _allowed_holder(home: Path, path: Path) -> bool:
    relative = path.relative_to(home).as_posix()
    return relative == ".docker/config.json" or relative.startswith(_TOKEN_CACHE)


def assert_clean(
    home: Path, canaries: Canaries, result: cli.Result, *, stdout_may_hold: str | None = None
) -> None:
    """No canary in the streams or in any file but the allowed holders (0600 in 0700)."""
    cli.assert_no_traceback(result)
    forms = canaries.forms()
    stdout = result.stdout
    if stdout_may_hold is not None:  # the helper's protocol answer carries the secret
        stdout = stdout.replace(stdout_may_hold.encode(), b"")
    for form in forms:
        assert form not in stdout, f"stdout leaks {form[:12]!r}: {result.out[-800:]}"
        assert form not in result.stderr, f"stderr leaks {form[:12]!r}: {result.err[-800:]}"
    for path in cli.files_under(home):
        content = path.read_bytes()
        leaked = [form for form in forms if form in content]
        if not leaked:
            continue
        assert _allowed_holder(home, path), f"{path} holds a secret"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700, path.parent
    for log in (home / ".cache" / "cs-registry").glob("*.log"):
        assert stat.S_IMODE(log.stat().st_mode) == 0o600, log
        assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700, log.parent


def _env(home: Path, **extra: str) -> dict[str, str]:
    return cli.base_env(home, PYTHONIOENCODING="utf-8:strict", **extra)


# -- the watcher itself ---------------------------------------------------------------


def test_the_watcher_sees_a_secret_in_a_short_lived_childs_argv(canaries: Canaries) -> None:
    import subprocess

    with cli.CmdlineWatcher([canaries.password]) as watching:
        # a credential helper called with the secret as an argument lives about this long
        subprocess.run(
            ["/bin/sh", "-c", "sleep 0.03", "helper", canaries.password], check=True, timeout=10
        )
    assert watching.hits
    assert canaries.password in watching.hits[0]


# -- login ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args", [["login"], ["login", "--json", "-v"], ["login", "--dry-run"], ["login", "--hook"]]
)
def test_login_success_keeps_the_password_in_docker_config_only(
    args: list[str], home: Path, canaries: Canaries, watcher: cli.CmdlineWatcher
) -> None:
    env = _env(home, **cli.triplet("OK", "ok.registry.test", USER, canaries.password))
    result = cli.run(args, env)
    assert result.returncode == 0, result.err
    assert_clean(home, canaries, result)
    if "--dry-run" not in args:
        document = json.loads((home / ".docker" / "config.json").read_bytes())
        assert document["auths"]["ok.registry.test"] == {"auth": cli.auth(USER, canaries.password)}
        assert stat.S_IMODE((home / ".docker").stat().st_mode) == 0o700


@pytest.mark.parametrize(
    ("case", "server", "password_suffix", "config", "status"),
    [
        ("malformed-server", "ftp://bad host", "", None, 1),
        ("control-char", "ok.registry.test", "\x01", None, 1),
        ("config-unreadable", "ok.registry.test", "", b'{"auths": [', 2),
        ("store-missing", "ok.registry.test", "", b'{"credsStore": "missing-xyz"}', 1),
    ],
)
@pytest.mark.parametrize("mode", [[], ["--json", "-v"], ["--hook"]])
def test_login_failures_never_show_the_password(
    case: str,
    server: str,
    password_suffix: str,
    config: bytes | None,
    status: int,
    mode: list[str],
    home: Path,
    canaries: Canaries,
    watcher: cli.CmdlineWatcher,
) -> None:
    if config is not None:
        (home / ".docker").mkdir(mode=0o700)
        (home / ".docker" / "config.json").write_bytes(config)
    env = _env(home, **cli.triplet("BAD", server, USER, canaries.password + password_suffix))
    result = cli.run(["login", *mode], env)
    assert result.returncode == (0 if "--hook" in mode else status), result.out + result.err
    assert_clean(home, canaries, result)


@pytest.mark.parametrize("fail", [False, True])
def test_login_through_a_credential_helper_passes_the_secret_on_stdin_only(
    fail: bool, home: Path, canaries: Canaries, watcher: cli.CmdlineWatcher
) -> None:
    (home / ".docker").mkdir(mode=0o700)
    (home / ".docker" / "config.json").write_text('{"credsStore": "leaky"}')
    extra = _leaky_helper(home)
    if fail:
        extra["LEAKY_FAIL"] = "1"
    env = _env(home, **extra, **cli.triplet("H", "helped.registry.test", USER, canaries.password))
    result = cli.run(["login", "--json"], env)
    assert result.returncode == (1 if fail else 0), result.out + result.err
    assert_clean(home, canaries, result)
    argv_log = Path(extra["LEAKY_LOG"]).read_text()
    assert "store" in argv_log
    assert canaries.password not in argv_log
    if not fail:
        assert canaries.password in Path(extra["LEAKY_STORE"]).read_text()


def test_login_verify_success_and_failure(
    home: Path, canaries: Canaries, watcher: cli.CmdlineWatcher
) -> None:
    with (
        raw_http.serve(_basic_registry(canaries.password)) as good,
        raw_http.serve(_token_registry(canaries.aws_secret, canaries.token)) as bad,
    ):
        env = _env(
            home,
            **cli.triplet("GOOD", good.host, USER, canaries.password),
            # right token server, wrong password: the server echoes both back
            **cli.triplet("BAD", bad.host, USER, canaries.password),
        )
        result = cli.run(["login", "--verify", "--json", "-v"], env, timeout=60)
    assert result.returncode == 1, result.out + result.err
    rows = {row["id"]: row for row in json.loads(result.stdout)["registries"]}
    assert rows["GOOD"]["verified"] is True
    assert rows["BAD"]["verified"] is False
    assert_clean(home, canaries, result)


def test_login_swaps_ecr_keys_without_leaking_key_or_token(
    home: Path, canaries: Canaries, watcher: cli.CmdlineWatcher
) -> None:
    with fake_ecr.serve(fake_ecr.FakeEcr(password=canaries.token)) as ecr:
        env = _env(
            home, **ecr.env(), **cli.triplet("ECR", fake_ecr.HOST, "AKIAHYGIENE0000000A", "x")
        )
        env["ECR_CONTAINER_REGISTRY_PASSWORD"] = canaries.aws_secret
        for args in (["login", "--json", "-v"], ["login", "--ecr-helper"]):
            result = cli.run(args, env, timeout=60)
            assert result.returncode == 0, result.out + result.err
            assert_clean(home, canaries, result)
        assert ecr.swaps >= 1


def test_login_ecr_failure_keeps_the_aws_secret(
    home: Path, canaries: Canaries, watcher: cli.CmdlineWatcher
) -> None:
    def reject(req: raw_http.Request, conn: object, srv: raw_http.RawServer) -> None:
        assert hasattr(conn, "sendall")
        conn.sendall(
            raw_http.json_response(
                "400 Bad Request",
                {
                    "__type": "UnrecognizedClientException",
                    "message": "The security token included in the request is invalid.",
                },
            )
        )

    with raw_http.serve(reject) as aws:
        env = _env(
            home,
            AWS_ENDPOINT_URL_ECR=aws.url,
            AWS_ENDPOINT_URL_STS=aws.url,
            AWS_EC2_METADATA_DISABLED="true",
            **cli.triplet("ECR", fake_ecr.HOST, "AKIAHYGIENE0000000A", canaries.aws_secret),
        )
        result = cli.run(["login", "--json", "-v"], env, timeout=60)
    assert result.returncode == 1, result.out + result.err
    assert "ecr_" in result.out
    assert_clean(home, canaries, result)


# -- debug-login ----------------------------------------------------------------------


@pytest.mark.parametrize("right", [True, False])
@pytest.mark.parametrize("auth", ["basic", "token"])
@pytest.mark.parametrize("source", ["stdin", "env", "docker-config"])
def test_debug_login_never_shows_password_or_token(
    right: bool,
    auth: str,
    source: str,
    home: Path,
    canaries: Canaries,
    watcher: cli.CmdlineWatcher,
) -> None:
    accepted = canaries.password if right else canaries.aws_secret
    behaviour = (
        _basic_registry(accepted) if auth == "basic" else _token_registry(accepted, canaries.token)
    )
    with raw_http.serve(behaviour) as registry:
        env = _env(home)
        args = ["debug-login", registry.host, "--timeout", "8"]
        stdin = b""
        if source == "stdin":
            args += ["-u", USER, "--password-stdin"]
            stdin = canaries.password.encode() + b"\n"
        elif source == "env":
            env.update(cli.triplet("DBG", registry.host, USER, canaries.password))
        else:
            (home / ".docker").mkdir(mode=0o700)
            (home / ".docker" / "config.json").write_text(
                json.dumps({"auths": {registry.host: {"auth": cli.auth(USER, canaries.password)}}})
            )
            (home / ".docker" / "config.json").chmod(0o600)
        for mode in ([], ["--json", "-v"]):
            result = cli.run([*args, *mode], env, stdin=stdin, timeout=60)
            assert result.returncode == (0 if right else 1), result.out + result.err
            assert_clean(home, canaries, result)


# -- doctor ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "config",
    [
        None,
        b'{"auths": {"ok.registry.test": {"auth": "AUTH"}}}',
        b'{"auths": {"ok.registry.test": {"auth": "AUTH", "password": "PASSWORD"}}, '
        b'"credsStore": "missing-xyz"}',
        b'{"auths": {"ok.registry.test": {"auth": "AUTH"}',
    ],
    ids=["no-config", "matching-entry", "store-missing", "unreadable"],
)
def test_doctor_reports_without_showing_secrets(
    config: bytes | None, home: Path, canaries: Canaries, watcher: cli.CmdlineWatcher
) -> None:
    if config is not None:
        (home / ".docker").mkdir(mode=0o700)
        text = config.replace(b"AUTH", cli.auth(USER, canaries.password).encode())
        text = text.replace(b"PASSWORD", canaries.token.encode())
        (home / ".docker" / "config.json").write_bytes(text)
        (home / ".docker" / "config.json").chmod(0o600)
    env = _env(
        home,
        **cli.triplet("OK", "ok.registry.test", USER, canaries.password),
        **cli.triplet("ECR", fake_ecr.HOST, "AKIAHYGIENE0000000A", canaries.aws_secret),
        AWS_ENDPOINT_URL_ECR="http://127.0.0.1:9",
        AWS_ENDPOINT_URL_STS="http://127.0.0.1:9",
    )
    for mode in ([], ["--json", "-v"], ["--hook"]):
        result = cli.run(["doctor", "--workspace", str(home), *mode], env, timeout=60)
        assert result.returncode in (0, 1), result.out + result.err
        assert_clean(home, canaries, result)


# -- the credential helper ------------------------------------------------------------


def test_helper_get_answers_the_token_on_stdout_only(
    home: Path, canaries: Canaries, watcher: cli.CmdlineWatcher
) -> None:
    with fake_ecr.serve(fake_ecr.FakeEcr(password=canaries.token)) as ecr:
        env = _env(
            home,
            **ecr.env(),
            **cli.triplet("ECR", fake_ecr.HOST, "AKIAHYGIENE0000000A", canaries.aws_secret),
        )
        for _ in range(2):  # a swap, then the cache
            result = cli.run(
                ["get"], env, name="docker-credential-cs-registry", stdin=fake_ecr.HOST.encode()
            )
            assert result.returncode == 0, result.out + result.err
            assert json.loads(result.stdout)["Secret"] == canaries.token
            assert_clean(home, canaries, result, stdout_may_hold=canaries.token)
    assert ecr.swaps == 1


def test_helper_failures_log_the_cause_without_the_secret(
    home: Path, canaries: Canaries, watcher: cli.CmdlineWatcher
) -> None:
    def reject(req: raw_http.Request, conn: object, srv: raw_http.RawServer) -> None:
        assert hasattr(conn, "sendall")
        conn.sendall(
            raw_http.json_response(
                "400 Bad Request",
                {"__type": "InvalidSignatureException", "message": "signature mismatch"},
            )
        )

    helper = "docker-credential-cs-registry"
    with raw_http.serve(reject) as aws:
        env = _env(
            home,
            AWS_ENDPOINT_URL_ECR=aws.url,
            AWS_ENDPOINT_URL_STS=aws.url,
            AWS_EC2_METADATA_DISABLED="true",
            **cli.triplet("ECR", fake_ecr.HOST, "AKIAHYGIENE0000000A", canaries.aws_secret),
            **cli.triplet("PLAIN", "plain.registry.test", USER, canaries.password),
        )
        failed = cli.run(["get"], env, name=helper, stdin=fake_ecr.HOST.encode(), timeout=60)
        assert failed.returncode == 1
        assert_clean(home, canaries, failed)
        assert (home / ".cache" / "cs-registry" / "credhelper.log").exists()
        stored = json.dumps({"ServerURL": "x.test", "Username": USER, "Secret": canaries.token})
        for action, stdin in (
            ("store", stored.encode()),
            ("store", b"{not json " + canaries.token.encode()),
            ("erase", b"plain.registry.test"),
            ("list", b""),
            ("get", b"unknown.registry.test"),
        ):
            result = cli.run([action], env, name=helper, stdin=stdin, timeout=60)
            assert_clean(home, canaries, result)
        plain = cli.run(["get"], env, name=helper, stdin=b"plain.registry.test")
        assert plain.returncode == 0
        assert_clean(home, canaries, plain, stdout_may_hold=canaries.password)


# -- the lifecycle hooks --------------------------------------------------------------


@pytest.mark.parametrize("hook", ["on-create", "post-create", "post-start"])
@pytest.mark.parametrize("healthy", [True, False])
def test_hooks_never_show_secrets(
    hook: str, healthy: bool, home: Path, canaries: Canaries, watcher: cli.CmdlineWatcher
) -> None:
    server = "ok.registry.test" if healthy else "bad host"
    env = _env(
        home,
        PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        **cli.triplet("HOOK", server, USER, canaries.password),
    )
    result = _run_hook(hook, env)
    assert result.returncode == 0, result.out + result.err
    assert_clean(home, canaries, result)
    if healthy and hook != "on-create":
        document = json.loads((home / ".docker" / "config.json").read_bytes())
        assert document["auths"][server] == {"auth": cli.auth(USER, canaries.password)}


def _run_hook(hook: str, env: dict[str, str]) -> cli.Result:
    import subprocess
    import time

    started = time.monotonic()
    done = subprocess.run(
        ["/bin/sh", str(REPO / "hooks" / hook)],
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
        cwd=env["HOME"],
    )
    return cli.Result(
        ["/bin/sh", hook], done.returncode, done.stdout, done.stderr, time.monotonic() - started
    )


# -- YAML settings --------------------------------------------------------------------


def test_settings_registries_and_ghcr_opt_in_keep_secrets_out(
    home: Path, canaries: Canaries, watcher: cli.CmdlineWatcher
) -> None:
    settings = home / ".config" / "cs-registry" / "config.yaml"
    settings.parent.mkdir(parents=True)
    settings.write_text(
        "ghcr_from_github_token: true\n"
        "registries:\n"
        "  - server: yaml.registry.test\n    user_env: YAML_USER\n    password_env: YAML_PW\n"
    )
    env = _env(
        home,
        YAML_USER=USER,
        YAML_PW=canaries.password,
        GITHUB_USER=USER,
        GITHUB_TOKEN=canaries.token,
    )
    for args in (["login"], ["login", "--json", "-v"], ["doctor", "--workspace", str(home)]):
        result = cli.run(args, env, timeout=60)
        assert result.returncode in (0, 1), result.out + result.err
        assert_clean(home, canaries, result)
    auths = json.loads((home / ".docker" / "config.json").read_bytes())["auths"]
    assert auths["yaml.registry.test"] == {"auth": cli.auth(USER, canaries.password)}
    assert auths["ghcr.io"] == {"auth": cli.auth(USER, canaries.token)}


@pytest.mark.parametrize("pasted", ["ghp_{hex}", "{canary}", "wJalr/{hex}+K7MDENG"])
def test_a_secret_pasted_where_a_variable_name_belongs_is_not_echoed(
    pasted: str, home: Path, canaries: Canaries, watcher: cli.CmdlineWatcher
) -> None:
    secret = pasted.format(hex=canaries.password.removeprefix("CANARYPW"), canary=canaries.password)
    settings = home / ".config" / "cs-registry" / "config.yaml"
    settings.parent.mkdir(parents=True)
    entry = f"  - server: yaml.registry.test\n    user_env: U\n    password_env: {secret}\n"
    settings.write_text("registries:\n" + entry)
    for args in (["login"], ["login", "--json"], ["doctor", "--workspace", str(home)]):
        result = cli.run(args, _env(home, U=USER), timeout=60)
        # login refuses the file (exit 2); doctor's settings check fails on it (exit 1)
        assert result.returncode == (2 if args[0] == "login" else 1), result.out + result.err
        for stream in (result.out, result.err):
            assert secret not in stream
            assert canaries.password.removeprefix("CANARYPW") not in stream
        cli.assert_no_traceback(result)


@pytest.mark.parametrize("swap_works", [True, False])
def test_debug_login_swapping_ecr_keys_keeps_key_and_token(
    swap_works: bool, home: Path, canaries: Canaries, watcher: cli.CmdlineWatcher
) -> None:
    def reject(req: raw_http.Request, conn: object, srv: raw_http.RawServer) -> None:
        assert hasattr(conn, "sendall")
        body = {"__type": "InvalidSignatureException", "message": "signature mismatch"}
        conn.sendall(raw_http.json_response("400 Bad Request", body))

    with (
        fake_ecr.serve(fake_ecr.FakeEcr(password=canaries.token)) as ecr,
        raw_http.serve(reject) as broken,
    ):
        aws = ecr.env() if swap_works else {"AWS_ENDPOINT_URL_ECR": broken.url}
        aws["AWS_EC2_METADATA_DISABLED"] = "true"
        env = loopback_names.child_env(
            _env(
                home,
                **aws,
                **cli.triplet("ECR", fake_ecr.HOST, "AKIAHYGIENE0000000A", canaries.aws_secret),
            )
        )
        for mode in ([], ["--json", "-v"]):
            result = cli.run(
                ["debug-login", fake_ecr.HOST, "--from-env", "ECR", "--timeout", "5", *mode],
                env,
                timeout=60,
            )
            assert result.returncode == 1, result.out + result.err  # the host does not resolve
            assert_clean(home, canaries, result)
        assert (ecr.swaps > 0) == swap_works
