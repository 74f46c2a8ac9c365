"""``cs-registry lint``: every output format over the corpus, exit codes, paths and identity.

SARIF is checked against the official schema in tests/integration/test_lint_sarif.py
(the schema ships with the npm multitool); here its shape and positions are.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cs_registry.checks.devcontainer import check_devcontainers
from cs_registry.context import Context
from cs_registry.devcontainer import LintOptions
from cs_registry.devcontainer.findings import LINT_CODES
from cs_registry.main import main
from tests.unit.test_devcontainer_corpus import (
    INVALID,
    VALID,
    expected_findings,
    lint_options,
)
from tests.unit.test_imports import HEAVY, WRAPPER

ROOT = Path(__file__).resolve().parents[2]
WIRED = '"postCreateCommand": "hooks/post-create"'
_COMMAND = re.compile(r"^::(error|warning) ([^:]*)::(.*)$")


class Run:
    """One in-process ``cs-registry`` run: exit status and both streams."""

    def __init__(self, argv: list[str], environ: dict[str, str] | None = None) -> None:
        out, err = io.StringIO(), io.StringIO()
        self.status = main(argv, Context(environ=environ or {}, stdout=out, stderr=err))
        self.stdout = out.getvalue()
        self.stderr = err.getvalue()

    def json(self) -> Any:
        return json.loads(self.stdout)


def flags(options: LintOptions) -> list[str]:
    """The command-line flags that give ``options``."""
    argv = ["--repository", options.repository] if options.repository else []
    if options.owner and not options.repository:
        argv += ["--owner", options.owner]
    return [*argv, "--prebuild"] if options.prebuild else argv


def corpus_run(path: Path, output: str) -> Run:
    return Run(["lint", str(path.relative_to(ROOT)), "--format", output, *flags(_options(path))])


def _options(path: Path) -> LintOptions:
    return lint_options(path.read_text())


@pytest.fixture(autouse=True)
def _in_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def unescape_property(text: str) -> str:
    return unescape_data(text.replace("%3A", ":").replace("%2C", ","))


def parse_commands(stdout: str) -> list[dict[str, str]]:
    """Workflow commands read back as the runner reads them."""
    commands = []
    for line in stdout.splitlines():
        found = _COMMAND.match(line)
        assert found, f"not a workflow command: {line!r}"
        properties = dict(p.split("=", 1) for p in found.group(2).split(","))
        command = {k: unescape_property(v) for k, v in properties.items()}
        command["command"] = found.group(1)
        command["message"] = unescape_data(found.group(3))
        commands.append(command)
    return commands


# each format on the corpus -------------------------------------------------------------


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_json_gives_exact_codes_lines_and_columns(path: Path) -> None:
    run = corpus_run(path, "json")
    document = run.json()
    found = {(f["code"], f["line"], f["column"]) for f in document["findings"]}
    assert found == expected_findings(path.read_text())
    relative = str(path.relative_to(ROOT))
    assert document["files"] == [relative]
    assert all(f["file"] == relative for f in document["findings"])
    failed = any(f["severity"] == "error" for f in document["findings"])
    assert (run.status, document["ok"]) == (1 if failed else 0, not failed)


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_github_commands_parse_back_to_the_findings(path: Path) -> None:
    expected = corpus_run(path, "json").json()["findings"]
    run = corpus_run(path, "github")
    commands = parse_commands(run.stdout)
    level = {"error": "error", "warning": "warning"}
    assert [
        (c["command"], c["file"], int(c["line"]), int(c["col"]), c["title"], c["message"])
        for c in commands
    ] == [
        (level[f["severity"]], f["file"], f["line"], f["column"], f["code"], f["message"])
        for f in expected
    ]


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_sarif_results_carry_rule_level_and_physical_location(path: Path) -> None:
    expected = corpus_run(path, "json").json()["findings"]
    log = json.loads(corpus_run(path, "sarif").stdout)
    assert log["version"] == "2.1.0"
    [run] = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [c.value for c in LINT_CODES]
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"] == ROOT.resolve().as_uri() + "/"
    level = {"error": "error", "warning": "warning"}
    got = []
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        [location] = result["locations"]
        artifact = location["physicalLocation"]["artifactLocation"]
        region = location["physicalLocation"]["region"]
        assert artifact["uriBaseId"] == "SRCROOT"
        got.append(
            (
                result["ruleId"],
                result["level"],
                artifact["uri"],
                region["startLine"],
                region["startColumn"],
            )
        )
    assert got == [
        (f["code"], level[f["severity"]], f["file"], f["line"], f["column"]) for f in expected
    ]


def test_sarif_rules_describe_each_code_with_its_remedy_and_readme_section() -> None:
    log = json.loads(Run(["lint", "--format", "sarif", str(INVALID[0])]).stdout)
    for rule in log["runs"][0]["tool"]["driver"]["rules"]:
        assert rule["shortDescription"]["text"].endswith(".")
        assert len(rule["help"]["text"]) > 10
        assert rule["helpUri"].endswith("README.md#diagnosis-codes")


@pytest.mark.parametrize("workspace", VALID, ids=[p.name for p in VALID])
def test_valid_workspaces_are_clean_in_every_format(workspace: Path) -> None:
    for output in ("text", "json", "sarif", "github"):
        run = Run(["lint", str(workspace), "--format", output, "--repository", "acme/app"])
        assert run.status == 0, run.stdout
    assert (
        Run(["lint", str(workspace), "--json", "--repository", "acme/app"]).json()["findings"] == []
    )
    github = Run(["lint", str(workspace), "--format", "github", "--repository", "acme/app"])
    assert github.stdout == ""


def test_prebuild_entries_keep_name_reason_and_position_in_json_and_sarif() -> None:
    path = next(p for p in INVALID if p.stem == "prebuild_write_needs_token")
    [token] = [
        f
        for f in corpus_run(path, "json").json()["findings"]
        if f["code"] == "prebuild_write_needs_token"
    ]
    assert [(e["name"], e["line"], e["column"]) for e in token["entries"]] == [
        ("acme/tools", 9, 9),
        ("other/lib", 10, 9),
    ]
    assert token["entries"][0]["reason"] == "write access"
    log = json.loads(corpus_run(path, "sarif").stdout)
    [result] = [r for r in log["runs"][0]["results"] if r["ruleId"] == "prebuild_write_needs_token"]
    assert [e["name"] for e in result["properties"]["entries"]] == ["acme/tools", "other/lib"]
    related = [
        (r["message"]["text"], r["physicalLocation"]["region"]["startLine"])
        for r in result["relatedLocations"]
    ]
    assert related == [
        ("acme/tools: write access.", 9),
        ("other/lib: another owner, not grantable through devcontainer.json.", 10),
    ]


def test_sarif_uris_are_escaped_below_the_root_and_absolute_outside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repository(tmp_path / "repo", '{"image": "x"}')
    (repo / "my dir #1").mkdir()
    (repo / "my dir #1" / "devcontainer.json").write_text('{"image": "x"}')
    outside = tmp_path / "elsewhere.json"
    outside.write_text('{"image": "x"}')
    monkeypatch.chdir(repo)
    log = json.loads(
        Run(["lint", "--format", "sarif", "my dir #1/devcontainer.json", str(outside)]).stdout
    )
    [run] = log["runs"]
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"] == repo.resolve().as_uri() + "/"
    artifacts = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
    assert artifacts == [
        {"uri": "my%20dir%20%231/devcontainer.json", "uriBaseId": "SRCROOT"},
        {"uri": outside.resolve().as_uri()},
    ]


def test_a_directory_without_devcontainer_json_is_clean(tmp_path: Path) -> None:
    run = Run(["lint", str(tmp_path)])
    assert (run.status, run.stdout) == (0, "cs-registry lint: no devcontainer.json found\n")


# text, escaping -----------------------------------------------------------------------


def test_text_prints_one_line_per_finding_and_a_summary(tmp_path: Path) -> None:
    config = tmp_path / ".devcontainer.json"
    config.write_text('{\n  "codespaces": {},\n  "onCreateCommand": "docker pull x"\n}\n')
    run = Run(["lint", str(config), "--owner", "acme", "--prebuild"])
    assert run.status == 1
    assert run.stdout.splitlines() == [
        f"{config}:1:1: warning: no lifecycle command runs cs-registry, so registry logins "
        'happen only by hand; add "features": {"./cs-registry": {}} or "postCreateCommand": '
        '"hooks/post-create" [hook_not_wired]',
        f'{config}:2:3: warning: the top-level "codespaces" key is deprecated; move its '
        'contents to "customizations": {"codespaces": {…}} [deprecated_codespaces_key]',
        f"{config}:3:22: error: onCreateCommand runs docker, but no Docker daemon runs while a "
        "Codespaces prebuild is made (the docker command exists, so it fails on the missing "
        "daemon); move that command to postCreateCommand or postStartCommand "
        "[docker_in_prebuild_hook]",
        "cs-registry lint: 1 error(s), 2 warning(s); 1 file checked",
    ]


def test_text_from_the_file_cannot_reach_the_terminal_or_start_a_command(tmp_path: Path) -> None:
    hostile = "acme/x\\u001b]0;pwned\\u0007\\n::error::forged%2C"
    config = tmp_path / "dev,con:tainer.json"
    config.write_text("{" + WIRED + ', "customizations": {"codespaces": {"' + hostile + '": {}}}}')
    text = Run(["lint", str(config), "--owner", "acme"])
    assert "\x1b" not in text.stdout
    assert "\x07" not in text.stdout
    assert "\\x1b]0;pwned\\x07\\n::error::forged%2C" in text.stdout
    github = Run(["lint", str(config), "--owner", "acme", "--format", "github"])
    [line] = github.stdout.splitlines()
    [command] = parse_commands(line)
    assert command["file"] == str(config)
    assert command["message"].startswith('"acme/x\\x1b]0;pwned\\x07\\n::error::forged%2C"')


# exit codes and usage errors -----------------------------------------------------------


def test_exit_codes_clean_warnings_errors(tmp_path: Path) -> None:
    clean, warned, failed = (tmp_path / n for n in ("clean.json", "warned.json", "failed.json"))
    clean.write_text("{" + WIRED + "}")
    warned.write_text('{"image": "x"}')  # hook_not_wired is a warning
    failed.write_text('{"image": "x",}}')
    assert Run(["lint", str(clean)]).status == 0
    assert Run(["lint", str(warned)]).status == 0
    assert Run(["lint", str(failed)]).status == 1
    assert Run(["lint", str(clean), str(warned), str(failed)]).status == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["lint", "no/such/devcontainer.json"], "no/such/devcontainer.json: no such file"),
        (["lint", "--format", "xml"], "invalid choice: 'xml'"),
        (["lint", "--json", "--format", "sarif"], "--json and --format sarif"),
        (["lint", "--repository", "acme"], "--repository must be OWNER/NAME, not 'acme'"),
        (["lint", "--repository", "acme/*"], "--repository must be OWNER/NAME"),
        (["lint", "--owner", "a/b"], "--owner must be a GitHub owner name"),
    ],
)
def test_usage_errors_exit_2_with_one_line(argv: list[str], message: str) -> None:
    run = Run(argv)
    assert run.status == 2
    assert message in run.stderr
    assert "Traceback" not in run.stderr


def test_a_usage_error_with_json_output_is_still_one_document() -> None:
    run = Run(["lint", "--format", "json", "missing.json"])
    assert run.status == 2
    assert run.json() == {
        "ok": False,
        "error": {"code": "usage_error", "message": "missing.json: no such file or directory"},
    }


def test_a_refused_command_line_with_format_json_is_still_one_document() -> None:
    run = Run(["lint", "--format", "json", "--bogus"])
    assert run.status == 2
    assert run.json()["error"]["code"] == "usage_error"


def test_a_fifo_is_reported_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "devcontainer.json"
    os.mkfifo(fifo)
    [finding] = Run(["lint", str(fifo), "--json"]).json()["findings"]
    assert finding["code"] == "unsafe_file"
    assert "FIFO" in finding["message"]


# which files, whose repository ---------------------------------------------------------


def _repository(tmp_path: Path, config: str) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".devcontainer").mkdir()
    (tmp_path / ".devcontainer" / "devcontainer.json").write_text(config)
    (tmp_path / ".devcontainer.json").write_text("{" + WIRED + "}")
    return tmp_path


def test_no_path_lints_the_repository_top_level_from_a_subdirectory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repository(tmp_path, '{"codespaces": {}, ' + WIRED + "}")
    (repo / "src").mkdir()
    monkeypatch.chdir(repo / "src")
    document = Run(["lint", "--json"]).json()
    top = repo.resolve()
    assert document["files"] == [
        str(top / ".devcontainer" / "devcontainer.json"),
        str(top / ".devcontainer.json"),
    ]
    assert [f["code"] for f in document["findings"]] == ["deprecated_codespaces_key"]


def test_flags_name_the_repository_else_github_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = '{"acme/tools": {"permissions": "read-all"}}'
    repo = _repository(
        tmp_path,
        "{" + WIRED + ', "customizations": {"codespaces": {"repositories": ' + entries + "}}}",
    )
    monkeypatch.chdir(repo)
    other = {"GITHUB_REPOSITORY": "other/app"}
    codes = [f["code"] for f in Run(["lint", "--json"], other).json()["findings"]]
    assert codes == ["different_owner"]
    flagged = Run(["lint", "--json", "--repository", "acme/app"], other).json()
    assert (flagged["findings"], flagged["repository"]["source"]) == ([], "--repository")
    assert Run(["lint", "--json", "--owner", "ACME"], other).json()["findings"] == []
    unknown = Run(["lint"])
    assert "owner unknown" in unknown.stdout


def test_doctor_and_lint_report_the_same_findings(tmp_path: Path) -> None:
    repo = _repository(
        tmp_path, '{"codespaces": {}, "onCreateCommand": "docker pull x", "image": "y"}'
    )
    env = {"GITHUB_REPOSITORY": "acme/app"}
    checks = check_devcontainers(env, repo, owner=None, prebuild=True)
    document = Run(["lint", "--json", "--prebuild", str(repo)], env).json()
    assert [(c.code.value, c.where) for c in checks] == [
        (f["code"], f["where"]) for f in document["findings"]
    ]


def test_lint_imports_no_heavy_library(tmp_path: Path) -> None:
    config = tmp_path / "devcontainer.json"
    config.write_text('{"image": "x", "codespaces": {}}')
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, "lint", "--format", "sarif", str(config)],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert (report["code"], report["heavy"]) == (0, [])
    assert json.loads(done.stdout)["version"] == "2.1.0"
    assert set(HEAVY) >= {"docker", "botocore", "yaml"}
