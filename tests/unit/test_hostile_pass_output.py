"""Hostile pass (issue 10): names that are not UTF-8 in every output format.

A file name is bytes; Python hands an undecodable byte over as a lone surrogate
(``surrogateescape``). In a dev container's UTF-8 locale stdout is strict, and a
surrogate written there raised ``UnicodeEncodeError``, which the output layer read
as "stdout is closed" (exit 1, no output). SARIF's artifact URI raised it as an
internal error. Human output now shows the byte escaped (``\\xff``) as other outside
text is; JSON carries it as a ``\\udcff`` escape (valid UTF-8, and
``os.fsencode`` turns it back into the file's real name).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cs_registry import jsontext
from cs_registry.context import Context
from cs_registry.ui import inert

#: a directory name with an undecodable byte, an 8-bit CSI and a forged workflow command
_NAME = b"d\xff\x9b2J\n::error::X"


def _lint(tmp_path: Path, output: str) -> subprocess.CompletedProcess[bytes]:
    folder = tmp_path / os.fsdecode(_NAME)
    folder.mkdir()
    (folder / "devcontainer.json").write_text(
        '{"image": "x", "features": {"./cs-registry": {}},'
        ' "customizations": {"codespaces": {"zz": 1}}}'  # one warning that names the file
    )
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict", "LANG": "C.UTF-8"}
    target = os.fsencode(folder / "devcontainer.json")
    return subprocess.run(
        [sys.executable, "-m", "cs_registry", "lint", "--format", output, target],
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("output", ["text", "github", "json", "sarif"])
def test_lint_names_a_file_whose_name_is_not_utf8(output: str, tmp_path: Path) -> None:
    done = _lint(tmp_path, output)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert b"Traceback" not in done.stderr
    text = done.stdout.decode("utf-8")  # strict: the output is UTF-8 whatever the name
    assert "\x9b" not in text
    assert "\x1b" not in text
    if output in ("text", "github"):
        assert "\\xff" in text
        assert "\\x9b" in text
        assert not any(line.startswith("::error::X") for line in text.splitlines())
    if output == "json":
        document = json.loads(text)
        names = {*document["files"], *(f["file"] for f in document["findings"])}
        assert names
        assert all(os.fsencode(n).endswith(_NAME + b"/devcontainer.json") for n in names)
    if output == "sarif":
        document = json.loads(text)
        uris = {
            location["physicalLocation"]["artifactLocation"]["uri"]
            for run in document["runs"]
            for result in run["results"]
            for location in result["locations"]
        }
        assert uris, document
        assert all("d%FF%9B2J%0A%3A%3Aerror%3A%3AX/devcontainer.json" in uri for uri in uris)


def test_inert_escapes_undecodable_bytes_as_bytes() -> None:
    shown = inert(os.fsdecode(b"a\xff\x9bb"))
    assert shown == "a\\xff\\x9bb"
    shown.encode("utf-8")  # strict: never a lone surrogate on the terminal


def test_json_text_escapes_lone_surrogates_and_loads_them_back() -> None:
    name = os.fsdecode(_NAME)
    text = jsontext.dumps({"file": name, "é": "ü"})
    text.encode("utf-8")
    assert "é" in text  # readable non-ASCII stays as it is
    assert os.fsencode(json.loads(text)["file"]) == _NAME


def test_json_text_loads_raises_value_error_for_deep_nesting() -> None:
    with pytest.raises(ValueError, match="nested too deeply"):
        jsontext.loads("[" * 100_000 + "]" * 100_000)


@pytest.mark.parametrize(
    "name", ["::stop-commands::pwn", " ::error title=x::forged", "::add-mask::x"]
)
def test_lint_text_never_starts_a_line_with_a_workflow_command(name: str, tmp_path: Path) -> None:
    """In GitHub Actions every stdout line that starts (after blanks) with ``::`` is a
    workflow command: a path given on the command line (``lint $(git diff
    --name-only)``) must not begin one (``::stop-commands::`` would silence every
    annotation after it)."""
    folder = tmp_path / name
    folder.mkdir()
    (folder / "devcontainer.json").write_text('{"customizations": {"codespaces": {"zz": 1}}}')
    done = subprocess.run(
        [sys.executable, "-m", "cs_registry", "lint", f"{name}/devcontainer.json"],
        capture_output=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    lines = done.stdout.decode().splitlines()
    assert any("devcontainer.json:1:" in line for line in lines), lines
    assert not [line for line in lines if line.lstrip().startswith("::")]


def test_credential_helper_cap_is_one_number() -> None:
    from cs_registry.credhelper import entry, wire

    assert entry._MAX_INPUT == wire.MAX_INPUT


def test_json_output_masks_a_secret_holding_an_undecodable_byte(
    make_ctx: Callable[..., Context],
) -> None:
    """jsontext writes a lone surrogate as ``\\udcff``; the JSON scrub must look for a
    registered secret in that same form."""
    from cs_registry import log
    from cs_registry.ui import print_json

    secret = os.fsdecode(b"pw\xff-a-long-enough-secret")
    log.register_secret(secret)
    ctx = make_ctx({})
    print_json(ctx, {"detail": f"the helper said {secret}"})
    out = ctx.stdout
    assert isinstance(out, io.StringIO)
    text = out.getvalue()
    assert "a-long-enough-secret" not in text
    json.loads(text)
