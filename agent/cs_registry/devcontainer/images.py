"""The images a dev container needs, as named by its devcontainer.json.

``image``; the ``FROM`` lines of the Dockerfile ``build.dockerfile`` names (global
``ARG`` defaults and ``build.args`` substituted, ``AS`` stages and ``scratch``
skipped); ``image`` of each compose service without a ``build`` in the files
``dockerComposeFile`` names; and Features given as OCI references. Each comes with
where it is written (``file:line``), so doctor can point at it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cs_registry import files
from cs_registry.devcontainer.jsonc import JsoncError, parse

#: Dockerfiles and compose files are a few KB; refuse to read a stray huge file whole
MAX_FILE_BYTES = 1 << 20
_VARIABLE = re.compile(
    r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-+])?(?P<word>[^}]*)\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


@dataclass(frozen=True)
class NeededImage:
    """One image reference the dev container pulls, and where it comes from."""

    reference: str
    source: str  # "image", "Dockerfile FROM", "compose service NAME", "Feature"
    where: str  # file:line


def read_text(path: Path, what: str) -> str | None:
    """A product file's text through the safe file layer (no FIFO, device or huge file).

    ``None`` when it is missing or unsafe: a Dockerfile or compose file that cannot be
    read fails the build with its own message, and the lint reports devcontainer.json.
    """
    try:
        data = files.read_file(path, limit=MAX_FILE_BYTES, what=what)
    except files.FileError:
        return None
    return data.decode("utf-8", "replace") if data is not None else None


def substitute(text: str, values: Mapping[str, str | None]) -> str:
    """``$VAR``, ``${VAR}``, ``${VAR:-default}``, ``${VAR:+alt}`` as Docker expands them."""

    def one(found: re.Match[str]) -> str:
        name = found["braced"] or found["bare"]
        value = values.get(name)
        op, word = found["op"], found["word"] or ""
        if op in (":-", "-"):
            return value if value else word
        if op in (":+", "+"):
            return word if value else ""
        return value or ""

    return _VARIABLE.sub(one, text)


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Instructions with their first line number; ``\\`` continuations joined, comments out."""
    lines: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending.append(stripped[:-1])
            continue
        pending.append(stripped)
        lines.append((start, " ".join(pending)))
        pending = []
    if pending:
        lines.append((start, " ".join(pending)))
    return lines


def dockerfile_images(text: str, build_args: Mapping[str, str], shown: str) -> list[NeededImage]:
    """The base images a Dockerfile pulls (stages it builds itself are not pulled)."""
    global_args: dict[str, str | None] = {}
    stages: set[str] = set()
    seen_from = False
    found: list[NeededImage] = []
    for number, line in _logical_lines(text):
        instruction, _, rest = line.partition(" ")
        instruction = instruction.upper()
        if instruction == "ARG" and not seen_from:  # only global ARGs reach FROM lines
            for token in rest.split():
                name, equals, default = token.partition("=")
                global_args[name] = build_args.get(name, default.strip("\"'") if equals else None)
        if instruction != "FROM":
            continue
        seen_from = True
        words = [w for w in rest.split() if not w.startswith("--")]
        if not words:
            continue
        image = substitute(words[0], global_args)
        # a stage built earlier in this file, or scratch, is not pulled
        built_here = image.lower() == "scratch" or image.lower() in stages
        if len(words) >= 3 and words[1].lower() == "as":
            stages.add(words[2].lower())
        if not built_here:
            found.append(NeededImage(image, "Dockerfile FROM", f"{shown}:{number}"))
    return found


def compose_images(text: str, environ: Mapping[str, str], shown: str) -> list[NeededImage]:
    """``image`` of each service that has no ``build`` (those are built, not pulled)."""
    import yaml  # only doctor --images with a compose file pays for it

    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError:
        return []
    services = document.get("services") if isinstance(document, dict) else None
    if not isinstance(services, dict):
        return []
    lines = text.splitlines()
    found = []
    for name, service in services.items():
        if not isinstance(service, dict) or "build" in service:
            continue
        image = service.get("image")
        if not isinstance(image, str):
            continue
        number = next((i for i, line in enumerate(lines, 1) if image in line), 1)
        found.append(
            NeededImage(
                substitute(image, dict(environ)), f"compose service {name}", f"{shown}:{number}"
            )
        )
    return found


def _is_oci_feature(key: str) -> bool:
    """A Feature given as an OCI reference (not ``./local``, a tarball URL, or a short name)."""
    return "/" in key and not key.startswith(("./", "../", "http://", "https://", "/"))


def needed_images(
    config: Path, environ: Mapping[str, str], shown: Path | None = None
) -> list[NeededImage]:
    """Every image ``config`` makes the dev container pull, in file order.

    Files that cannot be read or parsed yield nothing here: the lint reports them.
    """
    label = str(shown or config)
    text = read_text(config, "devcontainer.json")
    try:
        document = parse(text) if text is not None else None
    except JsoncError:
        return []
    if document is None:
        return []
    value: Any = document.value
    if not isinstance(value, dict):
        return []
    here = config.parent
    found: list[NeededImage] = []
    if isinstance(value.get("image"), str):
        line = document.where(("image",)).line
        found.append(NeededImage(value["image"], "image", f"{label}:{line}"))
    build: dict[str, Any] = value["build"] if isinstance(value.get("build"), dict) else {}
    dockerfile = build.get("dockerfile") or value.get("dockerFile")
    if isinstance(dockerfile, str):
        args = {k: str(v) for k, v in (build.get("args") or {}).items()}
        context = here / str(build.get("context") or ".")
        path = here / dockerfile if (here / dockerfile).exists() else context / dockerfile
        text = read_text(path, "Dockerfile")
        if text is not None:
            found += dockerfile_images(text, args, str(path))
    compose = value.get("dockerComposeFile")
    for name in [compose] if isinstance(compose, str) else compose or []:
        if isinstance(name, str):
            text = read_text(here / name, "compose file")
            if text is not None:
                found += compose_images(text, environ, str(here / name))
    features = value.get("features")
    if isinstance(features, dict):
        for key in features:
            if isinstance(key, str) and _is_oci_feature(key):
                line = document.where(("features", key)).line
                found.append(NeededImage(key, "Feature", f"{label}:{line}"))
    return found


__all__ = [
    "NeededImage",
    "compose_images",
    "dockerfile_images",
    "needed_images",
    "read_text",
    "substitute",
]
