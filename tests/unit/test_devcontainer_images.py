"""The images a devcontainer.json makes a dev container pull."""

from __future__ import annotations

from pathlib import Path

from cs_registry.devcontainer.images import dockerfile_images, needed_images, substitute


def test_substitution_follows_docker() -> None:
    values = {"A": "x", "E": ""}
    assert substitute("$A/${A}/${B:-d}/${E:-d}/${A:+alt}/${B:+alt}/$B.", values) == "x/x/d/d/alt//."


def test_dockerfile_from_lines_with_args_stages_and_scratch() -> None:
    text = """\
# syntax=docker/dockerfile:1
ARG VARIANT=3.12
ARG REGISTRY
FROM --platform=$BUILDPLATFORM python:${VARIANT}-slim AS base
RUN echo hi \\
    && echo there
FROM base AS dev
FROM ${REGISTRY:-ghcr.io}/org/tools:1 AS tools
FROM scratch
COPY --from=tools / /
ARG LATE=ignored
FROM busybox:$LATE
"""
    found = dockerfile_images(text, {"VARIANT": "3.11"}, "Dockerfile")
    assert [(n.reference, n.where) for n in found] == [
        ("python:3.11-slim", "Dockerfile:4"),
        ("ghcr.io/org/tools:1", "Dockerfile:8"),
        ("busybox:", "Dockerfile:12"),  # an ARG after FROM never reaches a FROM line
    ]


def test_needed_images_from_every_source(tmp_path: Path) -> None:
    folder = tmp_path / ".devcontainer"
    folder.mkdir()
    (folder / "Dockerfile").write_text("FROM mcr.microsoft.com/devcontainers/base:1\n")
    (folder / "compose.yml").write_text(
        "services:\n  app:\n    build: .\n    image: built-here\n"
        "  db:\n    image: ${DB_IMAGE:-postgres:16}\n"
    )
    (folder / "devcontainer.json").write_text(
        """{
  // comments are fine
  "image": "ghcr.io/org/app:1.0",
  "build": {"dockerfile": "Dockerfile"},
  "dockerComposeFile": ["compose.yml"],
  "features": {
    "ghcr.io/devcontainers/features/node:1": {},
    "./local-feature": {},
    "https://example.com/feature.tgz": {}
  }
}
"""
    )
    found = needed_images(folder / "devcontainer.json", {}, shown=Path("dc.json"))
    assert [(n.reference, n.source) for n in found] == [
        ("ghcr.io/org/app:1.0", "image"),
        ("mcr.microsoft.com/devcontainers/base:1", "Dockerfile FROM"),
        ("postgres:16", "compose service db"),
        ("ghcr.io/devcontainers/features/node:1", "Feature"),
    ]
    assert found[0].where == "dc.json:3"
    assert found[-1].where == "dc.json:7"


def test_unparsable_config_names_nothing(tmp_path: Path) -> None:
    config = tmp_path / "devcontainer.json"
    config.write_text('{"image": ')
    assert needed_images(config, {}) == []


def test_a_fifo_named_as_dockerfile_is_skipped_not_waited_on(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "Dockerfile")
    config = tmp_path / "devcontainer.json"
    config.write_text('{"image": "alpine:3", "build": {"dockerfile": "Dockerfile"}}')
    assert [n.reference for n in needed_images(config, {})] == ["alpine:3"]
