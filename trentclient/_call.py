"""``Call``: one operation call across its attempts. No I/O.

``ClientCore.start`` makes one (the parameters validated and serialized once). Per attempt
it builds the signed header list (and, when a shell needs one, the ``httpx.Request``),
collects the answer's body, and turns what came back (an answer or a transport failure)
into a result, an error to raise, or a delay before the next attempt: retries, the retry
quota, adaptive rate limiting and clock-skew correction are decided here, once for both
clients.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ._exceptions import (
    AuthError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    HTTPClientError,
    ReadTimeoutError,
    ResponseParseError,
    ServiceError,
    TransportError,
)
from ._protocol import parse_response, request_id_of, signed_headers
from ._retry import RetryPolicy, is_retryable

if TYPE_CHECKING:
    import httpx

    from ._core import ClientCore
    from ._credentials._flow import Keys
    from ._credvalue import Credentials
    from ._model import Operation
    from ._sigv4 import SigningResult

__all__ = ["Call"]

logger = logging.getLogger("trentclient")


def _invocation_id() -> str:
    """A random UUID4 string for ``amz-sdk-invocation-id`` (as ``str(uuid.uuid4())``;
    the ``uuid`` module itself takes ~2 ms to import)."""
    h = os.urandom(16).hex()
    # version 4 (the high nibble of byte 6), the RFC 4122 variant (top bits 10 of byte 8)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


_VARIANT = {f"{n:x}": f"{(n & 0x3) | 0x8:x}" for n in range(16)}


#: ``_httpx_request.to_request`` once a shell has needed an ``httpx.Request`` (that module
#: imports httpx; an import statement per call would cost a microsecond each time).
_ToRequest = Callable[["httpx.URL", list[tuple[str, str]], bytes, "SigningResult"], "httpx.Request"]
_to_request: _ToRequest | None = None


def _load_to_request() -> _ToRequest:
    global _to_request
    from ._httpx_request import to_request

    _to_request = to_request
    return to_request


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Call:
    """One operation call across its attempts.

    The shells drive it: ``send_delay()`` (adaptive mode), ``next_request()``, then ``feed()``
    the body and ``answered()``, or ``failed()`` on a transport error. ``answered`` and
    ``failed`` return a delay when the call should be tried again, and raise when it is over.
    A shell that sends without httpx's request and response objects uses ``next_headers()``,
    ``take()`` and ``answered_raw()`` instead (``request()`` builds the ``httpx.Request``
    when one is needed after all, for an error); the decisions are the same code.
    """

    __slots__ = (
        "_chunks",
        "_headers",
        "_quota_taken",
        "_signed",
        "_signed_offset",
        "_size",
        "_skew_fixed",
        "attempt",
        "body",
        "core",
        "invocation_id",
        "operation",
    )

    def __init__(self, core: ClientCore, operation: Operation, body: bytes) -> None:
        self.core = core
        self.operation = operation
        self.body = body
        self.attempt = 0
        self.invocation_id = _invocation_id()
        self._chunks: list[bytes] = []
        self._size = 0
        self._quota_taken = 0
        self._skew_fixed = False
        self._signed_offset = core.clock_offset
        self._headers: list[tuple[str, str]] = []
        self._signed: SigningResult | None = None

    def send_delay(self) -> float:
        """``0.0`` when the next attempt may be sent now, else seconds to sleep before asking
        again (adaptive rate limiting: the shells loop until it says 0)."""
        limiter = self.core.rate_limiter
        return 0.0 if limiter is None else limiter.acquire(self.core.monotonic())

    def next_headers(
        self,
        *,
        now: datetime | None = None,
        credentials: Credentials | Keys | None = None,
    ) -> list[tuple[str, str]]:
        """The signed header list for the next attempt (signed afresh every time): a POST
        of ``body`` to ``core.url``. ``request()`` wraps it in an ``httpx.Request``."""
        self.attempt += 1
        self._chunks = []
        self._size = 0
        core = self.core
        # The offset this attempt is signed with: a refusal is judged against it, not against
        # whatever another call has set meanwhile.
        self._signed_offset = core.clock_offset
        if now is None and (core.clock is not _utcnow or core.clock_offset):
            now = core.now()
        # (else the signer reads the same clock, formatting X-Amz-Date once a second)
        headers, self._signed = signed_headers(
            self.operation,
            self.body,
            url=core.target,
            auth=core.auth,
            user_agent=core.user_agent,
            now=now,
            invocation_id=self.invocation_id,
            attempt=self.attempt,
            credentials=credentials,
            host=core.host,
        )
        self._headers = headers
        return headers

    def request(self, timeout: Mapping[str, Any] | None = None) -> httpx.Request:
        """The ``httpx.Request`` of the current attempt (``next_headers``' headers), with
        ``timeout`` (httpx's four, default the core's) in its extensions."""
        core = self.core
        signed = self._signed
        assert signed is not None, "next_headers() first"
        request = (_to_request or _load_to_request())(core.url, self._headers, self.body, signed)
        request.extensions["timeout"] = timeout or dict(core.timeouts)
        return request

    def next_request(
        self,
        *,
        now: datetime | None = None,
        timeout: Mapping[str, Any] | None = None,
        credentials: Credentials | Keys | None = None,
    ) -> httpx.Request:
        """The signed request for the next attempt: ``next_headers`` then ``request``."""
        self.next_headers(now=now, credentials=credentials)
        request = self.request(timeout)
        if logger.isEnabledFor(logging.DEBUG):
            from ._redact import describe_request

            logger.debug(
                "Sending %s (attempt %d): %s",
                self.operation.name,
                self.attempt,
                describe_request(request, self.operation),
            )
        return request

    def feed(self, chunk: bytes, response: httpx.Response) -> None:
        """Collect one chunk of the answer's body, refusing answers over the size cap."""
        self.take(chunk, response.status_code, response.headers)

    def take(self, chunk: bytes, status_code: int, headers: Mapping[str, str]) -> None:
        """``feed`` for an answer read without an ``httpx.Response``: its status and its
        headers (lower-case names, repeated ones joined with ``", "``, as ``httpx.Headers``)."""
        self._size += len(chunk)
        if self._size > self.core.settings.max_response_bytes:
            raise ResponseParseError(
                f"Response from {self.operation.name} exceeds max_response_bytes "
                f"({self.core.settings.max_response_bytes} bytes)",
                status_code=status_code,
                request_id=request_id_of(headers),
                operation_name=self.operation.name,
            )
        self._chunks.append(chunk)

    def answered(self, response: httpx.Response) -> tuple[dict[str, Any] | None, float]:
        """``(result, 0)`` when done, or ``(None, delay)`` to try again; raises the error."""
        body = b"".join(self._chunks)
        if logger.isEnabledFor(logging.DEBUG):
            from ._redact import describe_response

            logger.debug(
                "Answer to %s (attempt %d): %s",
                self.operation.name,
                self.attempt,
                describe_response(response, body, self.operation),
            )
        return self.answer(response.status_code, response.headers, body)

    def answered_raw(
        self,
        status_code: int,
        headers: Mapping[str, str],
        raw_headers: Sequence[tuple[bytes, bytes]],
    ) -> tuple[dict[str, Any] | None, float]:
        """``answered`` for an answer read without an ``httpx.Response`` (``take``): its
        status, its headers as ``take`` has them and as they came (for the DEBUG log)."""
        if logger.isEnabledFor(logging.DEBUG):  # (the clients send through httpx then)
            import httpx

            return self.answered(httpx.Response(status_code, headers=list(raw_headers)))
        return self.answer(status_code, headers, b"".join(self._chunks))

    def answer(
        self, status_code: int, headers: Mapping[str, str], body: bytes
    ) -> tuple[dict[str, Any] | None, float]:
        """What ``answered`` makes of the answer ``status_code``, ``headers`` (lower-case
        names, as ``httpx.Headers``) and ``body``: the result, a delay, or the error."""
        core = self.core
        try:
            result = parse_response(
                self.operation,
                status_code,
                headers,
                body,
                retry_attempts=self.attempt - 1,
            )
        except ServiceError as error:
            if core.rate_limiter is not None:
                core.rate_limiter.record(error.throttling, core.monotonic())
            if self._fix_clock_skew(error, headers):
                # Re-signing with the corrected time is an attempt like any other: it
                # respects max_attempts and takes from the retry quota.
                taken = core.retry.allow(self.attempt)
                if taken is not None:
                    self._skew_fixed = True
                    self._quota_taken = taken
                    return None, 0.0
            decision = core.retry.decide(self.attempt, error)
            if decision is None:
                limit = core.retry.max_attempts
                if (
                    limit != RetryPolicy.NO_RETRY_LOOP
                    and self.attempt >= limit
                    and is_retryable(error)
                ):
                    error._mark_max_attempts_reached()  # as botocore's MaxAttemptsChecker
                raise
            delay, self._quota_taken = decision
            return None, delay
        if core.rate_limiter is not None:
            core.rate_limiter.record(False, core.monotonic())
        core.retry.succeeded(self._quota_taken)
        return result, 0.0

    def failed(self, exc: httpx.HTTPError) -> float:
        """The delay before retrying after a transport failure; raises when giving up."""
        error = _transport_error(exc, self.operation.name, self.core.endpoint_url, self.attempt)
        if logger.isEnabledFor(logging.DEBUG):
            # The text, not the error: a record keeps its args, and the error's traceback
            # holds the client, its pool and this call for as long as a handler keeps it.
            logger.debug(
                "Transport error on %s (attempt %d): %s",
                self.operation.name,
                self.attempt,
                str(error),
            )
        if self.core.rate_limiter is not None:
            # As botocore's limiter (its needs-retry hook sees caught exceptions too): an
            # attempt that failed in transport counts towards the measured rate, not a throttle.
            self.core.rate_limiter.record(False, self.core.monotonic())
        decision = self.core.retry.decide(self.attempt, error)
        if decision is None:
            raise error from exc
        delay, self._quota_taken = decision
        return delay

    def _fix_clock_skew(self, error: ServiceError, headers: Mapping[str, str]) -> bool:
        """Whether ``error`` refused this attempt's time; learns the server's clock from its
        ``Date`` then (later requests are signed with it). Once per call."""
        if self._skew_fixed or not isinstance(error, AuthError):
            return False
        server_time = _http_date(headers.get("date"))
        if server_time is None:
            return False
        core = self.core
        skew = server_time - core.clock()
        text = (error.message or "").lower()
        time_error = error.code in _SKEW_CODES or (
            error.code in ("InvalidSignatureException", "SignatureDoesNotMatch")
            and ("expired" in text or "time" in text or "date" in text)
        )
        if not (time_error or abs(skew) > _SKEW_LIMIT):
            return False
        if abs(skew - self._signed_offset) < _SKEW_TOLERANCE:
            return False  # this request already carried the server's time: not a skew problem
        if abs(skew - core.clock_offset) >= _SKEW_TOLERANCE:
            logger.warning(
                "Clock skew of %.0f s detected from the server's Date header; "
                "signing with the corrected time from now on",
                skew.total_seconds(),
            )
            core.clock_offset = skew
        # else: another call corrected the clock after this request was signed; re-sign.
        return True


_SKEW_CODES = frozenset({"RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture"})
_SKEW_LIMIT = timedelta(minutes=4)
_SKEW_TOLERANCE = timedelta(seconds=1)
#: A ``Date`` outside these years is ignored for clock-skew correction (and an offset that
#: large would overflow ``datetime`` when added to the local clock).
_SANE_DATES = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC))


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    import email.utils  # (an answer refused for the clock: not on every call's path)

    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if not _SANE_DATES[0] <= parsed < _SANE_DATES[1]:
        return None  # no server's clock is this far off: never correct toward it
    return parsed


def _reason(exc: BaseException) -> str:
    """The first non-empty message along the cause chain (async resets often have none)."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            break
        if str(seen):
            return str(seen)
        seen = seen.__cause__ or seen.__context__
    return "connection closed or reset"


def _transport_error(
    exc: httpx.HTTPError, operation_name: str, endpoint_url: str, attempts: int
) -> TransportError:
    import httpx  # (loaded: exc is one of its errors)

    tries = f" after {attempts} attempt{'s' if attempts != 1 else ''}"
    if isinstance(exc, httpx.ConnectTimeout):
        return ConnectTimeoutError(
            f'Connect timeout on endpoint URL: "{endpoint_url}/"{tries}',
            operation_name=operation_name,
            attempts=attempts,
        )
    if isinstance(exc, httpx.ReadTimeout):
        return ReadTimeoutError(
            f'Read timeout on endpoint URL: "{endpoint_url}/"{tries}',
            operation_name=operation_name,
            attempts=attempts,
        )
    if isinstance(exc, httpx.ConnectError):
        return EndpointConnectionError(
            f'Could not connect to the endpoint URL: "{endpoint_url}/"{tries}',
            operation_name=operation_name,
            attempts=attempts,
        )
    text = f"{type(exc).__name__} talking to {endpoint_url}/{tries}: {_reason(exc)}"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return ConnectionClosedError(text, operation_name=operation_name, attempts=attempts)
    return HTTPClientError(text, operation_name=operation_name, attempts=attempts)
