"""Name lookups in the tests never leave this machine.

The test bed's rule is that traffic stays on loopback; but a lookup of a name that
is not in ``/etc/hosts`` goes to the machine's resolver, which is another address
(here ``10.255.255.53``). Tests use such names on purpose (an ECR host, ``*.invalid``)
to get "no such host". :func:`install` answers them the way a resolver answers an
unknown name, ``EAI_NONAME``, without asking one: ``debug-login``'s ``dns`` step and
every library see exactly the error a real lookup gives. IP literals and the names in
``/etc/hosts`` (``localhost`` and this machine's own names) are looked up as usual,
since the C library answers those from the file.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import sys
from pathlib import Path
from typing import Any

HOSTS_FILE = "/etc/hosts"
_NO_SUCH_NAME = "Name or service not known"  # glibc's gai_strerror(EAI_NONAME)


def local_names(hosts_file: str = HOSTS_FILE) -> frozenset[str]:
    """The names and addresses ``hosts_file`` maps (names lowercase, addresses in their
    normal form): the C library looks them up, both ways, without a resolver."""
    names: set[str] = set()
    try:
        with open(hosts_file, encoding="utf-8", errors="replace") as lines:
            for line in lines:
                fields = line.partition("#")[0].split()
                address = _address(fields[0]) if fields else None
                if address is not None and len(fields) > 1:
                    names.add(str(address))
                    names.update(name.lower().rstrip(".") for name in fields[1:])
    except OSError:
        pass
    return frozenset(names | {"localhost"})


def _host_text(host: str | bytes | None) -> str | None:
    if isinstance(host, bytes):
        return host.decode("ascii", "replace")
    return host


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]").partition("%")[0])
    except ValueError:
        return None


def stays_local(host: str | bytes | None, names: frozenset[str]) -> bool:
    """Whether looking ``host`` up needs no resolver: none (a bind), a literal, a hosts name."""
    text = _host_text(host)
    if not text:
        return True
    return _address(text) is not None or text.lower().rstrip(".") in names


def reverse_stays_local(host: str | bytes | None, names: frozenset[str]) -> bool:
    """Whether naming ``host`` needs no resolver: an address or a name the hosts file
    has (``127.0.0.2``, which it lacks, would be asked of the resolver)."""
    text = _host_text(host) or ""
    address = _address(text)
    return str(address) in names if address is not None else text.lower().rstrip(".") in names


@functools.cache
def install(names: frozenset[str] | None = None) -> None:
    """Answer every lookup that would reach a resolver with "no such name" (once per process).

    An audit hook, not a patched ``socket``: it also holds for code that took its own
    reference to ``socket.getaddrinfo`` before the tests started.
    """
    known = local_names() if names is None else names

    def refuse(event: str, args: tuple[Any, ...]) -> None:
        if event in _FORWARD and args and not stays_local(args[0], known):
            raise socket.gaierror(socket.EAI_NONAME, _NO_SUCH_NAME)
        if event == "socket.gethostbyaddr" and args and not reverse_stays_local(args[0], known):
            raise socket.herror(1, "Unknown host")

    sys.addaudithook(refuse)


#: the audit events of forward lookups; each one's first argument is the name
_FORWARD = frozenset({"socket.getaddrinfo", "socket.gethostbyname"})


#: a ``sitecustomize`` that calls :func:`install` in a Python child process
CHILD_SITE = Path(__file__).resolve().parent / "offline_site"


def child_env(env: dict[str, str]) -> dict[str, str]:
    """``env`` for a Python child whose lookups must stay on this machine too."""
    path = env.get("PYTHONPATH")
    return {**env, "PYTHONPATH": f"{CHILD_SITE}:{path}" if path else str(CHILD_SITE)}
