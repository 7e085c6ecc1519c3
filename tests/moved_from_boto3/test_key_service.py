"""A test suite written for boto3 and moto, moved to trentclient by changing its import
lines and the line that makes the client: nothing else (the "Moving from boto3" page, docs/boto3.md).

``tests/test_moved_from_boto3.py`` turns this file back into its boto3 form with exactly
those lines (``BOTO3_LINES``) and runs it against boto3, so both forms are known to pass.
The code under test is a small key service of the kind these suites are written for.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from moto.server import ThreadedMotoServer

import trentclient
from trentclient import ClientError, Config, ParamValidationError
from trentclient.testing import ANY, Stubber

# -- the code under test: written against boto3's KMS client -------------------------------------


class KeyService:
    """Envelope encryption and key bookkeeping over a KMS client."""

    def __init__(self, kms: Any) -> None:
        self.kms = kms

    def new_key(self, alias: str, *, team: str) -> str:
        key = self.kms.create_key(
            Description=f"{alias} data key",
            KeyUsage="ENCRYPT_DECRYPT",
            Tags=[{"TagKey": "team", "TagValue": team}],
        )["KeyMetadata"]
        self.kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
        self.kms.enable_key_rotation(KeyId=key["KeyId"])
        return str(key["KeyId"])

    def seal(self, alias: str, data: bytes, context: dict[str, str]) -> dict[str, str]:
        pair = self.kms.generate_data_key(KeyId=alias, KeySpec="AES_256", EncryptionContext=context)
        # A real service would encrypt ``data`` with pair["Plaintext"]; this one only checks it.
        assert len(pair["Plaintext"]) == 32
        return {
            "key": base64.b64encode(pair["CiphertextBlob"]).decode(),
            "size": str(len(data)),
        }

    def unseal_key(self, sealed: dict[str, str], context: dict[str, str]) -> bytes:
        blob = base64.b64decode(sealed["key"])
        return bytes(self.kms.decrypt(CiphertextBlob=blob, EncryptionContext=context)["Plaintext"])

    def exists(self, key_id: str) -> bool:
        try:
            self.kms.describe_key(KeyId=key_id)
        except self.kms.exceptions.NotFoundException:
            return False
        return True

    def aliases(self) -> list[str]:
        pages = self.kms.get_paginator("list_aliases").paginate(PaginationConfig={"PageSize": 2})
        return sorted(alias["AliasName"] for page in pages for alias in page["Aliases"])

    def retire(self, key_id: str) -> str:
        try:
            self.kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
        except ClientError as error:
            if error.response["Error"]["Code"] == "KMSInvalidStateException":
                return "already pending"
            raise
        return str(self.kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"])


# -- fixtures, as a moto suite has them ------------------------------------------------------------


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    server: Any = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def kms(moto_url: str) -> Iterator[Any]:
    client = trentclient.Client(
        region_name="us-east-1",
        endpoint_url=moto_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 0}),
    )
    yield client
    client.close()


# -- the tests --------------------------------------------------------------------------------


def test_sealed_data_keys_open_with_the_same_context(kms: Any) -> None:
    service = KeyService(kms)
    service.new_key("alias/orders", team="payments")
    sealed = service.seal("alias/orders", b"order 42", {"tenant": "acme"})
    assert len(service.unseal_key(sealed, {"tenant": "acme"})) == 32
    with pytest.raises(ClientError) as caught:
        service.unseal_key(sealed, {"tenant": "someone else"})
    assert caught.value.response["Error"]["Code"] == "InvalidCiphertextException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_new_keys_are_tagged_rotated_and_aliased(kms: Any) -> None:
    service = KeyService(kms)
    key_id = service.new_key("alias/reports", team="data")
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True
    tags = kms.list_resource_tags(KeyId=key_id)["Tags"]
    assert {"TagKey": "team", "TagValue": "data"} in tags
    assert "alias/reports" in service.aliases()
    metadata = kms.describe_key(KeyId="alias/reports")["KeyMetadata"]
    assert metadata["KeyId"] == key_id and metadata["Enabled"] is True
    assert metadata["CreationDate"].tzinfo is not None


def test_unknown_keys_do_not_exist(kms: Any) -> None:
    assert KeyService(kms).exists("00000000-0000-0000-0000-000000000000") is False


def test_retiring_schedules_deletion_and_unknown_keys_raise(kms: Any) -> None:
    service = KeyService(kms)
    key_id = service.new_key("alias/old", team="ops")
    assert service.retire(key_id) == "PendingDeletion"
    with pytest.raises(kms.exceptions.NotFoundException) as caught:
        service.retire("11111111-1111-1111-1111-111111111111")
    assert isinstance(caught.value, ClientError)
    assert caught.value.response["Error"]["Code"] == "NotFoundException"


def test_bad_input_is_refused_before_sending(kms: Any) -> None:
    with pytest.raises(ParamValidationError, match="KeyId"):
        kms.encrypt(Plaintext=b"no key given")


def test_the_client_says_where_it_talks(kms: Any, moto_url: str) -> None:
    assert kms.meta.region_name == "us-east-1"
    assert kms.meta.endpoint_url == moto_url
    assert kms.meta.service_model.service_name == "kms"
    assert kms.can_paginate("list_keys") is True


def test_a_stubbed_client_answers_what_it_was_given(kms: Any) -> None:
    service = KeyService(kms)
    with Stubber(kms) as stub:
        stub.add_response(
            "describe_key",
            {"KeyMetadata": {"KeyId": "k-1", "Enabled": True}},
            expected_params={"KeyId": ANY},
        )
        stub.add_client_error(
            "describe_key", service_error_code="NotFoundException", http_status_code=400
        )
        assert service.exists("k-1") is True
        assert service.exists("k-2") is False
        stub.assert_no_pending_responses()


def test_a_policy_round_trips_as_json(kms: Any) -> None:
    key_id = KeyService(kms).new_key("alias/policy", team="sec")
    policy = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    assert policy["Version"] == "2012-10-17"
