"""debug-login IMAGE against a real registry, judged against a real ``docker pull``.

The images are uploaded through the registry API (tests/support/oci.py): an OCI
index and a Docker manifest list (linux/amd64 + linux/arm64), a list holding arm64
only, a single-platform arm64 image, an image whose config blob was deleted. For each
reference our diagnosis and ``docker pull`` must agree on success or failure, and our
code must name the cause docker's own message gives.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cs_registry.main import main
from tests.integration.debug_login.conftest import Run
from tests.support.captured import MakeCtx
from tests.support.images import docker_pull, remove_image
from tests.support.oci import Uploader
from tests.support.registry import Registry, start_registry
from tests.support.throttle import RETRY_AFTER, throttled

USER = "alice"
MISSING_DIGEST = "sha256:" + "0" * 64


@dataclass
class ImageRegistry:
    """The registry, its password, and the digests of what was uploaded."""

    registry: Registry
    password: str
    index_digest: str


@pytest.fixture(scope="module")
def images(
    registry_image: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ImageRegistry]:
    password = secrets.token_urlsafe(18)
    directory = tmp_path_factory.mktemp("image-registry")
    with start_registry(directory, users={USER: password}) as registry:
        upload = Uploader(registry.url, USER, password)
        index = upload.index("multi/oci", "1", ["amd64", "arm64"], oci=True)
        upload.index("multi/list", "1", ["amd64", "arm64"], oci=False)
        upload.index("arm/list", "1", ["arm64"], oci=False)
        upload.image("single/arm64", "1", "arm64", oci=False, variant="v8")
        broken = upload.image("broken/blob", "1", "amd64", oci=False)
        upload.delete_blob("broken/blob", broken.config_digest)
        upload.feature("features/demo", "1")
        yield ImageRegistry(registry, password, index.digest)


#: (reference under the registry, --platform, our code, what docker pull says)
CASES = [
    ("multi/oci:1", None, "ok", None),
    ("multi/list:1", None, "ok", None),
    ("multi/oci:1", "linux/arm64", "ok", None),
    ("single/arm64:1", None, "ok", None),
    ("multi/list:1", "linux/s390x", "platform_missing", "no matching manifest for linux/s390x"),
    ("arm/list:1", None, "platform_missing", "no matching manifest for linux/amd64"),
    ("multi/oci:nope", None, "manifest_unknown", "manifest unknown"),
    (f"multi/oci@{MISSING_DIGEST}", None, "manifest_unknown", "manifest unknown"),
    ("nosuch/app:1", None, "manifest_unknown", "manifest unknown"),
    ("broken/blob:1", None, "blob_unknown", "unknown blob"),
]


@pytest.mark.parametrize(("path", "platform", "code", "docker_says"), CASES)
def test_diagnosis_agrees_with_docker_pull(
    debug_login: Run,
    images: ImageRegistry,
    path: str,
    platform: str | None,
    code: str,
    docker_says: str | None,
) -> None:
    reference = f"{images.registry.host}/{path}"
    extra = ("--platform", platform) if platform else ()
    outcome = debug_login(reference, "-u", USER, "--password-stdin", *extra, stdin=images.password)
    pulled, message, _ = docker_pull(
        reference, username=USER, password=images.password, platform=platform
    )
    assert outcome.document["ok"] is pulled, (outcome.document, message)
    assert outcome.code == code, outcome.document
    assert outcome.status == (0 if pulled else 1)
    if docker_says is not None:
        assert docker_says in message


def test_pinned_digest_of_an_index_is_checked_and_pulls(
    debug_login: Run, images: ImageRegistry
) -> None:
    reference = f"{images.registry.host}/multi/oci:1@{images.index_digest}"
    outcome = debug_login(reference, "-u", USER, "--password-stdin", stdin=images.password)
    pulled, message, _ = docker_pull(reference, username=USER, password=images.password)
    assert outcome.code == "ok"
    assert pulled, message
    assert outcome.document["image"] == reference
    assert "linux/amd64, linux/arm64/v8" in outcome.step("platform")["detail"]


def test_image_json_keeps_the_contract_and_names_the_new_steps(
    debug_login: Run, images: ImageRegistry
) -> None:
    reference = f"{images.registry.host}/multi/list:1"
    outcome = debug_login(reference, "-u", USER, "--password-stdin", stdin=images.password)
    document = outcome.document
    assert list(document) == ["server", "image", "ok", "steps", "diagnosis"]
    assert document["server"] == images.registry.host
    assert [s["name"] for s in document["steps"]] == [
        "input", "dns", "tcp", "tls", "ping", "challenge", "auth", "scope",
        "manifest", "platform", "blob", "docker", "config",
    ]  # fmt: skip
    assert "manifest list" in outcome.step("manifest")["detail"]
    assert outcome.step("docker")["detail"] == "the daemon says 'Login Succeeded'"


def test_checklist_says_the_login_works_and_the_pull_does_not(
    make_ctx: MakeCtx, images: ImageRegistry
) -> None:
    reference = f"{images.registry.host}/arm/list:1"
    ctx = make_ctx(stdin=images.password)
    status = main(["debug-login", reference, "-u", USER, "--password-stdin"], ctx)
    out = ctx.stdout.getvalue()
    assert status == 1
    assert out.startswith(f"debug-login {reference}\n")
    assert (
        f"Diagnosis: platform_missing (docker login would succeed, pulling {reference} would not)"
    ) in out
    assert "it holds linux/arm64/v8" in out


def test_single_platform_image_of_another_platform_is_a_warning(
    debug_login: Run, images: ImageRegistry
) -> None:
    outcome = debug_login(
        f"{images.registry.host}/single/arm64:1",
        "-u",
        USER,
        "--password-stdin",
        stdin=images.password,
    )
    platform = outcome.step("platform")
    assert platform["status"] == "warn"
    assert "linux/arm64/v8, not linux/amd64" in platform["detail"]


def test_anonymous_pull_from_a_basic_registry(debug_login: Run, images: ImageRegistry) -> None:
    reference = f"{images.registry.host}/multi/oci:1"
    outcome = debug_login(reference)
    pulled, message, _ = docker_pull(reference)
    assert not pulled
    assert "no basic auth credentials" in message
    assert outcome.code == "missing_credentials"
    assert outcome.status == 1


def test_rate_limited_manifests(debug_login: Run, images: ImageRegistry) -> None:
    with throttled(images.registry.host) as proxy:
        reference = f"{proxy}/multi/oci:1"
        outcome = debug_login(reference, "-u", USER, "--password-stdin", stdin=images.password)
        pulled, message, _ = docker_pull(reference, username=USER, password=images.password)
    assert not pulled
    assert "toomanyrequests" in message
    assert outcome.code == "rate_limited"
    assert f"Retry-After: {RETRY_AFTER}" in outcome.step("manifest")["detail"]
    assert outcome.step("auth")["status"] == "ok"  # the login works; the pull does not


def test_rewritten_manifest_is_a_digest_mismatch(debug_login: Run, images: ImageRegistry) -> None:
    with throttled(images.registry.host, rewrite=True) as proxy:
        reference = f"{proxy}/multi/oci@{images.index_digest}"
        outcome = debug_login(reference, "-u", USER, "--password-stdin", stdin=images.password)
        pulled, message, _ = docker_pull(reference, username=USER, password=images.password)
    assert not pulled
    assert "digest" in message
    assert outcome.code == "digest_mismatch"
    assert outcome.step("manifest")["status"] == "fail"


def test_a_stalled_manifest_request_is_held_to_the_timeout(
    debug_login: Run, images: ImageRegistry
) -> None:
    with throttled(images.registry.host, stall=30) as proxy:
        started = time.monotonic()
        outcome = debug_login(
            f"{proxy}/multi/oci:1",
            "-u",
            USER,
            "--password-stdin",
            "--timeout",
            "2",
            stdin=images.password,
        )
        elapsed = time.monotonic() - started
    assert outcome.code == "read_timeout"
    assert outcome.step("manifest")["status"] == "fail"
    assert elapsed < 3.0  # --timeout 2, plus the documented second


@pytest.mark.parametrize(
    ("path", "code", "daemon_says"),
    [
        ("multi/list:1", "ok", None),
        ("arm/list:1", "platform_missing", "no matching manifest for linux/amd64"),
        ("broken/blob:1", "blob_unknown", "unknown blob"),
    ],
)
def test_pull_lets_the_daemon_pull_and_shows_its_words(
    debug_login: Run, images: ImageRegistry, path: str, code: str, daemon_says: str | None
) -> None:
    reference = f"{images.registry.host}/{path}"
    try:
        outcome = debug_login(
            reference, "-u", USER, "--password-stdin", "--pull", stdin=images.password
        )
    finally:
        remove_image(reference)
    docker = outcome.step("docker")
    assert outcome.code == code
    if daemon_says is None:
        assert docker["status"] == "ok"
        assert "pulled" in docker["detail"]
    else:
        assert docker["status"] == "fail"
        assert docker["code"] == code
        assert daemon_says in docker["detail"]


def _doctor_images(
    make_ctx: MakeCtx, workspace: Path, env: dict[str, str], *flags: str
) -> tuple[int, dict[str, dict[str, str]]]:
    ctx = make_ctx(env)
    status = main(["doctor", "--workspace", str(workspace), "--json", *flags], ctx)
    document = json.loads(ctx.stdout.getvalue())
    checks = {c["id"]: c for c in document["checks"] if c["id"].startswith("image:")}
    return status, checks


def test_doctor_images_checks_what_devcontainer_json_needs(
    make_ctx: MakeCtx, images: ImageRegistry, tmp_path: Path
) -> None:
    host = images.registry.host
    folder = tmp_path / ".devcontainer"
    folder.mkdir(parents=True)
    (folder / "Dockerfile").write_text(f"ARG TAG=1\nFROM {host}/arm/list:$TAG\n")
    (folder / "devcontainer.json").write_text(
        json.dumps(
            {
                "image": f"{host}/multi/oci:1",
                "build": {"dockerfile": "Dockerfile"},
                "features": {f"{host}/features/nosuch:1": {}, f"{host}/features/demo:1": {}},
            }
        )
    )
    env = {
        "REG_CONTAINER_REGISTRY_SERVER": host,
        "REG_CONTAINER_REGISTRY_USER": USER,
        "REG_CONTAINER_REGISTRY_PASSWORD": images.password,
    }
    status, checks = _doctor_images(make_ctx, tmp_path, env, "--images")
    good = checks[f"image:{host}/multi/oci:1"]
    assert good["status"] == "ok"
    assert "credentials: triplet REG" in good["message"]
    assert good["where"].endswith("devcontainer.json:1")
    assert checks[f"image:{host}/arm/list:1"]["code"] == "platform_missing"
    assert checks[f"image:{host}/features/nosuch:1"]["code"] == "manifest_unknown"
    assert checks[f"image:{host}/features/demo:1"]["status"] == "ok"  # an artifact, no platform
    assert status == 1

    # a prebuild gets no user secrets: without the triplet the private image fails, and
    # the remedy names the secret to add at repository or organization level
    status, checks = _doctor_images(make_ctx, tmp_path, {}, "--prebuild")
    bare = checks[f"image:{host}/multi/oci:1"]
    assert bare["status"] == "fail"
    assert "credentials: no triplet" in bare["message"]
    assert "REGISTRY_CONTAINER_REGISTRY_SERVER" in bare["remedy"]
    assert "organization" in bare["remedy"]
