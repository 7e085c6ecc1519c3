"""``AsyncClient``'s direct send over aiohttp (issue 14): the core's header list goes to
``AiohttpTransport.send_direct`` and the answer's status, headers and body go straight
back into the core, without an ``httpx.Request`` or ``httpx.Response`` per call.

What must hold, checked here against the same calls made through httpx's objects (the
aiohttp transport with the direct send switched off, and httpx's own pool): the same bytes
on the wire; the same results (``ResponseMetadata`` and its headers included, for
repeated and non-ASCII header values); the same errors for error answers, ``Content-Encoding``
answers (good and broken gzip), cut-short bodies and refused connections; an
``httpx.Request`` built only for a transport error; the size cap while reading; httpx's
INFO line; and the DEBUG log, respx and ``unittest.mock`` still taking httpx's path.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from typing import Any
from unittest import mock

import httpx
import pytest

import trentclient
from tests.answers import ANSWERS, JSON_HEADERS, KEY, OK, RID
from tests.conftest import AK, SK
from tests.faultserver import (
    FaultServer,
    respond,
    unused_port,
)
from trentclient._call import Call

pytest.importorskip("aiohttp")

from trentclient._aiohttp import AiohttpTransport  # (needs aiohttp)
from trentclient._aiohttp_answer import header_map

#: direct: the direct send; objects: the aiohttp transport through httpx's request and
#: response objects; httpx: httpx's own pool.
WAYS = ("direct", "objects", "httpx")


@pytest.fixture
def server() -> Iterator[FaultServer]:
    fault_server = FaultServer([OK]).start()
    try:
        yield fault_server
    finally:
        fault_server.stop()


def _client(url: str, way: str, **config: Any) -> trentclient.AsyncClient:
    config.setdefault("connect_timeout", 1.0)
    config.setdefault("read_timeout", 1.0)
    async_http = "httpx" if way == "httpx" else "aiohttp"
    return trentclient.AsyncClient(
        "us-east-1",
        endpoint_url=url,
        aws_access_key_id=AK,
        aws_secret_access_key=SK,
        config=trentclient.Config(async_http=async_http, **config),
    )


def _outcome(url: str, way: str, calls: int = 1, **config: Any) -> list[Any]:
    """What ``describe_key`` gives, ``calls`` times in a row, made one way: each result,
    or the error's type, text and what it carries."""

    async def main() -> list[Any]:
        out: list[Any] = []
        async with _client(url, way, **config) as kms:
            for _ in range(calls):
                try:
                    out.append(await kms.describe_key(KeyId=KEY))
                except trentclient.ServiceError as exc:
                    out.append((type(exc), str(exc), exc.code, exc.status_code, exc.http_headers))
                except trentclient.TrentError as exc:  # (httpcore words some differently)
                    text = str(exc) if way != "httpx" else None
                    out.append((type(exc), text))
        return out

    if way == "objects":
        with mock.patch.object(AiohttpTransport, "can_send_direct", return_value=False):
            return asyncio.run(main())
    return asyncio.run(main())


def _spy_requests() -> Any:
    """Count the ``httpx.Request`` values the core builds (``Call.request``)."""
    return mock.patch.object(Call, "request", autospec=True, side_effect=Call.request)


def test_a_call_builds_no_httpx_request(server: FaultServer) -> None:
    with _spy_requests() as built:
        (result,) = _outcome(server.url, "direct")
    assert result["KeyMetadata"]["KeyId"] == KEY
    assert built.call_count == 0
    with _spy_requests() as built:
        _outcome(server.url, "objects")
    assert built.call_count == 1


def test_same_bytes_on_the_wire_every_way(server: FaultServer) -> None:
    for way in WAYS:
        _outcome(server.url, way)
    direct, objects, own = server.requests
    varying = {"x-amz-date", "authorization", "amz-sdk-invocation-id"}
    # The User-Agent names the library that sent the request, and nothing else differs.
    import aiohttp

    aiohttp_ua = f" md/aiohttp#{aiohttp.__version__} "
    httpx_ua = f" md/httpx#{httpx.__version__} "
    assert aiohttp_ua in (direct.header("User-Agent") or "")
    assert aiohttp_ua in (objects.header("User-Agent") or "")
    assert httpx_ua in (own.header("User-Agent") or "")

    def fixed(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [
            (k, v.replace(aiohttp_ua, httpx_ua) if k == "User-Agent" else v)
            for k, v in headers
            if k.lower() not in varying
        ]

    assert direct.body == objects.body == own.body
    assert fixed(direct.headers) == fixed(objects.headers) == fixed(own.headers)
    assert [k for k, _ in direct.headers] == [k for k, _ in objects.headers]
    assert direct.method == "POST" and direct.path == "/"


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_same_outcome_every_way(server: FaultServer, name: str) -> None:
    config: dict[str, Any] = {"retries": {"total_max_attempts": 2}}
    outcomes = {}
    for way in WAYS:
        server.set_script(ANSWERS[name])
        outcomes[way] = _outcome(server.url, way, calls=1, **config)
    assert outcomes["direct"] == outcomes["objects"], outcomes
    loose = [
        (o[0], None) if isinstance(o, tuple) and len(o) == 2 else o for o in outcomes["direct"]
    ]
    assert loose == outcomes["httpx"], outcomes


def test_header_map_is_what_httpx_headers_give() -> None:
    cases: list[tuple[tuple[bytes, bytes], ...]] = [
        (),
        ((b"Content-Type", b"a"), (b"X-Dup", b"1"), (b"x-DUP", b"2"), (b"X-Dup", b"")),
        ((b"X-Name", "café".encode()), (b"Other", b"plain")),  # UTF-8: all decoded so
        ((b"X-Name", b"caf\xe9"), (b"X-Utf8", "é".encode())),  # neither: Latin-1
        ((b"X-Name", b" padded "),),
    ]
    for raw in cases:
        assert header_map(raw) == dict(httpx.Headers(list(raw)).items())


def test_size_cap_while_reading(server: FaultServer) -> None:
    big = respond(200, JSON_HEADERS, b"z" * (256 * 1024))
    server.set_script([big, OK])

    async def main() -> Any:
        async with _client(server.url, "direct", max_response_bytes=16 * 1024) as kms:
            with pytest.raises(trentclient.ResponseParseError, match="max_response_bytes") as info:
                await kms.describe_key(KeyId=KEY)
            assert info.value.request_id == RID
            return await kms.describe_key(KeyId=KEY)

    assert asyncio.run(main())["KeyMetadata"]["KeyId"] == KEY


def test_transport_error_builds_its_request_then() -> None:
    url = f"http://127.0.0.1:{unused_port()}"

    async def main() -> BaseException | None:
        async with _client(url, "direct", retries={"total_max_attempts": 2}) as kms:
            with pytest.raises(trentclient.EndpointConnectionError) as info:
                await kms.describe_key(KeyId=KEY)
        return info.value.__cause__

    with _spy_requests() as built:
        cause = asyncio.run(main())
    assert built.call_count == 2  # one per failed attempt, for its httpx.ConnectError
    assert isinstance(cause, httpx.ConnectError)
    assert cause.request.headers["X-Amz-Target"] == "TrentService.DescribeKey"
    assert cause.request.headers["amz-sdk-request"] == "attempt=2"


def test_httpx_info_line_as_httpx_logs_it(
    server: FaultServer, caplog: pytest.LogCaptureFixture
) -> None:
    lines = {}
    for way in WAYS:
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="httpx"):
            _outcome(server.url, way)
        lines[way] = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert lines["direct"] == [f'HTTP Request: POST {server.url}/ "HTTP/1.1 200 OK"']
    assert lines["direct"] == lines["objects"] == lines["httpx"]


def test_debug_log_takes_httpx_objects(
    server: FaultServer, caplog: pytest.LogCaptureFixture
) -> None:
    with _spy_requests() as built, caplog.at_level(logging.DEBUG, logger="trentclient"):
        (result,) = _outcome(server.url, "direct")
    assert result["KeyMetadata"]["KeyId"] == KEY
    assert built.call_count == 1
    text = "\n".join(r.getMessage() for r in caplog.records if r.name == "trentclient")
    assert "Sending DescribeKey (attempt 1)" in text
    assert "Answer to DescribeKey (attempt 1): HTTP 200" in text
    assert SK not in text


def test_patched_transport_send_sees_every_call(server: FaultServer) -> None:
    """A replaced ``handle_async_request`` (on the class) gets the call, as before."""
    answer = httpx.Response(200, json={"KeyMetadata": {"KeyId": "patched"}})
    with mock.patch.object(AiohttpTransport, "handle_async_request", return_value=answer) as send:
        (result,) = _outcome(server.url, "direct")
    assert result["KeyMetadata"]["KeyId"] == "patched"
    assert send.call_count == 1
    assert server.requests == []


def test_respx_sees_the_calls() -> None:
    respx = pytest.importorskip("respx")
    url = "https://kms.us-east-1.amazonaws.com"
    with respx.mock:
        route = respx.post(url + "/").mock(
            return_value=httpx.Response(200, json={"KeyMetadata": {"KeyId": "respx"}})
        )
        (result,) = _outcome(url, "direct")
    assert result["KeyMetadata"]["KeyId"] == "respx"
    assert route.call_count == 1


def test_non_ascii_header_value_fails_as_through_httpx(server: FaultServer) -> None:
    """httpx refuses a non-ASCII header value (here a session token); so does the direct
    send, with the same error, before anything is sent."""
    errors = {}
    for way in ("direct", "objects"):

        async def main(way: str = way) -> None:
            kms = trentclient.AsyncClient(
                "us-east-1",
                endpoint_url=server.url,
                aws_access_key_id=AK,
                aws_secret_access_key=SK,
                aws_session_token="t\xf6ken",
            )
            async with kms:
                await kms.describe_key(KeyId=KEY)

        context = (
            mock.patch.object(AiohttpTransport, "can_send_direct", return_value=False)
            if way == "objects"
            else contextlib.nullcontext()
        )
        with context, pytest.raises(UnicodeEncodeError) as info:
            asyncio.run(main())
        errors[way] = str(info.value)
    assert errors["direct"] == errors["objects"]
    assert server.requests == []


def _count_yields(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Patch ``asyncio.sleep`` to count the transport's yields to the loop before sending
    (its ``sleep(0)`` in ``_exchange``)."""
    import sys

    real_sleep = asyncio.sleep
    yields: list[int] = []
    exchange = AiohttpTransport._exchange.__code__

    def sleep(delay: float, *args: Any, **kwargs: Any) -> Any:
        if delay == 0 and sys._getframe(1).f_code is exchange:
            yields.append(1)
        return real_sleep(delay, *args, **kwargs)

    monkeypatch.setattr(asyncio, "sleep", sleep)
    return yields


@pytest.mark.parametrize("way", ["direct", "objects"])
def test_yields_before_sending_only_when_nothing_else_is_in_flight(
    server: FaultServer, way: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A call started while no other is waiting for its answer yields to the loop once, so
    a close already waiting on an idle pooled socket is seen first (the stale-connection
    tests in test_faults.py rely on it); a call started while others are in flight does not
    (the loop polls every socket between their steps anyway): one loop pass less per call
    under load. Both ways of sending share the rule."""
    yields = _count_yields(monkeypatch)
    context = (
        mock.patch.object(AiohttpTransport, "can_send_direct", return_value=False)
        if way == "objects"
        else contextlib.nullcontext()
    )

    async def main() -> tuple[int, int]:
        async with _client(server.url, "direct") as kms:
            for _ in range(5):
                await kms.describe_key(KeyId=KEY)
            sequential = len(yields)

            async def worker() -> None:
                for _ in range(10):
                    await kms.describe_key(KeyId=KEY)

            await asyncio.gather(*(worker() for _ in range(8)))
            return sequential, len(yields) - sequential

    with context:
        sequential, concurrent = asyncio.run(main())
    assert sequential == 5  # one call at a time: every call yields
    assert len(server.requests) == 5 + 80
    # 80 calls, 8 at a time: the first of each worker yields (all start together, none
    # yet sent), and then only a call that finds none of the others waiting.
    assert 8 <= concurrent <= 40, concurrent
