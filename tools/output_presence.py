"""Which response members KMS returns on every success: the one reviewed table.

botocore's model marks almost no output member ``required`` (only ``KeyMetadata.KeyId`` and
``Tag``'s two), so a generator that followed it would make every read a
``reportTypedDictNotRequiredAccess`` under pyright; mypy-boto3 makes every output member
required, which is wrong the other way. ``tools/gen_model.py`` reads this table instead, for
every structure reachable from an operation's output, at every depth: each of their members
must be listed here (and nothing else), so a botocore upgrade that adds one stops the
generator until someone decides.

Each member is one of:

``ALWAYS``
    returned on every success: ``Required`` in the TypedDict.
``Maybe(reason)``
    may be absent: ``NotRequired``. ``reason`` quotes the API reference (the model's
    documentation, which is its text) where it says when; otherwise it gives the condition
    or why we could not tell (then ``NotRequired`` is the safe side).
``UnlessParam(param, reason)``
    ``Required`` when the request has no ``param``; may be absent (or null, or empty) when it
    has one. ``OnlyWithParam(param, reason)``: ``Required`` when the request has ``param``,
    absent otherwise. An operation with either gets two overloads: called without ``param``
    it returns ``<Output>`` (these members as without ``param``); with it,
    ``<Output>With<param>``.

The tests (``tests/test_output_presence.py``) check every ``Required`` member against every
example output in botocore's ``examples-1.json`` and against moto's answers. An example or an
answer that is not a full answer is listed in ``EXAMPLE_GAPS`` or ``MOTO_GAPS`` with why, and
a gap that no longer exists fails the test too.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ALWAYS",
    "EXAMPLE_GAPS",
    "MOTO_GAPS",
    "OUTPUT_PRESENCE",
    "Always",
    "Maybe",
    "OnlyWithParam",
    "Presence",
    "UnlessParam",
    "required_members",
]


@dataclass(frozen=True)
class Always:
    """Returned on every success."""


@dataclass(frozen=True)
class Maybe:
    """May be absent from a successful answer; ``reason`` says when."""

    reason: str


@dataclass(frozen=True)
class UnlessParam:
    """Returned on every success without ``param`` in the request; may be absent with it."""

    param: str
    reason: str


@dataclass(frozen=True)
class OnlyWithParam:
    """Returned on every success with ``param`` in the request; absent without it."""

    param: str
    reason: str


Presence = Always | Maybe | UnlessParam | OnlyWithParam

ALWAYS = Always()

# Reasons used more than once.
_NEXT_MARKER = Maybe("'When Truncated is true, this element is present'")
_RECIPIENT_CIPHERTEXT = OnlyWithParam(
    "Recipient",
    "'This field is included in the response only when the Recipient parameter in the "
    "request includes a valid attestation document'",
)
_MATERIAL_ID_SAFE = (
    "key material identifiers are reported for symmetric encryption keys with AWS_KMS or "
    "EXTERNAL origin only (see KeyMetadata.CurrentKeyMaterialId); added in 2025, the API "
    "reference does not say it is always there: NotRequired on the safe side"
)
_NEWER_SAFE = (
    "added to the answer after the rest; the API reference does not say it is always "
    "there, and neither botocore's example nor moto has it: NotRequired on the safe side"
)


def _recipient_plaintext(member: str) -> UnlessParam:
    return UnlessParam(
        "Recipient",
        f"'If the response includes the CiphertextForRecipient field, the {member} field is "
        "null or empty'",
    )


#: Output structure shape -> member -> presence. Keys in the model's order.
OUTPUT_PRESENCE: dict[str, dict[str, Presence]] = {
    "AliasListEntry": {
        "AliasName": ALWAYS,
        "AliasArn": ALWAYS,
        "TargetKeyId": Maybe(
            "ListAliases: 'The response might also include aliases that have no TargetKeyId "
            "field' (AWS managed aliases not yet associated with a key)"
        ),
        "CreationDate": Maybe(
            "absent for the predefined AWS managed aliases that have no key yet (they have "
            "no TargetKeyId either); botocore's example has neither date"
        ),
        "LastUpdatedDate": Maybe("as CreationDate"),
    },
    "CancelKeyDeletionResponse": {"KeyId": ALWAYS},
    "ConnectCustomKeyStoreResponse": {},
    "CreateCustomKeyStoreResponse": {"CustomKeyStoreId": ALWAYS},
    "CreateGrantResponse": {"GrantToken": ALWAYS, "GrantId": ALWAYS},
    "CreateKeyResponse": {"KeyMetadata": ALWAYS},
    "CustomKeyStoresListEntry": {
        "CustomKeyStoreId": ALWAYS,
        "CustomKeyStoreName": ALWAYS,
        "CloudHsmClusterId": Maybe(
            "'This field appears only when the CustomKeyStoreType is AWS_CLOUDHSM'"
        ),
        "TrustAnchorCertificate": Maybe(
            "'This field appears only when the CustomKeyStoreType is AWS_CLOUDHSM'"
        ),
        "ConnectionState": ALWAYS,
        "ConnectionErrorCode": Maybe(
            "'This field appears in the response only when the ConnectionState is FAILED'"
        ),
        "CreationDate": ALWAYS,
        "CustomKeyStoreType": Maybe(
            "added with external key stores (2022); botocore's example of a CloudHSM key "
            "store does not have it: NotRequired on the safe side"
        ),
        "XksProxyConfiguration": Maybe(
            "'This field appears only when the CustomKeyStoreType is EXTERNAL_KEY_STORE'"
        ),
    },
    "DecryptResponse": {
        "KeyId": ALWAYS,
        "Plaintext": _recipient_plaintext("Plaintext"),
        "EncryptionAlgorithm": ALWAYS,
        "CiphertextForRecipient": _RECIPIENT_CIPHERTEXT,
        "KeyMaterialId": Maybe(
            "'This field is present only when the operation uses a symmetric encryption KMS "
            "key. This field is omitted if the request includes the Recipient parameter'"
        ),
    },
    "DeleteCustomKeyStoreResponse": {},
    "DeleteImportedKeyMaterialResponse": {
        "KeyId": Maybe(_NEWER_SAFE + " (the example's answer is {})"),
        "KeyMaterialId": Maybe(_NEWER_SAFE + " (the example's answer is {})"),
    },
    "DeriveSharedSecretResponse": {
        "KeyId": ALWAYS,
        "SharedSecret": _recipient_plaintext("SharedSecret"),
        "CiphertextForRecipient": _RECIPIENT_CIPHERTEXT,
        "KeyAgreementAlgorithm": ALWAYS,
        "KeyOrigin": ALWAYS,
    },
    "DescribeCustomKeyStoresResponse": {
        "CustomKeyStores": ALWAYS,
        "NextMarker": _NEXT_MARKER,
        "Truncated": Maybe(
            "both of botocore's examples answer without it (the List* operations' examples "
            "all have it)"
        ),
    },
    "DescribeKeyResponse": {"KeyMetadata": ALWAYS},
    "DisconnectCustomKeyStoreResponse": {},
    "EncryptResponse": {"CiphertextBlob": ALWAYS, "KeyId": ALWAYS, "EncryptionAlgorithm": ALWAYS},
    "GenerateDataKeyPairResponse": {
        "PrivateKeyCiphertextBlob": ALWAYS,
        "PrivateKeyPlaintext": _recipient_plaintext("PrivateKeyPlaintext"),
        "PublicKey": ALWAYS,
        "KeyId": ALWAYS,
        "KeyPairSpec": ALWAYS,
        "CiphertextForRecipient": _RECIPIENT_CIPHERTEXT,
        "KeyMaterialId": Maybe(_MATERIAL_ID_SAFE),
    },
    "GenerateDataKeyPairWithoutPlaintextResponse": {
        "PrivateKeyCiphertextBlob": ALWAYS,
        "PublicKey": ALWAYS,
        "KeyId": ALWAYS,
        "KeyPairSpec": ALWAYS,
        "KeyMaterialId": Maybe(_MATERIAL_ID_SAFE),
    },
    "GenerateDataKeyResponse": {
        "CiphertextBlob": ALWAYS,
        "Plaintext": _recipient_plaintext("Plaintext"),
        "KeyId": ALWAYS,
        "CiphertextForRecipient": _RECIPIENT_CIPHERTEXT,
        "KeyMaterialId": Maybe(
            "'This field is omitted if the request includes the Recipient parameter'; "
            "without it: " + _MATERIAL_ID_SAFE
        ),
    },
    "GenerateDataKeyWithoutPlaintextResponse": {
        "CiphertextBlob": ALWAYS,
        "KeyId": ALWAYS,
        "KeyMaterialId": Maybe(_MATERIAL_ID_SAFE),
    },
    "GenerateMacResponse": {"Mac": ALWAYS, "MacAlgorithm": ALWAYS, "KeyId": ALWAYS},
    "GenerateRandomResponse": {
        "Plaintext": _recipient_plaintext("Plaintext"),
        "CiphertextForRecipient": _RECIPIENT_CIPHERTEXT,
    },
    "GetKeyLastUsageResponse": {
        "KeyId": ALWAYS,
        "KeyLastUsage": Maybe(
            "'If the key has not been used since tracking began, this response element is "
            "empty' (empty or absent: the reference does not say which)"
        ),
        "TrackingStartDate": ALWAYS,
        "KeyCreationDate": ALWAYS,
    },
    "GetKeyPolicyResponse": {"Policy": ALWAYS, "PolicyName": Maybe(_NEWER_SAFE)},
    "GetKeyRotationStatusResponse": {
        "KeyRotationEnabled": ALWAYS,
        "KeyId": Maybe(_NEWER_SAFE),
        "RotationPeriodInDays": Maybe(
            "only while automatic rotation is enabled (KMS keeps no period for a key without it)"
        ),
        "NextRotationDate": Maybe("only while automatic rotation is enabled"),
        "OnDemandRotationStartDate": Maybe(
            "'Once the on-demand rotation is complete, KMS removes this field from the response'"
        ),
    },
    "GetParametersForImportResponse": {
        "KeyId": ALWAYS,
        "ImportToken": ALWAYS,
        "PublicKey": ALWAYS,
        "ParametersValidTo": ALWAYS,
    },
    "GetPublicKeyResponse": {
        "KeyId": ALWAYS,
        "PublicKey": ALWAYS,
        "CustomerMasterKeySpec": ALWAYS,
        "KeySpec": ALWAYS,
        "KeyUsage": ALWAYS,
        "EncryptionAlgorithms": Maybe(
            "'This field appears in the response only when the KeyUsage of the public key is "
            "ENCRYPT_DECRYPT'"
        ),
        "SigningAlgorithms": Maybe(
            "'This field appears in the response only when the KeyUsage of the public key is "
            "SIGN_VERIFY'"
        ),
        "KeyAgreementAlgorithms": Maybe(
            "'This field is present only when the KMS key has a KeyUsage value of KEY_AGREEMENT'"
        ),
    },
    "GrantConstraints": {
        "EncryptionContextSubset": Maybe("a grant has at most one of the two constraints"),
        "EncryptionContextEquals": Maybe("a grant has at most one of the two constraints"),
    },
    "GrantListEntry": {
        "KeyId": ALWAYS,
        "GrantId": ALWAYS,
        "Name": Maybe(
            "'If a name was provided in the CreateGrant request, that name is returned. "
            "Otherwise this value is null'"
        ),
        "CreationDate": ALWAYS,
        "GranteePrincipal": ALWAYS,
        "RetiringPrincipal": Maybe("only for grants created with a RetiringPrincipal"),
        "IssuingAccount": ALWAYS,
        "Operations": ALWAYS,
        "Constraints": Maybe("only for grants created with Constraints"),
    },
    "ImportKeyMaterialResponse": {
        "KeyId": Maybe(_NEWER_SAFE + " (the example's answer is {})"),
        "KeyMaterialId": Maybe(_NEWER_SAFE + " (the example's answer is {})"),
    },
    "KeyLastUsageData": {
        "Operation": Maybe("'Absent if the key has not been used since KMS began tracking'"),
        "Timestamp": Maybe("'Absent if the key has not been used since KMS began tracking'"),
        "CloudTrailEventId": Maybe(
            "'Absent if the key has not been used since KMS began tracking'"
        ),
        "KmsRequestId": Maybe("'Absent if the key has not been used since KMS began tracking'"),
    },
    "KeyListEntry": {"KeyId": ALWAYS, "KeyArn": ALWAYS},
    "KeyMetadata": {
        "AWSAccountId": ALWAYS,
        "KeyId": ALWAYS,
        "Arn": ALWAYS,
        "CreationDate": ALWAYS,
        "Enabled": ALWAYS,
        "Description": ALWAYS,
        "KeyUsage": ALWAYS,
        "KeyState": ALWAYS,
        "DeletionDate": Maybe(
            "'This value is present only when the KMS key is scheduled for deletion, that is, "
            "when its KeyState is PendingDeletion'"
        ),
        "ValidTo": Maybe(
            "'This value is present only for KMS keys whose Origin is EXTERNAL and the "
            "ExpirationModel is KEY_MATERIAL_EXPIRES, otherwise this value is omitted'"
        ),
        "Origin": ALWAYS,
        "CustomKeyStoreId": Maybe(
            "'This field is present only when the KMS key is created in a custom key store'"
        ),
        "CloudHsmClusterId": Maybe(
            "'This field is present only when the KMS key is created in an CloudHSM key store'"
        ),
        "ExpirationModel": Maybe(
            "'This value is present only when Origin is EXTERNAL, otherwise this value is omitted'"
        ),
        "KeyManager": ALWAYS,
        "CustomerMasterKeySpec": ALWAYS,
        "KeySpec": ALWAYS,
        "EncryptionAlgorithms": Maybe(
            "'This value is present only when the KeyUsage of the KMS key is ENCRYPT_DECRYPT'"
        ),
        "SigningAlgorithms": Maybe(
            "'This field appears only when the KeyUsage of the KMS key is SIGN_VERIFY'"
        ),
        "KeyAgreementAlgorithms": Maybe("only when the KeyUsage of the KMS key is KEY_AGREEMENT"),
        "MultiRegion": ALWAYS,
        "MultiRegionConfiguration": Maybe(
            "'This field is present only when the value of the MultiRegion field is True'"
        ),
        "PendingDeletionWindowInDays": Maybe(
            "'This value is present only when the KeyState of the KMS key is "
            "PendingReplicaDeletion'"
        ),
        "MacAlgorithms": Maybe(
            "'This value is present only when the KeyUsage of the KMS key is GENERATE_VERIFY_MAC'"
        ),
        "XksKeyConfiguration": Maybe("only for KMS keys in an external key store"),
        "CurrentKeyMaterialId": Maybe(
            "'This value is present for symmetric encryption keys with AWS_KMS or EXTERNAL origin'"
        ),
    },
    "ListAliasesResponse": {"Aliases": ALWAYS, "NextMarker": _NEXT_MARKER, "Truncated": ALWAYS},
    "ListGrantsResponse": {"Grants": ALWAYS, "NextMarker": _NEXT_MARKER, "Truncated": ALWAYS},
    "ListKeyPoliciesResponse": {
        "PolicyNames": ALWAYS,
        "NextMarker": _NEXT_MARKER,
        "Truncated": ALWAYS,
    },
    "ListKeyRotationsResponse": {
        "Rotations": ALWAYS,
        "NextMarker": _NEXT_MARKER,
        "Truncated": ALWAYS,
    },
    "ListKeysResponse": {"Keys": ALWAYS, "NextMarker": _NEXT_MARKER, "Truncated": ALWAYS},
    "ListResourceTagsResponse": {"Tags": ALWAYS, "NextMarker": _NEXT_MARKER, "Truncated": ALWAYS},
    "MultiRegionConfiguration": {
        "MultiRegionKeyType": ALWAYS,
        "PrimaryKey": ALWAYS,
        "ReplicaKeys": ALWAYS,
    },
    "MultiRegionKey": {"Arn": ALWAYS, "Region": ALWAYS},
    "ReEncryptResponse": {
        "CiphertextBlob": ALWAYS,
        "SourceKeyId": ALWAYS,
        "KeyId": ALWAYS,
        "SourceEncryptionAlgorithm": ALWAYS,
        "DestinationEncryptionAlgorithm": ALWAYS,
        "SourceKeyMaterialId": Maybe(
            "'This field is present only when the original encryption used a symmetric "
            "encryption KMS key'"
        ),
        "DestinationKeyMaterialId": Maybe(
            "'This field is present only when data is reencrypted using a symmetric "
            "encryption KMS key'"
        ),
    },
    "ReplicateKeyResponse": {
        "ReplicaKeyMetadata": ALWAYS,
        "ReplicaPolicy": ALWAYS,
        "ReplicaTags": Maybe(
            "botocore's example answers [] for a key without tags, but the reference does "
            "not say it is always there, and moto leaves it out: NotRequired on the safe side"
        ),
    },
    "RotateKeyOnDemandResponse": {"KeyId": ALWAYS},
    "RotationsListEntry": {
        "KeyId": ALWAYS,
        "KeyMaterialId": Maybe(_NEWER_SAFE),
        "KeyMaterialDescription": Maybe(
            "'This field is only present for symmetric encryption KMS keys with EXTERNAL origin'"
        ),
        "ImportState": Maybe(
            "'This field is only present for symmetric encryption KMS keys with EXTERNAL origin'"
        ),
        "KeyMaterialState": Maybe(_NEWER_SAFE),
        "ExpirationModel": Maybe(
            "'This field is only present for symmetric encryption KMS keys with EXTERNAL origin'"
        ),
        "ValidTo": Maybe(
            "'This field is only present for symmetric encryption KMS keys with EXTERNAL "
            "origin in rotation list entries with an ExpirationModel value of "
            "KEY_MATERIAL_EXPIRES'"
        ),
        "RotationDate": Maybe(
            "'This field is not present for the first key material or an imported key "
            "material in PENDING_ROTATION state'"
        ),
        "RotationType": Maybe(
            "'This field is not present for the first key material or an imported key "
            "material in PENDING_ROTATION state'"
        ),
    },
    "ScheduleKeyDeletionResponse": {
        "KeyId": ALWAYS,
        "DeletionDate": Maybe(
            "'If the KMS key is a multi-Region primary key with replica keys, this field does "
            "not appear'"
        ),
        "KeyState": ALWAYS,
        "PendingWindowInDays": ALWAYS,
    },
    "SignResponse": {"KeyId": ALWAYS, "Signature": ALWAYS, "SigningAlgorithm": ALWAYS},
    "Tag": {"TagKey": ALWAYS, "TagValue": ALWAYS},
    "UpdateCustomKeyStoreResponse": {},
    "VerifyMacResponse": {"KeyId": ALWAYS, "MacValid": ALWAYS, "MacAlgorithm": ALWAYS},
    "VerifyResponse": {"KeyId": ALWAYS, "SignatureValid": ALWAYS, "SigningAlgorithm": ALWAYS},
    "XksKeyConfigurationType": {"Id": ALWAYS},
    "XksProxyConfigurationType": {
        "Connectivity": ALWAYS,
        "AccessKeyId": ALWAYS,
        "UriEndpoint": ALWAYS,
        "UriPath": ALWAYS,
        "VpcEndpointServiceName": Maybe(
            "'This field appears only when the external key store proxy uses an Amazon VPC "
            "endpoint service to communicate with KMS'"
        ),
        "VpcEndpointServiceOwner": Maybe(
            "'This field appears only when the XKS uses an VPC endpoint service to "
            "communicate with KMS'"
        ),
    },
}


def required_members(shape: str, given: frozenset[str] = frozenset()) -> set[str]:
    """The members of output structure ``shape`` that KMS returns on every success to a
    request that has the parameters ``given`` (and none of the other conditioning ones)."""
    required = set()
    for member, presence in OUTPUT_PRESENCE[shape].items():
        match presence:
            case Always():
                required.add(member)
            case UnlessParam(param=param) if param not in given:
                required.add(member)
            case OnlyWithParam(param=param) if param in given:
                required.add(member)
    return required


_BEFORE_ALGORITHMS = (
    "the example predates asymmetric KMS keys, which added the encryption algorithm to "
    "this answer; KMS now names it in every answer (it is how a caller learns which "
    "algorithm a symmetric key used: SYMMETRIC_DEFAULT)"
)
_BEFORE_KEY_SPEC = (
    "the example predates KeySpec, which replaced CustomerMasterKeySpec (the example has "
    "that one; both carry the same value, and KMS sends both); the other examples have it"
)

#: (operation, example title) -> ("Shape.Member" the example lacks, why the example is not a
#: full answer). tests/test_output_presence.py checks that exactly these are missing.
EXAMPLE_GAPS: dict[tuple[str, str], tuple[frozenset[str], str]] = {
    ("Decrypt", "To decrypt data"): (
        frozenset({"DecryptResponse.EncryptionAlgorithm"}),
        _BEFORE_ALGORITHMS,
    ),
    ("Encrypt", "To encrypt data"): (
        frozenset({"EncryptResponse.EncryptionAlgorithm"}),
        _BEFORE_ALGORITHMS,
    ),
    ("ReEncrypt", "To reencrypt data"): (
        frozenset(
            {
                "ReEncryptResponse.SourceEncryptionAlgorithm",
                "ReEncryptResponse.DestinationEncryptionAlgorithm",
            }
        ),
        _BEFORE_ALGORITHMS,
    ),
    ("DescribeKey", "To get details about a multi-Region key"): (
        frozenset({"KeyMetadata.KeySpec"}),
        _BEFORE_KEY_SPEC,
    ),
    ("DescribeKey", "To get details about an HMAC KMS key"): (
        frozenset({"KeyMetadata.KeySpec"}),
        _BEFORE_KEY_SPEC,
    ),
    ("ReplicateKey", "To replicate a multi-Region key in a different AWS Region"): (
        frozenset({"KeyMetadata.KeySpec"}),
        _BEFORE_KEY_SPEC,
    ),
    ("GetPublicKey", "To download the public key of an asymmetric KMS key"): (
        frozenset({"GetPublicKeyResponse.KeySpec"}),
        _BEFORE_KEY_SPEC,
    ),
    ("ScheduleKeyDeletion", "To schedule a KMS key for deletion"): (
        frozenset(
            {
                "ScheduleKeyDeletionResponse.KeyState",
                "ScheduleKeyDeletionResponse.PendingWindowInDays",
            }
        ),
        "the example predates multi-Region keys, which added KeyState and "
        "PendingWindowInDays to this answer (a primary key with replicas answers "
        "PendingReplicaDeletion and no DeletionDate, hence DeletionDate is NotRequired)",
    ),
}

#: Operation -> ("Shape.Member" moto's answer lacks, why). moto is not KMS: its answers leave
#: out members KMS sends every time. tests/test_output_presence.py checks exactly these.
_MOTO_NULL_DEFAULTS = (
    "moto answers null for KeyUsage and MultiRegion when CreateKey did not set them; KMS "
    "answers their defaults (ENCRYPT_DECRYPT, false), as every botocore example shows"
)
_MOTO_NO_ALGORITHM = "moto leaves the encryption algorithm out; KMS always names it"
MOTO_GAPS: dict[str, tuple[frozenset[str], str]] = {
    "CreateKey": (
        frozenset({"KeyMetadata.KeyUsage", "KeyMetadata.MultiRegion"}),
        _MOTO_NULL_DEFAULTS,
    ),
    "DescribeKey": (
        frozenset({"KeyMetadata.KeyUsage", "KeyMetadata.MultiRegion"}),
        _MOTO_NULL_DEFAULTS,
    ),
    "ReplicateKey": (frozenset({"KeyMetadata.KeyUsage"}), _MOTO_NULL_DEFAULTS),
    "ListGrants": (
        frozenset({"GrantListEntry.CreationDate", "GrantListEntry.IssuingAccount"}),
        "moto keeps neither for a grant; botocore's examples have both on every grant",
    ),
    "ListRetirableGrants": (
        frozenset({"GrantListEntry.CreationDate", "GrantListEntry.IssuingAccount"}),
        "moto keeps neither for a grant; botocore's examples have both on every grant",
    ),
    "Encrypt": (frozenset({"EncryptResponse.EncryptionAlgorithm"}), _MOTO_NO_ALGORITHM),
    "Decrypt": (frozenset({"DecryptResponse.EncryptionAlgorithm"}), _MOTO_NO_ALGORITHM),
    "ReEncrypt": (
        frozenset(
            {
                "ReEncryptResponse.SourceEncryptionAlgorithm",
                "ReEncryptResponse.DestinationEncryptionAlgorithm",
            }
        ),
        _MOTO_NO_ALGORITHM,
    ),
    "ScheduleKeyDeletion": (
        frozenset(
            {
                "ScheduleKeyDeletionResponse.KeyState",
                "ScheduleKeyDeletionResponse.PendingWindowInDays",
            }
        ),
        "moto answers KeyId and DeletionDate only (as botocore's older example does)",
    ),
    "GetPublicKey": (
        frozenset({"GetPublicKeyResponse.KeySpec"}),
        "moto answers CustomerMasterKeySpec only, not KeySpec (same value; KMS sends both)",
    ),
}
