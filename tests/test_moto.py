"""Both clients against a real peer: moto's KMS server on 127.0.0.1 with SigV4 checking on."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

import trentclient
from tests.conftest import Driver
from trentclient._localkms import LocalKMS

pytestmark = pytest.mark.moto


@pytest.fixture
def kms(kms_server: LocalKMS, make_driver: Callable[..., Driver]) -> Driver:
    creds = kms_server.credentials
    return make_driver(
        region_name=kms_server.region,
        endpoint_url=kms_server.endpoint_url,
        aws_access_key_id=creds.access_key,
        aws_secret_access_key=creds.secret_key,
    )


def test_rotation_lifecycle(kms: Driver) -> None:
    created = kms.call(
        "create_key", Description="lifecycle", Tags=[{"TagKey": "k", "TagValue": "v"}]
    )
    key_id = created["KeyMetadata"]["KeyId"]
    assert created["KeyMetadata"]["KeyState"] == "Enabled"
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert created["ResponseMetadata"]["RequestId"]

    status = kms.call("get_key_rotation_status", KeyId=key_id)
    assert status["KeyRotationEnabled"] is False

    enabled = kms.call("enable_key_rotation", KeyId=key_id, RotationPeriodInDays=180)
    assert set(enabled) == {"ResponseMetadata"}
    assert kms.call("get_key_rotation_status", KeyId=key_id)["KeyRotationEnabled"] is True

    rotated = kms.call("rotate_key_on_demand", KeyId=key_id)
    assert rotated["KeyId"] == key_id
    rotations = kms.call("list_key_rotations", KeyId=key_id)
    assert len(rotations["Rotations"]) == 1
    assert rotations["Rotations"][0]["RotationType"] == "ON_DEMAND"

    kms.call("disable_key_rotation", KeyId=key_id)
    assert kms.call("get_key_rotation_status", KeyId=key_id)["KeyRotationEnabled"] is False

    described = kms.call("describe_key", KeyId=key_id)["KeyMetadata"]
    assert described["Arn"].endswith(key_id)
    assert described["CreationDate"].tzinfo is not None

    listed = kms.call("list_keys")
    assert key_id in {k["KeyId"] for k in listed["Keys"]}


def test_not_found_is_typed(kms: Driver) -> None:
    with pytest.raises(trentclient.NotFoundException) as info:  # type: ignore[attr-defined]
        kms.call("enable_key_rotation", KeyId="00000000-0000-0000-0000-000000000000")
    assert info.value.status_code == 400
    assert info.value.request_id
    assert info.value.operation_name == "EnableKeyRotation"


def test_wrong_secret_is_refused(kms_server: LocalKMS, make_driver: Callable[..., Driver]) -> None:
    kms = make_driver(
        region_name=kms_server.region,
        endpoint_url=kms_server.endpoint_url,
        aws_access_key_id=kms_server.credentials.access_key,
        aws_secret_access_key="not-the-secret-" + "x" * 25,
    )
    with pytest.raises(trentclient.SignatureDoesNotMatch) as info:
        kms.call("list_keys")
    assert isinstance(info.value, trentclient.AuthError)
    assert info.value.code == "SignatureDoesNotMatch"
    assert info.value.status_code == 403


def test_body_changed_after_signing_is_refused(kms_server: LocalKMS) -> None:
    creds = kms_server.credentials
    client = trentclient.Client(
        kms_server.region,
        endpoint_url=kms_server.endpoint_url,
        aws_access_key_id=creds.access_key,
        aws_secret_access_key=creds.secret_key,
    )
    with client:
        key_id = client.create_key()["KeyMetadata"]["KeyId"]
        signed = client.build_request(
            "EnableKeyRotation", {"KeyId": key_id, "RotationPeriodInDays": 180}
        )
        tampered = signed.content.replace(b"180", b"365")
        forged = httpx.Request(signed.method, signed.url, headers=signed.headers, content=tampered)
        with httpx.Client() as http:
            response = http.send(forged)
            untouched = http.send(signed)
    assert untouched.status_code == 200
    assert response.status_code == 403
    from trentclient._protocol import parse_error

    error = parse_error(
        "EnableKeyRotation", response.status_code, response.headers, response.content
    )
    assert type(error) is trentclient.SignatureDoesNotMatch
