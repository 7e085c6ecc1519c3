"""The direct send: a client that made its own httpx client hands each request to the
transport itself, skipping ``httpx.Client.send`` (issue 14). What must hold: the same
bytes on the wire as through ``send``; mocks that replace a step of ``send`` (on the class
or the instance) still see every call; a given ``http_client=`` and a ``Stubber`` are
sent through as before; a closed client still refuses; httpx's INFO line and the
``request`` of transport errors are as ``send`` gives them.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from typing import Any
from unittest import mock

import httpcore
import httpx
import pytest

import trentclient
from tests.conftest import AK, SK
from tests.faultserver import FaultServer, respond, unused_port

KEY = "1234abcd-12ab-34cd-56ef-1234567890ab"
RID = "0c8e1d7a-5b1f-4a8e-9d1c-2f3e4a5b6c7d"
JSON_HEADERS = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": RID}
OK = respond(200, JSON_HEADERS, json.dumps({"KeyMetadata": {"KeyId": KEY}}).encode())


@pytest.fixture
def server() -> Iterator[FaultServer]:
    fault_server = FaultServer([OK]).start()
    try:
        yield fault_server
    finally:
        fault_server.stop()


def _client(url: str, **kwargs: Any) -> trentclient.Client:
    return trentclient.Client(
        "us-east-1", endpoint_url=url, aws_access_key_id=AK, aws_secret_access_key=SK, **kwargs
    )


def _spy_pool(kms: trentclient.Client) -> list[httpcore.Request]:
    """Record what reaches the client's own httpcore pool (either path), still sending it."""
    pool = kms._pool
    assert pool is not None
    seen: list[httpcore.Request] = []
    real = pool.handle_request

    def spy(request: httpcore.Request) -> httpcore.Response:
        seen.append(request)
        return real(request)

    pool.handle_request = spy  # type: ignore[method-assign]
    return seen


def test_own_client_sends_to_the_pool_directly(server: FaultServer) -> None:
    with _client(server.url) as kms:
        seen = _spy_pool(kms)
        with mock.patch.object(httpx.Client, "_send_single_request") as single:
            # replaced: the direct path steps aside, and the mock sees the call
            single.side_effect = AssertionError("not via send")
            with pytest.raises(AssertionError, match="not via send"):
                kms.describe_key(KeyId=KEY)
        assert seen == []
        made = kms._http_client  # (made by the call through send above)
        kms._http_client = None
        kms._direct = None
        result = kms.describe_key(KeyId=KEY)
        assert result["KeyMetadata"]["KeyId"] == KEY
        assert result["ResponseMetadata"]["RequestId"] == RID
        assert len(seen) == 1
        # no httpx.Client was made for it, and httpcore got the core's header list as bytes
        assert kms._http_client is None and kms._direct is None
        assert seen[0].method == b"POST"
        assert bytes(seen[0].url) == server.url.encode() + b"/"
        assert seen[0].headers[0] == (b"Host", server.url.split("//")[1].encode())
        assert made is not None
        made.close()


def test_the_httpx_client_made_later_shares_the_pool(server: FaultServer) -> None:
    with _client(server.url) as kms:
        seen = _spy_pool(kms)
        kms.describe_key(KeyId=KEY)  # direct
        http = kms._http  # made now
        assert kms._direct is not None and kms._direct[0] is http
        assert kms._direct[1]._pool is kms._pool
        kms.describe_key(KeyId=KEY)  # still direct: nothing watches the httpx.Client
        with mock.patch.object(http, "send", wraps=http.send) as send:
            kms.describe_key(KeyId=KEY)  # through send, on the same pool
        assert send.call_count == 1
        assert len(seen) == 3
    assert len(server.requests) == 3
    assert {r.connection for r in server.requests} == {1}  # one connection, kept alive


def test_a_replaced_transport_send_sees_the_call(server: FaultServer) -> None:
    with _client(server.url) as kms:
        kms._http  # noqa: B018
        assert kms._direct is not None
        transport = kms._direct[1]
        with mock.patch.object(transport, "handle_request", wraps=transport.handle_request) as h:
            kms.describe_key(KeyId=KEY)
        assert h.call_count == 1


def test_debug_log_sends_through_httpx(
    server: FaultServer, caplog: pytest.LogCaptureFixture
) -> None:
    with _client(server.url) as kms, caplog.at_level(logging.DEBUG, logger="trentclient"):
        kms.describe_key(KeyId=KEY)
        assert kms._direct is not None  # the DEBUG lines describe httpx's objects
    assert any("Answer to DescribeKey" in r.getMessage() for r in caplog.records)


def test_same_bytes_on_the_wire_as_through_send(server: FaultServer) -> None:
    """The direct path and httpx.Client.send put the same request on the wire."""
    with _client(server.url) as kms:
        kms.describe_key(KeyId=KEY)  # direct
        with mock.patch.object(httpx.Client, "send", autospec=True, side_effect=httpx.Client.send):
            kms.describe_key(KeyId=KEY)  # through send
    direct, via_send = server.requests
    assert direct.method == via_send.method == "POST"
    assert direct.body == via_send.body
    varying = {"x-amz-date", "authorization", "amz-sdk-invocation-id"}
    assert [(k, v) for k, v in direct.headers if k.lower() not in varying] == [
        (k, v) for k, v in via_send.headers if k.lower() not in varying
    ]
    assert [k for k, _ in direct.headers] == [k for k, _ in via_send.headers]


@pytest.mark.parametrize("name", ["send", "_send_handling_auth", "_transport_for_url"])
def test_replaced_send_steps_see_every_call(server: FaultServer, name: str) -> None:
    answer = httpx.Response(200, json={"KeyMetadata": {"KeyId": "mocked"}})
    with _client(server.url) as kms:
        seen = _spy_pool(kms)
        if name == "_transport_for_url":
            target: Any = mock.patch.object(
                httpx.Client, name, return_value=httpx.MockTransport(lambda r: answer)
            )
        else:
            target = mock.patch.object(httpx.Client, name, return_value=answer)
        with target as patched:
            assert kms.describe_key(KeyId=KEY)["KeyMetadata"]["KeyId"] == "mocked"
            assert patched.call_count == 1
        assert seen == []
        assert server.requests == []


def test_a_mock_on_the_instance_sees_the_call(server: FaultServer) -> None:
    answer = httpx.Response(200, json={"KeyMetadata": {"KeyId": "instance"}})
    with _client(server.url) as kms:
        with mock.patch.object(kms._http, "send", return_value=answer) as send:
            assert kms.describe_key(KeyId=KEY)["KeyMetadata"]["KeyId"] == "instance"
        assert send.call_count == 1
    assert server.requests == []


def test_respx_sees_the_direct_path() -> None:
    respx = pytest.importorskip("respx")
    url = "https://kms.us-east-1.amazonaws.com"
    with _client(url) as kms, respx.mock:
        route = respx.post(url + "/").mock(
            return_value=httpx.Response(200, json={"KeyMetadata": {"KeyId": "respx"}})
        )
        assert kms.describe_key(KeyId=KEY)["KeyMetadata"]["KeyId"] == "respx"
        assert route.call_count == 1
        assert route.calls[0].request.headers["X-Amz-Target"] == "TrentService.DescribeKey"


def test_given_http_client_is_sent_through(server: FaultServer) -> None:
    with httpx.Client() as http:
        with (
            mock.patch.object(http, "send", wraps=http.send) as send,
            _client(server.url, http_client=http) as kms,
        ):
            kms.describe_key(KeyId=KEY)
        assert send.call_count == 1
    assert len(server.requests) == 1


def test_event_hooks_still_run(server: FaultServer) -> None:
    seen: list[str] = []
    with _client(server.url) as kms:
        kms._http.event_hooks["request"].append(lambda r: seen.append("request"))
        kms._http.event_hooks["response"].append(lambda r: seen.append("response"))
        kms.describe_key(KeyId=KEY)
    assert seen == ["request", "response"]


def test_closed_client_refuses_as_httpx_does(server: FaultServer) -> None:
    kms = _client(server.url)
    kms.close()
    with pytest.raises(RuntimeError, match="client has been closed"):
        kms.describe_key(KeyId=KEY)
    assert server.requests == []


def test_httpx_info_line_is_logged(server: FaultServer, caplog: pytest.LogCaptureFixture) -> None:
    with _client(server.url) as kms, caplog.at_level(logging.INFO, logger="httpx"):
        kms.describe_key(KeyId=KEY)
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert lines == [f'HTTP Request: POST {server.url}/ "HTTP/1.1 200 OK"']


def test_transport_error_carries_its_request() -> None:
    url = f"http://127.0.0.1:{unused_port()}"
    config = trentclient.Config(retries={"total_max_attempts": 1})
    with (
        _client(url, config=config) as kms,
        pytest.raises(trentclient.EndpointConnectionError) as info,
    ):
        kms.describe_key(KeyId=KEY)
    cause = info.value.__cause__
    assert isinstance(cause, httpx.ConnectError)
    assert cause.request.headers["X-Amz-Target"] == "TrentService.DescribeKey"


# -- AsyncClient ------------------------------------------------------------------------------

ASYNC_HTTP = ["aiohttp", "httpx"]


def _aclient(url: str, async_http: str, **kwargs: Any) -> trentclient.AsyncClient:
    if async_http == "aiohttp":
        pytest.importorskip("aiohttp")
    return trentclient.AsyncClient(
        "us-east-1",
        endpoint_url=url,
        aws_access_key_id=AK,
        aws_secret_access_key=SK,
        config=trentclient.Config(async_http=async_http, **kwargs),
    )


def _aspy_transport(kms: trentclient.AsyncClient) -> list[httpx.Request]:
    kms._http  # noqa: B018  (over aiohttp, the httpx.AsyncClient is made on first use)
    assert kms._direct is not None
    transport = kms._direct[1]
    seen: list[httpx.Request] = []
    real = transport.handle_async_request

    async def spy(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return await real(request)

    transport.handle_async_request = spy  # type: ignore[method-assign]
    return seen


@pytest.mark.parametrize("async_http", ASYNC_HTTP)
def test_async_own_client_sends_to_the_transport_directly(
    server: FaultServer, async_http: str
) -> None:
    answer = httpx.Response(200, json={"KeyMetadata": {"KeyId": "mocked"}})

    async def main() -> None:
        async with _aclient(server.url, async_http) as kms:
            seen = _aspy_transport(kms)
            result = await kms.describe_key(KeyId=KEY)
            assert result["KeyMetadata"]["KeyId"] == KEY
            assert result["ResponseMetadata"]["RequestId"] == RID
            assert len(seen) == 1
            with mock.patch.object(httpx.AsyncClient, "send", return_value=answer) as send:
                mocked = await kms.describe_key(KeyId=KEY)
            assert mocked["KeyMetadata"]["KeyId"] == "mocked"
            assert send.call_count == 1
            assert len(seen) == 1
            with mock.patch.object(kms._http, "send", return_value=answer) as own:
                await kms.describe_key(KeyId=KEY)
            assert own.call_count == 1
            assert len(seen) == 1

    asyncio.run(main())
    assert len(server.requests) == 1


@pytest.mark.parametrize("async_http", ASYNC_HTTP)
def test_async_same_bytes_on_the_wire_as_through_send(server: FaultServer, async_http: str) -> None:
    async def main() -> None:
        async with _aclient(server.url, async_http) as kms:
            await kms.describe_key(KeyId=KEY)  # direct
            real = httpx.AsyncClient.send
            with mock.patch.object(httpx.AsyncClient, "send", autospec=True, side_effect=real):
                await kms.describe_key(KeyId=KEY)  # through send

    asyncio.run(main())
    direct, via_send = server.requests
    assert direct.body == via_send.body
    varying = {"x-amz-date", "authorization", "amz-sdk-invocation-id"}
    assert [(k, v) for k, v in direct.headers if k.lower() not in varying] == [
        (k, v) for k, v in via_send.headers if k.lower() not in varying
    ]
    assert [k for k, _ in direct.headers] == [k for k, _ in via_send.headers]


@pytest.mark.parametrize("async_http", ASYNC_HTTP)
def test_async_closed_client_refuses(server: FaultServer, async_http: str) -> None:
    async def main() -> None:
        kms = _aclient(server.url, async_http)
        await kms.aclose()
        with pytest.raises(RuntimeError, match="client has been closed"):
            await kms.describe_key(KeyId=KEY)

    asyncio.run(main())
    assert server.requests == []


@pytest.mark.parametrize("async_http", ASYNC_HTTP)
def test_async_transport_error_carries_its_request(async_http: str) -> None:
    url = f"http://127.0.0.1:{unused_port()}"

    async def main() -> BaseException | None:
        async with _aclient(url, async_http, retries={"total_max_attempts": 1}) as kms:
            with pytest.raises(trentclient.EndpointConnectionError) as info:
                await kms.describe_key(KeyId=KEY)
        return info.value.__cause__

    cause = asyncio.run(main())
    assert isinstance(cause, httpx.ConnectError)
    assert cause.request.headers["X-Amz-Target"] == "TrentService.DescribeKey"
