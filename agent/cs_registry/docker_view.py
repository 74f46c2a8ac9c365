"""What Docker will do for one registry: the one answer login, doctor and debug-login show.

A pure function of Docker's parsed ``config.json``, the config key of a registry and
what is installed on ``PATH``. It follows the docker CLI's own lookup
(``cli/config/configfile/file.go`` and ``cli/config/credentials``), checked against
the real CLI (20.10 and 28) by ``tests/integration/test_docker_view.py``:

1. The helper is ``credHelpers[key]`` when that key is present (an empty name there
   means "no helper", not ``credsStore``), else ``credsStore``.
2. Without a helper the file store answers: ``auths[key]``, else the first key whose
   host part (scheme and path dropped) equals ``key``. Docker Hub's key
   ``https://index.docker.io/v1/`` has no such fallback, so entries under
   ``docker.io`` and its other aliases are never read.
3. With a helper, the helper answers: its credentials; "credentials not found" means
   no credentials at all (the ``auths`` entry is not used); but when the helper cannot
   be run or fails, ``docker pull`` falls back to the ``auths`` entry, while
   ``docker login`` and ``docker push`` fail.
4. An ``auth`` value that is not base64 of ``user:password``, or an entry that is not
   an object, makes the CLI stop reading ``auths`` part way ("WARNING: Error loading
   config file"): which entries survive depends on Go's map order, so none is
   reliable.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping

from cs_registry.auths import HELPER_PREFIX, decode_auth
from cs_registry.diagnosis import Code
from cs_registry.record import Record
from cs_registry.servers import DOCKER_HUB_KEY, config_key_for

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Source(str, enum.Enum):
    """Where Docker looks for a registry's credentials."""

    AUTHS = "auths"
    CRED_HELPERS = "credHelpers"
    CREDS_STORE = "credsStore"

    def __str__(self) -> str:
        return self.value


class DockerView(Record):
    """What Docker will do for ``key``; built by :func:`resolve`, never by hand.

    ``helper`` names the helper Docker asks (``None``: the ``auths`` file store);
    ``helper_path`` is where it is installed (``None``: not on ``PATH``).
    ``entry_key`` is the ``auths`` key Docker reads for ``key`` (``None``: none),
    ``entry_user`` the user name it holds (never the secret). ``unread_keys`` are
    ``auths`` keys for this registry that Docker never reads; ``broken_keys`` are
    entries anywhere in the file that stop the CLI reading ``auths``. ``code`` is the
    finding, ``ok`` when Docker will use credentials as they stand.
    """

    __slots__ = (
        "broken_keys",
        "code",
        "entry_key",
        "entry_user",
        "helper",
        "helper_path",
        "key",
        "source",
        "unread_keys",
    )

    def __init__(
        self,
        *,
        key: str,
        source: Source,
        helper: str | None,
        helper_path: str | None,
        entry_key: str | None,
        entry_user: str | None,
        unread_keys: tuple[str, ...],
        broken_keys: tuple[str, ...],
        code: Code,
    ) -> None:
        self.key = key
        self.source = source
        self.helper = helper
        self.helper_path = helper_path
        self.entry_key = entry_key
        self.entry_user = entry_user
        self.unread_keys = unread_keys
        self.broken_keys = broken_keys
        self.code = code

    @property
    def helper_program(self) -> str | None:
        """``docker-credential-NAME`` for the helper Docker asks, if any."""
        return None if self.helper is None else HELPER_PREFIX + self.helper

    @property
    def pull_falls_back(self) -> bool:
        """A helper answers but cannot be run: pulls use the ``auths`` entry instead."""
        return self.helper is not None and self.helper_path is None and self.entry_key is not None

    def pull_authenticates(self, helper_answer: HelperAnswer | None = None) -> bool | None:
        """Whether ``docker pull`` sends credentials (``None``: cannot be known).

        ``helper_answer`` is what the helper said (see :func:`HelperAnswer`) when one
        answers for the key; without it a helper's answer is unknown.
        """
        if self.entry_key is None and self.key in self.broken_keys:
            return False if self.helper is None or self.helper_path is None else None
        if self.broken_keys:
            return None
        if self.helper is None or self.helper_path is None:
            # no helper, or one that cannot be run: the auths entry alone decides
            return self.entry_key is not None
        if helper_answer is None:
            return None
        if helper_answer is HelperAnswer.FAILED:
            return self.entry_key is not None
        return helper_answer is HelperAnswer.CREDENTIALS

    def describe(self) -> str:
        """One line: who answers for the registry and what Docker does with it."""
        if self.helper is not None:
            where = f"{self.source}" + (
                f'["{self.key}"]' if self.source is Source.CRED_HELPERS else ""
            )
            if self.helper_path is None:
                fallback = (
                    f'pulls fall back to auths["{self.entry_key}"]'
                    if self.entry_key is not None
                    else "pulls run without credentials"
                )
                return (
                    f"{where} sends Docker to {self.helper_program}, which is not on PATH: "
                    f"docker login and push fail, {fallback}"
                )
            return f"Docker asks {self.helper_program} ({where}) for {self.key}"
        if self.entry_key is None:
            return f"Docker has no credentials for {self.key}: pulls run anonymously"
        user = f" (user {self.entry_user!r})" if self.entry_user else ""
        return f'Docker uses auths["{self.entry_key}"]{user} for {self.key}'


class HelperAnswer(str, enum.Enum):
    """What a credential helper said to ``get``."""

    CREDENTIALS = "credentials"
    NOT_FOUND = "not_found"
    FAILED = "failed"


def helper_name(data: Mapping[str, Any], key: str) -> tuple[str | None, Source]:
    """The helper Docker asks for ``key`` and where it is named (``None``: the file store)."""
    helpers = data.get("credHelpers")
    if isinstance(helpers, dict) and key in helpers:
        name = helpers[key]
        if isinstance(name, str) and name:
            return name, Source.CRED_HELPERS
        return None, Source.AUTHS  # an empty name: the file store, not credsStore
    store = data.get("credsStore")
    if isinstance(store, str) and store:
        return store, Source.CREDS_STORE
    return None, Source.AUTHS


def who_answers(
    data: Mapping[str, Any], key: str, which: Callable[[str], str | None]
) -> tuple[str | None, Source, str | None]:
    """The first step of :func:`resolve` alone: the helper Docker asks for ``key`` (``None``:
    the ``auths`` file store), where it is named, and where it is installed. Cheap (no scan
    of ``auths``), so a login of thousands of registries can ask it for each one."""
    helper, source = helper_name(data, key)
    helper_path = which(HELPER_PREFIX + helper) if helper is not None else None
    return helper, source, helper_path


def host_part(raw_key: str) -> str:
    """The docker CLI's ``ConvertToHostname``: scheme and path dropped."""
    rest = raw_key.split("://", 1)[1] if "://" in raw_key else raw_key
    return rest.split("/", 1)[0]


def broken_keys(data: Mapping[str, Any]) -> tuple[str, ...]:
    """``auths`` keys whose entry makes the docker CLI stop reading the file."""
    auths = data.get("auths")
    if not isinstance(auths, dict):
        return ()
    broken = []
    for raw, entry in auths.items():
        if not isinstance(entry, dict) or (entry.get("auth") and not decode_auth(entry["auth"])):
            broken.append(raw)
    return tuple(broken)


def _entry(auths: Mapping[str, Any], key: str) -> tuple[str | None, str | None]:
    """The ``auths`` key the file store reads for ``key``, and its user name."""
    candidates = [key] if key in auths else []
    if not candidates and key != DOCKER_HUB_KEY:
        candidates = [raw for raw in auths if host_part(raw) == key]
    for raw in candidates:
        user = _user(auths[raw])
        if user is not None:
            return raw, user
    return None, None


def _user(entry: object) -> str | None:
    """The user of an entry that carries credentials; ``None`` when it carries none."""
    if not isinstance(entry, dict):
        return None
    if entry.get("auth"):
        decoded = decode_auth(entry["auth"])
        return decoded[0] if decoded else None
    if entry.get("identitytoken"):
        return "<token>"
    if entry.get("username") and entry.get("password"):
        return str(entry["username"])
    return None


def resolve(data: Mapping[str, Any], key: str, which: Callable[[str], str | None]) -> DockerView:
    """What Docker does for the registry whose config key is ``key``.

    ``which(program)`` says where a program is on the ``PATH`` Docker will see.
    """
    auths = data.get("auths")
    auths = auths if isinstance(auths, dict) else {}
    helper, source, helper_path = who_answers(data, key, which)
    entry_key, entry_user = _entry(auths, key)
    same_registry = [raw for raw in auths if config_key_for(raw) == key]
    read = {entry_key} if helper is None or helper_path is None else set()
    unread = tuple(raw for raw in same_registry if raw not in read)
    broken = broken_keys(data)
    if broken:
        code = Code.CONFIG_UNREADABLE
    elif helper is not None and helper_path is None:
        code = Code.CREDS_STORE_UNAVAILABLE
    elif helper is not None and entry_key is not None:
        code = Code.SHADOWED_BY_CRED_HELPER
    elif helper is None and entry_key is None and unread:
        code = Code.DOCKERHUB_ALIAS_KEY if key == DOCKER_HUB_KEY else Code.MISSING_CREDENTIALS
    elif helper is None and entry_key is None:
        code = Code.MISSING_CREDENTIALS
    else:
        code = Code.OK
    return DockerView(
        key=key,
        source=source,
        helper=helper,
        helper_path=helper_path,
        entry_key=entry_key,
        entry_user=entry_user,
        unread_keys=unread,
        broken_keys=broken,
        code=code,
    )
