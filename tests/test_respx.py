"""The respx example (docs/testing.md) works for both clients (respx patches httpx's transports)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
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


DOCUMENTED = [
    ("NotFoundException", 400),
    ("DisabledException", 400),
    ("InvalidArnException", 400),
    ("DependencyTimeoutException", 500),
    ("KMSInternalException", 500),
    ("KMSInvalidStateException", 400),
    ("UnsupportedOperationException", 400),
]


def _forms(code: str, status: int) -> list[httpx.Response]:
    return [
        httpx.Response(status, json={"__type": code, "message": "m"}),
        httpx.Response(status, json={"__type": f"com.amazonaws.kms#{code}", "message": "m"}),
        httpx.Response(
            status,
            json={
                "__type": f"{code}:http://internal.amazon.com/coral/com.amazon.coral.service/",
                "Message": "m",
            },
        ),
        httpx.Response(status, headers={"X-Amzn-ErrorType": f"{code}:http://internal.amazon.com/"}),
    ]


@pytest.mark.parametrize(("code", "status"), DOCUMENTED)
@pytest.mark.parametrize("form", range(4))
def test_key_state_errors_moto_cannot_produce(code: str, status: int, form: int) -> None:
    """moto never returns these for EnableKeyRotation; respx plays KMS in every wire form."""
    config = trentclient.Config(retries={"total_max_attempts": 1})
    with respx.mock:
        respx.post(URL).mock(return_value=_forms(code, status)[form])
        with (
            trentclient.Client(
                "us-east-1", aws_access_key_id=AK, aws_secret_access_key=SK, config=config
            ) as kms,
            pytest.raises(getattr(trentclient, code)) as info,
        ):
            kms.enable_key_rotation(
                KeyId="1234abcd-12ab-34cd-56ef-1234567890ab", RotationPeriodInDays=180
            )
    assert info.value.code == code
    assert info.value.status_code == status
    assert info.value.operation_name == "EnableKeyRotation"
