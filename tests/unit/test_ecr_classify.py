"""Error shapes, classification, the retry policy and ECR host recognition (no network)."""

from __future__ import annotations

import time

import pytest

from cs_registry import retrying
from cs_registry.diagnosis import Code
from cs_registry.ecr.classify import aws_error, classify, is_transient
from cs_registry.ecr.keys import AwsKeys, SwapTarget
from cs_registry.secret import Secret
from cs_registry.servers import Kind, normalise

TARGET = SwapTarget(
    "ECR", "1.dkr.ecr.us-east-1.amazonaws.com", "us-east-1", False, AwsKeys("AKIA1", Secret("s"))
)
MOTO_XML = (
    '<?xml version="1.0" encoding="utf-8"?>\n<ErrorResponse><Errors><Error>'
    "<Code>{code}</Code><Message>{message}</Message><Type>Sender</Type>"
    "</Error></Errors></ErrorResponse>"
)


class ClientError(Exception):
    """Shaped like botocore's ClientError (classification goes by shape, not by class)."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.response = {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": status},
        }


class EndpointConnectionError(Exception):
    pass


def moto(code: str, message: str = "m") -> ClientError:
    return ClientError("403", MOTO_XML.format(code=code, message=message), 403)


def test_moto_xml_in_a_403_is_read_like_aws_json() -> None:
    error = aws_error(moto("AccessDenied", "User: arn:aws:iam::1:user/u is not authorized"))

    assert error is not None
    assert (error.code, error.status) == ("AccessDenied", 403)
    assert error.message == "User: arn:aws:iam::1:user/u is not authorized"


@pytest.mark.parametrize(
    ("exc", "identity", "code"),
    [
        (moto("InvalidClientTokenId"), moto("InvalidClientTokenId"), Code.ECR_INVALID_KEY_ID),
        (moto("SignatureDoesNotMatch"), moto("SignatureDoesNotMatch"), Code.ECR_INVALID_SECRET),
        (moto("AccessDenied"), "arn:aws:iam::1:user/u", Code.ECR_ACCESS_DENIED),
        (ClientError("AccessDeniedException", "no", 400), None, Code.ECR_ACCESS_DENIED),
        (ClientError("ExpiredTokenException", "expired", 400), None, Code.ECR_EXPIRED_CREDENTIALS),
        (ClientError("RequestExpired", "too old", 400), None, Code.CLOCK_SKEW),
        (ClientError("ThrottlingException", "slow down", 400), None, Code.ECR_UNREACHABLE),
        (ClientError("InternalFailure", "oops", 500), None, Code.ECR_UNREACHABLE),
        (EndpointConnectionError("no route"), None, Code.ECR_UNREACHABLE),
    ],
)
def test_classification(exc: Exception, identity: str | BaseException | None, code: Code) -> None:
    error = classify(TARGET, exc, identity)

    assert error.code is code
    assert error.message.startswith("ECR (1.dkr.ecr.us-east-1.amazonaws.com): ")


def test_temporary_key_without_session_token_that_aws_does_not_know() -> None:
    target = SwapTarget("ECR", "h", "us-east-1", False, AwsKeys("ASIA1", Secret("s")))

    error = classify(target, moto("InvalidClientTokenId"), moto("InvalidClientTokenId"))

    assert error.code is Code.ECR_SESSION_TOKEN_REQUIRED


@pytest.mark.parametrize(
    ("exc", "transient"),
    [
        (ClientError("ThrottlingException", "", 400), True),
        (ClientError("ServiceUnavailable", "", 503), True),
        (ClientError("TooManyRequests", "", 429), True),
        (EndpointConnectionError(), True),
        (moto("AccessDenied"), False),
        (ClientError("UnrecognizedClientException", "", 400), False),
        (ClientError("ExpiredTokenException", "", 400), False),
        (ValueError("bug"), False),
    ],
)
def test_only_throttling_5xx_and_connection_errors_are_retried(
    exc: Exception, transient: bool
) -> None:
    assert is_transient(exc) is transient


def test_retry_budget_never_starts_an_attempt_that_could_overrun() -> None:
    policy = retrying.RetryPolicy(total_seconds=0.3, attempt_seconds=0.2, sleep=lambda _: None)
    calls = 0

    def slow() -> None:
        nonlocal calls
        calls += 1
        time.sleep(0.15)
        raise EndpointConnectionError

    with pytest.raises(EndpointConnectionError):
        policy.call(slow, transient=is_transient)
    assert calls == 1  # 0.15 s spent: a second attempt could end after 0.3 s


def test_retry_attempts_are_capped_at_three() -> None:
    calls = 0

    def failing() -> None:
        nonlocal calls
        calls += 1
        raise EndpointConnectionError

    with pytest.raises(EndpointConnectionError):
        retrying.FAST.call(failing, transient=is_transient)
    assert calls == 3


@pytest.mark.parametrize("host", ["public.ecr.aws", "ecr-public.aws.com"])
def test_ecr_public_is_always_us_east_1(host: str) -> None:
    server = normalise(host)

    assert (server.kind, server.region) == (Kind.ECR_PUBLIC, "us-east-1")
