"""Image references follow Docker's rules (distribution/reference, normalize.go)."""

from __future__ import annotations

import pytest

from cs_registry.diagnosis import Code
from cs_registry.references import InvalidReference, names_server, parse
from cs_registry.servers import DOCKER_HUB_HOST, DOCKER_HUB_KEY
from cs_registry.status import ExitStatus

DIGEST = "sha256:" + "ab" * 32


@pytest.mark.parametrize(
    ("raw", "name", "tag", "digest"),
    [
        ("ubuntu", "docker.io/library/ubuntu", None, None),
        ("ubuntu:22.04", "docker.io/library/ubuntu", "22.04", None),
        ("org/app", "docker.io/org/app", None, None),
        ("docker.io/ubuntu", "docker.io/library/ubuntu", None, None),
        ("index.docker.io/org/app:1", "docker.io/org/app", "1", None),
        ("localhost/a", "localhost/a", None, None),
        ("localhost:5000/a", "localhost:5000/a", None, None),
        ("localhost:5000/a/b/c:v1", "localhost:5000/a/b/c", "v1", None),
        ("ghcr.io/org/app:1.0", "ghcr.io/org/app", "1.0", None),
        ("myreg:5000/team/app", "myreg:5000/team/app", None, None),
        ("Registry.Example.com/team/app", "Registry.Example.com/team/app", None, None),
        ("127.0.0.1:5000/x_y__z.w-v--u", "127.0.0.1:5000/x_y__z.w-v--u", None, None),
        ("[::1]:5000/app", "[::1]:5000/app", None, None),
        ("[fe80::1]/app:t", "[fe80::1]/app", "t", None),
        (f"ghcr.io/org/app@{DIGEST}", "ghcr.io/org/app", None, DIGEST),
        (f"ghcr.io/org/app:1.0@{DIGEST}", "ghcr.io/org/app", "1.0", DIGEST),
        (f"alpine@{DIGEST}", "docker.io/library/alpine", None, DIGEST),
        ("a" * 30 + ":" + "T" * 128, "docker.io/library/" + "a" * 30, "T" * 128, None),
    ],
)
def test_valid_references(raw: str, name: str, tag: str | None, digest: str | None) -> None:
    reference = parse(raw)
    assert (reference.name, reference.tag, reference.digest) == (name, tag, digest)
    assert reference.target == (digest or tag or "latest")


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("", "empty"),
        ("ghcr.io/Org/App:1", "repository path 'Org/App' must be lowercase"),
        ("UBUNTU", "must be lowercase"),
        ("ghcr.io/org/app:-bad", "tag '-bad'"),
        ("ghcr.io/org/app:" + "t" * 129, "tag"),
        ("ghcr.io/org/app@sha256:abc", "digest 'sha256:abc'"),
        ("ghcr.io/org/app@sha256:" + "AB" * 32, "lowercase hex"),
        ("ghcr.io/org/app@md5:" + "ab" * 16, "algorithm 'md5'"),
        ("ghcr.io//app", "empty component"),
        ("ghcr.io/org/app_", "path component 'app_'"),
        ("-reg.io/app", "registry '-reg.io'"),
        ("-app/x", "path component '-app'"),
        ("[fe80::1%eth0]:5000/app", "zone IDs"),
        ("my_reg.io:5000/app", "registry 'my_reg.io:5000'"),
        ("https://ghcr.io/org/app", "no scheme"),
        ("ghcr.io/org/app with space", "whitespace"),
        ("ab" * 32, "image ID"),
        ("docker.io/" + "a" * 256, "(at most 255)"),
    ],
)
def test_invalid_references_name_the_part(raw: str, says: str) -> None:
    with pytest.raises(InvalidReference) as caught:
        parse(raw)
    assert says in caught.value.message
    assert caught.value.code is Code.INVALID_REFERENCE
    assert caught.value.status is ExitStatus.USAGE


def test_docker_hub_server_and_familiar_name() -> None:
    reference = parse("ubuntu")
    server = reference.server()
    assert (server.host, server.key) == (DOCKER_HUB_HOST, DOCKER_HUB_KEY)
    assert reference.path == "library/ubuntu"
    assert reference.familiar == "ubuntu:latest"
    assert parse("org/app:2").familiar == "org/app:2"
    assert parse("localhost:5000/a").server().key == "localhost:5000"
    assert parse("[::1]:5000/a").server().host == "[::1]:5000"


def test_tag_and_digest_print_as_given() -> None:
    assert str(parse(f"ghcr.io/o/a:1@{DIGEST}")) == f"ghcr.io/o/a:1@{DIGEST}"


@pytest.mark.parametrize(
    ("raw", "server"),
    [
        ("ghcr.io", True),
        ("ghcr.io/", True),
        ("https://ghcr.io/org/app", True),
        ("localhost", True),
        ("localhost:5000", True),
        ("127.0.0.1:5000", True),
        ("[::1]:5000", True),
        ("reg.example", True),
        ("ubuntu", False),
        ("ubuntu:22.04", False),
        ("ghcr.io/org/app:1.0", False),
        ("localhost:5000/a", False),
        (f"alpine@{DIGEST}", False),
    ],
)
def test_server_or_image(raw: str, server: bool) -> None:
    assert names_server(raw) is server
