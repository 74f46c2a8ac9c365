"""Docker's config.json as Docker will read it: parse, mode, ``auth`` values, credential
helpers, Docker Hub alias keys, and which source answers for each triplet's server.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cs_registry import docker_verdict, docker_view, dockerconfig, files
from cs_registry.auths import alias_index, decode_auth, helper_binary, helper_for
from cs_registry.checks.check import Check, ok, problem, skip
from cs_registry.diagnosis import Code
from cs_registry.helper_client import DEFAULT_TIMEOUT as HELPER_TIMEOUT
from cs_registry.helper_client import Helper
from cs_registry.servers import DOCKER_HUB_KEY, Kind
from cs_registry.status import Status
from cs_registry.triplets import Triplet


def check_docker_config(
    environ: Mapping[str, str], override: str | None, triplets: list[Triplet]
) -> tuple[Path, list[Check]]:
    """Every config.json check; returns the config path and the checks."""
    location = dockerconfig.locate(environ, override)
    path = Path(location.file)
    located = [_relative(location.warning)] if location.warning else []
    try:
        loaded = dockerconfig.load(path)
    except dockerconfig.ConfigUnreadable as exc:
        where = f"{path}:{exc.line}:{exc.column}" if exc.line else str(path)
        return path, [
            *located,
            problem("docker-config", Status.FAIL, Code(exc.code), exc.message, where=where),
        ]
    if not loaded.exists:
        checks = [
            *located,
            skip("docker-config", f"no {path} yet (`cs-registry login` creates it)"),
        ]
        checks.extend(_entry(t, {}, environ) for t in triplets)
        return path, checks
    data = loaded.data
    auths = data.get("auths") or {}
    checks = [
        *located,
        ok("docker-config", f"{path} parses ({len(auths)} auths entries)", where=str(path)),
    ]
    checks.extend(_mode(path))
    checks.extend(_auth_values(path, auths))
    checks.extend(_helpers(data, environ))
    checks.extend(_hub_aliases(path, data))
    clients: dict[str, Helper] = {}  # one per helper and run: a stall is waited for once
    checks.extend(_entry(t, data, environ, clients) for t in triplets)
    return path, checks


def _relative(warning: str) -> Check:
    return problem(
        "docker-config-dir",
        Status.WARN,
        Code.DOCKER_CONFIG_RELATIVE,
        warning,
        remedy="Set DOCKER_CONFIG (or --config) to an absolute path.",
    )


def _mode(path: Path) -> list[Check]:
    try:
        mode = stat.S_IMODE(os.stat(files.target_of(path, what="Docker config")).st_mode)
    except (OSError, files.FileError):
        return []
    if mode & 0o077:
        return [
            problem(
                "docker-config-mode",
                Status.WARN,
                Code.CONFIG_TOO_OPEN,
                f"{path} has mode {mode:04o}: other users may read the credentials in it",
                remedy=f"chmod 600 {path}",
                where=str(path),
            )
        ]
    return []


def _auth_values(path: Path, auths: Mapping[str, Any]) -> list[Check]:
    checks = []
    for key, entry in auths.items():
        check_id = f"auth:{key}"
        if not isinstance(entry, dict):
            checks.append(
                problem(
                    check_id,
                    Status.FAIL,
                    Code.CONFIG_UNREADABLE,
                    f'auths["{key}"] is not an object; the docker CLI cannot load config.json',
                    remedy=f'Remove auths["{key}"] or write it as {{"auth": "…"}}.',
                    where=str(path),
                )
            )
        elif "auth" in entry and entry["auth"] == "":
            checks.append(
                problem(
                    check_id,
                    Status.WARN,
                    Code.CONFIG_UNREADABLE,
                    f'auths["{key}"] has an empty "auth"; docker-py fails on it',
                    remedy=f'Remove the empty "auth" of auths["{key}"] or run `cs-registry login`.',
                    where=str(path),
                )
            )
        elif "auth" in entry and decode_auth(entry["auth"]) is None:
            checks.append(
                problem(
                    check_id,
                    Status.FAIL,
                    Code.CONFIG_UNREADABLE,
                    f'auths["{key}"].auth is not base64 of "user:password"; the docker CLI then '
                    "ignores the whole config.json (every login in it)",
                    remedy=f'Remove auths["{key}"] or log in to {key} again.',
                    where=str(path),
                )
            )
    return checks


def _helpers(data: Mapping[str, Any], environ: Mapping[str, str]) -> list[Check]:
    named: dict[str, str] = {}
    store = data.get("credsStore")
    if isinstance(store, str) and store:
        named[store] = "credsStore"
    for key, name in (data.get("credHelpers") or {}).items():
        if isinstance(name, str) and name:
            named.setdefault(name, f'credHelpers["{key}"]')
    checks = []
    for name, source in named.items():
        found = helper_binary(name, environ.get("PATH"))
        if found:
            checks.append(ok(f"helper:{name}", f"{source}: docker-credential-{name} at {found}"))
        else:
            checks.append(
                problem(
                    f"helper:{name}",
                    Status.FAIL,
                    Code.CREDS_STORE_UNAVAILABLE,
                    f"{source} names '{name}' but docker-credential-{name} is not on PATH: "
                    "`docker login` fails, and pulls fail on Docker 29",
                    remedy=f"Install docker-credential-{name}, or remove {source} from "
                    "config.json so Docker reads `auths`.",
                )
            )
    return checks


def _hub_aliases(path: Path, data: Mapping[str, Any]) -> list[Check]:
    auths = data.get("auths") or {}
    aliases = [k for k in alias_index(auths).get(DOCKER_HUB_KEY, []) if k != DOCKER_HUB_KEY]
    if not aliases:
        return []
    listed = ", ".join(f'"{k}"' for k in aliases)
    message = f"Docker Hub credentials under {listed}, a key the docker CLI never reads"
    helper = helper_for(data, DOCKER_HUB_KEY)
    if helper is not None:
        message += f"; it asks docker-credential-{helper} for Docker Hub instead"
    elif DOCKER_HUB_KEY in auths:
        message += f"; it uses the {DOCKER_HUB_KEY} entry instead, so the alias is dead weight"
    else:
        message += "; pulls from Docker Hub run anonymous (rate limits, no private images)"
    used = helper is not None or DOCKER_HUB_KEY in auths
    return [
        problem(
            "dockerhub-alias",
            Status.WARN if used else Status.FAIL,
            Code.DOCKERHUB_ALIAS_KEY,
            message,
            remedy=f"Move the entry to {DOCKER_HUB_KEY} (`cs-registry login` does) and delete "
            f"{listed}.",
            where=str(path),
        )
    ]


def _entry(
    triplet: Triplet,
    data: Mapping[str, Any],
    environ: Mapping[str, str],
    clients: dict[str, Helper] | None = None,
) -> Check:
    """Will Docker use what the triplet says for its server? (docker_view's one answer)"""
    assert triplet.server is not None
    key = triplet.server.key
    check_id = f"entry:{key}"
    view = docker_view.resolve(data, key, lambda program: which(program, environ))
    asked = docker_verdict.ask(view, environ, HELPER_TIMEOUT, clients)
    verdict = docker_verdict.assess(view, asked)
    if verdict.status is not Status.OK and verdict.code is not Code.SHADOWED_BY_CRED_HELPER:
        remedy = (
            "Run `cs-registry login` (postCreateCommand does it in a codespace)."
            if verdict.code is Code.MISSING_CREDENTIALS
            else None
        )
        return problem(check_id, verdict.status, verdict.code, verdict.message, remedy=remedy)
    held = _held(view, asked, data)
    swapped = triplet.server.kind in (Kind.ECR, Kind.ECR_PUBLIC) and triplet.user != "AWS"
    if not swapped and held != (triplet.user, triplet.password.reveal()):
        return problem(
            check_id,
            Status.WARN,
            Code.MISSING_CREDENTIALS,
            f"{verdict.message}; it holds other credentials than the {triplet.id} triplet",
            remedy="Run `cs-registry login` to write the triplet's credentials.",
        )
    if verdict.status is not Status.OK:
        return problem(check_id, verdict.status, verdict.code, verdict.message)
    return ok(check_id, f"{verdict.message} ({triplet.id})")


def _held(
    view: docker_view.DockerView, asked: docker_verdict.Asked | None, data: Mapping[str, Any]
) -> tuple[str, str] | None:
    """The user and secret Docker would send (from the helper, else the auths entry)."""
    if asked is not None:
        if asked.user is None or asked.secret is None:
            return None
        return asked.user, asked.secret.reveal()
    entry = (data.get("auths") or {}).get(view.entry_key) if view.entry_key else None
    decoded = decode_auth(entry.get("auth")) if isinstance(entry, dict) else None
    if decoded is not None:
        return decoded[0], decoded[1].reveal()
    if isinstance(entry, dict) and entry.get("username") and entry.get("password"):
        return str(entry["username"]), str(entry["password"])
    return None


def which(program: str, environ: Mapping[str, str]) -> str | None:
    """Where ``program`` is on the ``PATH`` Docker would see."""
    return shutil.which(program, path=environ.get("PATH"))
