"""The JSONC fast path (stdlib json after blanking comments and trailing commas) gives the
same values and positions as json-five, and leaves everything else to json-five."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cs_registry.devcontainer.jsonc import Document, JsoncError, parse, parse_json5
from cs_registry.devcontainer.jsonfast import parse_fast

DATA = Path(__file__).resolve().parents[1] / "data" / "devcontainer"
ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(
    [
        *DATA.rglob("devcontainer.json"),
        *DATA.rglob(".devcontainer.json"),
        *DATA.glob("invalid/*.jsonc"),
        ROOT / ".devcontainer" / "devcontainer.json",
    ]
)


def same(fast: Document, slow: Document) -> None:
    assert fast.value == slow.value
    assert fast.keys == slow.keys
    assert fast.values == slow.values


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_every_corpus_file_parses_the_same_both_ways(path: Path) -> None:
    text = path.read_text("utf-8").removeprefix("\ufeff")
    try:
        slow = parse_json5(text)
    except JsoncError:
        assert parse_fast(text) is None  # what json-five refuses, the fast path refuses too
        return
    fast = parse_fast(text)
    if "valid" in path.parts or path.name == "devcontainer.json":
        assert fast is not None, "a valid JSONC file left the fast path"
    if fast is not None:
        same(fast, slow)


@pytest.mark.parametrize(
    "text",
    [
        "[,]",
        "{,}",
        "[1,,]",
        '{"a": 1,,}',
        '{"a": 1} /* never closed',
        '{"a": NaN}',
        '{"a": -Infinity}',
        "{'a': 1}",
        "{a: 1}",
        '{"a": 0x10}',
        '{"a": +1}',
        '{"a": .5}',
        '{"a": "x" "b": 2}',
        '{"a": 1} # note',
    ],
)
def test_what_is_not_plain_jsonc_goes_to_json_five(text: str) -> None:
    assert parse_fast(text) is None
    with pytest.raises(JsoncError):
        parse(text)


@pytest.mark.parametrize(
    ("text", "value"), [('{"a": "tab\there"}', {"a": "tab\there"}), ('{"a": 1}\f', {"a": 1})]
)
def test_what_json_five_alone_accepts_still_parses(text: str, value: dict[str, Any]) -> None:
    # json.loads refuses a raw tab in a string and a form feed as space; json-five and so
    # the lint have always accepted both
    assert parse_fast(text) is None
    assert parse(text).value == value


# JSON values, and a writer that puts comments, trailing commas and odd spacing anywhere
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
_GAPS = st.sampled_from(
    ["", " ", "\n", "\n    ", " // note, with } and ]\n", " /* a, b: */ ", "\t"]
)


def _write(value: Any, data: st.DataObject) -> str:
    draw = data.draw
    gap = draw(_GAPS)
    if isinstance(value, dict):
        items = [
            f"{draw(_GAPS)}{json.dumps(k)}{draw(_GAPS)}:{draw(_GAPS)}{_write(v, data)}"
            for k, v in value.items()
        ]
        trailing = "," if bool(items) and draw(st.booleans()) else ""
        return "{" + ",".join(items) + trailing + draw(_GAPS) + "}" + gap
    if isinstance(value, list):
        items = [f"{draw(_GAPS)}{_write(v, data)}" for v in value]
        trailing = "," if bool(items) and draw(st.booleans()) else ""
        return "[" + ",".join(items) + trailing + draw(_GAPS) + "]" + gap
    return json.dumps(value, ensure_ascii=draw(st.booleans())) + gap


@settings(max_examples=300, deadline=None)
@given(value=st.dictionaries(st.text(max_size=8), _VALUES, max_size=5), data=st.data())
def test_commented_json_parses_the_same_both_ways(
    value: dict[str, Any], data: st.DataObject
) -> None:
    text = _write(value, data)
    fast = parse_fast(text)
    assert fast is not None, text
    same(fast, parse_json5(text))
