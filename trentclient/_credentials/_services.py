"""Calls to the AWS services credential sources need (STS, SSO, SSO-OIDC): where they go, and
botocore's standard-mode retries around them.

:func:`base_url` is what those services' endpoint rulesets resolve to: a configured endpoint
(``ctx.service_endpoint``), else ``https://{prefix}[-fips].{region}.{dnsSuffix}`` with the
region's partition (dual-stack: its dual-stack suffix; FIPS in ``aws-us-gov``:
``{prefix}.{region}.amazonaws.com``). FIPS or dual-stack with a configured endpoint, or in a
partition without them, is an ``InvalidConfigError``, as the rulesets make it.

:func:`send_with_retries` sends up to :data:`MAX_ATTEMPTS` times with full-jitter backoff
(base 1 s doubling, capped at 20 s), while ``retryable(answer)`` says so.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import Final

from trentclient._exceptions import EndpointResolutionError, InvalidConfigError

from ._context import SourceContext, truthy
from ._flow import Flow, HttpFailure, HttpRequest, HttpResponse, Sleep

__all__ = [
    "MAX_ATTEMPTS",
    "RETRYABLE_FAILURES",
    "RETRYABLE_STATUS",
    "base_url",
    "send_with_retries",
]

logger = logging.getLogger("trentclient.credentials")

MAX_ATTEMPTS: Final = 3
_MAX_BACKOFF: Final = 20.0
#: Transport failures botocore's standard mode retries.
RETRYABLE_FAILURES: Final = frozenset({"connect", "connect-timeout", "read-timeout", "closed"})
RETRYABLE_STATUS: Final = frozenset({429, 500, 502, 503, 504})
#: Error codes botocore's standard mode treats as throttling (or transient).
THROTTLING_CODES: Final = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)


def base_url(ctx: SourceContext, service_id: str, prefix: str, region: str) -> str:
    """The service's base URL (no trailing slash) for ``region``; see the module doc.

    ``service_id`` is upper snake case (``"STS"``, ``"SSO"``, ``"SSO_OIDC"``), ``prefix`` the
    host's first label (``"sts"``, ``"portal.sso"``, ``"oidc"``).
    """
    from trentclient._endpoints import _partition_for, normalize_endpoint_url

    use_fips = truthy(ctx.setting("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"))
    use_dualstack = truthy(ctx.setting("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint"))
    configured = ctx.service_endpoint(service_id)
    if configured is not None:
        if use_fips or use_dualstack:
            raise InvalidConfigError(
                f"Invalid Configuration: {'FIPS' if use_fips else 'Dualstack'} and custom "
                f"endpoint are not supported (the {service_id} endpoint URL is configured)"
            )
        try:
            return normalize_endpoint_url(configured).rstrip("/")
        except EndpointResolutionError as exc:
            raise InvalidConfigError(f"The {service_id} endpoint URL is invalid: {exc}") from None
    partition = _partition_for(region)
    if use_fips and not partition.supports_fips:
        raise InvalidConfigError(
            f"FIPS is enabled but partition {partition.id} (region {region}) does not support FIPS"
        )
    if use_dualstack and not partition.supports_dual_stack:
        raise InvalidConfigError(
            f"DualStack is enabled but partition {partition.id} (region {region}) does not "
            "support DualStack"
        )
    suffix = partition.dual_stack_dns_suffix if use_dualstack else partition.dns_suffix
    if use_fips and not use_dualstack and partition.id == "aws-us-gov":
        return f"https://{prefix}.{region}.amazonaws.com"
    if use_fips:
        prefix += "-fips"
    return f"https://{prefix}.{region}.{suffix}"


def send_with_retries(
    make_request: Callable[[int], HttpRequest],
    retryable: Callable[[HttpResponse | HttpFailure], bool],
) -> Flow[HttpResponse | HttpFailure]:
    """Send ``make_request(attempt)`` (attempts count from 1) until an answer is not
    ``retryable`` or :data:`MAX_ATTEMPTS` are spent; the last answer or failure."""
    attempt = 1
    while True:
        request = make_request(attempt)
        answer = yield request
        if not isinstance(answer, HttpResponse | HttpFailure):  # pragma: no cover - a driver bug
            raise TypeError(f"an HttpRequest was answered with {type(answer).__name__}")
        if attempt >= MAX_ATTEMPTS or not retryable(answer):
            return answer
        delay = random.random() * min(_MAX_BACKOFF, 2.0 ** (attempt - 1))
        logger.debug(
            "Retrying %s %s (attempt %d failed) in %.2f s",
            request.method,
            request.url.split("?", 1)[0],
            attempt,
            delay,
        )
        yield Sleep(delay)
        attempt += 1
