"""The retry policy: a pure decision, shared by both clients. No sleeping here.

``RetryPolicy.decide(attempt, error)`` returns how long to wait before trying again, or
``None`` to give up and raise ``error``. Retried: transport failures (connection errors,
timeouts), throttling answers and server faults (5xx, ``KMSInternalException``,
``DependencyTimeoutException``, ``KeyUnavailableException``). Never a quota error such as
``LimitExceededException`` nor any other client error.

Backoff is "full jitter": ``rng() * min(cap, base * 2 ** (attempt - 1))``, with a base of
50 ms, or 1 s after throttling, and a 20 s cap.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from ._exceptions import ServiceError, TransportError

__all__ = ["RetryPolicy"]

BASE_DELAY = 0.05
THROTTLE_BASE_DELAY = 1.0
MAX_BACKOFF = 20.0


def is_retryable(error: BaseException) -> bool:
    """Whether ``error`` may go away if the same request is sent again."""
    if isinstance(error, TransportError):
        return True
    if isinstance(error, ServiceError):
        return error.fault or error.throttling or error.status_code in (500, 502, 503, 504)
    return False


class RetryPolicy:
    """How many attempts to make and how long to wait between them.

    ``max_attempts`` counts the first try. ``rng`` returns a float in [0, 1).
    """

    __slots__ = ("max_attempts", "rng")

    def __init__(self, max_attempts: int = 3, rng: Callable[[], float] = random.random) -> None:
        self.max_attempts = max_attempts
        self.rng = rng

    def __repr__(self) -> str:
        return f"RetryPolicy(max_attempts={self.max_attempts})"

    def decide(self, attempt: int, error: BaseException) -> float | None:
        """Seconds to wait before attempt ``attempt + 1``, or ``None`` to give up."""
        if attempt >= self.max_attempts or not is_retryable(error):
            return None
        throttled = isinstance(error, ServiceError) and error.throttling
        base = THROTTLE_BASE_DELAY if throttled else BASE_DELAY
        ceiling: float = min(MAX_BACKOFF, base * 2.0 ** (attempt - 1))
        return self.rng() * ceiling
