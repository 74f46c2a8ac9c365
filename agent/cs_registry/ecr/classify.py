"""AWS failures → diagnosis codes, with a message naming the triplet and the fix.

AWS answers ECR calls with JSON errors (``{"__type": "AccessDeniedException"}``:
botocore's ``Error.Code``); moto answers with an XML ``ErrorResponse`` inside an
HTTP 403, which botocore reports as code ``"403"`` with the XML as the message.
:func:`aws_error` reads both. ``sts:GetCallerIdentity`` (which needs no permission)
then tells a bad key from a missing ECR permission: see :func:`classify`.
botocore is never imported here; exceptions are inspected by shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cs_registry.diagnosis import Code
from cs_registry.ecr.keys import EcrError, SwapTarget

_XML_CODE = re.compile(r"<Code>([^<]+)</Code>")
_XML_MESSAGE = re.compile(r"<Message>([^<]*)</Message>")

UNKNOWN_KEY = frozenset({"UnrecognizedClientException", "InvalidClientTokenId"})
BAD_SIGNATURE = frozenset({"InvalidSignatureException", "SignatureDoesNotMatch"})
DENIED = frozenset({"AccessDeniedException", "AccessDenied", "UnauthorizedOperation"})
EXPIRED = frozenset({"ExpiredTokenException", "ExpiredToken", "TokenRefreshRequired"})
SKEW = frozenset({"RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture"})
THROTTLED = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "SlowDown",
        "LimitExceededException",
    }
)
#: botocore exception classes that mean "the endpoint was not reached / did not answer"
CONNECTION_ERRORS = frozenset(
    {
        "EndpointConnectionError",
        "ConnectTimeoutError",
        "ReadTimeoutError",
        "ConnectionClosedError",
        "ProxyConnectionError",
        "SSLError",
        "HTTPClientError",
    }
)


@dataclass(frozen=True)
class AwsError:
    """The parts of an AWS error we decide on."""

    code: str
    message: str
    status: int | None


def aws_error(exc: BaseException) -> AwsError | None:
    """Code, message and HTTP status of a botocore ``ClientError``; ``None`` for other errors."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return None
    error = response.get("Error") or {}
    code = str(error.get("Code") or "")
    message = str(error.get("Message") or "")
    status = (response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
    if (code.isdigit() or not code) and "<Code>" in message:
        # moto: XML ErrorResponse in an HTTP 403, botocore's code is "403"
        found = _XML_CODE.search(message)
        code = found.group(1) if found else code
        found = _XML_MESSAGE.search(message)
        message = found.group(1) if found else message
    return AwsError(code, message, status if isinstance(status, int) else None)


def _connection_error(exc: BaseException) -> bool:
    return any(cls.__name__ in CONNECTION_ERRORS for cls in type(exc).__mro__)


def is_transient(exc: BaseException) -> bool:
    """Worth another attempt: throttling, a 5xx, or no connection. Auth errors never are."""
    if _connection_error(exc):
        return True
    error = aws_error(exc)
    if error is None:
        return False
    return error.code in THROTTLED or error.status == 429 or (error.status or 0) >= 500


def skewed(error: AwsError) -> bool:
    text = error.message.lower()
    return error.code in SKEW or "signature expired" in text or "skew" in text


def _fail(target: SwapTarget, code: Code, what: str, fix: str) -> EcrError:
    return EcrError(f"{target.triplet_id} ({target.host}): {what}; {fix}", code=code)


def _user_var(target: SwapTarget) -> str:
    return f"{target.triplet_id}_CONTAINER_REGISTRY_USER"


def _password_var(target: SwapTarget) -> str:
    return f"{target.triplet_id}_CONTAINER_REGISTRY_PASSWORD"


def classify(
    target: SwapTarget,
    exc: BaseException,
    identity: str | BaseException | None = None,
    *,
    region_known: bool = True,
) -> EcrError:
    """Turn the swap's exception into an :class:`EcrError`.

    ``identity`` is what ``sts:GetCallerIdentity`` said with the same keys: the
    caller's ARN, its exception, or ``None`` when it was not asked.
    ``region_known`` is false when botocore knows no such region in any partition.
    """
    if _connection_error(exc):
        return _unreachable(target, exc, region_known=region_known)
    error = aws_error(exc)
    if error is None:
        return _fail(
            target,
            Code.ECR_UNREACHABLE,
            f"the swap failed unexpectedly ({type(exc).__name__}: {exc})",
            "try again; if it persists run with --verbose and report it",
        )
    if error.code in EXPIRED:
        return _expired(target)
    if skewed(error):
        return _fail(
            target,
            Code.CLOCK_SKEW,
            f"AWS rejected the request's time ({error.code}: {error.message})",
            "fix this machine's clock (NTP); AWS allows 5 minutes of skew",
        )
    # STS's verdict on the same keys is more specific than ECR's refusal
    verdict = _key_verdict(target, identity)
    if verdict is not None:
        return verdict
    return _refused(target, error, identity)


def _unreachable(target: SwapTarget, exc: BaseException, *, region_known: bool) -> EcrError:
    """The API did not answer: a region no partition knows, or the network."""
    if not region_known:
        return _fail(
            target,
            Code.ECR_WRONG_REGION,
            f"no ECR endpoint answers for region {target.region!r} ({type(exc).__name__})",
            "check the region part of the server name (…dkr.ecr.REGION.amazonaws.com)",
        )
    return _fail(
        target,
        Code.ECR_UNREACHABLE,
        f"the {target.service} API in {target.region} could not be reached ({exc})",
        "check network and proxy access (HTTPS_PROXY) to the AWS API and try again",
    )


def _key_verdict(target: SwapTarget, identity: str | BaseException | None) -> EcrError | None:
    """What ``sts:GetCallerIdentity``'s failure says about the keys, if it failed."""
    sts = aws_error(identity) if isinstance(identity, BaseException) else None
    if sts is None:
        return None
    if sts.code in UNKNOWN_KEY:
        return _unknown_key(target)
    if sts.code in BAD_SIGNATURE:
        return _skew_or_secret(target, sts)
    if sts.code in EXPIRED:
        return _expired(target)
    return None


def _refused(target: SwapTarget, error: AwsError, identity: str | BaseException | None) -> EcrError:
    """ECR (or ECR Public) answered the swap with an error the keys' identity did not explain."""
    region = target.region
    if error.code in DENIED:
        who = f" for {identity}" if isinstance(identity, str) else ""
        extra = " and sts:GetServiceBearerToken" if target.public else ""
        return _fail(
            target,
            Code.ECR_ACCESS_DENIED,
            f"AWS denied {target.action}{extra}{who}",
            f"attach an IAM policy allowing {target.action}{extra} on resource * to that identity",
        )
    if error.code in UNKNOWN_KEY:
        if isinstance(identity, str):
            # STS knows the key, ECR in this region does not: region not enabled for the account
            return _fail(
                target,
                Code.ECR_WRONG_REGION,
                f"the key is valid ({identity}) but {target.service} in {region} does not "
                "recognise it",
                f"enable region {region} for the account or fix the region in the server name",
            )
        return _unknown_key(target)
    if error.code in BAD_SIGNATURE:
        return _skew_or_secret(target, error)
    if error.code in THROTTLED or (error.status or 0) >= 500 or error.status == 429:
        return _fail(
            target,
            Code.ECR_UNREACHABLE,
            f"{target.service} in {region} kept failing ({error.code or error.status}) "
            "after 3 attempts",
            "wait a minute and run `cs-registry login` again",
        )
    return _fail(
        target,
        Code.ECR_UNREACHABLE,
        f"{target.service} in {region} refused the swap ({error.code}: {error.message})",
        "check the AWS keys and the server name",
    )


def _unknown_key(target: SwapTarget) -> EcrError:
    if target.keys.temporary and target.keys.session_token is None:
        return session_token_required(target)
    return _fail(
        target,
        Code.ECR_INVALID_KEY_ID,
        f"AWS does not recognise the access key ID in {_user_var(target)}",
        f"put an active access key ID (AKIA…) of the account's partition in {_user_var(target)}",
    )


def _skew_or_secret(target: SwapTarget, error: AwsError) -> EcrError:
    if skewed(error):
        return _fail(
            target,
            Code.CLOCK_SKEW,
            f"AWS rejected the request's time ({error.message})",
            "fix this machine's clock (NTP); AWS allows 5 minutes of skew",
        )
    return _fail(
        target,
        Code.ECR_INVALID_SECRET,
        f"the secret access key in {_password_var(target)} does not match the key ID",
        f"store the secret access key of that key ID in {_password_var(target)}",
    )


def _expired(target: SwapTarget) -> EcrError:
    return _fail(
        target,
        Code.ECR_EXPIRED_CREDENTIALS,
        "the AWS credentials have expired",
        f"issue new keys and update {_user_var(target)}, {_password_var(target)}"
        + (f" and {target.session_var()}" if target.keys.session_token is not None else ""),
    )


def session_token_required(target: SwapTarget) -> EcrError:
    """``ASIA…`` keys without ``<ID>_CONTAINER_REGISTRY_SESSION_TOKEN``."""
    return _fail(
        target,
        Code.ECR_SESSION_TOKEN_REQUIRED,
        f"{_user_var(target)} is a temporary key (ASIA…) and {target.session_var()} is not set",
        f"set {target.session_var()} to the key's session token, or use long-lived keys (AKIA…)",
    )
