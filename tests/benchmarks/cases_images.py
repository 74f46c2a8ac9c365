"""debug-login IMAGE next to debug-login HOST (the login steps alone) on the same registry.

Targets, uploaded through the registry API (tests/support/oci.py): a healthy OCI index,
a missing tag (``manifest_unknown``), an arm64-only list (``platform_missing``), an
image whose config blob is gone (``blob_unknown``), manifests behind a proxy answering
429 (``rate_limited``), and a repository the token server will not grant
(``insufficient_scope``). Target: each IMAGE run at most 1.5x its HOST run. ``docker
pull`` of the same reference is timed too, as a figure, not a target. Processes that
fail by design run as ``sh -c '"$@" || true'`` (HOST runs too, to keep them alike)::

    .venv/bin/python -m tests.benchmarks.run --list | grep '^image: ' | sed 's/^/--only=/' \\
        | tr '\\n' '\\0' | xargs -0 .venv/bin/python -m tests.benchmarks.run --runs 11
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
from dataclasses import dataclass

from tests.benchmarks.cases import BenchContext, Command, case
from tests.support.oci import Uploader
from tests.support.registry import start_registry
from tests.support.throttle import throttled
from tests.support.token_server import start_token_registry, start_token_server

USER, PASSWORD = "alice", "image-bench-password"
_ALLOW_FAILURE = ["sh", "-c", '"$@" >/dev/null 2>&1 || true', "sh"]


@dataclass(frozen=True)
class Target:
    """Where a reference lives: its registry host, the reference, the credentials."""

    host: str
    reference: str
    user: str
    password: str


_targets: dict[int, dict[str, Target]] = {}


def _setup(ctx: BenchContext) -> dict[str, Target]:
    """One image registry, one token registry and one throttling proxy per run."""
    if id(ctx) in _targets:
        return _targets[id(ctx)]
    registry = ctx.stack.enter_context(
        start_registry(ctx.tmp / "image-registry", users={USER: PASSWORD})
    )
    upload = Uploader(registry.url, USER, PASSWORD)
    upload.index("multi/oci", "1", ["amd64", "arm64"], oci=True)
    upload.index("arm/list", "1", ["arm64"], oci=False)
    broken = upload.image("broken/blob", "1", "amd64", oci=False)
    upload.delete_blob("broken/blob", broken.config_digest)
    proxy = ctx.stack.enter_context(throttled(registry.host))
    server = ctx.stack.enter_context(
        start_token_server(
            ctx.tmp / "image-token-server",
            users={"bob": PASSWORD, "admin": PASSWORD},
            pull={"bob": {"team/app"}},
            push={"admin": {"*"}},
        )
    )
    tokened = ctx.stack.enter_context(
        start_token_registry(ctx.tmp / "image-token-registry", server.bundle_path, server.realm)
    )
    Uploader(tokened.url, "admin", PASSWORD).index("secret/app", "1", ["amd64"], oci=True)
    host = registry.host
    _targets[id(ctx)] = {
        "healthy": Target(host, f"{host}/multi/oci:1", USER, PASSWORD),
        "manifest_unknown": Target(host, f"{host}/multi/oci:nope", USER, PASSWORD),
        "platform_missing": Target(host, f"{host}/arm/list:1", USER, PASSWORD),
        "blob_unknown": Target(host, f"{host}/broken/blob:1", USER, PASSWORD),
        "rate_limited": Target(proxy, f"{proxy}/multi/oci:1", USER, PASSWORD),
        "insufficient_scope": Target(tokened.host, f"{tokened.host}/secret/app:1", "bob", PASSWORD),
    }
    return _targets[id(ctx)]


def _debug_login(ctx: BenchContext, target: Target, what: str) -> Command:
    argv = [ctx.script("cs-registry"), "debug-login", what, "-u", target.user, "--password-stdin"]
    # a worktree puts its package first with PYTHONPATH: time that code, not the venv's
    extra = {"PYTHONPATH": os.environ["PYTHONPATH"]} if os.environ.get("PYTHONPATH") else {}
    env = ctx.env(**extra)
    return Command([*_ALLOW_FAILURE, *argv], env=env, stdin=target.password.encode())


def _docker_pull(ctx: BenchContext, target: Target) -> Command:
    """``docker pull`` with the credentials already in a scratch config (no login timed)."""
    config = ctx.fresh_dir(f"image-pull-{target.reference.replace('/', '_').replace(':', '_')}")
    auth = base64.b64encode(f"{target.user}:{target.password}".encode()).decode()
    (config / "config.json").write_text(json.dumps({"auths": {target.host: {"auth": auth}}}))

    def forget() -> None:  # a pulled image would make the next pull a no-op
        subprocess.run(
            ["docker", "image", "rm", "--force", target.reference],
            capture_output=True,
            timeout=60,
            check=False,
        )

    argv = ["docker", "--config", str(config), "pull", target.reference]
    return Command([*_ALLOW_FAILURE, *argv], env=ctx.env(), before_each=forget)


def _register(name: str) -> None:
    image, host, pull = f"image: {name}, IMAGE", f"image: {name}, HOST", f"image: {name}, docker"

    @case(image, baselines=(host, pull))
    def by_image(ctx: BenchContext) -> Command:
        target = _setup(ctx)[name]
        return _debug_login(ctx, target, target.reference)

    @case(host)
    def by_host(ctx: BenchContext) -> Command:
        target = _setup(ctx)[name]
        return _debug_login(ctx, target, target.host)

    @case(pull)
    def by_docker(ctx: BenchContext) -> Command:
        return _docker_pull(ctx, _setup(ctx)[name])


for _name in (
    "healthy",
    "manifest_unknown",
    "platform_missing",
    "blob_unknown",
    "rate_limited",
    "insufficient_scope",
):
    _register(_name)
