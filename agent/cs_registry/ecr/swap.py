"""The swap itself: ``GetAuthorizationToken`` with the user's AWS keys, through botocore.

botocore is imported when a :class:`BotocoreSwapper` is built, never at module
import. Every client has connect/read timeouts and botocore's own retries off:
:mod:`cs_registry.retrying` is the one retry policy. Endpoints follow botocore's
documented variables (``AWS_ENDPOINT_URL_ECR``, ``AWS_ENDPOINT_URL_ECR_PUBLIC``,
``AWS_ENDPOINT_URL_STS``, ``AWS_ENDPOINT_URL``), read from the injected environment.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from cs_registry import log, retrying
from cs_registry.ecr.cache import CachedToken
from cs_registry.ecr.classify import (
    BAD_SIGNATURE,
    DENIED,
    UNKNOWN_KEY,
    aws_error,
    classify,
    is_transient,
    session_token_required,
    skewed,
)
from cs_registry.ecr.keys import TOKEN_USER, EcrError, SwapTarget

_log = log.get_logger("cs_registry.ecr")
#: the ECR Public API lives in us-east-1 only
PUBLIC_API_REGION = "us-east-1"


class Swapper(Protocol):
    """Turns a target's AWS keys into a registry token (or raises :class:`EcrError`)."""

    def swap(self, target: SwapTarget) -> CachedToken: ...


@dataclass(frozen=True)
class Timeouts:
    """Per-request limits in seconds; their sum is one attempt's budget in the retry policy."""

    connect: float = 2.0
    read: float = 5.0


def endpoint_url(environ: Mapping[str, str], service_env_name: str) -> str | None:
    """botocore's endpoint precedence: ``AWS_ENDPOINT_URL_<SERVICE>`` > ``AWS_ENDPOINT_URL``."""
    if environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").lower() == "true":
        return None
    return environ.get(f"AWS_ENDPOINT_URL_{service_env_name}") or environ.get("AWS_ENDPOINT_URL")


def _decode(authorization_token: str) -> str:
    user, _, password = base64.b64decode(authorization_token).decode("utf-8").partition(":")
    if user != TOKEN_USER or not password:
        raise ValueError("the authorization token is not base64 'AWS:<password>'")
    return password


class BotocoreSwapper:
    """Swaps through botocore; one session, clients built under a lock, calls in parallel."""

    def __init__(
        self,
        environ: Mapping[str, str],
        clock: Callable[[], float],
        *,
        policy: retrying.RetryPolicy = retrying.DEFAULT,
        timeouts: Timeouts = Timeouts(),
    ) -> None:
        import botocore.config
        import botocore.session

        self._environ = environ
        self._clock = clock
        self._policy = policy
        self._session = botocore.session.Session()
        self._config = botocore.config.Config(
            connect_timeout=timeouts.connect,
            read_timeout=timeouts.read,
            retries={"total_max_attempts": 1},
        )
        self._lock = threading.Lock()

    def _client(self, service: str, region: str, target: SwapTarget) -> Any:
        env_name = service.upper().replace("-", "_")
        keys = target.keys
        with self._lock:  # botocore sessions are not thread-safe; clients are
            return self._session.create_client(
                service,
                region_name=region,
                endpoint_url=endpoint_url(self._environ, env_name),
                aws_access_key_id=keys.access_key_id,
                aws_secret_access_key=keys.secret.reveal(),
                aws_session_token=keys.session_token.reveal() if keys.session_token else None,
                config=self._config,
            )

    def swap(self, target: SwapTarget) -> CachedToken:
        """One ``GetAuthorizationToken``; failures become classified :class:`EcrError`."""
        keys = target.keys
        if keys.temporary and keys.session_token is None:
            raise session_token_required(target)
        log.register_secret(keys.secret.reveal())
        if keys.session_token is not None:
            log.register_secret(keys.session_token.reveal())
        region = PUBLIC_API_REGION if target.public else target.region
        try:
            client = self._client(target.service, region, target)
            response = self._policy.call(client.get_authorization_token, transient=is_transient)
            data = response["authorizationData"]
            item = data if target.public else data[0]
            password = _decode(item["authorizationToken"])
            expires_at = item["expiresAt"].timestamp()
        except EcrError:
            raise
        except Exception as exc:
            raise self._explain(target, region, exc) from None
        log.register_secret(password)
        issued_at = self._clock()
        if expires_at <= issued_at:
            _log.warning(
                "ecr_token_already_expired", host=target.host, expires_at=expires_at, now=issued_at
            )
        _log.info("ecr_swapped", host=target.host, region=region, expires_at=expires_at)
        return CachedToken(password, expires_at, issued_at)

    def _explain(self, target: SwapTarget, region: str, exc: Exception) -> EcrError:
        _log.info("ecr_swap_failed", host=target.host, error=f"{type(exc).__name__}: {exc}")
        error = aws_error(exc)
        identity: str | BaseException | None = None
        if (
            error is not None
            and (error.code in UNKNOWN_KEY | BAD_SIGNATURE | DENIED or error.code.isdigit())
            and not skewed(error)
        ):
            identity = self._caller_identity(target, region)
        return classify(target, exc, identity, region_known=self._region_known(target, region))

    def _caller_identity(self, target: SwapTarget, region: str) -> str | BaseException:
        """``sts:GetCallerIdentity`` needs no permission: it tells bad keys from denied ones."""
        try:
            client = self._client("sts", region, target)
            answer = self._policy.call(client.get_caller_identity, transient=is_transient)
            return str(answer["Arn"])
        except Exception as exc:
            return exc

    def _region_known(self, target: SwapTarget, region: str) -> bool:
        if target.public:
            return True
        try:
            with self._lock:
                return any(
                    region in self._session.get_available_regions("ecr", partition)
                    for partition in self._session.get_available_partitions()
                )
        except Exception:
            return True
