"""Record: the dataclass-free value objects of the hot path compare, hash and print by field."""

from __future__ import annotations

import pytest

from cs_registry.context import Context
from cs_registry.diagnosis import Code
from cs_registry.secret import Secret
from cs_registry.servers import Kind, Server, normalise
from cs_registry.settings import Settings
from cs_registry.status import Severity
from cs_registry.triplets import Finding, Triplet


def test_equal_fields_make_equal_and_equally_hashed_records() -> None:
    a = Finding(Code.SECRET_QUOTED, Severity.WARNING, "quoted")
    b = Finding(Code.SECRET_QUOTED, Severity.WARNING, "quoted")
    assert a == b
    assert hash(a) == hash(b)
    assert a != Finding(Code.SECRET_QUOTED, Severity.WARNING, "other")
    assert len({a, b}) == 1


def test_uncompared_fields_are_left_out_of_equality() -> None:
    assert normalise("https://GHCR.io/") == Server("ghcr.io", "ghcr.io", Kind.GHCR)
    assert normalise("https://GHCR.io/").fixes != ()
    assert Settings(origins={"verify": "x"}) == Settings()
    assert Settings(verify=True) != Settings()


def test_records_of_different_classes_never_compare_equal() -> None:
    class Other(Finding):
        __slots__ = ()

    finding = Finding(Code.OK, Severity.WARNING, "m")
    assert finding != Other(Code.OK, Severity.WARNING, "m")
    assert finding != (Code.OK, Severity.WARNING, "m")


def test_replace_copies_with_changes() -> None:
    triplet = Triplet(id="GHCR", server=None, user="u", password=Secret("p"), session_token=None)
    copy = triplet.replace(duplicate_of="OTHER")
    assert (copy.duplicate_of, copy.id, copy.password) == ("OTHER", "GHCR", Secret("p"))
    assert triplet.duplicate_of is None


def test_repr_names_every_field_and_keeps_secrets_redacted() -> None:
    triplet = Triplet(
        id="GHCR", server=None, user="u", password=Secret("hunter2-password"), session_token=None
    )
    text = repr(triplet)
    assert text.startswith("Triplet(")
    assert "id='GHCR'" in text
    assert "hunter2" not in text


def test_mutable_records_are_not_hashable() -> None:
    with pytest.raises(TypeError):
        hash(Context(environ={}))
