"""A moto server on 127.0.0.1 in its own process, and the AWS set-up tests need.

Each server is a separate ``moto_server`` process, so IAM enforcement (a global
setting inside moto) in one never leaks into another. Product code reaches it only
through botocore's ``AWS_ENDPOINT_URL_*`` variables (:meth:`Moto.endpoint_env`).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.support.require import missing

ACCOUNT = "123456789012"
#: what moto's GetAuthorizationToken hands out: base64("AWS:<account>-auth-token")
MOTO_PASSWORD = f"{ACCOUNT}-auth-token"
#: moto's expiresAt: 2015-01-01T00:00:00Z (already expired: inject a clock before it)
MOTO_EXPIRES_AT = 1420070400.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Moto:
    """A running moto server."""

    url: str

    def endpoint_env(self) -> dict[str, str]:
        """The variables that send botocore's ECR and STS calls here."""
        return {
            "AWS_ENDPOINT_URL_ECR": self.url,
            "AWS_ENDPOINT_URL_STS": self.url,
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def reset_auth(self, free_actions: int) -> None:
        """Enforce IAM after ``free_actions`` more unauthenticated calls (0: right now)."""
        request = urllib.request.Request(
            f"{self.url}/moto-api/reset-auth",
            data=str(free_actions).encode(),
            method="POST",
            headers={"Content-Type": "text/plain"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 200

    def client(
        self, service: str, key_id: str = "AKIAADMIN0000000000A", secret: str = "x"
    ) -> object:
        import botocore.session

        return botocore.session.Session().create_client(
            service,
            region_name="us-east-1",
            endpoint_url=self.url,
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
        )

    def iam_user(self, name: str, actions: tuple[str, ...] = ()) -> tuple[str, str]:
        """Create a user allowed ``actions`` (none: no policy); returns (key ID, secret)."""
        iam = self.client("iam")
        # the ignores below: botocore builds service operations at runtime and its stubs
        # (botocore-stubs) leave them out of BaseClient; create_client() gives an object here
        iam.create_user(UserName=name)  # type: ignore[attr-defined]
        if actions:
            policy = {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}],
            }
            iam.put_user_policy(  # type: ignore[attr-defined]
                UserName=name, PolicyName="p", PolicyDocument=json.dumps(policy)
            )
        key = iam.create_access_key(UserName=name)["AccessKey"]  # type: ignore[attr-defined]
        return str(key["AccessKeyId"]), str(key["SecretAccessKey"])


def _moto_server() -> str:
    found = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or shutil.which(
        "moto_server"
    )
    if found is None:
        missing("moto_server (pip install 'moto[server]')")
    return found


@contextlib.contextmanager
def start_moto(log_dir: Path) -> Iterator[Moto]:
    """Run ``moto_server -H 127.0.0.1 -p PORT`` until the block ends."""
    port = free_port()
    log_path = log_dir / f"moto-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [_moto_server(), "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    moto = Moto(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{moto.url}/moto-api/data.json", timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"moto_server did not start: {log_path.read_text()}"
                    ) from None
                time.sleep(0.05)
        yield moto
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class IamMoto:
    """A moto server enforcing IAM, with a user who may swap and one who may not."""

    moto: Moto
    puller: tuple[str, str]
    nobody: tuple[str, str]


@contextlib.contextmanager
def start_iam_moto(log_dir: Path) -> Iterator[IamMoto]:
    """:func:`start_moto` with IAM enforced after creating ``puller`` and ``nobody``."""
    with start_moto(log_dir) as server:
        server.reset_auth(1000)  # set-up calls are free ...
        puller = server.iam_user("puller", ("ecr:GetAuthorizationToken",))
        nobody = server.iam_user("nobody")
        server.reset_auth(0)  # ... from here on every call is checked
        yield IamMoto(server, puller, nobody)
