"""The swap against a loopback fake speaking AWS's JSON shapes, and ECR Public (moto lacks it)."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator

import pytest

from cs_registry import retrying
from cs_registry.diagnosis import Code
from cs_registry.ecr.keys import AwsKeys, EcrError, SwapTarget
from cs_registry.ecr.swap import BotocoreSwapper
from cs_registry.main import main
from cs_registry.secret import Secret
from tests.support import fakeaws
from tests.support.captured import MakeCtx
from tests.support.fakeaws import FakeAws

HOST = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
ARN = "arn:aws:iam::123456789012:user/dev"
LATER = time.time() + 12 * 3600


@pytest.fixture
def fake() -> Iterator[FakeAws]:
    with fakeaws.fake_aws() as server:
        yield server


def target(
    key_id: str = "AKIAEXAMPLE000000001",
    session: str | None = None,
    *,
    region: str = "eu-west-1",
    public: bool = False,
    host: str = HOST,
) -> SwapTarget:
    keys = AwsKeys(key_id, Secret("secret-key"), Secret(session) if session else None)
    return SwapTarget("ECR", host, region, public, keys)


def swapper(
    environ: dict[str, str], policy: retrying.RetryPolicy = retrying.FAST
) -> BotocoreSwapper:
    return BotocoreSwapper(environ, time.time, policy=policy)


def failure(fake: FakeAws, swap_target: SwapTarget | None = None) -> EcrError:
    with pytest.raises(EcrError) as caught:
        swapper(fake.endpoint_env()).swap(swap_target or target())
    return caught.value


def test_private_swap_returns_password_and_expiry(fake: FakeAws) -> None:
    fake.answer("ecr", fakeaws.token("tok", 1893456000.0))

    token = swapper(fake.endpoint_env()).swap(target())

    assert (token.password, token.expires_at) == ("tok", 1893456000.0)
    (request,) = fake.calls("ecr")
    assert request.target == "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken"
    assert "/eu-west-1/ecr/aws4_request" in request.headers["Authorization"]


def test_ecr_public_swaps_in_us_east_1_and_login_writes_public_ecr_aws(
    fake: FakeAws, make_ctx: MakeCtx, isolated_home: object
) -> None:
    fake.answer("ecr-public", fakeaws.token("public-token", LATER, public=True))
    ctx = make_ctx(
        {
            **fake.endpoint_env(),
            "PUB_CONTAINER_REGISTRY_SERVER": "public.ecr.aws",
            "PUB_CONTAINER_REGISTRY_USER": "AKIAEXAMPLE000000001",
            "PUB_CONTAINER_REGISTRY_PASSWORD": "secret-key",
        }
    )

    assert main(["login", "--json"], ctx) == 0

    (request,) = fake.calls("ecr-public")
    assert request.target == "SpencerFrontendService.GetAuthorizationToken"
    assert "/us-east-1/ecr-public/aws4_request" in request.headers["Authorization"]
    row = json.loads(ctx.stdout.getvalue())["registries"][0]
    assert (row["kind"], row["status"]) == ("ecr-public", "written")
    config = json.loads((ctx.home / ".docker" / "config.json").read_text())
    assert config["auths"]["public.ecr.aws"] == {
        "auth": base64.b64encode(b"AWS:public-token").decode()
    }


def test_session_token_is_sent_with_temporary_keys(fake: FakeAws) -> None:
    fake.answer("ecr", fakeaws.token("tok", LATER))

    swapper(fake.endpoint_env()).swap(target("ASIAEXAMPLE000000001", "the-session"))

    assert fake.calls("ecr")[0].headers["X-Amz-Security-Token"] == "the-session"


def test_temporary_keys_without_session_token_never_call_aws(fake: FakeAws) -> None:
    error = failure(fake, target("ASIAEXAMPLE000000001"))

    assert error.code is Code.ECR_SESSION_TOKEN_REQUIRED
    assert "ECR_CONTAINER_REGISTRY_SESSION_TOKEN" in error.message
    assert fake.requests == []


def test_json_access_denied_names_the_action_and_identity(fake: FakeAws) -> None:
    fake.answer("ecr", fakeaws.error("AccessDeniedException", "not authorized"))
    fake.answer("sts", fakeaws.caller(ARN))

    error = failure(fake)

    assert error.code is Code.ECR_ACCESS_DENIED
    assert "ecr:GetAuthorizationToken" in error.message
    assert ARN in error.message
    assert len(fake.calls("ecr")) == 1  # auth errors are never retried


def test_ecr_public_access_denied_also_names_the_bearer_token_action(fake: FakeAws) -> None:
    fake.answer("ecr-public", fakeaws.error("AccessDeniedException", "no"))
    fake.answer("sts", fakeaws.caller(ARN))

    error = failure(fake, target(public=True, region="us-east-1", host="public.ecr.aws"))

    assert error.code is Code.ECR_ACCESS_DENIED
    assert "ecr-public:GetAuthorizationToken" in error.message
    assert "sts:GetServiceBearerToken" in error.message


def test_unrecognised_key_that_sts_knows_means_the_region_is_not_enabled(fake: FakeAws) -> None:
    fake.answer("ecr", fakeaws.error("UnrecognizedClientException", "invalid token"))
    fake.answer("sts", fakeaws.caller(ARN))

    assert failure(fake).code is Code.ECR_WRONG_REGION


def test_unrecognised_key_that_sts_rejects_too(fake: FakeAws) -> None:
    fake.answer("ecr", fakeaws.error("UnrecognizedClientException", "invalid token"))
    fake.answer("sts", fakeaws.sts_error("InvalidClientTokenId", "invalid"))

    error = failure(fake)

    assert error.code is Code.ECR_INVALID_KEY_ID
    assert error.message.startswith(f"ECR ({HOST}): ")


def test_signature_mismatch_is_a_wrong_secret(fake: FakeAws) -> None:
    fake.answer("ecr", fakeaws.error("InvalidSignatureException", "does not match"))
    fake.answer("sts", fakeaws.sts_error("SignatureDoesNotMatch", "does not match"))

    assert failure(fake).code is Code.ECR_INVALID_SECRET


def test_signature_expired_is_clock_skew(fake: FakeAws) -> None:
    fake.answer(
        "ecr",
        fakeaws.error(
            "InvalidSignatureException",
            "Signature expired: 20260101T000000Z is now earlier than 20260101T000500Z",
        ),
    )

    error = failure(fake)

    assert error.code is Code.CLOCK_SKEW
    assert fake.calls("sts") == []  # the message says it all


def test_expired_credentials(fake: FakeAws) -> None:
    fake.answer("ecr", fakeaws.error("ExpiredTokenException", "The security token expired"))

    error = failure(fake, target("ASIAEXAMPLE000000001", "old-session"))

    assert error.code is Code.ECR_EXPIRED_CREDENTIALS
    assert "ECR_CONTAINER_REGISTRY_SESSION_TOKEN" in error.message


def test_throttling_then_success_is_retried(fake: FakeAws) -> None:
    throttled = fakeaws.error("ThrottlingException", "Rate exceeded")
    fake.answer("ecr", throttled, throttled, fakeaws.token("tok", LATER))

    token = swapper(fake.endpoint_env()).swap(target())

    assert token.password == "tok"
    assert len(fake.calls("ecr")) == 3


def test_server_errors_stop_after_three_attempts(fake: FakeAws) -> None:
    fake.answer("ecr", fakeaws.error("ServiceUnavailableException", "busy", 503))

    error = failure(fake)

    assert error.code is Code.ECR_UNREACHABLE
    assert len(fake.calls("ecr")) == 3


def test_retries_switched_off(fake: FakeAws) -> None:
    fake.answer("ecr", fakeaws.error("ThrottlingException", "Rate exceeded"))

    with pytest.raises(EcrError):
        swapper(fake.endpoint_env(), retrying.OFF).swap(target())

    assert len(fake.calls("ecr")) == 1


def test_refused_connection_is_unreachable() -> None:
    from tests.support.moto import free_port

    closed = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(EcrError) as caught:
        swapper({"AWS_ENDPOINT_URL_ECR": closed}).swap(target())
    assert caught.value.code is Code.ECR_UNREACHABLE


def test_unknown_region_that_cannot_be_reached_is_the_wrong_region() -> None:
    from tests.support.moto import free_port

    closed = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(EcrError) as caught:
        swapper({"AWS_ENDPOINT_URL_ECR": closed}).swap(target(region="xx-nowhere-9"))
    assert caught.value.code is Code.ECR_WRONG_REGION
    assert "xx-nowhere-9" in caught.value.message


def test_read_timeout_is_bounded(fake: FakeAws) -> None:
    from cs_registry.ecr.swap import Timeouts

    fake.answer("ecr", fakeaws.Answer(200, {}, delay=2.0))
    started = time.monotonic()
    with pytest.raises(EcrError) as caught:
        BotocoreSwapper(
            fake.endpoint_env(), time.time, policy=retrying.OFF, timeouts=Timeouts(1.0, 0.3)
        ).swap(target())
    assert caught.value.code is Code.ECR_UNREACHABLE
    assert time.monotonic() - started < 1.8
