"""Lifecycle phase detection (lifecycle.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cs_registry.lifecycle import ENV_FILE_OVERRIDE, Phase, detect


def env_file(tmp_path: Path, content: str) -> dict[str, str]:
    path = tmp_path / "environment-variables.json"
    path.write_text(content)
    return {ENV_FILE_OVERRIDE: str(path)}


@pytest.mark.parametrize(
    ("action", "phase"),
    [
        ("createPrebuildTemplate", Phase.PREBUILD),
        ("createFromPrebuild", Phase.FROM_PREBUILD),
        ("somethingElse", Phase.NORMAL),
    ],
)
def test_action_name_from_the_environment(action: str, phase: Phase, tmp_path: Path) -> None:
    where = detect({"ACTION_NAME": action, **env_file(tmp_path, "{}")})
    assert (where.phase, where.action_name, where.source) == (phase, action, "ACTION_NAME")


@pytest.mark.parametrize(
    "content",
    [
        json.dumps({"ACTION_NAME": "createPrebuildTemplate", "CODESPACES": "true"}),
        json.dumps(
            [
                {"name": "X", "value": "y"},
                {"name": "ACTION_NAME", "value": "createPrebuildTemplate"},
            ]
        ),
    ],
)
def test_action_name_from_the_codespaces_file(content: str, tmp_path: Path) -> None:
    env = env_file(tmp_path, content)
    where = detect(env)
    assert where.phase is Phase.PREBUILD
    assert where.source == env[ENV_FILE_OVERRIDE]


def test_the_environment_wins_over_the_file(tmp_path: Path) -> None:
    env = env_file(tmp_path, json.dumps({"ACTION_NAME": "createPrebuildTemplate"}))
    assert detect({**env, "ACTION_NAME": "createFromPrebuild"}).phase is Phase.FROM_PREBUILD


@pytest.mark.parametrize(
    "content", ["", "not json", "[1, 2]", '{"ACTION_NAME": 3}', '"createPrebuildTemplate"']
)
def test_unusable_file_means_normal(content: str, tmp_path: Path) -> None:
    where = detect(env_file(tmp_path, content))
    assert (where.phase, where.action_name, where.source) == (Phase.NORMAL, None, None)


def test_missing_file_means_normal(tmp_path: Path) -> None:
    where = detect({ENV_FILE_OVERRIDE: str(tmp_path / "absent.json"), "CODESPACES": "true"})
    assert where.phase is Phase.NORMAL
    assert where.in_codespaces
    assert not detect({ENV_FILE_OVERRIDE: str(tmp_path / "absent.json")}).in_codespaces
