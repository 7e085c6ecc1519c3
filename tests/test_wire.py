"""The request on the wire is botocore's: URL, target, content type, body, SignedHeaders, Signature."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest

import trentclient
from tests.botocore_oracle import (
    ACCESS_KEY,
    FROZEN,
    SECRET_KEY,
    botocore_client,
    botocore_request,
)

KEY = "1234abcd-12ab-34cd-56ef-1234567890ab"
ARN = f"arn:aws:kms:us-east-2:111122223333:key/{KEY}"

# The rotation workflow of the core issue, with parameters in the caller's order.
CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("EnableKeyRotation", "enable_key_rotation", {"KeyId": KEY, "RotationPeriodInDays": 180}),
    ("EnableKeyRotation", "enable_key_rotation", {"RotationPeriodInDays": 90, "KeyId": ARN}),
    ("EnableKeyRotation", "enable_key_rotation", {"KeyId": KEY}),
    ("DisableKeyRotation", "disable_key_rotation", {"KeyId": KEY}),
    ("GetKeyRotationStatus", "get_key_rotation_status", {"KeyId": ARN}),
    ("ListKeyRotations", "list_key_rotations", {"KeyId": KEY, "Limit": 10, "Marker": "m"}),
    ("RotateKeyOnDemand", "rotate_key_on_demand", {"KeyId": KEY}),
    ("DescribeKey", "describe_key", {"KeyId": "alias/my-key", "GrantTokens": ["t1", "t2"]}),
    ("ListKeys", "list_keys", {}),
    ("ListKeys", "list_keys", {"Limit": 1000}),
    (
        "CreateKey",
        "create_key",
        {
            "Description": "caf\u00e9 \u2603 key",
            "KeyUsage": "ENCRYPT_DECRYPT",
            "Tags": [{"TagKey": "team", "TagValue": "payments"}],
            "MultiRegion": False,
        },
    ),
]

REGIONS = ["us-east-1", "us-east-2", "eu-west-1", "cn-north-1", "us-gov-west-1", "ap-southeast-5"]


def _trent(region: str, token: str | None, **config: Any) -> trentclient.Client:
    return trentclient.Client(
        region,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        aws_session_token=token,
        config=trentclient.Config(**config),
    )


@pytest.mark.parametrize("token", [None, "FQoGZXIvYXdzEXAMPLE//token+with/slashes=="])
@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize(("operation", "method", "params"), CASES)
def test_request_equals_botocore(
    operation: str, method: str, params: dict[str, Any], region: str, token: str | None
) -> None:
    ours = _trent(region, token).build_request(operation, params, now=FROZEN)
    theirs = botocore_request(botocore_client(region, token=token), method, params)

    assert str(ours.url) == theirs.url
    assert ours.method == theirs.method == "POST"
    assert ours.headers["X-Amz-Target"] == theirs.headers["X-Amz-Target"].decode()
    assert ours.headers["Content-Type"] == theirs.headers["Content-Type"].decode()
    assert ours.headers["X-Amz-Date"] == theirs.headers["X-Amz-Date"].decode()
    # Byte-equal body (botocore's separators and the caller's key order), hence same signature.
    assert ours.content == theirs.body
    assert json.loads(ours.content) == json.loads(theirs.body)
    assert ours.headers["Authorization"] == theirs.headers["Authorization"].decode()
    if token:
        assert ours.headers["X-Amz-Security-Token"] == token
        assert "x-amz-security-token" in ours.headers["Authorization"]
    else:
        assert "X-Amz-Security-Token" not in ours.headers
    assert ours.headers["Content-Length"] == str(len(theirs.body))
    assert ours.headers["amz-sdk-request"] == "attempt=1"
    assert "X-Amz-Content-SHA256" not in ours.headers


def test_golden_enable_key_rotation() -> None:
    """The documented golden sample (us-east-1, 2015-08-30T12:36:00Z, no token)."""
    request = _trent("us-east-1", None).build_request(
        "enable_key_rotation", {"KeyId": KEY, "RotationPeriodInDays": 180}, now=FROZEN
    )
    assert request.content == (
        b'{"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "RotationPeriodInDays": 180}'
    )
    assert len(request.content) == 78
    assert hashlib.sha256(request.content).hexdigest() == (
        "b7ba4835be149a5b142e638f6f5cf81e794c5b51589886e77c742d9c591875a8"
    )
    assert request.headers["Authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/kms/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
        "Signature=deaa572df37bcb7bfe7e0fcc517bbc841dd152b9b838705c4302019ba09f0a8d"
    )


def test_header_order_and_unsigned_retry_headers() -> None:
    request = _trent("us-east-1", "tok").build_request("ListKeys", {}, now=FROZEN)
    names = [name.decode() for name, _ in request.headers.raw]
    assert names == [
        "Host",
        "X-Amz-Target",
        "Content-Type",
        "User-Agent",
        "Content-Length",
        "X-Amz-Date",
        "X-Amz-Security-Token",
        "Authorization",
        "amz-sdk-invocation-id",
        "amz-sdk-request",
    ]
    signed = request.headers["Authorization"].split("SignedHeaders=")[1].split(",")[0]
    assert signed == "content-type;host;x-amz-date;x-amz-security-token;x-amz-target"


@pytest.mark.parametrize(
    ("region", "fips", "dualstack", "endpoint_url"),
    [
        ("us-east-1", True, False, None),
        ("eu-west-1", False, True, None),
        ("us-gov-west-1", True, True, None),
        ("us-east-1", False, False, "http://127.0.0.1:56109"),
        ("eu-central-1", False, False, "https://vpce-0abc.kms.eu-central-1.vpce.amazonaws.com"),
    ],
)
def test_endpoint_options_match_botocore(
    region: str, fips: bool, dualstack: bool, endpoint_url: str | None
) -> None:
    params = {"KeyId": KEY}
    ours = trentclient.Client(
        region,
        endpoint_url=endpoint_url,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=trentclient.Config(use_fips_endpoint=fips, use_dualstack_endpoint=dualstack),
    ).build_request("DescribeKey", params, now=FROZEN)
    client = botocore_client(
        region, endpoint_url=endpoint_url, use_fips=fips, use_dualstack=dualstack
    )
    theirs = botocore_request(client, "describe_key", params)
    assert str(ours.url) == theirs.url
    assert ours.headers["Authorization"] == theirs.headers["Authorization"].decode()


def test_content_sha256_option_is_signed() -> None:
    request = _trent("us-east-1", None, sign_content_sha256=True).build_request(
        "DescribeKey", {"KeyId": KEY}, now=FROZEN
    )
    assert request.headers["X-Amz-Content-SHA256"] == hashlib.sha256(request.content).hexdigest()
    assert "x-amz-content-sha256" in request.headers["Authorization"]


def test_every_attempt_is_signed_afresh() -> None:
    client = _trent("us-east-1", None)
    call = client._core.start("DescribeKey", {"KeyId": KEY})
    first = call.next_request(now=FROZEN)
    second = call.next_request(now=FROZEN + dt.timedelta(seconds=5))
    assert first.headers["amz-sdk-request"] == "attempt=1"
    assert second.headers["amz-sdk-request"] == "attempt=2"
    assert first.headers["amz-sdk-invocation-id"] == second.headers["amz-sdk-invocation-id"]
    assert first.headers["X-Amz-Date"] != second.headers["X-Amz-Date"]
    assert first.headers["Authorization"] != second.headers["Authorization"]
