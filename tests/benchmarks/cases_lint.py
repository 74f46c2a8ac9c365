"""``cs-registry lint`` as a whole process (issue 15: 1,000 files in one call well under 5 s).

Next to the bare interpreter: this repository's own dev container. Then 100 and 1,000
generated devcontainer.json files in one call, to show the cost grows linearly with
the number of files (each file is parsed once; nothing is compared across files).
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.benchmarks.cases import BARE_PYTHON, BenchContext, Command, case

LINT_OWN = "lint, this repository's dev container"
LINT_100 = "lint, 100 devcontainer.json in one call"
LINT_1000 = "lint, 1,000 devcontainer.json in one call"
_ROOT = Path(__file__).resolve().parents[2]

# realistic files: comments, trailing commas, lifecycle commands, repository grants;
# warnings only (hook_not_wired, deprecated_codespaces_key), so the run exits 0
_TEMPLATES = (
    """// generated {index}
{{
    "name": "app-{index}",
    "image": "mcr.microsoft.com/devcontainers/python:1-3.12-bookworm",
    "features": {{
        "ghcr.io/devcontainers/features/docker-in-docker:2": {{}},
        "./cs-registry": {{}},
    }},
    "postCreateCommand": "pip install -e . && hooks/post-create",
    "customizations": {{
        "codespaces": {{
            "repositories": {{
                "acme/tools-{index}": {{"permissions": {{"contents": "read", "issues": "write"}}}},
                "acme/docs": {{"permissions": "read-all"}},
            }},
            "openFiles": ["README.md"],
        }},
        "vscode": {{"extensions": ["ms-python.python"], "settings": {{"a.b": "C:\\\\x"}}}},
    }},
}}
""",
    """{{
    "name": "node-{index}",
    "build": {{"dockerfile": "Dockerfile", "args": {{"VARIANT": "20"}}}},
    "codespaces": {{}},
    "forwardPorts": [3000, {port}],
    "onCreateCommand": {{"deps": "npm ci", "env": ["bash", "-c", "echo ok"]}}
}}
""",
)


def _env(ctx: BenchContext) -> dict[str, str]:
    # a worktree's code when PYTHONPATH points at it; the installed package otherwise
    extra = {"PYTHONPATH": os.environ["PYTHONPATH"]} if os.environ.get("PYTHONPATH") else {}
    return ctx.env(**extra)


def _configs(ctx: BenchContext, count: int) -> list[str]:
    folder = ctx.fresh_dir(f"lint-{count}")
    paths = []
    for index in range(count):
        path = folder / f"{index:04d}" / ".devcontainer" / "devcontainer.json"
        path.parent.mkdir(parents=True)
        template = _TEMPLATES[index % len(_TEMPLATES)]
        path.write_text(template.format(index=index, port=8000 + index))
        paths.append(str(path))
    return paths


def _lint(ctx: BenchContext, *paths: str) -> Command:
    argv = [ctx.script("cs-registry"), "lint", "--repository", "acme/app", *paths]
    return Command(argv, env=_env(ctx))


@case(LINT_OWN, baselines=(BARE_PYTHON,))
def lint_own(ctx: BenchContext) -> Command:
    """This repository's .devcontainer/devcontainer.json (what the pre-commit hook does)."""
    return _lint(ctx, str(_ROOT / ".devcontainer" / "devcontainer.json"))


@case(LINT_100, baselines=(LINT_OWN,))
def lint_100(ctx: BenchContext) -> Command:
    """100 generated files, named on the command line."""
    return _lint(ctx, *_configs(ctx, 100))


@case(LINT_1000, baselines=(LINT_100, LINT_OWN))
def lint_1000(ctx: BenchContext) -> Command:
    """1,000 generated files in one call (issue target: well under 5 s)."""
    return _lint(ctx, *_configs(ctx, 1000))
