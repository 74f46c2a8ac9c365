"""``cs-registry lint --format sarif`` against the official SARIF 2.1.0 schema (with
``jsonschema``) and the SARIF multitool's own ``validate`` rules, over the whole corpus."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from cs_registry.context import Context
from cs_registry.main import main
from tests.support import sarif
from tests.unit.test_devcontainer_corpus import INVALID, VALID, lint_options
from tests.unit.test_lint_command import ROOT, flags

pytestmark = pytest.mark.integration

CORPUS = [*INVALID, *VALID]


@pytest.fixture(scope="module")
def multitool() -> Path:
    return sarif.multitool_dir()


@pytest.fixture(scope="module")
def validator(multitool: Path) -> jsonschema.Draft202012Validator:
    schema = sarif.schema(multitool)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def sarif_of(path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.chdir(ROOT)
    argv = ["lint", "--format", "sarif", str(path.relative_to(ROOT))]
    if path.is_file():
        argv += flags(lint_options(path.read_text()))
    else:
        argv += ["--repository", "acme/app"]
    out = io.StringIO()
    status = main(argv, Context(environ={}, stdout=out, stderr=io.StringIO()))
    assert status in (0, 1)
    log: dict[str, Any] = json.loads(out.getvalue())
    return log


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem or p.name for p in CORPUS])
def test_sarif_matches_the_official_schema(
    path: Path, validator: jsonschema.Draft202012Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = sarif_of(path, monkeypatch)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]
    assert errors == []


def test_the_schema_check_catches_a_broken_log(
    validator: jsonschema.Draft202012Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = sarif_of(INVALID[0], monkeypatch)
    broken = copy.deepcopy(log)
    del broken["runs"][0]["results"][0]["message"]
    broken["runs"][0]["results"][0]["level"] = "fatal"
    assert len(list(validator.iter_errors(broken))) == 2


def test_the_multitool_reports_no_error_on_the_corpus(
    multitool: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    logs = []
    for index, path in enumerate(CORPUS):
        log = tmp_path / f"{index:02d}-{path.stem or path.name}.sarif"
        log.write_text(json.dumps(sarif_of(path, monkeypatch)), "utf-8")
        logs.append(log)
    results = sarif.validate(multitool, logs, tmp_path / "validation.sarif")
    errors = [
        f"{r.get('ruleId')}: {r.get('message', {}).get('text', r.get('message'))}"
        for r in results
        if r.get("level", "warning") == "error"
    ]
    assert errors == []


def test_the_multitool_does_report_a_broken_log(
    multitool: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = sarif_of(INVALID[0], monkeypatch)
    base = log["runs"][0]["originalUriBaseIds"]["SRCROOT"]
    base["uri"] = base["uri"].rstrip("/")  # SARIF1004: a base URI must end with a slash
    path = tmp_path / "broken.sarif"
    path.write_text(json.dumps(log), "utf-8")
    results = sarif.validate(multitool, [path], tmp_path / "validation.sarif")
    assert [r["ruleId"] for r in results if r.get("level") == "error"] == ["SARIF1004"]
