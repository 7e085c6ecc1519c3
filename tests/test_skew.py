"""Clock-skew correction under limits and concurrency (the two bugs of issue #13).

1. A skew refusal on the last attempt must not send one more request: the re-signed retry is
   an attempt like any other (``max_attempts``, the retry quota).
2. A request signed before another call corrected the clock, and refused for it, must be
   re-signed with the corrected time, not raised as "not a skew problem".
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import trentclient
from tests.conftest import AK, SK, Driver
from tests.test_client import Recorder, err, ok

UTC = dt.UTC
LOCAL = dt.datetime(2015, 8, 30, 12, 36, 0, tzinfo=UTC)
SERVER = LOCAL + dt.timedelta(minutes=37)


def _http_date(moment: dt.datetime) -> str:
    return email.utils.format_datetime(moment.astimezone(UTC), usegmt=True)


def refusal() -> httpx.Response:
    answer = err(
        "InvalidSignatureException",
        "Signature expired: 20150830T123600Z is now earlier than 20150830T130600Z",
        status=400,
    )
    answer.headers["Date"] = _http_date(SERVER)
    return answer


def busy() -> httpx.Response:
    return err("ServiceUnavailableException", "busy", status=503)


def test_skew_refusal_on_the_last_attempt_sends_nothing_more(
    make_driver: Callable[..., Driver],
) -> None:
    rec = Recorder(busy(), busy(), refusal(), ok({"Keys": []}))
    kms = make_driver(rec, config=trentclient.Config(retries={"total_max_attempts": 3}))
    kms.client._core.clock = lambda: LOCAL
    with pytest.raises(trentclient.InvalidSignatureException) as info:
        kms.call("list_keys")
    assert len(rec.requests) == 3
    assert info.value.response["ResponseMetadata"]["RetryAttempts"] == 2
    # The server's time is still learned, for the next calls.
    assert kms.client._core.clock_offset == dt.timedelta(minutes=37)


def test_skew_retry_counts_as_an_attempt(make_driver: Callable[..., Driver]) -> None:
    rec = Recorder(refusal(), busy(), ok({"Keys": []}))
    kms = make_driver(rec, config=trentclient.Config(retries={"total_max_attempts": 3}))
    kms.client._core.clock = lambda: LOCAL
    result = kms.call("list_keys")
    assert len(rec.requests) == 3
    assert result["ResponseMetadata"]["RetryAttempts"] == 2


def test_skew_retry_takes_from_the_retry_quota(make_driver: Callable[..., Driver]) -> None:
    rec = Recorder(refusal(), ok({"Keys": []}))
    kms = make_driver(rec)
    kms.client._core.clock = lambda: LOCAL
    kms.client._core.retry.quota.available = 0  # an empty quota: no retry of any kind
    with pytest.raises(trentclient.InvalidSignatureException):
        kms.call("list_keys")
    assert len(rec.requests) == 1


def test_a_request_signed_before_a_correction_is_resigned() -> None:
    """Sans-I/O: two calls signed with the old offset; the first one's refusal corrects the
    clock; the second one's refusal, judged against the offset it was signed with, is
    re-signed with the new one."""
    kms = trentclient.Client(
        "us-east-1",
        aws_access_key_id=AK,
        aws_secret_access_key=SK,
        http_client=httpx.Client(transport=httpx.MockTransport(lambda r: ok({}))),
    )
    core = kms._core
    core.clock = lambda: LOCAL
    first = core.start("ListKeys", {})
    second = core.start("ListKeys", {})

    def answer(call: Any) -> Any:
        response = refusal()
        call.feed(response.content, response)
        return call.answered(response)

    first.next_request()
    second.next_request()
    assert answer(first) == (None, 0.0)  # corrects the clock, retries
    assert core.clock_offset == dt.timedelta(minutes=37)
    assert answer(second) == (None, 0.0)  # re-signed too, not raised
    again = second.next_request()
    assert again.headers["X-Amz-Date"] == "20150830T131300Z"
    # A refusal of a request that already carried the server's time is not skew.
    with pytest.raises(trentclient.InvalidSignatureException):
        third = core.start("ListKeys", {})
        third.next_request()
        answer(third)
    kms.close()


class TwoAtOnce:
    """Answers only once two first attempts have arrived: refuses every request signed with
    a time more than 4 minutes from the server's, accepts the rest."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.first_attempts = 0
        self.both = threading.Event()
        self.dates: list[str] = []

    def answer(self, request: httpx.Request) -> httpx.Response:
        date = request.headers["X-Amz-Date"]
        with self.lock:
            self.dates.append(date)
            if request.headers["amz-sdk-request"] == "attempt=1":
                self.first_attempts += 1
                if self.first_attempts == 2:
                    self.both.set()
        signed = dt.datetime.strptime(date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        if abs(signed - SERVER) > dt.timedelta(minutes=4):
            return refusal()
        return ok({"Keys": []}, headers={"Date": _http_date(SERVER)})


def test_concurrent_skew_refusals_with_threads() -> None:
    server = TwoAtOnce()
    order = threading.Lock()

    def handler(request: httpx.Request) -> httpx.Response:
        server.both.wait(5)
        with order:  # answered one after the other: the second after the correction
            return server.answer(request)

    kms = trentclient.Client(
        "us-east-1",
        aws_access_key_id=AK,
        aws_secret_access_key=SK,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    kms._core.clock = lambda: LOCAL
    results: list[Any] = []

    def call() -> None:
        try:
            results.append(kms.list_keys())
        except Exception as exc:  # collected, asserted below
            results.append(exc)

    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    kms.close()
    assert [type(r) for r in results] == [dict, dict], results
    assert sorted(server.dates).count("20150830T123600Z") == 2  # both first attempts old
    assert server.dates.count("20150830T131300Z") == 2  # both re-signed with the server's time


def test_concurrent_skew_refusals_async() -> None:
    server = TwoAtOnce()

    async def main() -> list[Any]:
        both = asyncio.Event()

        async def handler(request: httpx.Request) -> httpx.Response:
            if request.headers["amz-sdk-request"] == "attempt=1":
                server.first_attempts += 1
                if server.first_attempts == 2:
                    both.set()
                await both.wait()
            return server.answer_no_count(request)  # type: ignore[attr-defined, no-any-return]

        async with trentclient.AsyncClient(
            "us-east-1",
            aws_access_key_id=AK,
            aws_secret_access_key=SK,
            http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        ) as kms:
            kms._core.clock = lambda: LOCAL
            return await asyncio.gather(kms.list_keys(), kms.list_keys(), return_exceptions=True)

    def answer_no_count(request: httpx.Request) -> httpx.Response:
        date = request.headers["X-Amz-Date"]
        server.dates.append(date)
        signed = dt.datetime.strptime(date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        if abs(signed - SERVER) > dt.timedelta(minutes=4):
            return refusal()
        return ok({"Keys": []})

    server.answer_no_count = answer_no_count  # type: ignore[attr-defined]
    results = asyncio.run(main())
    assert [type(r) for r in results] == [dict, dict], results
    assert server.dates.count("20150830T123600Z") == 2
    assert server.dates.count("20150830T131300Z") == 2
