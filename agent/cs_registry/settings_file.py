"""One cs-registry YAML config file, checked key by key; every error names ``file:line``.

Only safe loading: :class:`yaml.SafeLoader` composes the node tree (which keeps
each node's position) and constructs plain scalars. Every fault, a control character,
nesting deeper than :data:`MAX_DEPTH` (pyyaml composes recursively, so 5,000 levels
would exhaust Python's stack), a number out of range, is a :class:`ConfigError`
naming ``file:line`` (exit 2). pyyaml costs ~30 ms to import, so this module is
imported only when a config file exists; :mod:`cs_registry.settings` reads the file.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cs_registry.errors import UsageError
from cs_registry.secret import redact

_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*", re.ASCII)
_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*", re.ASCII)
#: the deepest nesting a config file may have (a real one needs four levels)
MAX_DEPTH = 32
# GitHub, GitLab, Docker Hub and AWS key prefixes
_TOKEN_PREFIXES = (
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "dckr_pat_",
    "AKIA",
)


class ConfigError(UsageError):
    """A config file is unreadable, not YAML, or breaks the schema (exit 2)."""


@dataclass(frozen=True)
class RegistryEntry:
    """One ``registries:`` item: a server whose credentials sit in other variables."""

    id: str
    server: str
    user_env: str
    password_env: str
    where: str  # file:line of the item, for messages


@dataclass(frozen=True)
class FileValues:
    """What one file sets (absent keys are absent) and where each key was written."""

    path: Path
    values: dict[str, Any]
    lines: dict[str, str]


class _Reader:
    def __init__(self, path: Path, loader: _Loader) -> None:
        self.path = path
        self.loader = loader

    def at(self, node: yaml.Node) -> str:
        return f"{self.path}:{node.start_mark.line + 1}"

    def fail(self, node: yaml.Node, message: str) -> ConfigError:
        return ConfigError(f"{self.at(node)}: {message}")

    def scalar(self, node: yaml.Node, tags: tuple[str, ...], what: str, key: str) -> Any:
        if not isinstance(node, yaml.ScalarNode) or node.tag not in tags:
            raise self.fail(node, f"{key} must be {what}, not {_describe(node)}")
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError):  # e.g. an integer of 5,000 digits
            raise self.fail(node, f"{key} must be {what}; this value is out of range") from None

    def boolean(self, node: yaml.Node, key: str) -> bool:
        return bool(self.scalar(node, (_BOOL,), "true or false", key))

    def seconds(self, node: yaml.Node, key: str) -> float:
        number = self.scalar(node, (_INT, _FLOAT), "a number of seconds", key)
        try:
            value = float(number)
        except OverflowError:
            value = math.inf
        if not (math.isfinite(value) and value > 0):
            raise self.fail(node, f"{key} must be a positive number of seconds, not {value}")
        return value

    def text(self, node: yaml.Node, key: str, pattern: re.Pattern[str] | None = None) -> str:
        value = str(self.scalar(node, (_STR,), "a string", key))
        if pattern is not None and not pattern.fullmatch(value):
            raise self.fail(node, f"{key} {value!r} is not a valid name ([A-Za-z_][A-Za-z0-9_]*)")
        if not value.strip():
            raise self.fail(node, f"{key} must not be empty")
        return value

    def items(self, node: yaml.Node, key: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode) or node.tag != _SEQ:
            raise self.fail(node, f"{key} must be a list, not {_describe(node)}")
        return list(node.value)

    def mapping(
        self, node: yaml.Node, key: str, known: tuple[str, ...]
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode) or node.tag != _MAP:
            raise self.fail(node, f"{key} must be a mapping, not {_describe(node)}")
        found: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            name = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(name, str) or key_node.tag != _STR:
                raise self.fail(key_node, f"{key}: keys must be plain names")
            if name not in known:
                raise self.fail(
                    key_node, f"unknown setting {name!r} in {key} (known: {', '.join(known)})"
                )
            if name in found:
                raise self.fail(key_node, f"{name!r} is set twice in {key}")
            found[name] = (key_node, value_node)
        return found


def _describe(node: yaml.Node) -> str:
    if node.tag.startswith("!") or node.tag.startswith("tag:yaml.org,2002:python/"):
        return f"a value tagged {node.tag!r}"  # e.g. !!python/object: never constructed
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    kind = {_BOOL: "a boolean", _INT: "a number", _FLOAT: "a number", _STR: "a string"}
    if node.tag == "tag:yaml.org,2002:null":
        return "empty"
    return f"{kind.get(node.tag, 'a value')} ({node.value!r})"


def _looks_like_secret(value: str) -> bool:
    """A token pasted where a variable name belongs (``password_env: ghp_…``)."""
    if value.startswith(_TOKEN_PREFIXES):
        return True
    mixed = any(c.islower() for c in value) and any(c.isupper() for c in value)
    return len(value) >= 30 and mixed and any(c.isdigit() for c in value)


def _variable_name(reader: _Reader, node: yaml.Node, key: str) -> str:
    """A ``*_env`` value: the name of a variable, never echoed when it looks like a secret."""
    value = str(reader.scalar(node, (_STR,), "a string", key))
    if _looks_like_secret(value):
        raise reader.fail(
            node,
            f"{key} must name the variable that holds the secret ({redact(value)} looks like "
            "the secret itself); put the secret in a variable, e.g. a Codespaces secret",
        )
    return reader.text(node, key, _ENV_NAME)


def _registry(reader: _Reader, node: yaml.Node, index: int) -> RegistryEntry:
    where = f"registries[{index}]"
    fields = reader.mapping(node, where, ("id", "server", "user_env", "password_env"))
    for required in ("server", "user_env", "password_env"):
        if required not in fields:
            raise reader.fail(node, f"{where} needs {required!r}")
    server = reader.text(fields["server"][1], f"{where}.server")
    default_id = re.sub(r"[^A-Za-z0-9]+", "_", server.split("://")[-1]).strip("_").upper()
    ident = reader.text(fields["id"][1], f"{where}.id", _ID) if "id" in fields else default_id
    return RegistryEntry(
        id=ident or f"REGISTRY_{index}",
        server=server,
        user_env=_variable_name(reader, fields["user_env"][1], f"{where}.user_env"),
        password_env=_variable_name(reader, fields["password_env"][1], f"{where}.password_env"),
        where=reader.at(node),
    )


def _ignore(reader: _Reader, node: yaml.Node, key: str) -> tuple[str, ...]:
    return tuple(reader.text(item, f"{key} item", _ID) for item in reader.items(node, key))


def _registries(reader: _Reader, node: yaml.Node, key: str) -> tuple[RegistryEntry, ...]:
    return tuple(_registry(reader, item, i) for i, item in enumerate(reader.items(node, key)))


#: every setting a file may hold, and how to read it
PARSERS: dict[str, Callable[[_Reader, yaml.Node, str], Any]] = {
    "verify": _Reader.boolean,
    "ecr_helper": _Reader.boolean,
    "timeout": _Reader.seconds,
    "ignore": _ignore,
    "registries": _registries,
    "ghcr_from_github_token": _Reader.boolean,
}


class _Loader(yaml.SafeLoader):
    """:class:`yaml.SafeLoader` that refuses nesting deeper than :data:`MAX_DEPTH`."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"nested deeper than {MAX_DEPTH} levels",
                    self.peek_event().start_mark,  # type: ignore[no-untyped-call]
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _compose(text: str, path: Path) -> tuple[_Loader, yaml.Node | None]:
    """The loader and the document's root node; every YAML fault as ``file:line``."""
    try:
        loader = _Loader(text)  # the reader refuses control characters here
    except yaml.reader.ReaderError as exc:
        char = f"U+{exc.character:04X}" if isinstance(exc.character, int) else "a byte"
        raise ConfigError(
            f"{path}:{_line_of(text, exc.position)}: not valid YAML (control character "
            f"{char} is not allowed; YAML files hold printable text only)"
        ) from None
    try:
        return loader, loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        loader.dispose()
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{line}: not valid YAML ({exc.problem or exc.context})") from None
    except yaml.YAMLError as exc:
        loader.dispose()
        raise ConfigError(f"{path}: not valid YAML ({exc})") from None


def parse(text: str, path: Path) -> FileValues:
    """Check and read one config file's text; ``path`` is only for messages."""
    loader, root = _compose(text, path)
    try:
        if root is None or (root.tag == "tag:yaml.org,2002:null" and not root.value):
            return FileValues(path, {}, {})  # an empty file sets nothing
        reader = _Reader(path, loader)
        fields = reader.mapping(root, "the top level", tuple(PARSERS))
        values = {name: PARSERS[name](reader, node, name) for name, (_, node) in fields.items()}
        lines = {name: reader.at(key_node) for name, (key_node, _) in fields.items()}
        return FileValues(path, values, lines)
    finally:
        loader.dispose()


def parse_bytes(raw: bytes, path: Path) -> FileValues:
    """Check and read one config file's bytes (read by :func:`cs_registry.files.read_file`,
    which caps their size); ``path`` is only for messages."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError(f"{path}:{line}: not UTF-8 text") from None
    return parse(text, path)
