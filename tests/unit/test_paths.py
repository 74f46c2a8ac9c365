"""The login path's text paths give exactly pathlib's answers (cs_registry.paths and its users)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cs_registry import dockerconfig, paths
from cs_registry.context import Context
from cs_registry.errors import UsageError

TRICKY = [
    "a",
    "/",
    "//",
    "///",
    "//a",
    "///a",
    "/a/b",
    "/a/b/",
    "/a//b",
    "a/./b",
    "./a",
    ".",
    "..",
    "../a",
    "a/..",
    "a/.",
    "~",
    "~/x",
    "~user/x",
    "/a/.hidden",
    "a b/ c",
    "/tmp/x..y/z",
]


@pytest.mark.parametrize("text", TRICKY)
def test_normal_is_str_of_path(text: str) -> None:
    assert paths.normal(text) == str(Path(text))
    if paths.is_normal(text):  # may say no to a normal text ("/"): pathlib then decides
        assert str(Path(text)) == text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab./~ ", max_size=12))
def test_normal_matches_pathlib_for_any_text(text: str) -> None:
    assert paths.normal(text) == str(Path(text))
    if paths.is_normal(text):
        assert str(Path(text)) == text
        assert paths.parent(text) == str(Path(text).parent)
        assert paths.join(text, "x.json") == str(Path(text) / "x.json")


ENVIRONS = [
    {"HOME": "/home/me"},
    {"HOME": "/home/me/"},
    {"HOME": "/"},
    {"HOME": "//srv"},
    {"HOME": "rel/home"},
    {"HOME": "."},
    {"HOME": "/home/me", "DOCKER_CONFIG": "/etc/docker"},
    {"HOME": "/home/me", "DOCKER_CONFIG": "/etc//docker/"},
    {"HOME": "/home/me", "DOCKER_CONFIG": "~"},
    {"HOME": "/home/me", "DOCKER_CONFIG": "~/cfg"},
    {"HOME": "/home/me/", "DOCKER_CONFIG": "~/./cfg"},
    {"HOME": "/home/me", "DOCKER_CONFIG": "~root/cfg"},
    {"HOME": "/home/me", "DOCKER_CONFIG": "."},
    {"HOME": "/home/me", "DOCKER_CONFIG": "cfg"},
    {"HOME": "", "DOCKER_CONFIG": "/x"},
    {"HOME": "/home/me", "DOCKER_CONFIG": ""},
]


@pytest.mark.parametrize("environ", ENVIRONS)
@pytest.mark.parametrize("override", [None, "/flag", "flag/", "~/flag"])
def test_config_file_is_config_dir_joined(environ: dict[str, str], override: str | None) -> None:
    if (override or environ.get("DOCKER_CONFIG") or "").startswith("~"):
        # the docker CLI does not expand "~": both refuse it (test_dockerconfig says how)
        with pytest.raises(UsageError):
            dockerconfig.config_file(environ, override)
        with pytest.raises(UsageError):
            dockerconfig.config_dir(environ, override)
        return
    expected = str(dockerconfig.config_dir(environ, override) / dockerconfig.CONFIG_NAME)
    assert dockerconfig.config_file(environ, override) == expected


@pytest.mark.parametrize("environ", [*ENVIRONS, {"HOME": "/h", "XDG_CONFIG_HOME": "/x//y/"}])
def test_config_home_text_is_config_home(environ: dict[str, str]) -> None:
    ctx = Context(environ=environ)
    assert ctx.config_home_text == str(ctx.config_home)


def test_dockerconfig_takes_text_as_it_takes_a_path(tmp_path: Path) -> None:
    as_text = str(tmp_path / "text" / "config.json")
    as_path = tmp_path / "path" / "config.json"
    for target in (as_text, as_path):
        _, wrote = dockerconfig.update(target, lambda data: bool(data.update(auths={})) or True)
        assert wrote
    assert Path(as_text).read_bytes() == as_path.read_bytes() == b'{\n\t"auths": {}\n}\n'
    assert dockerconfig.load(as_text).data == dockerconfig.load(as_path).data == {"auths": {}}
    assert oct(Path(as_text).stat().st_mode & 0o777) == oct(0o600)
    assert oct(Path(as_text).parent.stat().st_mode & 0o777) == oct(0o700)
