"""The suite's own rule: name lookups never leave this machine (tests/support/loopback_names)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import loopback_names

AGENT = str(Path(__file__).resolve().parents[2] / "agent")


def test_a_name_outside_the_hosts_file_gets_no_such_name_without_a_resolver() -> None:
    with pytest.raises(socket.gaierror) as raised:
        socket.getaddrinfo("registry.cs-registry-test.invalid", 443)
    assert raised.value.errno == socket.EAI_NONAME
    with pytest.raises(socket.gaierror):
        socket.gethostbyname("123456789012.dkr.ecr.us-east-1.amazonaws.com")
    with pytest.raises(socket.herror):
        socket.gethostbyaddr("192.0.2.1")
    with pytest.raises(socket.herror):  # loopback, but not in /etc/hosts: a PTR query
        socket.gethostbyaddr("127.0.0.2")


def test_loopback_literals_and_hosts_names_resolve_as_usual() -> None:
    assert socket.getaddrinfo("127.0.0.1", 80, type=socket.SOCK_STREAM)[0][4][0] == "127.0.0.1"
    assert socket.getaddrinfo("localhost", 80, type=socket.SOCK_STREAM)
    assert socket.gethostbyaddr("127.0.0.1")


def test_the_hosts_file_is_read_as_the_c_library_reads_it(tmp_path: Path) -> None:
    hosts = tmp_path / "hosts"
    hosts.write_text("127.0.0.1 localhost\n::1 ip6-localhost  # comment\n# 10.0.0.1 gone\n")
    names = loopback_names.local_names(str(hosts))
    assert names == {"localhost", "ip6-localhost", "127.0.0.1", "::1"}
    assert loopback_names.reverse_stays_local("::1", names)
    assert not loopback_names.reverse_stays_local("127.0.0.2", names)
    assert loopback_names.stays_local("LOCALHOST.", names)
    assert loopback_names.stays_local("[::1]", names)
    assert not loopback_names.stays_local("gone", names)


def test_a_python_child_given_child_env_keeps_its_lookups_here_too() -> None:
    env = loopback_names.child_env({**os.environ, "PYTHONPATH": AGENT})
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import socket\n"
            "try:\n"
            "    socket.getaddrinfo('registry.cs-registry-test.invalid', 443)\n"
            "except socket.gaierror as exc:\n"
            "    print(exc.errno == socket.EAI_NONAME)\n",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.stdout.strip() == "True", done.stderr
