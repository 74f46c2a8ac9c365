"""The image steps of ``debug-login IMAGE``: ``manifest`` → ``platform`` → ``blob``.

They ask what ``docker pull`` asks, with the same ``Accept`` list (moby's pull code):
the manifest by tag or digest (``HEAD`` first, which Docker Hub does not count against
its rate limit, then ``GET``), the image for the daemon's platform out of an index,
then the config blob. Nothing but manifests (and a single-platform image's small
config, which names its platform) is downloaded.
"""

from __future__ import annotations

import hashlib
from typing import Any

from cs_registry import jsontext
from cs_registry.diagnosis import Code
from cs_registry.probe import platforms
from cs_registry.probe.pullerrors import escape, refused, short
from cs_registry.probe.report import StepFailed
from cs_registry.probe.sockets import NetError
from cs_registry.probe.state import State
from cs_registry.probe.transport import Response, request
from cs_registry.references import Reference
from cs_registry.servers import Kind
from cs_registry.status import Status

Outcome = tuple[Status, Code, str]

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
#: what the daemon sends when it resolves a reference
ACCEPT = ", ".join((OCI_INDEX, DOCKER_LIST, DOCKER_MANIFEST, OCI_MANIFEST))
INDEX_TYPES = frozenset({OCI_INDEX, DOCKER_LIST})


def _image(state: State) -> Reference:
    assert state.options.image is not None
    return state.options.image


def _send(state: State, method: str, target: str, accept: str) -> Response:
    assert state.endpoint is not None
    headers = {"Accept": accept}
    if state.pull_authorization:
        headers["Authorization"] = state.pull_authorization
    try:
        response = request(
            state.endpoint,
            method,
            target,
            timeout=state.budget.timeout(8.0, 0.8),
            headers=headers,
        )
    except NetError as exc:
        state.record(exc.trace)
        raise StepFailed(exc.code, exc.detail) from None
    state.record(response.trace)
    return response


def rate_note(state: State, response: Response) -> str:
    """Docker Hub's pull allowance (``HEAD`` does not use it up)."""
    assert state.server is not None
    limit, left = response.header("ratelimit-limit"), response.header("ratelimit-remaining")
    if state.server.kind is not Kind.DOCKER_HUB or not (limit or left):
        return ""
    left, limit = escape(left or "?", 40), escape(limit or "?", 40)
    return f"; Docker Hub pull allowance: {left} left of {limit}"


def _document(response: Response, what: str) -> dict[str, Any]:
    if response.truncated:
        raise StepFailed(Code.NOT_A_REGISTRY, f"{what} is larger than we read; not a manifest")
    try:
        document = jsontext.loads(response.body)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise StepFailed(Code.NOT_A_REGISTRY, f"{what} is not a JSON manifest")
    return document


def _check_digest(expected: str | None, response: Response, what: str) -> str:
    """The content's digest; ``digest_mismatch`` when it is not the pinned or announced one."""
    actual = "sha256:" + hashlib.sha256(response.body).hexdigest()
    announced = response.header("Docker-Content-Digest")
    if expected and expected.startswith("sha256:") and actual != expected:
        raise StepFailed(
            Code.DIGEST_MISMATCH, f"{what}: asked for {short(expected)}, got {short(actual)}"
        )
    if announced and announced.startswith("sha256:") and announced != actual:
        raise StepFailed(
            Code.DIGEST_MISMATCH,
            f"{what}: Docker-Content-Digest says {short(announced)}, the content is "
            f"{short(actual)}",
        )
    return actual


def step_manifest(state: State) -> Outcome:
    """``HEAD`` then ``GET /v2/NAME/manifests/REF`` with Docker's ``Accept`` list."""
    image = _image(state)
    target = f"/v2/{image.path}/manifests/{image.target}"
    what = f"manifest {image.path}:{image.target}" if not image.digest else f"{image.path}@…"
    head = _send(state, "HEAD", target, ACCEPT)
    if head.status in (401, 403, 404):
        # a HEAD answer has no body: GET the error's code (NAME_UNKNOWN, DENIED, …)
        raise refused(state, _send(state, "GET", target, ACCEPT), what)
    if head.status != 200:
        raise refused(state, head, what)
    announced = head.header("Docker-Content-Digest")
    if image.digest and announced and announced != image.digest:
        raise StepFailed(
            Code.DIGEST_MISMATCH,
            f"{what}: the registry answers with {short(announced)}, not {short(image.digest)}",
        )
    note = rate_note(state, head)
    got = _send(state, "GET", target, ACCEPT)
    if got.status != 200:
        raise refused(state, got, what)
    digest = _check_digest(image.digest, got, what)
    document = _document(got, what)
    kind = escape((got.header("Content-Type") or "").split(";")[0].strip(), 100)
    state.manifest_type = kind or str(document.get("mediaType") or "")
    state.manifest = document
    if state.manifest_type in INDEX_TYPES:
        count = len(document.get("manifests") or [])
        label = "OCI image index" if state.manifest_type == OCI_INDEX else "manifest list"
        return Status.OK, Code.OK, f"{label} {short(digest)} with {count} entries{note}"
    state.image_manifest = document
    return Status.OK, Code.OK, f"{state.manifest_type or 'manifest'} {short(digest)}{note}"


def wanted_platform(state: State) -> tuple[platforms.Platform, str]:
    """What the pull asks for: ``--platform``, else the daemon's, else this machine's."""
    if state.options.platform:
        chosen = platforms.parse(state.options.platform)
        if chosen is not None:
            return chosen, "--platform"
    info = state.daemon.wait(state.budget.timeout(2.0, 0.3)) if state.daemon else None
    if info is not None and info.os_type and info.architecture:
        return platforms.normalise(info.os_type, info.architecture), "the daemon's"
    return platforms.this_machine(), "this machine's"


def step_platform(state: State) -> Outcome:
    """Pick the daemon's platform out of an index, as the daemon will."""
    image = _image(state)
    wanted, source = wanted_platform(state)
    if state.manifest_type not in INDEX_TYPES:
        return _single(state, wanted, source)
    assert state.manifest is not None
    entries = [e for e in state.manifest.get("manifests") or [] if isinstance(e, dict)]
    held = [(platforms.of_entry(e), e) for e in entries]
    match = next((e for p, e in held if p is not None and wanted.accepts(p)), None)
    listed = escape(", ".join(str(p) for p, _ in held if p is not None) or "no platforms")
    if match is None:
        raise StepFailed(
            Code.PLATFORM_MISSING,
            f"no {wanted} ({source} platform) in the index; it holds {listed}",
        )
    digest = str(match.get("digest") or "")
    if not digest.startswith("sha256:") or not digest[7:].isalnum():
        raise StepFailed(Code.NOT_A_REGISTRY, f"the index names a bad digest {escape(digest, 80)}")
    what = f"the {wanted} manifest {short(digest)}"
    got = _send(state, "GET", f"/v2/{image.path}/manifests/{digest}", ACCEPT)
    if got.status != 200:
        raise refused(state, got, what)
    _check_digest(digest, got, what)
    state.image_manifest = _document(got, what)
    return Status.OK, Code.OK, f"{wanted} ({source}) → {short(digest)}; the index holds {listed}"


def _single(state: State, wanted: platforms.Platform, source: str) -> Outcome:
    """A single image manifest: Docker pulls it whatever its platform; say which it is."""
    config = (state.image_manifest or {}).get("config")
    digest = str(config.get("digest") or "") if isinstance(config, dict) else ""
    # the size is the registry's word: text, a float beyond int (1e400) or NaN is no size
    size = config.get("size") if isinstance(config, dict) else None
    if not digest or not isinstance(size, int) or size > 64 * 1024:
        return Status.SKIP, Code.OK, "a single-platform image; its config is not read here"
    image = _image(state)
    got = _send(state, "GET", f"/v2/{image.path}/blobs/{digest}", "*/*")
    document: Any = None
    if got.status == 200:
        try:
            document = jsontext.loads(got.body)
        except ValueError:
            document = None
    if not isinstance(document, dict):
        return Status.SKIP, Code.OK, "a single-platform image; its config could not be read"
    if not document.get("os") or not document.get("architecture"):
        return Status.SKIP, Code.OK, "an artifact without a platform (a Dev Container Feature?)"
    held = platforms.normalise(
        str(document.get("os") or "?"),
        str(document.get("architecture") or "?"),
        str(document.get("variant") or ""),
    )
    named = escape(str(held), 80)
    if wanted.accepts(held) or (wanted.os, wanted.architecture) == (held.os, held.architecture):
        return Status.OK, Code.OK, f"a single-platform image for {named}, as {source} platform"
    return (
        Status.WARN,
        Code.OK,
        f"a single-platform image for {named}, not {wanted} ({source}): docker pull accepts "
        "it, but running it needs emulation",
    )


def step_blob(state: State) -> Outcome:
    """``HEAD`` of the chosen image's config blob: the first blob a pull fetches."""
    image = _image(state)
    config = (state.image_manifest or {}).get("config")
    if not isinstance(config, dict) or not config.get("digest"):
        raise StepFailed(Code.NOT_A_REGISTRY, "the image manifest names no config blob")
    digest = str(config["digest"])
    layers = len((state.image_manifest or {}).get("layers") or [])
    what = f"config blob {short(digest)}"
    head = _send(state, "HEAD", f"/v2/{image.path}/blobs/{digest}", "*/*")
    if head.status in (200, 307, 302):
        where = "redirected to storage" if head.status != 200 else "present"
        return Status.OK, Code.OK, f"{what} {where}; the image has {layers} layer(s)"
    raise refused(state, head, what)


__all__ = [
    "ACCEPT",
    "INDEX_TYPES",
    "rate_note",
    "step_blob",
    "step_manifest",
    "step_platform",
    "wanted_platform",
]
