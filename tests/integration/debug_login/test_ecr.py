"""ECR hosts with access keys: the auth step is the key swap (moto plays AWS).

The registry host does not resolve here, so the diagnosis is ``dns_failure``; the
``auth`` step still runs the swap, which talks to the ECR API, not to the registry.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.debug_login.conftest import Run
from tests.support.moto import IamMoto, start_iam_moto

HOST = "123456789012.dkr.ecr.us-east-1.amazonaws.com"


@pytest.fixture(scope="module")
def aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IamMoto]:
    with start_iam_moto(tmp_path_factory.mktemp("moto-debug-login")) as server:
        yield server


def _swap(debug_login: Run, aws: IamMoto, key_id: str, secret: str) -> dict[str, str]:
    outcome = debug_login(
        HOST, "-u", key_id, "--password-stdin", stdin=secret, env=aws.moto.endpoint_env()
    )
    assert outcome.step("dns")["code"] == "dns_failure"
    return outcome.step("auth")


def test_keys_that_may_swap(debug_login: Run, aws: IamMoto) -> None:
    auth = _swap(debug_login, aws, *aws.puller)
    assert (auth["status"], auth["code"]) == ("ok", "ok")
    assert "GetAuthorizationToken worked" in auth["detail"]


def test_keys_without_permission(debug_login: Run, aws: IamMoto) -> None:
    auth = _swap(debug_login, aws, *aws.nobody)
    assert (auth["status"], auth["code"]) == ("fail", "ecr_access_denied")


def test_unknown_key(debug_login: Run, aws: IamMoto) -> None:
    auth = _swap(debug_login, aws, "AKIAUNKNOWN000000000", "whatever")
    assert (auth["status"], auth["code"]) == ("fail", "ecr_invalid_key_id")


def test_wrong_secret(debug_login: Run, aws: IamMoto) -> None:
    auth = _swap(debug_login, aws, aws.puller[0], "not-the-secret")
    assert (auth["status"], auth["code"]) == ("fail", "ecr_invalid_secret")
