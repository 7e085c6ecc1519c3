"""Typed usage of the clients' methods, paginators, TypedDicts and enums; checked by
tests/test_typing.py.

This file is never run: ``mypy --strict --warn-unused-ignores`` checks it, and so does
``pyright`` in strict mode (``tests/typing/pyrightconfig.json``, with unnecessary ignores
reported). Lines that must NOT type-check carry ``# type: ignore[<code>]``; because unused
ignores are errors for both, a line that starts type-checking (a regression in the generated
types) fails the check too. A line ``reveal_type(x)  # reveal: <text>`` also requires mypy's
revealed type to contain ``<text>`` (``...`` in ``<text>`` stands for anything);
``assert_type`` lines hold for both checkers.

Response members are required where KMS always returns them (``tools/output_presence.py``), so
reading them with ``[]`` passes pyright's ``reportTypedDictNotRequiredAccess``; members that
may be absent are read with ``.get``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, assert_type, reveal_type

import botocore.config  # type: ignore[import-untyped]  # botocore ships no types

import trentclient
from trentclient import enums
from trentclient._generated._errors import ClientExceptions, NotFoundException
from trentclient.paginators import (
    AsyncListKeysPaginator,
    AsyncPageIterator,
    ListAliasesPaginator,
    ListKeysPaginator,
    PageIterator,
)
from trentclient.type_defs import (
    CreateGrantRequest,
    DecryptRequest,
    DecryptRequestWithoutRecipient,
    DecryptResponse,
    DecryptResponseWithRecipient,
    DescribeKeyResponse,
    EnableKeyRotationResponse,
    GenerateDataKeyPairResponse,
    GenerateDataKeyPairResponseWithRecipient,
    GenerateDataKeyResponse,
    GenerateDataKeyResponseWithRecipient,
    GenerateRandomResponse,
    GenerateRandomResponseWithRecipient,
    GrantConstraints,
    GrantConstraintsInput,
    GrantListEntry,
    KeyListEntry,
    KeyMetadata,
    ListKeyRotationsRequestPaginate,
    ListKeysResponse,
    PaginationConfig,
    RecipientInfo,
    ResponseMetadata,
    RotationsListEntry,
    Tag,
)


def sync_usage(kms: trentclient.Client) -> None:
    # -- requests ------------------------------------------------------------------------
    kms.enable_key_rotation(KeyId="alias/app", RotationPeriodInDays=180)
    kms.enable_key_rotation(KeyId="alias/app", RotationPeriodInDays="180")  # type: ignore[arg-type]
    kms.enable_key_rotation(KeyId="alias/app", RotationPeriod=180)  # type: ignore[call-arg]
    kms.enable_key_rotation(RotationPeriodInDays=180)  # type: ignore[call-arg]
    kms.enable_key_rotation("alias/app")  # type: ignore[call-arg]

    # Blobs: anything botocore accepts; timestamps likewise.
    kms.encrypt(KeyId="k", Plaintext=b"secret")
    kms.encrypt(KeyId="k", Plaintext="secret")
    kms.encrypt(KeyId="k", Plaintext=bytearray(b"secret"))
    kms.encrypt(KeyId="k", Plaintext=memoryview(b"secret"))
    kms.encrypt(KeyId="k", Plaintext=123)  # type: ignore[arg-type]
    kms.import_key_material(
        KeyId="k", ImportToken=b"t", EncryptedKeyMaterial=b"m", ValidTo=datetime(2030, 1, 1)
    )
    kms.import_key_material(KeyId="k", ImportToken=b"t", EncryptedKeyMaterial=b"m", ValidTo=1.5e9)
    kms.import_key_material(KeyId="k", ImportToken=b"t", EncryptedKeyMaterial=b"m", ValidTo=None)  # type: ignore[arg-type]

    # Lists accept any sequence, maps any mapping; nested structures are checked.
    kms.encrypt(KeyId="k", Plaintext=b"x", EncryptionContext={"purpose": "test"})
    kms.encrypt(KeyId="k", Plaintext=b"x", EncryptionContext={"purpose": 1})  # type: ignore[dict-item]
    tags: list[Tag] = [{"TagKey": "team", "TagValue": "crypto"}]
    kms.create_key(Tags=tags)
    kms.create_key(Tags=({"TagKey": "team", "TagValue": "crypto"},))
    kms.create_key(Tags=[{"TagKey": "team"}])  # type: ignore[typeddict-item]
    kms.create_key(Tags=[{"TagKey": "team", "TagValue": "crypto", "Extra": 1}])  # type: ignore[typeddict-unknown-key]

    # Enum-valued members are plain str: known values from enums, future ones as literals.
    kms.create_key(KeySpec=enums.KeySpec.ECC_NIST_P256, KeyUsage=enums.KeyUsageType.SIGN_VERIFY)
    kms.create_key(KeySpec="SOME_FUTURE_SPEC")
    kms.create_key(KeySpec=256)  # type: ignore[arg-type]
    spec: str = enums.KeySpec.RSA_2048
    known: frozenset[str] = enums.KeySpec.VALUES
    enums.KeySpec.RSA_2048 = "RSA_1024"  # type: ignore[misc]

    # Whole request dicts can be built ahead and unpacked.
    request: CreateGrantRequest = {
        "KeyId": "k",
        "GranteePrincipal": "arn:aws:iam::111122223333:role/app",
        "Operations": [enums.GrantOperation.Decrypt],
        "Constraints": {"EncryptionContextSubset": {"purpose": "test"}},
    }
    kms.create_grant(**request)
    missing: CreateGrantRequest = {"KeyId": "k"}  # type: ignore[typeddict-item]

    # -- responses -----------------------------------------------------------------------
    # Members KMS returns on every success are required, at every depth.
    described = kms.describe_key(KeyId="k")
    metadata: KeyMetadata = described["KeyMetadata"]
    key_id: str = metadata["KeyId"]
    created: datetime = metadata["CreationDate"]
    enabled: bool = metadata["Enabled"]
    wrong: int = metadata["KeyId"]  # type: ignore[assignment]
    # Members that may be absent are NotRequired: .get, or a check first.
    deletion = metadata.get("DeletionDate")  # only for keys pending deletion
    deletion.isoformat()  # type: ignore[union-attr]
    if deletion is not None:
        deletion.isoformat()
    if "MultiRegionConfiguration" in metadata:
        primary: str = metadata["MultiRegionConfiguration"]["PrimaryKey"]["Arn"]
        del primary
    rotation_status = kms.get_key_rotation_status(KeyId="k")
    rotation_enabled: bool = rotation_status["KeyRotationEnabled"]
    period: int | None = rotation_status.get("RotationPeriodInDays")  # not for every key
    not_always: int = rotation_status.get("RotationPeriodInDays")  # type: ignore[assignment]
    # mypy lets [] read a NotRequired member; pyright (and Pylance) report it.
    rotation_status["RotationPeriodInDays"]  # pyright: ignore[reportTypedDictNotRequiredAccess]
    ciphertext: bytes = kms.encrypt(KeyId="k", Plaintext=b"x")["CiphertextBlob"]
    keys_page = kms.list_keys()
    listed: list[str] = [entry["KeyId"] for entry in keys_page["Keys"]]
    more: bool = keys_page["Truncated"]
    marker: str | None = keys_page.get("NextMarker")  # only when Truncated
    described["NoSuchKey"]  # type: ignore[typeddict-item]
    not_a_response: int = kms.describe_key(KeyId="k")  # type: ignore[assignment]
    typed: DescribeKeyResponse = kms.describe_key(KeyId="k")

    # Every response has ResponseMetadata, operations without output included.
    rotation: EnableKeyRotationResponse = kms.enable_key_rotation(KeyId="k")
    meta: ResponseMetadata = rotation["ResponseMetadata"]
    status: int = meta["HTTPStatusCode"]
    request_id: str = kms.enable_key(KeyId="k")["ResponseMetadata"]["RequestId"]
    kms.enable_key(KeyId="k")["KeyId"]  # type: ignore[typeddict-item]

    # Response blobs are bytes, timestamps datetime, lists list, maps dict.
    plaintext: bytes = kms.decrypt(CiphertextBlob=b"c")["Plaintext"]
    as_text: str = kms.decrypt(CiphertextBlob=b"c")["Plaintext"]  # type: ignore[assignment]
    grants = kms.list_grants(KeyId="k").get("Grants", [])
    for grant in grants:
        operations: list[str] = grant.get("Operations", [])
        constraints = grant.get("Constraints")
        if constraints is not None:
            # A response's value goes back into a request as it is.
            kms.create_grant(
                KeyId="k", GranteePrincipal="p", Operations=operations, Constraints=constraints
            )
            subset: dict[str, str] = constraints.get("EncryptionContextSubset", {})
            del subset
    sent: GrantConstraintsInput = {"EncryptionContextEquals": {"a": "b"}}
    read_back: GrantConstraints = sent  # type: ignore[assignment]

    # -- errors --------------------------------------------------------------------------
    code: str = ""
    try:
        kms.describe_key(KeyId="k")
    except ClientExceptions.NotFoundException as exc:
        code = exc.code
        assert isinstance(exc, NotFoundException)
    except ClientExceptions.ClientError as exc:
        message: str | None = exc.message
        del message

    del spec, known, key_id, created, wrong, typed, status, request_id, plaintext, as_text
    del read_back, code, missing, not_a_response, enabled, rotation_enabled, period
    del not_always, ciphertext, listed, more, marker


def sync_pagination(kms: trentclient.Client, name: str) -> None:
    # get_paginator takes boto3's (snake_case) names of paginated operations only.
    paginator = kms.get_paginator("list_keys")
    reveal_type(paginator)  # reveal: trentclient._generated._methods.ListKeysPaginator
    typed_paginator: ListKeysPaginator = paginator
    other: ListAliasesPaginator = kms.get_paginator("list_keys")  # type: ignore[assignment]
    not_async: AsyncListKeysPaginator = kms.get_paginator("list_keys")  # type: ignore[assignment]
    kms.get_paginator("describe_key")  # type: ignore[call-overload]
    kms.get_paginator("ListKeys")  # type: ignore[call-overload]
    kms.get_paginator(name)  # type: ignore[call-overload]
    can: bool = kms.can_paginate(name)

    # paginate() takes the request less Marker/Limit, plus a typed PaginationConfig.
    pages = paginator.paginate(
        PaginationConfig={"MaxItems": 10, "PageSize": 5, "StartingToken": "token"}
    )
    reveal_type(pages)  # reveal: _paginate.PageIterator[...type_defs.ListKeysResponse
    as_pages: PageIterator[ListKeysResponse] = pages
    paginator.paginate(Limit=5)  # type: ignore[call-arg]
    paginator.paginate(Marker="m")  # type: ignore[call-arg]
    paginator.paginate(PaginationConfig={"PageSize": "5"})  # type: ignore[typeddict-item]
    paginator.paginate(PaginationConfig={"MaxItem": 5})  # type: ignore[typeddict-unknown-key]
    kms.get_paginator("list_grants").paginate()  # type: ignore[call-arg]
    kms.get_paginator("list_grants").paginate(KeyId="k", GranteePrincipal="p")
    config: PaginationConfig = {"PageSize": 1}
    request: ListKeyRotationsRequestPaginate = {"KeyId": "k", "PaginationConfig": config}
    kms.get_paginator("list_key_rotations").paginate(**request)

    # Pages are the operation's response TypedDicts, ResponseMetadata included.
    for page in pages:
        reveal_type(page)  # reveal: TypedDict(trentclient._generated.type_defs.ListKeysResponse,
        entries: list[KeyListEntry] = page["Keys"]
        truncated: bool = page["Truncated"]
        request_id: str = page["ResponseMetadata"]["RequestId"]
        page["Aliases"]  # type: ignore[typeddict-item]
        del entries, truncated, request_id
    for grants_page in kms.get_paginator("list_retirable_grants").paginate(RetiringPrincipal="p"):
        grants: list[GrantListEntry] = grants_page["Grants"]
        del grants
    rotations = kms.get_paginator("list_key_rotations").paginate(KeyId="k")
    for rotations_page in rotations:
        rotated: list[RotationsListEntry] = rotations_page["Rotations"]
        del rotated
    async_for_on_sync: AsyncPageIterator[ListKeysResponse] = pages  # type: ignore[assignment]

    full: dict[str, Any] = pages.build_full_result()
    resume: str | None = pages.resume_token
    keys: tuple[str, ...] = pages.result_keys
    del typed_paginator, other, not_async, can, as_pages
    del async_for_on_sync, full, resume, keys


async def async_usage(kms: trentclient.AsyncClient) -> None:
    described = await kms.describe_key(KeyId="k")
    metadata: KeyMetadata = described["KeyMetadata"]
    pending = kms.describe_key(KeyId="k")
    pending["KeyMetadata"]  # type: ignore[index]
    await pending
    not_awaited: DescribeKeyResponse = kms.describe_key(KeyId="k")  # type: ignore[assignment]
    await kms.enable_key_rotation(KeyId="k", RotationPeriodInDays="180")  # type: ignore[arg-type]
    await kms.create_alias(AliasName="alias/app")  # type: ignore[call-arg]
    rotation = await kms.enable_key_rotation(KeyId="k", RotationPeriodInDays=90)
    status: int = rotation["ResponseMetadata"]["HTTPStatusCode"]
    del metadata, not_awaited, status


async def async_pagination(kms: trentclient.AsyncClient) -> None:
    paginator = kms.get_paginator("list_keys")
    reveal_type(paginator)  # reveal: trentclient._generated._methods.AsyncListKeysPaginator
    typed_paginator: AsyncListKeysPaginator = paginator
    sync_one: ListKeysPaginator = kms.get_paginator("list_keys")  # type: ignore[assignment]
    kms.get_paginator("describe_key")  # type: ignore[call-overload]
    can: bool = kms.can_paginate("list_keys")

    pages = paginator.paginate(PaginationConfig={"PageSize": 5})
    reveal_type(pages)  # reveal: _paginate.AsyncPageIterator[...type_defs.ListKeysResponse
    async for page in pages:
        reveal_type(page)  # reveal: TypedDict(trentclient._generated.type_defs.ListKeysResponse,
        entries: list[KeyListEntry] = page["Keys"]
        del entries
    for _not_sync in pages:  # type: ignore[attr-defined]
        pass
    kms.get_paginator("list_grants").paginate()  # type: ignore[call-arg]

    full: dict[str, Any] = await pages.build_full_result()
    not_awaited: dict[str, Any] = pages.build_full_result()  # type: ignore[assignment]
    resume: str | None = pages.resume_token
    del typed_paginator, sync_one, can, full, not_awaited, resume


def recipient_overloads(
    kms: trentclient.Client, recipient: RecipientInfo, request: DecryptRequest
) -> None:
    """Without Recipient, the plaintext is required; with it, CiphertextForRecipient is (and
    the plaintext may be absent: KMS sends it null or empty)."""
    decrypted = kms.decrypt(CiphertextBlob=b"c")
    assert_type(decrypted, DecryptResponse)
    plaintext: bytes = decrypted["Plaintext"]
    decrypted["CiphertextForRecipient"]  # pyright: ignore[reportTypedDictNotRequiredAccess]
    for_enclave = kms.decrypt(CiphertextBlob=b"c", Recipient=recipient)
    assert_type(for_enclave, DecryptResponseWithRecipient)
    sealed: bytes = for_enclave["CiphertextForRecipient"]
    for_enclave["Plaintext"]  # pyright: ignore[reportTypedDictNotRequiredAccess]
    maybe_plaintext: bytes | None = for_enclave.get("Plaintext")
    kms.decrypt(CiphertextBlob=b"c", Recipient={"KeyEncryptionAlgorithm": 1})  # type: ignore[call-overload]
    # A whole request dict: annotated without Recipient, it gets DecryptResponse; a plain
    # DecryptRequest (Recipient may be there) gets the WithRecipient answer.
    without: DecryptRequestWithoutRecipient = {"CiphertextBlob": b"c"}
    assert_type(kms.decrypt(**without), DecryptResponse)
    assert_type(kms.decrypt(**request), DecryptResponseWithRecipient)
    # Every response reads back into the general shape's members with .get.
    either: DecryptResponse | DecryptResponseWithRecipient = kms.decrypt(**request)
    got: bytes | None = either.get("Plaintext")

    assert_type(kms.generate_data_key(KeyId="k"), GenerateDataKeyResponse)
    data_key: bytes = kms.generate_data_key(KeyId="k", KeySpec="AES_256")["Plaintext"]
    wrapped = kms.generate_data_key(KeyId="k", Recipient=recipient)
    assert_type(wrapped, GenerateDataKeyResponseWithRecipient)
    blob: bytes = wrapped["CiphertextBlob"]  # there either way
    pair = kms.generate_data_key_pair(KeyId="k", KeyPairSpec="RSA_2048")
    assert_type(pair, GenerateDataKeyPairResponse)
    private: bytes = pair["PrivateKeyPlaintext"]
    pair_for = kms.generate_data_key_pair(KeyId="k", KeyPairSpec="RSA_2048", Recipient=recipient)
    assert_type(pair_for, GenerateDataKeyPairResponseWithRecipient)
    random: bytes = kms.generate_random(NumberOfBytes=32)["Plaintext"]
    assert_type(kms.generate_random(Recipient=recipient), GenerateRandomResponseWithRecipient)
    assert_type(kms.generate_random(), GenerateRandomResponse)
    secret: bytes = kms.derive_shared_secret(
        KeyId="k", KeyAgreementAlgorithm="ECDH", PublicKey=b"p"
    )["SharedSecret"]
    del plaintext, sealed, maybe_plaintext, got, data_key, blob, private, random, secret


async def async_recipient_overloads(kms: trentclient.AsyncClient, recipient: RecipientInfo) -> None:
    decrypted = await kms.decrypt(CiphertextBlob=b"c")
    assert_type(decrypted, DecryptResponse)
    plaintext: bytes = decrypted["Plaintext"]
    for_enclave = await kms.decrypt(CiphertextBlob=b"c", Recipient=recipient)
    assert_type(for_enclave, DecryptResponseWithRecipient)
    sealed: bytes = for_enclave["CiphertextForRecipient"]
    data_key: bytes = (await kms.generate_data_key(KeyId="k"))["Plaintext"]
    wrapped = await kms.generate_data_key(KeyId="k", Recipient=recipient)
    assert_type(wrapped, GenerateDataKeyResponseWithRecipient)
    sealed_key: bytes = wrapped["CiphertextForRecipient"]
    del plaintext, sealed, data_key, sealed_key


def configs() -> None:
    """config= takes trentclient's Config or botocore's (pyright checks it against the
    protocol; botocore is untyped, so for mypy it is Any), and nothing else."""
    ours = trentclient.Client("us-east-1", config=trentclient.Config(connect_timeout=5))
    theirs = trentclient.Client("us-east-1", config=botocore.config.Config(connect_timeout=5))
    trentclient.Client("us-east-1", config={"retries": {}})  # type: ignore[arg-type]
    del ours, theirs
