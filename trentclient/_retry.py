"""Retry decisions, the retry quota and adaptive rate limiting: pure, shared by both clients.

Nothing here sleeps or reads a clock by itself: callers pass ``now`` (seconds, monotonic) and
sleep for the delays returned.

``RetryPolicy.decide(attempt, error)`` returns how long to wait before trying again, or
``None`` to give up and raise ``error``. Retried: transport failures (connection errors,
timeouts), throttling answers and server faults (5xx, ``KMSInternalException``,
``DependencyTimeoutException``, ``KeyUnavailableException``). Never a quota error such as
``LimitExceededException`` nor any other client error.

Backoff is "full jitter": ``rng() * min(cap, base * 2 ** (attempt - 1))``, with a base of
50 ms, or 1 s after throttling, and a 20 s cap. An ``x-amz-retry-after`` header (milliseconds)
is honoured, but never more than 5 s beyond the computed backoff.

Each client has a ``RetryQuota`` (500 tokens; a retry costs 5, one after a timeout 10; a
success refunds what its retry took, or adds 1): when faults pile up, retries stop before
they make an outage worse. In ``adaptive`` mode a ``RateLimiter`` (botocore's CUBIC token
bucket) also slows sending down after throttling.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Callable, Mapping

from ._exceptions import ConnectTimeoutError, ReadTimeoutError, ServiceError, TransportError

__all__ = ["RateLimiter", "RetryPolicy", "RetryQuota", "is_retryable"]

BASE_DELAY = 0.05
THROTTLE_BASE_DELAY = 1.0
MAX_BACKOFF = 20.0
RETRY_AFTER_SLACK = 5.0

INITIAL_QUOTA = 500
RETRY_COST = 5
TIMEOUT_RETRY_COST = 10
NO_RETRY_INCREMENT = 1


def is_retryable(error: BaseException) -> bool:
    """Whether ``error`` may go away if the same request is sent again."""
    if isinstance(error, TransportError):
        return True
    if isinstance(error, ServiceError):
        return error.fault or error.throttling or error.status_code in (500, 502, 503, 504)
    return False


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The server's ``x-amz-retry-after`` hint (milliseconds) in seconds, if valid."""
    raw = headers.get("x-amz-retry-after")
    if raw is None:
        return None
    text = raw.strip()
    if not text.isdigit() or len(text) > 12:  # more than ~30 years is not a hint
        return None
    return int(text) / 1000.0


class RetryQuota:
    """A client's shared retry budget (thread-safe)."""

    __slots__ = ("_lock", "available", "capacity")

    def __init__(self, capacity: int = INITIAL_QUOTA) -> None:
        self.capacity = capacity
        self.available = capacity
        self._lock = threading.Lock()

    def acquire(self, amount: int) -> bool:
        with self._lock:
            if amount > self.available:
                return False
            self.available -= amount
            return True

    def release(self, amount: int) -> None:
        with self._lock:
            self.available = min(self.capacity, self.available + amount)

    def __repr__(self) -> str:
        return f"RetryQuota({self.available}/{self.capacity})"


class RetryPolicy:
    """How many attempts to make and how long to wait between them.

    ``max_attempts`` counts the first try. ``rng`` returns a float in [0, 1).
    """

    __slots__ = ("max_attempts", "quota", "rng")

    #: ``max_attempts`` for a client that is not retrying at all, not even marking an
    #: error as having spent its attempts (the Stubber's, as botocore's stubs).
    NO_RETRY_LOOP = 0

    def __init__(
        self,
        max_attempts: int = 3,
        rng: Callable[[], float] = random.random,
        quota: RetryQuota | None = None,
    ) -> None:
        self.max_attempts = max_attempts
        self.rng = rng
        self.quota = quota if quota is not None else RetryQuota()

    def __repr__(self) -> str:
        return f"RetryPolicy(max_attempts={self.max_attempts}, quota={self.quota!r})"

    def decide(self, attempt: int, error: BaseException) -> tuple[float, int] | None:
        """``(seconds to wait, quota taken)`` before attempt ``attempt + 1``, or ``None``."""
        if attempt >= self.max_attempts or not is_retryable(error):
            return None
        timeout = isinstance(error, (ReadTimeoutError, ConnectTimeoutError))
        cost = TIMEOUT_RETRY_COST if timeout else RETRY_COST
        if not self.quota.acquire(cost):
            return None
        throttled = isinstance(error, ServiceError) and error.throttling
        base = THROTTLE_BASE_DELAY if throttled else BASE_DELAY
        ceiling: float = min(MAX_BACKOFF, base * 2.0 ** (attempt - 1))
        delay = self.rng() * ceiling
        if isinstance(error, ServiceError):
            hint = retry_after_seconds(error.http_headers)
            if hint is not None:
                delay = min(max(hint, delay), delay + RETRY_AFTER_SLACK)
        return delay, cost

    def allow(self, attempt: int) -> int | None:
        """The quota taken for another attempt after attempt ``attempt`` whatever the error
        (a re-signed request after a clock-skew refusal), or ``None`` when attempts or quota
        are spent."""
        if attempt >= self.max_attempts or not self.quota.acquire(RETRY_COST):
            return None
        return RETRY_COST

    def succeeded(self, quota_taken: int) -> None:
        """Refund the quota after a success (what the last retry took, else 1)."""
        self.quota.release(quota_taken or NO_RETRY_INCREMENT)


class RateLimiter:
    """Adaptive client-side rate limiting, as botocore's ``adaptive`` mode (CUBIC).

    Off until the first throttling answer. ``acquire(now)`` takes a send token, or says how
    long to sleep before asking again; ``record(throttled, now)`` feeds each answer back.
    Thread-safe.
    """

    MIN_RATE = 0.5
    SMOOTHING = 0.8
    BUCKET_SECONDS = 0.5
    BETA = 0.7
    SCALE = 0.4
    MAX_RECHECK = 0.5  # seconds: a waiter looks at the rate at least this often

    def __init__(self, now: float) -> None:
        self._lock = threading.Lock()
        self.enabled = False
        # token bucket
        self.max_rate = 0.0
        self._fill_rate = self.MIN_RATE
        self._capacity = 0.0
        self._max_capacity = 1.0
        self._last_refill: float | None = None
        # rate clocker
        self._measured = 0.0
        self._count = 0
        self._last_bucket = math.floor(now / self.BUCKET_SECONDS) * self.BUCKET_SECONDS
        # cubic
        self._w_max = self.MIN_RATE
        self._last_fail = now
        self._inflection = self._zero_point()

    def _zero_point(self) -> float:
        return float((self._w_max * (1 - self.BETA) / self.SCALE) ** (1 / 3.0))

    def _refill(self, now: float) -> None:
        if self._last_refill is None:
            self._last_refill = now
            return
        self._capacity = min(
            self._max_capacity, self._capacity + (now - self._last_refill) * self._fill_rate
        )
        self._last_refill = now

    def _set_max_rate(self, rate: float, now: float) -> None:
        self._refill(now)
        self.max_rate = rate
        self._fill_rate = max(rate, self.MIN_RATE)
        self._max_capacity = max(rate, 1.0)
        self._capacity = min(self._capacity, self._max_capacity)

    def acquire(self, now: float) -> float:
        """Take a send token if one is there (``0.0``: send now), else the seconds to wait
        before asking again (no token is taken: ask again after sleeping).

        A waiter asks again at least every ``MAX_RECHECK`` seconds, so a rate that climbs
        back while callers wait shortens their waits (botocore's waiters re-check too, and
        are woken when the rate changes). Nothing is reserved ahead: a caller is never
        committed to the wait the rate of one moment implied.
        """
        with self._lock:
            if not self.enabled:
                return 0.0
            self._refill(now)
            if self._capacity >= 1.0:
                self._capacity -= 1.0
                return 0.0
            return min((1.0 - self._capacity) / self._fill_rate, self.MAX_RECHECK)

    def record(self, throttled: bool, now: float) -> None:
        """Update the allowed rate from one answer."""
        with self._lock:
            bucket = math.floor(now / self.BUCKET_SECONDS) * self.BUCKET_SECONDS
            self._count += 1
            if bucket > self._last_bucket:
                rate = self._count / (bucket - self._last_bucket)
                self._measured = rate * self.SMOOTHING + self._measured * (1 - self.SMOOTHING)
                self._count = 0
                self._last_bucket = bucket
            if throttled:
                current = self._measured if not self.enabled else min(self._measured, self.max_rate)
                self._w_max = current
                self._inflection = self._zero_point()
                self._last_fail = now
                new_rate = current * self.BETA
                self.enabled = True
            else:
                dt = now - self._last_fail
                new_rate = self.SCALE * (dt - self._inflection) ** 3 + self._w_max
            self._set_max_rate(min(new_rate, 2 * self._measured), now)
