"""``doctor --images``: can the images the dev container needs be pulled, and with what?

Each image of :func:`~cs_registry.devcontainer.images.needed_images` goes through
``debug-login IMAGE``'s registry and image steps (no daemon login, nothing
downloaded but manifests), in parallel, each bounded by :data:`IMAGE_TIMEOUT`. The
line says which secret triplet serves the image's registry, or none. Under
``--prebuild`` only Codespaces secrets count (a prebuild gets repository- and
organization-level secrets, never a user's, and no Docker config): a private image
without a triplet fails, naming the secret to add at that level.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from cs_registry import settings
from cs_registry.checks.check import Check, ok, problem, skip
from cs_registry.context import Context
from cs_registry.devcontainer import find_configs
from cs_registry.devcontainer.images import NeededImage, needed_images
from cs_registry.diagnosis import Code
from cs_registry.probe import ProbeOptions, diagnose
from cs_registry.probe.credentials import Credentials, from_triplet
from cs_registry.references import InvalidReference, Reference, parse
from cs_registry.status import Status
from cs_registry.triplets import Triplet

IMAGE_TIMEOUT = 10.0
_WORKERS = 4
#: images probed at most: a dev container needs a handful, and a file naming thousands
#: must not hold doctor (a prebuild's step) for hours; the rest get one skip line.
#: Worst case: MAX_IMAGES / _WORKERS x IMAGE_TIMEOUT = 40 s
MAX_IMAGES = 16
#: failures a missing or wrong secret explains (a prebuild cannot fall back on anything)
_ACCESS = frozenset({Code.INSUFFICIENT_SCOPE, Code.MISSING_CREDENTIALS, Code.BAD_CREDENTIALS})


def _secret_id(host: str) -> str:
    """A secret ID to suggest for ``host`` (``ghcr.io`` → ``GHCR``)."""
    first = host.split(".", maxsplit=1)[0].split(":", maxsplit=1)[0]
    name = re.sub(r"[^A-Z0-9]", "_", first.upper()).strip("_")
    # secret names start with a letter (an IP address gives none)
    return name if name[:1].isalpha() else "REGISTRY"


def _triplet_for(triplets: list[Triplet], reference: Reference) -> Triplet | None:
    key = reference.server().key
    return next((t for t in triplets if t.server is not None and t.server.key == key), None)


def check_image(
    needed: NeededImage,
    environ: Mapping[str, str],
    triplets: list[Triplet],
    *,
    prebuild: bool,
    timeout: float = IMAGE_TIMEOUT,
) -> Check:
    """One image: the probe's verdict, the secret that serves it, and the fix."""
    check_id = f"image:{needed.reference}"
    try:
        reference = parse(needed.reference)
    except InvalidReference as exc:
        return problem(
            check_id, Status.FAIL, Code.INVALID_REFERENCE, exc.message, where=needed.where
        )
    triplet = _triplet_for(triplets, reference)
    serving = f"triplet {triplet.id}" if triplet else "no triplet"
    preset: Credentials | None = None
    if triplet is not None:
        preset = from_triplet(triplet)
    elif prebuild:  # no Docker config and no user secrets while a prebuild is made
        preset = Credentials(source="no repository or organization secret (prebuild)")
    report = diagnose(
        ProbeOptions(server=reference.domain, image=reference, timeout=timeout, docker_side=False),
        environ=environ,
        stdin=io.StringIO(),
        credentials=preset,
    )
    said = f"{reference.familiar} ({needed.source} at {needed.where}; credentials: {serving})"
    if report.ok:
        return ok(check_id, f"{said}: docker pull would succeed", where=needed.where)
    failing = next(s for s in report.steps if s.status is Status.FAIL)
    message = f"{said}: {failing.name}: {failing.detail}"
    remedy = None
    if prebuild and triplet is None and report.code in _ACCESS:
        host = reference.server().key
        name = _secret_id(reference.domain)
        remedy = (
            f"a prebuild can use only repository- and organization-level Codespaces secrets: "
            f"add {name}_CONTAINER_REGISTRY_SERVER={host}, {name}_CONTAINER_REGISTRY_USER and "
            f"{name}_CONTAINER_REGISTRY_PASSWORD at the repository or organization level"
        )
    return problem(check_id, Status.FAIL, report.code, message, remedy=remedy, where=needed.where)


def check_images(
    environ: Mapping[str, str],
    workspace: Path,
    *,
    prebuild: bool,
    timeout: float = IMAGE_TIMEOUT,
) -> list[Check]:
    """Every image every devcontainer.json of ``workspace`` needs, one line each."""
    seen: dict[str, NeededImage] = {}
    for config in find_configs(workspace):
        for needed in needed_images(config, environ):
            seen.setdefault(needed.reference, needed)
    if not seen:
        return [skip("images", f"no devcontainer.json under {workspace} names an image")]
    # the registries login would count: settings applied, as everywhere (settings.in_play)
    discovery = settings.in_play(Context(environ=environ), lenient=True)[1]
    triplets = [t for t in discovery.usable if t.server is not None]
    wanted = list(seen.values())
    with ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="image") as pool:
        futures = [
            pool.submit(check_image, n, environ, triplets, prebuild=prebuild, timeout=timeout)
            for n in wanted[:MAX_IMAGES]
        ]
        checks = [future.result() for future in futures]
    if len(wanted) > MAX_IMAGES:
        left = len(wanted) - MAX_IMAGES
        checks.append(
            skip("images", f"{left} more image(s) not checked (doctor checks at most {MAX_IMAGES})")
        )
    return checks


__all__ = ["IMAGE_TIMEOUT", "MAX_IMAGES", "check_image", "check_images"]
