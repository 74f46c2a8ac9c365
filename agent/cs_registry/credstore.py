"""Storing through a credential helper that Docker would ask instead of ``auths``.

When ``credHelpers``/``credsStore`` answers for a host, Docker never reads our
``auths`` entry, so we store through that helper (docker-py's
``docker.credentials`` speaks the protocol, the secret on stdin). docker-py is
imported only here, only when a helper is involved.
"""

from __future__ import annotations

import shutil
from typing import Protocol

from cs_registry.auths import HELPER_PREFIX, Credential
from cs_registry.errors import CsRegistryError


class HelperStore(Protocol):
    """The part of a credential helper we use."""

    def get(self, server: str) -> tuple[str, str] | None: ...

    def store(self, server: str, username: str, secret: str) -> None: ...


class HelperError(CsRegistryError):
    """A helper refused or failed; the message is the helper's own (secrets scrubbed)."""


class DockerPyHelper:
    """``docker-credential-NAME`` through docker-py, with the environment we were given.

    The program is looked up on ``environment["PATH"]`` (what Docker would see), not
    on this process's own ``PATH``, which docker-py would use by itself.
    """

    def __init__(self, name: str, environment: dict[str, str] | None = None) -> None:
        import warnings

        from docker.credentials import Store

        self.name = name
        program = f"{HELPER_PREFIX}{name}"
        search_path = (environment or {}).get("PATH")
        executable = shutil.which(program, path=search_path)
        if executable is None:
            raise HelperError(f"{program} is not on PATH")
        with warnings.catch_warnings():  # docker-py warns when its own PATH lacks it
            warnings.simplefilter("ignore")
            self._store = Store(name, environment=environment)
        self._store.exe = executable

    def get(self, server: str) -> tuple[str, str] | None:
        from docker.credentials.errors import CredentialsNotFound, StoreError

        try:
            answer = self._store.get(server)
            return str(answer["Username"]), str(answer["Secret"])
        except CredentialsNotFound:
            return None
        except StoreError as exc:
            raise HelperError(f"docker-credential-{self.name} get failed: {exc}") from None
        except (ValueError, KeyError, TypeError):
            raise HelperError(
                f"docker-credential-{self.name} get answered something that is not "
                "credential-helper JSON"
            ) from None

    def store(self, server: str, username: str, secret: str) -> None:
        from docker.credentials.errors import StoreError

        try:
            self._store.store(server=server, username=username, secret=secret)
        except StoreError as exc:
            raise HelperError(f"docker-credential-{self.name} store failed: {exc}") from None


def store_through(helper: HelperStore, credential: Credential) -> bool:
    """Store ``credential`` unless the helper already holds it; returns whether it wrote."""
    current = helper.get(credential.key)
    if current == (credential.username, credential.secret.reveal()):
        return False
    helper.store(credential.key, credential.username, credential.secret.reveal())
    return True
