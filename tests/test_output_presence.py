"""Every member a response TypedDict marks Required is in every answer we can see.

Two sources: the example outputs in botocore's ``examples-1.json`` for KMS, and moto's
answers, operation by operation, through the client. Where one is not a full answer,
``tools/output_presence.py`` says which members it lacks and why (``EXAMPLE_GAPS``,
``MOTO_GAPS``); a listed gap that is not there any more fails too, so the table stays exact.
The check walks each answer at every depth, with the generated TypedDicts' own
``__required_keys__`` (tests/test_generated.py checks those against the table).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore
import pytest

from tests.conftest import Driver
from tools.output_presence import EXAMPLE_GAPS, MOTO_GAPS
from trentclient._generated import type_defs
from trentclient._generated._shapes import OPERATIONS
from trentclient._localkms import LocalKMS
from trentclient._model import Shape

EXAMPLES = Path(botocore.__file__).parent / "data" / "kms" / "2014-11-01" / "examples-1.json"


def _typed_dict(shape: Shape, top: bool, recipient: bool) -> Any:
    name = shape.name + ("WithRecipient" if top and recipient else "")
    return getattr(type_defs, name, None) or getattr(type_defs, shape.name)


def missing_members(shape: Shape, value: Any, *, recipient: bool = False) -> set[str]:
    """``Shape.Member`` of every Required member absent from ``value``, at every depth."""
    missing: set[str] = set()

    def walk(shape: Shape, value: Any, top: bool) -> None:
        if shape.type == "structure":
            assert isinstance(value, dict), (shape.name, value)
            required = _typed_dict(shape, top, recipient).__required_keys__
            for member in sorted(required - {"ResponseMetadata"}):
                if member not in value:
                    missing.add(f"{shape.name}.{member}")
            for member, item in value.items():
                if member in shape.members:
                    walk(shape.members[member], item, False)
        elif shape.type == "list":
            assert shape.member is not None
            for item in value:
                walk(shape.member, item, False)
        elif shape.type == "map":
            assert shape.value is not None
            for item in value.values():
                walk(shape.value, item, False)

    walk(shape, value, True)
    return missing


def _examples() -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    examples = json.loads(EXAMPLES.read_text())["examples"]
    for op_name, entries in examples.items():
        for entry in entries:
            yield op_name, entry["title"], entry.get("input", {}), entry.get("output", {})


def test_examples_have_every_required_member() -> None:
    found: dict[tuple[str, str], set[str]] = {}
    seen = 0
    for op_name, title, request, answer in _examples():
        output = OPERATIONS[op_name].output
        if output is None:
            assert answer == {}, (op_name, title)
            continue
        seen += 1
        missing = missing_members(output, answer, recipient="Recipient" in request)
        if missing:
            found[(op_name, title)] = missing
    assert seen >= 40, "botocore's examples went missing?"
    listed = {key: set(members) for key, (members, _reason) in EXAMPLE_GAPS.items()}
    assert found == listed, (
        "an example lacks a Required member (decide in tools/output_presence.py: NotRequired, "
        "or an EXAMPLE_GAPS entry saying why the example is not a full answer), or a listed "
        "gap is gone"
    )
    for members, reason in EXAMPLE_GAPS.values():
        assert members and reason.strip()


def test_missing_members_walks_every_depth() -> None:
    describe = OPERATIONS["DescribeKey"].output
    assert describe is not None
    assert missing_members(describe, {}) == {"DescribeKeyResponse.KeyMetadata"}
    nested = missing_members(describe, {"KeyMetadata": {"KeyId": "k"}})
    assert "KeyMetadata.Arn" in nested and "KeyMetadata.DeletionDate" not in nested
    listed = OPERATIONS["ListAliases"].output
    assert listed is not None
    answer = {"Aliases": [{"AliasName": "alias/a"}], "Truncated": False}
    assert missing_members(listed, answer) == {"AliasListEntry.AliasArn"}
    decrypt = OPERATIONS["Decrypt"].output
    assert decrypt is not None
    assert "DecryptResponse.Plaintext" in missing_members(decrypt, {})
    with_recipient = missing_members(decrypt, {}, recipient=True)
    assert "DecryptResponse.CiphertextForRecipient" in with_recipient
    assert "DecryptResponse.Plaintext" not in with_recipient


# -- moto ---------------------------------------------------------------------------------------


@pytest.fixture
def kms(kms_server: LocalKMS) -> Iterator[Driver]:
    """The sync client only: moto's answers are the same whichever client asks."""
    creds = kms_server.credentials
    driver = Driver(
        "sync",
        region_name=kms_server.region,
        endpoint_url=kms_server.endpoint_url,
        aws_access_key_id=creds.access_key,
        aws_secret_access_key=creds.secret_key,
    )
    yield driver
    driver.close()


def _moto_answers(kms: Driver) -> dict[str, dict[str, Any]]:
    """One successful answer per operation moto implements (with an output shape)."""
    answers: dict[str, dict[str, Any]] = {}

    def call(op_name: str, **params: Any) -> dict[str, Any]:
        result: dict[str, Any] = kms.call(OPERATIONS[op_name].method_name, **params)
        answers.setdefault(op_name, result)
        return result

    tags = [{"TagKey": "team", "TagValue": "crypto"}]
    key = call("CreateKey", Description="presence", Tags=tags)["KeyMetadata"]["KeyId"]
    call("DescribeKey", KeyId=key)
    call("ListKeys")
    call("ListResourceTags", KeyId=key)
    call("CreateAlias", AliasName="alias/presence", TargetKeyId=key)
    call("ListAliases", KeyId=key)
    grant = call(
        "CreateGrant",
        KeyId=key,
        GranteePrincipal="arn:aws:iam::123456789012:root",
        Operations=["Decrypt"],
        RetiringPrincipal="arn:aws:iam::123456789012:root",
    )
    call("ListGrants", KeyId=key)
    call("ListRetirableGrants", RetiringPrincipal="arn:aws:iam::123456789012:root")
    call("RetireGrant", GrantToken=grant["GrantToken"])
    call("EnableKeyRotation", KeyId=key, RotationPeriodInDays=90)
    call("GetKeyRotationStatus", KeyId=key)
    call("GetKeyPolicy", KeyId=key, PolicyName="default")
    call("ListKeyPolicies", KeyId=key)
    blob = call("Encrypt", KeyId=key, Plaintext=b"secret")["CiphertextBlob"]
    call("Decrypt", CiphertextBlob=blob)
    call("ReEncrypt", CiphertextBlob=blob, DestinationKeyId=key)
    call("GenerateDataKey", KeyId=key, KeySpec="AES_256")
    call("GenerateDataKeyWithoutPlaintext", KeyId=key, KeySpec="AES_256")
    call("GenerateRandom", NumberOfBytes=16)
    call("RotateKeyOnDemand", KeyId=key)
    call("ListKeyRotations", KeyId=key)
    call("ScheduleKeyDeletion", KeyId=key, PendingWindowInDays=7)
    call("CancelKeyDeletion", KeyId=key)

    mac_key = call("CreateKey", KeyUsage="GENERATE_VERIFY_MAC", KeySpec="HMAC_256")
    mac_id = mac_key["KeyMetadata"]["KeyId"]
    mac = call("GenerateMac", KeyId=mac_id, Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]
    call("VerifyMac", KeyId=mac_id, Message=b"m", Mac=mac, MacAlgorithm="HMAC_SHA_256")

    sign_key = call("CreateKey", KeyUsage="SIGN_VERIFY", KeySpec="ECC_NIST_P256")
    sign_id = sign_key["KeyMetadata"]["KeyId"]
    signature = call("Sign", KeyId=sign_id, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")
    call(
        "Verify",
        KeyId=sign_id,
        Message=b"m",
        Signature=signature["Signature"],
        SigningAlgorithm="ECDSA_SHA_256",
    )
    call("GetPublicKey", KeyId=sign_id)

    multi = call("CreateKey", MultiRegion=True)["KeyMetadata"]["KeyId"]
    call("ReplicateKey", KeyId=multi, ReplicaRegion="us-west-2")
    return answers


@pytest.mark.moto
def test_moto_answers_have_every_required_member(kms: Driver) -> None:
    found: dict[str, set[str]] = {}
    answers = _moto_answers(kms)
    for op_name, answer in answers.items():
        output = OPERATIONS[op_name].output
        assert "ResponseMetadata" in answer
        if output is None:
            continue
        missing = missing_members(output, answer)
        if missing:
            found[op_name] = missing
    listed = {op: set(members) for op, (members, _reason) in MOTO_GAPS.items()}
    assert found == listed, (
        "a moto answer lacks a Required member (decide in tools/output_presence.py: "
        "NotRequired, or a MOTO_GAPS entry saying why moto's answer is not KMS's), or a "
        "listed gap is gone"
    )
    with_output = {name for name in answers if OPERATIONS[name].output is not None}
    assert len(with_output) >= 27, sorted(with_output)
