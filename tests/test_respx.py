"""The README's respx example works for both clients (respx patches httpx's transports)."""

from __future__ import annotations

import asyncio

import httpx
import respx

import trentclient
from tests.conftest import AK, SK

URL = "https://kms.us-east-1.amazonaws.com/"


def test_respx_routes_the_default_sync_client() -> None:
    with respx.mock:
        route = respx.post(URL).mock(
            return_value=httpx.Response(
                400,
                json={
                    "__type": "com.amazonaws.kms#KMSInvalidStateException",
                    "message": "pending deletion",
                },
            )
        )
        with trentclient.Client("us-east-1", aws_access_key_id=AK, aws_secret_access_key=SK) as kms:
            try:
                kms.enable_key_rotation(KeyId="k")
            except trentclient.KMSInvalidStateException as error:  # type: ignore[attr-defined]
                assert error.message == "pending deletion"
            else:
                raise AssertionError("expected KMSInvalidStateException")
        assert route.call_count == 1
        assert route.calls.last.request.headers["X-Amz-Target"] == "TrentService.EnableKeyRotation"


def test_respx_routes_the_default_async_client() -> None:
    async def main() -> dict[str, object]:
        async with trentclient.AsyncClient(
            "us-east-1", aws_access_key_id=AK, aws_secret_access_key=SK
        ) as kms:
            return await kms.disable_key_rotation(KeyId="k")  # type: ignore[return-value]

    with respx.mock:
        respx.post(URL).mock(return_value=httpx.Response(200, headers={"x-amzn-RequestId": "r-1"}))
        result = asyncio.run(main())
    assert result["ResponseMetadata"] == {
        "RequestId": "r-1",
        "HTTPStatusCode": 200,
        "HTTPHeaders": {"x-amzn-requestid": "r-1"},
        "RetryAttempts": 0,
    }
