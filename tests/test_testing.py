"""``trentclient.testing`` (Stubber, stubbed_client, verify_signature, error responses) and
the pytest plugin (``kms_stub`` / ``async_kms_stub``)."""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import json
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

import trentclient
from tests.botocore_oracle import ACCESS_KEY, FROZEN, SECRET_KEY, botocore_client, botocore_request
from tests.conftest import Driver
from tests.sigv4_cases import ALL, OFFICIAL, Case
from trentclient import Credentials, SigV4Auth
from trentclient._generated._errors import ERROR_CLASSES, MODELED_ERRORS
from trentclient._generated._shapes import OPERATIONS
from trentclient._retry import RetryPolicy
from trentclient.testing import (
    ANY,
    ERROR_CODES,
    ERROR_FORMS,
    STUB_CREDENTIALS,
    SignatureMismatch,
    Stubber,
    StubResponseError,
    UnexpectedCallError,
    _to_wire,
    error_response,
    stubbed_client,
    throttling_burst,
    verify_signature,
)

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
KEY = "1234abcd-12ab-34cd-56ef-1234567890ab"
ARN = f"arn:aws:kms:us-east-1:111122223333:key/{KEY}"
RID = "5f0e5d0c-1111-4222-8333-444455556666"
NOW = dt.datetime(2015, 8, 30, 12, 36, tzinfo=dt.UTC)
TOKEN = "session-token-that-must-never-be-shown"


# -- helpers -----------------------------------------------------------------------------------


class Kms:
    """A ``stubbed_client()`` of either kind, with one way to call it."""

    def __init__(self, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        self.client: Any = stubbed_client(async_=kind == "async", **kwargs)

    def call(self, method: str, /, **params: Any) -> Any:
        result = getattr(self.client, method)(**params)
        return asyncio.run(result) if inspect.iscoroutine(result) else result


@pytest.fixture
def kms(kind: str) -> Kms:
    return Kms(kind)


def without_metadata(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k != "ResponseMetadata"}


KEY_METADATA: dict[str, Any] = {
    "AWSAccountId": "111122223333",
    "KeyId": KEY,
    "Arn": ARN,
    "CreationDate": dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC),
    "Enabled": True,
    "Description": "app key",
    "KeyUsage": "ENCRYPT_DECRYPT",
    "KeyState": "Enabled",
    "Origin": "AWS_KMS",
    "KeyManager": "CUSTOMER",
    "KeySpec": "SYMMETRIC_DEFAULT",
    "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
    "MultiRegion": False,
}


# -- Stubber: answers --------------------------------------------------------------------------


def test_add_response_goes_through_the_real_request_path(kms: Kms) -> None:
    with Stubber(kms.client) as stub:
        stub.add_response(
            "describe_key", {"KeyMetadata": KEY_METADATA}, expected_params={"KeyId": "alias/app"}
        )
        result = kms.call("describe_key", KeyId="alias/app")
    assert without_metadata(result) == {"KeyMetadata": KEY_METADATA}
    assert result["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert result["ResponseMetadata"]["RetryAttempts"] == 0
    (request,) = stub.requests
    assert request.method == "POST"
    assert str(request.url) == "https://kms.us-east-1.amazonaws.com/"
    assert request.headers["X-Amz-Target"] == "TrentService.DescribeKey"
    assert request.headers["Content-Type"] == "application/x-amz-json-1.1"
    assert request.content == b'{"KeyId": "alias/app"}'
    assert "Credential=AKIDSTUBBER/" in request.headers["Authorization"]
    verify_signature(request, STUB_CREDENTIALS, region="us-east-1")


def test_api_names_work_as_method_names(kms: Kms) -> None:
    with Stubber(kms.client) as stub:
        stub.add_response("DescribeKey", {"KeyMetadata": {"KeyId": KEY}})
        assert kms.call("describe_key", KeyId=KEY)["KeyMetadata"] == {"KeyId": KEY}


def test_blobs_and_timestamps_come_back_as_bytes_and_aware_datetimes(kms: Kms) -> None:
    valid_to = dt.datetime(2030, 1, 2, 3, 4, 5, 500000, tzinfo=dt.UTC)
    with Stubber(kms.client) as stub:
        stub.add_response(
            "generate_data_key",
            {"CiphertextBlob": bytearray(b"\x00\x01\xff"), "Plaintext": b"k" * 32, "KeyId": ARN},
        )
        stub.add_response(
            "get_parameters_for_import",
            {
                "KeyId": ARN,
                "ImportToken": memoryview(b"token"),
                "PublicKey": "text blob",
                "ParametersValidTo": valid_to,
            },
        )
        stub.add_response(
            "get_parameters_for_import",
            {"ParametersValidTo": dt.datetime(2030, 1, 2, 3, 4, 5)},  # naive: taken as UTC
        )
        stub.add_response("get_parameters_for_import", {"ParametersValidTo": 1893553445})
        stub.add_response(
            "get_parameters_for_import", {"ParametersValidTo": "2030-01-02T03:04:05Z"}
        )
        data_key = kms.call("generate_data_key", KeyId=KEY, NumberOfBytes=32)
        params = kms.call("get_parameters_for_import", **IMPORT_PARAMS)
        naive = kms.call("get_parameters_for_import", **IMPORT_PARAMS)
        epoch = kms.call("get_parameters_for_import", **IMPORT_PARAMS)
        iso = kms.call("get_parameters_for_import", **IMPORT_PARAMS)
    assert data_key["CiphertextBlob"] == b"\x00\x01\xff"
    assert data_key["Plaintext"] == b"k" * 32
    assert params["ImportToken"] == b"token"
    assert params["PublicKey"] == b"text blob"
    assert params["ParametersValidTo"] == valid_to
    expected = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert naive["ParametersValidTo"] == expected
    assert epoch["ParametersValidTo"] == expected
    assert iso["ParametersValidTo"] == expected


IMPORT_PARAMS = {
    "KeyId": KEY,
    "WrappingAlgorithm": "RSAES_OAEP_SHA_256",
    "WrappingKeySpec": "RSA_2048",
}


def test_to_wire_writes_kms_json() -> None:
    problems: list[str] = []
    output = OPERATIONS["GetParametersForImport"].output
    assert output is not None
    wire = _to_wire(
        output,
        {
            "KeyId": "k",
            "ImportToken": b"\x00\xff",
            "PublicKey": "pk",
            "ParametersValidTo": dt.datetime(2030, 1, 2, 3, 4, 5, 250000, tzinfo=dt.UTC),
        },
        "service_response",
        problems,
    )
    assert problems == []
    assert wire == {
        "KeyId": "k",
        "ImportToken": "AP8=",
        "PublicKey": "cGs=",
        "ParametersValidTo": 1893553445.25,
    }
    tags = OPERATIONS["ListResourceTags"].output
    assert tags is not None
    assert _to_wire(
        tags, {"Tags": ({"TagKey": "a", "TagValue": "b"},), "Truncated": False}, "r", problems
    ) == {"Tags": [{"TagKey": "a", "TagValue": "b"}], "Truncated": False}
    assert problems == []


def test_operations_without_output_answer_with_an_empty_body(kms: Kms) -> None:
    with Stubber(kms.client) as stub:
        stub.add_response("enable_key_rotation", {})
        stub.add_response("connect_custom_key_store", {})
        assert without_metadata(kms.call("enable_key_rotation", KeyId=KEY)) == {}
        assert without_metadata(kms.call("connect_custom_key_store", CustomKeyStoreId="c")) == {}


def test_response_metadata_sets_request_id_status_and_headers(kms: Kms) -> None:
    with Stubber(kms.client) as stub:
        stub.add_response(
            "list_keys",
            {
                "Keys": [],
                "ResponseMetadata": {
                    "RequestId": RID,
                    "HTTPStatusCode": 202,
                    "HTTPHeaders": {"x-custom": "1"},
                },
            },
        )
        result = kms.call("list_keys")
    meta = result["ResponseMetadata"]
    assert meta["RequestId"] == RID
    assert meta["HTTPStatusCode"] == 202
    assert meta["HTTPHeaders"]["x-custom"] == "1"
    with pytest.raises(ValueError, match="must be 2xx"):
        Stubber(kms.client).add_response("list_keys", {"ResponseMetadata": {"HTTPStatusCode": 400}})
    with pytest.raises(ValueError, match="not supported"):
        Stubber(kms.client).add_response("list_keys", {"ResponseMetadata": {"Nope": 1}})


# -- Stubber: service_response validation ------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "response", "expected"),
    [
        ("describe_key", {"Bogus": 1}, 'Unknown key in service_response: "Bogus"'),
        (
            "describe_key",
            {"KeyMetadata": {"KeyId": "k", "Bogus": 1}},
            'Unknown key in service_response.KeyMetadata: "Bogus", must be one of: AWSAccountId',
        ),
        (
            "describe_key",
            {"KeyMetadata": {"KeyId": "k", "Enabled": "yes"}},
            "Invalid type for service_response.KeyMetadata.Enabled, value: 'yes', type: str, "
            "valid types: bool",
        ),
        (
            "describe_key",
            {"KeyMetadata": {"Enabled": True}},
            'Missing required key in service_response.KeyMetadata: "KeyId"',
        ),
        (
            "describe_key",
            {"KeyMetadata": {"KeyId": "k", "EncryptionAlgorithms": "SYMMETRIC_DEFAULT"}},
            "Invalid type for service_response.KeyMetadata.EncryptionAlgorithms",
        ),
        (
            "describe_key",
            {"KeyMetadata": {"KeyId": "k", "EncryptionAlgorithms": [1]}},
            "Invalid type for service_response.KeyMetadata.EncryptionAlgorithms[0]",
        ),
        (
            "describe_key",
            {"KeyMetadata": {"KeyId": "k", "CreationDate": "yesterday"}},
            "Invalid timestamp for service_response.KeyMetadata.CreationDate",
        ),
        (
            "describe_key",
            {"KeyMetadata": {"KeyId": "k", "PendingDeletionWindowInDays": True}},
            "valid types: int",
        ),
        ("describe_key", {"KeyMetadata": "k"}, "Invalid type for service_response.KeyMetadata"),
        ("encrypt", {"CiphertextBlob": 12}, "Invalid type for service_response.CiphertextBlob"),
        ("list_keys", {"Keys": [{"KeyId": None}]}, "service_response.Keys[0].KeyId"),
        (
            "list_resource_tags",
            {"Tags": [{"TagKey": "a"}]},
            'Missing required key in service_response.Tags[0]: "TagValue"',
        ),
        (
            "enable_key_rotation",
            {"KeyId": "k"},
            "EnableKeyRotation returns no data: service_response may only hold ResponseMetadata",
        ),
    ],
)
def test_service_response_is_checked_against_the_output_shape(
    method: str, response: dict[str, Any], expected: str
) -> None:
    stub = Stubber(stubbed_client())
    with pytest.raises(trentclient.ParamValidationError) as info:
        stub.add_response(method, response)
    assert expected in str(info.value)
    stub.assert_no_pending_responses()  # nothing was queued


def test_every_problem_is_reported_at_once() -> None:
    stub = Stubber(stubbed_client())
    with pytest.raises(trentclient.ParamValidationError) as info:
        stub.add_response("describe_key", {"KeyMetadata": {"Enabled": "yes", "Bogus": 1}})
    assert len(info.value.problems) == 3


def test_bad_arguments_fail_fast() -> None:
    stub = Stubber(stubbed_client())
    with pytest.raises(ValueError, match="no method or operation 'describe_keys'"):
        stub.add_response("describe_keys", {})
    with pytest.raises(ValueError, match="no method or operation"):
        stub.add_client_error("nope", "NotFoundException")
    with pytest.raises(TypeError, match="service_response must be a dict"):
        stub.add_response("list_keys", [])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="expected_params must be a dict"):
        stub.add_response("list_keys", {}, expected_params=["KeyId"])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="error status"):
        stub.add_client_error("list_keys", "NotFoundException", http_status_code=200)
    with pytest.raises(TypeError, match="Client or AsyncClient"):
        Stubber(object())  # type: ignore[type-var]
    stub.assert_no_pending_responses()


# -- Stubber: expected_params and unexpected calls ---------------------------------------------


def test_expected_params_with_any_at_any_depth(kms: Kms) -> None:
    with Stubber(kms.client) as stub:
        stub.add_response(
            "encrypt",
            {"CiphertextBlob": b"c", "KeyId": ARN},
            expected_params={
                "KeyId": KEY,
                "Plaintext": b"secret",
                "EncryptionContext": {"purpose": ANY, "app": "billing"},
                "GrantTokens": [ANY, "t2"],
            },
        )
        stub.add_response("encrypt", {}, expected_params={"KeyId": ANY, "Plaintext": ANY})
        kms.call(
            "encrypt",
            KeyId=KEY,
            Plaintext=b"secret",
            EncryptionContext={"purpose": "backup", "app": "billing"},
            GrantTokens=["t1", "t2"],
        )
        kms.call("encrypt", KeyId="other", Plaintext="a str blob")
    assert Stubber.ANY is ANY
    assert object() == ANY
    assert ANY.__ne__(1) is False
    assert repr(ANY) == "ANY"


def test_expected_params_compare_what_the_caller_passed(kms: Kms) -> None:
    """botocore compares the keyword arguments, not the wire: b"x" is not "x"."""
    with Stubber(kms.client) as stub:
        stub.add_response("encrypt", {}, expected_params={"KeyId": KEY, "Plaintext": b"text"})
        with pytest.raises(StubResponseError, match=r"Plaintext: expected b'text', got 'text'"):
            kms.call("encrypt", KeyId=KEY, Plaintext="text")
        kms.call("encrypt", KeyId=KEY, Plaintext=b"text")


def test_expected_params_mismatch_shows_a_readable_diff(kms: Kms) -> None:
    with Stubber(kms.client) as stub:
        stub.add_response(
            "encrypt",
            {"CiphertextBlob": b"c"},
            expected_params={
                "KeyId": KEY,
                "Plaintext": ANY,
                "EncryptionContext": {"purpose": "backup", "app": ANY},
                "GrantTokens": ["t1"],
            },
        )
        with pytest.raises(StubResponseError) as info:
            kms.call(
                "encrypt",
                KeyId=KEY,
                Plaintext=b"p",
                EncryptionContext={"purpose": "restore", "app": "billing"},
                EncryptionAlgorithm="SYMMETRIC_DEFAULT",
            )
        error = info.value
        assert isinstance(error, AssertionError)
        assert not isinstance(error, UnexpectedCallError)
        assert error.operation_name == error.expected_operation == "Encrypt"
        text = str(error)
        assert text.startswith(
            "Encrypt (encrypt) was called with parameters that differ from expected_params:"
        )
        assert "EncryptionContext.purpose: expected 'backup', got 'restore'" in text
        assert "GrantTokens: expected ['t1'], but it was not passed" in text
        assert "EncryptionAlgorithm: passed 'SYMMETRIC_DEFAULT', not in expected_params" in text
        assert "--- expected_params\n+++ actual params" in text
        diff = [line for line in text.splitlines() if line[:1] in "+-" and line[:3] not in "---+++"]
        assert any(line.startswith("-") and "'backup'" in line for line in diff)
        assert any(line.startswith("+") and "'restore'" in line for line in diff)
        assert "ANY" not in text  # matched ANYs show the value they matched
        assert "Plaintext" not in "".join(text.split("--- expected_params")[0].splitlines()[1:])
        # As in botocore, the response stays queued for a call that matches.
        result = kms.call(
            "encrypt",
            KeyId=KEY,
            Plaintext=b"p",
            EncryptionContext={"purpose": "backup", "app": "x"},
            GrantTokens=["t1"],
        )
    assert result["CiphertextBlob"] == b"c"
    assert len(stub.requests) == 2


def test_a_call_with_nothing_queued_is_an_unexpected_call(kms: Kms) -> None:
    with Stubber(kms.client) as stub, pytest.raises(UnexpectedCallError) as info:
        kms.call("describe_key", KeyId=KEY)
    error = info.value
    assert isinstance(error, StubResponseError) and isinstance(error, AssertionError)
    assert "Unexpected call to DescribeKey (describe_key): no stubbed response is queued" in str(
        error
    )
    assert error.operation_name == "DescribeKey" and error.expected_operation is None
    assert len(stub.requests) == 1  # the request was built, signed and sent to the stub


def test_calling_another_operation_than_queued_names_both(kms: Kms) -> None:
    with Stubber(kms.client) as stub:
        stub.add_response("describe_key", {"KeyMetadata": {"KeyId": KEY}})
        with pytest.raises(UnexpectedCallError) as info:
            kms.call("list_keys")
        assert str(info.value) == (
            "Operation mismatch: ListKeys (list_keys) was called, but the next stubbed "
            "response is for DescribeKey (describe_key)."
        )
        assert info.value.expected_operation == "DescribeKey"
        kms.call("describe_key", KeyId=KEY)
        stub.assert_no_pending_responses()


def test_invalid_parameters_raise_before_anything_is_sent_or_consumed(kms: Kms) -> None:
    with Stubber(kms.client) as stub:
        stub.add_response("enable_key_rotation", {})
        with pytest.raises(trentclient.ParamValidationError, match="RotationPeriodInDays"):
            kms.call("enable_key_rotation", KeyId=KEY, RotationPeriodInDays=3000)
        assert stub.requests == []
        kms.call("enable_key_rotation", KeyId=KEY, RotationPeriodInDays=180)
    assert json.loads(stub.requests[0].content) == {"KeyId": KEY, "RotationPeriodInDays": 180}


def test_assert_no_pending_responses_lists_what_is_left(kms: Kms) -> None:
    stub = Stubber(kms.client)
    stub.assert_no_pending_responses()
    stub.add_response("list_keys", {})
    stub.add_client_error("describe_key", "NotFoundException")
    with pytest.raises(StubResponseError) as info:
        stub.assert_no_pending_responses()
    assert str(info.value) == (
        "2 stubbed responses remaining in queue, never requested: "
        "ListKeys (list_keys), DescribeKey (describe_key)"
    )


def test_concurrent_async_calls_are_matched_to_their_own_parameters() -> None:
    client = stubbed_client(async_=True)

    async def both() -> list[dict[str, Any]]:
        return list(
            await asyncio.gather(client.describe_key(KeyId="a"), client.describe_key(KeyId="b"))
        )

    with Stubber(client) as stub:
        stub.add_response("describe_key", {"KeyMetadata": {"KeyId": "A"}}, {"KeyId": "a"})
        stub.add_response("describe_key", {"KeyMetadata": {"KeyId": "B"}}, {"KeyId": "b"})
        results = asyncio.run(both())
    assert [r["KeyMetadata"]["KeyId"] for r in results] == ["A", "B"]


# -- Stubber: errors ---------------------------------------------------------------------------


def test_add_client_error_raises_the_typed_error(kms: Kms) -> None:
    with Stubber(kms.client) as stub:
        stub.add_client_error(
            "describe_key",
            service_error_code="NotFoundException",
            service_message="Alias arn:aws:kms:... is not found.",
            http_status_code=404,
            service_error_meta={"Extra": "meta"},
            expected_params={"KeyId": "alias/missing"},
            response_meta={"RequestId": RID, "HTTPHeaders": {"x-trace": "t"}},
            modeled_fields={"Modeled": 1},
        )
        body = json.loads(stub._queue[0].body)
        with pytest.raises(trentclient.NotFoundException) as info:  # type: ignore[attr-defined]
            kms.call("describe_key", KeyId="alias/missing")
    assert body == {
        "__type": "NotFoundException",
        "message": "Alias arn:aws:kms:... is not found.",
        "Extra": "meta",
        "Modeled": 1,
    }
    error = info.value
    assert type(error) is trentclient.NotFoundException  # type: ignore[attr-defined]
    assert error.code == "NotFoundException"
    assert error.message == "Alias arn:aws:kms:... is not found."
    assert error.status_code == 404
    assert error.request_id == RID
    assert error.operation_name == "DescribeKey"
    assert error.http_headers["x-trace"] == "t"
    assert error.retry_attempts == 0
    # the modeled error's member at the top, as botocore's client reads the same answer
    assert error.response["message"] == "Alias arn:aws:kms:... is not found."
    assert "Modeled" not in error.response


def test_client_error_defaults_and_unknown_codes(kms: Kms) -> None:
    with Stubber(kms.client) as stub:
        stub.add_client_error("list_keys")
        stub.add_client_error("list_keys", "SomethingNew", "new", http_status_code=409)
        with pytest.raises(trentclient.ServiceError) as first:
            kms.call("list_keys")
        with pytest.raises(trentclient.ServiceError) as second:
            kms.call("list_keys")
    assert type(first.value) is trentclient.ServiceError
    # botocore's Stubber: the code given (empty), not the status as the code
    assert (first.value.code, first.value.message, first.value.status_code) == ("", "", 400)
    assert type(second.value) is trentclient.ServiceError
    assert (second.value.code, second.value.message) == ("SomethingNew", "new")


@pytest.mark.parametrize(
    ("code", "status", "cls"),
    [
        ("ThrottlingException", 400, trentclient.ThrottlingException),
        ("KMSInternalException", 500, trentclient.KMSInternalException),  # type: ignore[attr-defined]
        ("DependencyTimeoutException", 503, trentclient.DependencyTimeoutException),  # type: ignore[attr-defined]
    ],
)
def test_retryable_errors_raise_at_once_and_retries_come_back(
    kind: str, code: str, status: int, cls: type[trentclient.ServiceError]
) -> None:
    config = trentclient.Config(retries={"total_max_attempts": 5, "mode": "adaptive"})
    kms = Kms(kind, config=config)
    core = kms.client._core
    limiter = core.rate_limiter
    assert limiter is not None
    with Stubber(kms.client) as stub:
        assert core.retry.max_attempts == RetryPolicy.NO_RETRY_LOOP and core.rate_limiter is None
        stub.add_client_error("list_keys", code, "slow down", http_status_code=status)
        with pytest.raises(cls) as info:
            kms.call("list_keys")
    assert info.value.retry_attempts == 0
    assert len(stub.requests) == 1
    assert core.retry.max_attempts == 5
    assert core.rate_limiter is limiter


def test_deactivate_restores_the_client(kms: Kms) -> None:
    client = kms.client
    http = client._http
    stub = Stubber(client)
    assert not stub.active
    stub.deactivate()  # not active: nothing to do
    stub.activate()
    stub.activate()  # idempotent
    assert stub.active and client._http is not http and "start" in vars(client._core)
    assert "active" in repr(stub)
    stub.deactivate()
    assert not stub.active
    assert client._http is http
    assert "start" not in vars(client._core)
    with pytest.raises(UnexpectedCallError, match="no active Stubber"):
        kms.call("list_keys")
    with Stubber(client) as again:
        again.add_response("list_keys", {"Keys": []})
        assert kms.call("list_keys")["Keys"] == []
    assert client._http is http


def test_one_stubber_per_client_at_a_time(kms: Kms) -> None:
    with Stubber(kms.client), pytest.raises(RuntimeError, match="already active"):
        Stubber(kms.client).activate()


def test_stubber_works_on_any_client(make_driver: Callable[..., Driver]) -> None:
    """A client built the usual way (explicit keys, its own httpx client) can be stubbed too;
    its own transport is never reached."""

    def unreachable(request: httpx.Request) -> httpx.Response:
        raise AssertionError("the client's own transport was used")

    driver = make_driver(handler=unreachable)
    with Stubber(driver.client) as stub:
        stub.add_response("list_aliases", {"Aliases": [{"AliasName": "alias/app"}]})
        result = driver.call("list_aliases")
    assert result["Aliases"] == [{"AliasName": "alias/app"}]
    assert "Credential=AKIDEXAMPLE/" in stub.requests[0].headers["Authorization"]


# -- stubbed_client ----------------------------------------------------------------------------


def test_stubbed_client_looks_nothing_up(
    kind: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """botocore#2275: a Stubber should not need credentials. Nothing is probed: no
    credential chain, no profile files, no endpoint variables."""
    from trentclient import _core, _credentials

    def probed(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("stubbed_client() looked something up")

    for module, name in [
        (_credentials, "resolve_credential_provider"),
        (_core, "resolve_credential_provider"),
        (_credentials, "load_profile"),
        (_core, "endpoint_url_from_env"),
    ]:
        if hasattr(module, name):
            monkeypatch.setattr(module, name, probed)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "nowhere" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "nowhere" / "credentials"))
    monkeypatch.setenv("AWS_ENDPOINT_URL_KMS", "http://127.0.0.1:9")

    kms = Kms(kind)
    assert kms.client.endpoint_url == "https://kms.us-east-1.amazonaws.com"
    assert kms.client.region_name == "us-east-1"
    with Stubber(kms.client) as stub:
        stub.add_response("list_keys", {"Keys": [{"KeyId": KEY}]})
        assert kms.call("list_keys")["Keys"] == [{"KeyId": KEY}]
    assert (
        stub.requests[0]
        .headers["Authorization"]
        .startswith("AWS4-HMAC-SHA256 Credential=AKIDSTUBBER/")
    )
    assert (STUB_CREDENTIALS.access_key, STUB_CREDENTIALS.secret_key) == (
        "AKIDSTUBBER",
        "stubber-secret",
    )


def test_stubbed_client_never_sends_without_a_stubber(kms: Kms) -> None:
    with pytest.raises(UnexpectedCallError) as info:
        kms.call("describe_key", KeyId=KEY)
    assert "A stubbed_client() never sends: DescribeKey was called with no active Stubber" in str(
        info.value
    )


def test_stubbed_client_options(kind: str) -> None:
    creds = Credentials("AKIDOTHER", "other-secret", TOKEN)
    kms = Kms(kind, region_name="eu-west-1", credentials=creds)
    assert kms.client.endpoint_url == "https://kms.eu-west-1.amazonaws.com"
    fips = Kms(kind, config=trentclient.Config(use_fips_endpoint=True))
    assert fips.client.endpoint_url == "https://kms-fips.us-east-1.amazonaws.com"
    local = Kms(kind, endpoint_url="http://localhost:4566")
    assert local.client.endpoint_url == "http://localhost:4566"
    with Stubber(kms.client) as stub:
        stub.add_response("list_keys", {})
        kms.call("list_keys")
    request = stub.requests[0]
    assert request.headers["X-Amz-Security-Token"] == TOKEN
    verify_signature(request, creds, region="eu-west-1")
    assert isinstance(stubbed_client(), trentclient.Client)
    assert isinstance(stubbed_client(async_=True), trentclient.AsyncClient)


# -- verify_signature --------------------------------------------------------------------------

CREDS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", TOKEN)
BODY = b'{"KeyId": "alias/app"}'


def signed_request() -> tuple[httpx.Request, Any]:
    """A request with a path, a query, a token and a custom signed header, signed at NOW;
    then the unsigned headers the client adds after signing."""
    request = httpx.Request(
        "POST",
        "https://kms.us-east-1.amazonaws.com/some/path?b=2&a=1",
        headers=[
            ("Content-Type", "application/x-amz-json-1.1"),
            ("X-Amz-Target", "TrentService.DescribeKey"),
            ("X-Custom", "abc"),
            ("User-Agent", "trentclient/0 test"),
        ],
        content=BODY,
    )
    result = SigV4Auth(CREDS, "us-east-1", "kms").sign_with_details(request, now=NOW)
    request.headers["amz-sdk-invocation-id"] = "6f1f6b1e-0000-4000-8000-000000000000"
    request.headers["amz-sdk-request"] = "attempt=1"
    return request, result


def rebuild(
    request: httpx.Request,
    *,
    method: str | None = None,
    url: str | None = None,
    content: bytes | None = None,
) -> httpx.Request:
    """The same request with one part replaced; headers (Content-Length too) kept as they are."""
    return httpx.Request(
        method or request.method,
        url or request.url,
        headers=request.headers.raw,
        content=request.content if content is None else content,
    )


def with_header(name: str, value: str) -> Callable[[httpx.Request], httpx.Request]:
    def change(request: httpx.Request) -> httpx.Request:
        request.headers[name] = value
        return request

    return change


def test_signed_request_verifies() -> None:
    request, result = signed_request()
    assert (
        "x-custom" in result.canonical_request and "content-length" not in result.canonical_request
    )
    verify_signature(request, CREDS, region="us-east-1", now=NOW)
    verify_signature(request, CREDS, region="us-east-1", now=NOW, signing_result=result)
    assert request.headers["Content-Length"] == str(len(BODY))


SIGNED_CHANGES: dict[str, Callable[[httpx.Request], httpx.Request]] = {
    "method": lambda r: rebuild(r, method="POSU"),
    "path": lambda r: rebuild(r, url="https://kms.us-east-1.amazonaws.com/some/patH?b=2&a=1"),
    "query value": lambda r: rebuild(
        r, url="https://kms.us-east-1.amazonaws.com/some/path?b=3&a=1"
    ),
    "query key": lambda r: rebuild(r, url="https://kms.us-east-1.amazonaws.com/some/path?c=2&a=1"),
    "body": lambda r: rebuild(r, content=BODY.replace(b"app", b"apq")),
    "content-type": with_header("Content-Type", "application/x-amz-json-1.2"),
    "host": with_header("Host", "kms.us-east-2.amazonaws.com"),
    "x-amz-date": with_header("X-Amz-Date", "20150830T123601Z"),
    "x-amz-security-token": with_header("X-Amz-Security-Token", TOKEN[:-1] + "N"),
    "x-amz-target": with_header("X-Amz-Target", "TrentService.DescribeKez"),
    "x-custom": with_header("X-Custom", "abd"),
    "signature": lambda r: with_header(
        "Authorization",
        r.headers["Authorization"][:-1] + ("0" if r.headers["Authorization"][-1] != "0" else "1"),
    )(r),
    "scope region": lambda r: with_header(
        "Authorization", r.headers["Authorization"].replace("/us-east-1/", "/us-east-2/")
    )(r),
    "scope date": lambda r: with_header(
        "Authorization", r.headers["Authorization"].replace("/20150830/", "/20150831/")
    )(r),
    "scope service": lambda r: with_header(
        "Authorization", r.headers["Authorization"].replace("/kms/", "/kmt/")
    )(r),
    "access key": lambda r: with_header(
        "Authorization", r.headers["Authorization"].replace("AKIDEXAMPLE", "AKIDEXAMPLF")
    )(r),
}


@pytest.mark.parametrize("part", list(SIGNED_CHANGES))
def test_a_one_byte_change_in_any_signed_part_fails(part: str) -> None:
    request, result = signed_request()
    changed = SIGNED_CHANGES[part](request)
    with pytest.raises(SignatureMismatch) as info:
        verify_signature(changed, CREDS, region="us-east-1", now=NOW, signing_result=result)
    assert TOKEN not in str(info.value)


def test_signed_header_list_covers_every_signed_part() -> None:
    """The parametrized changes above touch every header the signer signed."""
    request, _ = signed_request()
    signed = request.headers["Authorization"].split("SignedHeaders=")[1].split(",")[0]
    assert set(signed.split(";")) <= set(SIGNED_CHANGES)


@pytest.mark.parametrize(
    "change",
    [
        with_header("User-Agent", "something else/2.0"),
        with_header("amz-sdk-request", "attempt=2; max=3"),
        with_header("amz-sdk-invocation-id", "another"),
        with_header("X-Added-Later", "1"),
        with_header("X-Amzn-Trace-Id", "Root=1-abc"),
        with_header("Connection", "close"),
    ],
    ids=["user-agent", "amz-sdk-request", "invocation-id", "new header", "trace-id", "connection"],
)
def test_unsigned_headers_do_not_matter(change: Callable[[httpx.Request], httpx.Request]) -> None:
    request, _ = signed_request()
    verify_signature(change(request), CREDS, region="us-east-1", now=NOW)


def test_mismatch_message_shows_what_to_sign_and_redacts_the_token() -> None:
    request, _ = signed_request()
    request.headers["X-Custom"] = "abd"
    with pytest.raises(SignatureMismatch) as info:
        verify_signature(request, CREDS, region="us-east-1", now=NOW)
    error = info.value
    text = str(error)
    assert error.reason.startswith("SigV4 signature mismatch: the request carries Signature=")
    assert (
        "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target;x-custom"
        in text
    )
    assert "    x-custom:abd\n" in text
    assert "    x-amz-security-token:<session token>\n" in text
    assert TOKEN not in text
    assert error.canonical_request is not None and TOKEN in error.canonical_request
    assert error.string_to_sign is not None
    assert "\n".join("    " + line for line in error.string_to_sign.split("\n")) in text
    assert error.expected_signature is not None and len(error.expected_signature) == 64


def test_mismatch_with_signing_result_shows_a_diff() -> None:
    request, result = signed_request()
    request.headers["X-Amz-Target"] = "TrentService.DisableKey"
    with pytest.raises(SignatureMismatch) as info:
        verify_signature(request, CREDS, region="us-east-1", now=NOW, signing_result=result)
    text = str(info.value)
    assert "--- canonical request, as signed\n+++ canonical request, as the request is now" in text
    assert (
        "\n-x-amz-target:TrentService.DescribeKey\n+x-amz-target:TrentService.DisableKey\n" in text
    )
    assert "--- string to sign, as signed" in text
    assert TOKEN not in text


def test_wrong_secret_fails() -> None:
    request, result = signed_request()
    wrong = Credentials(CREDS.access_key, CREDS.secret_key + "x", TOKEN)
    with pytest.raises(SignatureMismatch) as info:
        verify_signature(request, wrong, region="us-east-1", now=NOW, signing_result=result)
    assert "unchanged: the secret key differs" in str(info.value)
    request.extensions.pop("trentclient.sigv4", None)  # no record of what was signed
    with pytest.raises(SignatureMismatch, match="another secret key") as bare:
        verify_signature(request, wrong, region="us-east-1", now=NOW)
    assert "unchanged: the secret key differs" not in str(bare.value)


def test_credential_providers_are_accepted() -> None:
    class Provider:
        def get_credentials(self) -> Credentials:
            return CREDS

    request, _ = signed_request()
    verify_signature(request, Provider(), region="us-east-1", now=NOW)


@pytest.mark.parametrize(
    ("offset", "max_skew", "ok"),
    [
        (0, 300, True),
        (300, 300, True),
        (-300, 300, True),
        (301, 300, False),
        (-301, 300, False),
        (10**8, None, True),
        (30, 10, False),
    ],
)
def test_clock_skew(offset: int, max_skew: int | None, ok: bool) -> None:
    request, _ = signed_request()
    now = NOW + dt.timedelta(seconds=offset)
    if ok:
        verify_signature(request, CREDS, region="us-east-1", now=now, max_skew=max_skew)
    else:
        with pytest.raises(SignatureMismatch, match=r"X-Amz-Date 20150830T123600Z is \d+ s"):
            verify_signature(request, CREDS, region="us-east-1", now=now, max_skew=max_skew)


def test_now_defaults_to_the_current_time_and_naive_is_utc() -> None:
    request, _ = signed_request()
    with pytest.raises(SignatureMismatch, match="before now"):
        verify_signature(request, CREDS, region="us-east-1")
    verify_signature(request, CREDS, region="us-east-1", now=NOW.replace(tzinfo=None))


def test_session_token_must_be_present_exactly_when_the_credentials_have_one() -> None:
    request, _ = signed_request()
    no_token = Credentials(CREDS.access_key, CREDS.secret_key)
    with pytest.raises(SignatureMismatch, match="the credentials have no session token"):
        verify_signature(request, no_token, region="us-east-1", now=NOW)
    plain = httpx.Request("POST", "https://kms.us-east-1.amazonaws.com/", content=b"{}")
    SigV4Auth(no_token, "us-east-1").sign(plain, now=NOW)
    verify_signature(plain, no_token, region="us-east-1", now=NOW)
    with pytest.raises(SignatureMismatch, match="has no X-Amz-Security-Token"):
        verify_signature(plain, CREDS, region="us-east-1", now=NOW)
    other = Credentials(CREDS.access_key, CREDS.secret_key, "other-token")
    with pytest.raises(SignatureMismatch, match="not the credentials' session token") as info:
        verify_signature(request, other, region="us-east-1", now=NOW)
    assert "other-token" not in str(info.value) and TOKEN not in str(info.value)


GOOD_AUTH = (
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/kms/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target;x-custom, "
    "Signature=" + "0" * 64
)


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        (None, "The request has no Authorization header"),
        ("Bearer abc", "does not use AWS4-HMAC-SHA256: 'Bearer'"),
        (GOOD_AUTH.replace("HMAC-SHA256", "HMAC-SHA512"), "does not use AWS4-HMAC-SHA256"),
        (
            GOOD_AUTH.replace("Signature=" + "0" * 64, "Signature=" + "0" * 63),
            "Malformed Authorization",
        ),
        (
            GOOD_AUTH.replace("Signature=" + "0" * 64, "Signature=" + "A" * 64),
            "Malformed Authorization",
        ),
        (
            GOOD_AUTH.split(", SignedHeaders")[0] + ", Signature=" + "0" * 64,
            "Malformed Authorization",
        ),
        (GOOD_AUTH + ", Extra=1", "Malformed Authorization"),
        (GOOD_AUTH.replace("/kms/aws4_request", "/aws4_request"), "Malformed Credential"),
        (GOOD_AUTH.replace("aws4_request", "aws5_request"), "Malformed Credential"),
        (GOOD_AUTH.replace("AKIDEXAMPLE", "AKIDOTHER"), "Signed with access key 'AKIDOTHER'"),
        (
            GOOD_AUTH.replace("/20150830/", "/20150829/"),
            "scope's date 20150829 is not X-Amz-Date's",
        ),
        (GOOD_AUTH.replace("/us-east-1/", "/eu-west-1/"), "Signed for region 'eu-west-1'"),
        (GOOD_AUTH.replace("/kms/", "/sts/"), "Signed for service 'sts'"),
        (GOOD_AUTH.replace("content-type;host", "host;content-type"), "not a lower-case, sorted"),
        (GOOD_AUTH.replace("content-type;host", "Content-Type;host"), "not a lower-case, sorted"),
        (
            GOOD_AUTH.replace("content-type;host", "content-type;content-type;host"),
            "not a lower-case, sorted",
        ),
        (GOOD_AUTH.replace(";host;", ";"), "does not include 'host'"),
        (GOOD_AUTH.replace(";x-amz-date;", ";"), "does not include 'x-amz-date'"),
        (
            GOOD_AUTH.replace("x-custom", "x-custom;x-missing"),
            "Signed header x-missing missing from the request",
        ),
        (
            GOOD_AUTH.replace("content-type;", "authorization;content-type;"),
            "includes 'authorization'",
        ),
    ],
)
def test_malformed_or_wrong_authorization(authorization: str | None, message: str) -> None:
    request, _ = signed_request()
    del request.headers["Authorization"]
    if authorization is not None:
        request.headers["Authorization"] = authorization
    with pytest.raises(SignatureMismatch) as info:
        verify_signature(request, CREDS, region="us-east-1", now=NOW)
    assert message in str(info.value)
    assert info.value.reason in str(info.value)


def test_date_and_authorization_headers_must_be_single_and_well_formed() -> None:
    request, _ = signed_request()
    request.headers["X-Amz-Date"] = "2015-08-30T12:36:00Z"
    with pytest.raises(SignatureMismatch, match="is not YYYYMMDDTHHMMSSZ"):
        verify_signature(request, CREDS, region="us-east-1", now=NOW)
    request.headers["X-Amz-Date"] = "20151399T123600Z"
    with pytest.raises(SignatureMismatch, match="is not YYYYMMDDTHHMMSSZ"):
        verify_signature(request, CREDS, region="us-east-1", now=NOW)
    del request.headers["X-Amz-Date"]
    with pytest.raises(SignatureMismatch, match="needs one X-Amz-Date header, it has 0"):
        verify_signature(request, CREDS, region="us-east-1", now=NOW)
    twice, _ = signed_request()
    twice.headers = httpx.Headers([*twice.headers.raw, (b"Authorization", b"again")])
    with pytest.raises(SignatureMismatch, match="has 2 Authorization headers"):
        verify_signature(twice, CREDS, region="us-east-1", now=NOW)


def test_host_may_come_from_the_url_and_content_sha256_must_match_the_body() -> None:
    request = httpx.Request("POST", "https://kms.us-east-1.amazonaws.com:8443/", content=b"{}")
    SigV4Auth(CREDS, "us-east-1", sign_content_sha256=True).sign(request, now=NOW)
    verify_signature(request, CREDS, region="us-east-1", now=NOW)
    del request.headers["Host"]  # recomputed from the URL, as the signer does
    verify_signature(request, CREDS, region="us-east-1", now=NOW)
    with pytest.raises(SignatureMismatch, match="X-Amz-Content-SHA256 is not the SHA-256"):
        verify_signature(rebuild(request, content=b"[]"), CREDS, region="us-east-1", now=NOW)


def test_unread_body_is_a_value_error() -> None:
    def stream() -> Iterator[bytes]:
        yield b"{}"

    request = httpx.Request("POST", "https://kms.us-east-1.amazonaws.com/", content=b"{}")
    SigV4Auth(CREDS, "us-east-1").sign(request, now=NOW)
    streamed = httpx.Request("POST", request.url, headers=request.headers, content=stream())
    with pytest.raises(ValueError, match=r"call request.read\(\) first"):
        verify_signature(streamed, CREDS, region="us-east-1", now=NOW)


def _from_botocore(prepared: Any) -> httpx.Request:
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    return httpx.Request(
        prepared.method, prepared.url, headers=list(prepared.headers.items()), content=body
    )


@pytest.mark.parametrize(
    ("method", "params", "token"),
    [
        ("describe_key", {"KeyId": KEY}, None),
        (
            "encrypt",
            {"KeyId": KEY, "Plaintext": b"\x00secret", "EncryptionContext": {"a": "b"}},
            None,
        ),
        ("list_keys", {}, "botocore-session-token"),
        ("enable_key_rotation", {"KeyId": KEY, "RotationPeriodInDays": 180}, "t"),
    ],
)
def test_requests_signed_by_botocore_verify(
    method: str, params: dict[str, Any], token: str | None
) -> None:
    prepared = botocore_request(botocore_client("us-east-1", token=token), method, params)
    request = _from_botocore(prepared)
    creds = Credentials(ACCESS_KEY, SECRET_KEY, token)
    verify_signature(request, creds, region="us-east-1", now=FROZEN)
    request.headers["User-Agent"] = "not botocore"  # unsigned
    verify_signature(request, creds, region="us-east-1", now=FROZEN)
    tampered = rebuild(request, content=request.content.replace(b"}", b" }", 1)[:-1] + b"}")
    with pytest.raises(SignatureMismatch):
        verify_signature(tampered, creds, region="us-east-1", now=FROZEN)
    with pytest.raises(SignatureMismatch, match="Signed for region 'us-east-1'"):
        verify_signature(request, creds, region="us-west-2", now=FROZEN)


def _case_request(case: Case) -> httpx.Request:
    url = f"https://{case.host}{case.path}" + (f"?{case.query}" if case.query else "")
    headers = [(n.encode("ascii"), v.encode("utf-8")) for n, v in case.headers]
    return httpx.Request(case.method, url, headers=headers, content=case.body)


@pytest.mark.parametrize("case", ALL, ids=str)
def test_every_sigv4_case_signed_by_sigv4auth_verifies(case: Case) -> None:
    request = _case_request(case)
    creds = Credentials(ACCESS_KEY, SECRET_KEY, case.token)
    SigV4Auth(creds, "us-east-1", "service").sign(request, now=NOW)
    verify_signature(request, creds, region="us-east-1", service="service", now=NOW)


def _sent_as_given(case: Case) -> bool:
    """httpx percent-encodes a raw space or UTF-8 in the path and removes dot segments, so
    AWS's signature of such a raw path cannot hold for the request httpx would send."""
    return _case_request(case).url.raw_path.decode("ascii").partition("?")[0] == case.path


@pytest.mark.parametrize(
    "case", [c for c in OFFICIAL if c.authorization and _sent_as_given(c)], ids=str
)
def test_aws_published_signatures_verify(case: Case) -> None:
    """Independent of our signer: AWS's own Authorization values from its SigV4 test suite."""
    assert case.authorization is not None
    request = _case_request(case)
    creds = Credentials(ACCESS_KEY, SECRET_KEY, case.token)
    SigV4Auth(creds, "us-east-1", "service").sign(request, now=NOW)  # X-Amz-Date, token
    request.headers["Authorization"] = case.authorization
    verify_signature(request, creds, region="us-east-1", service="service", now=NOW)


# -- error responses ---------------------------------------------------------------------------

MESSAGE = "Key 'k' <is> gone & \"done\""


def _expected_status(code: str, form: str) -> int:
    cls = ERROR_CLASSES[code]
    if issubclass(cls, trentclient.ServiceFault):
        return 503 if code == "ServiceUnavailableException" else 500
    if form == "xml" or issubclass(cls, trentclient.AuthError):
        return 403
    return 400


def test_error_codes_cover_modeled_and_the_usual_unmodeled_ones() -> None:
    assert set(MODELED_ERRORS) < set(ERROR_CODES)
    for code in (
        "ThrottlingException",
        "AccessDeniedException",
        "ValidationException",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "IncompleteSignatureException",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "MissingAuthenticationTokenException",
        "ExpiredTokenException",
        "RequestExpired",
    ):
        assert code in ERROR_CODES
    assert "Throttling" not in ERROR_CODES  # aliases map to a category base, not their own class
    assert list(ERROR_CODES) == sorted(set(ERROR_CODES))
    assert ERROR_FORMS == ("plain", "prefixed", "suffixed", "header", "xml")


@pytest.mark.parametrize("form", ERROR_FORMS)
@pytest.mark.parametrize("code", ERROR_CODES)
def test_every_error_in_every_form_through_both_clients(
    make_driver: Callable[..., Driver], code: str, form: Any
) -> None:
    driver = make_driver(
        handler=lambda request: error_response(code, MESSAGE, form=form, request_id=RID),
        config=trentclient.Config(retries={"total_max_attempts": 1}),
    )
    with pytest.raises(trentclient.ServiceError) as info:
        driver.call("describe_key", KeyId=KEY)
    error = info.value
    assert type(error) is ERROR_CLASSES[code]
    assert error.code == code
    status = _expected_status(code, form)
    assert error.status_code == status
    assert error.request_id == RID
    assert error.operation_name == "DescribeKey"
    assert error.retry_attempts == 0
    if form == "header":  # an empty body: botocore's "" for a 4xx, the reason phrase for a 5xx
        assert error.message == (httpx.codes.get_reason_phrase(status) if status >= 500 else "")
    else:
        assert error.message == MESSAGE


def test_wire_forms_are_what_servers_send() -> None:
    def body(response: httpx.Response) -> Any:
        return json.loads(response.content)

    plain = error_response("NotFoundException", "m", request_id=RID)
    assert plain.status_code == 400
    assert plain.headers["x-amzn-RequestId"] == RID
    assert plain.headers["Content-Type"] == "application/x-amz-json-1.1"
    assert body(plain) == {"__type": "NotFoundException", "message": "m"}
    assert body(error_response("NotFoundException", "m", form="prefixed")) == {
        "__type": "com.amazonaws.kms#NotFoundException",
        "message": "m",
    }
    assert body(error_response("ThrottlingException", "m", form="prefixed"))["__type"] == (
        "com.amazon.coral.availability#ThrottlingException"
    )
    assert body(error_response("UnrecognizedClientException", "m", form="prefixed"))["__type"] == (
        "com.amazon.coral.service#UnrecognizedClientException"
    )
    assert body(error_response("NotFoundException", "m", form="suffixed"))["__type"] == (
        "NotFoundException:http://internal.amazon.com/coral/com.amazonaws.kms/"
    )
    header = error_response("UnrecognizedClientException", "m", form="header")
    assert header.content == b""
    assert header.headers["X-Amzn-ErrorType"] == (
        "UnrecognizedClientException:http://internal.amazon.com/coral/com.amazon.coral.service/"
    )
    xml = error_response("AccessDeniedException", "a < b & c", form="xml", request_id=RID)
    assert xml.status_code == 403
    assert xml.headers["Content-Type"] == "text/xml"
    text = xml.content.decode()
    assert text.startswith("<ErrorResponse>")
    assert "<Error>" in text and "<Type>Sender</Type>" in text
    assert "<Code>AccessDeniedException</Code>" in text
    assert "<Message>a &lt; b &amp; c</Message>" in text
    assert f"<RequestId>{RID}</RequestId>" in text
    assert "<Type>Receiver</Type>" in error_response("KMSInternalException", form="xml").text


@pytest.mark.parametrize(
    ("code", "form", "status"),
    [
        ("NotFoundException", "plain", 400),
        ("NotFoundException", "xml", 403),
        ("ThrottlingException", "plain", 400),
        ("ValidationException", "header", 400),
        ("AccessDeniedException", "plain", 403),
        ("ExpiredTokenException", "suffixed", 403),
        ("KMSInternalException", "plain", 500),
        ("KMSInternalException", "xml", 500),
        ("DependencyTimeoutException", "prefixed", 500),
        ("InternalFailure", "plain", 500),
        ("ServiceUnavailableException", "plain", 503),
        ("SomethingElse", "plain", 400),
    ],
)
def test_default_statuses(code: str, form: Any, status: int) -> None:
    assert error_response(code, form=form).status_code == status
    assert error_response(code, form=form, status=418).status_code == 418


def test_default_messages_and_request_ids() -> None:
    first = error_response("NotFoundException")
    assert json.loads(first.content)["message"] == (
        "The request was rejected because the specified entity or resource could not be found."
    )
    assert json.loads(error_response("Custom").content)["message"] == "Custom (stubbed error)"
    second = error_response("NotFoundException")
    assert first.headers["x-amzn-RequestId"] != second.headers["x-amzn-RequestId"]
    with pytest.raises(ValueError, match="non-empty error code"):
        error_response("")
    with pytest.raises(ValueError, match="form must be one of plain, prefixed"):
        error_response("NotFoundException", form="json")  # type: ignore[arg-type]


def test_throttling_burst_then_success(make_driver: Callable[..., Driver]) -> None:
    answers = [
        *throttling_burst(2, form="prefixed"),
        httpx.Response(200, json={"KeyMetadata": {"KeyId": KEY}}),
    ]
    driver = make_driver(
        handler=lambda request: answers.pop(0),
        config=trentclient.Config(retries={"total_max_attempts": 3}),
    )
    result = driver.call("describe_key", KeyId=KEY)
    assert result["ResponseMetadata"]["RetryAttempts"] == 2
    assert len(driver.client._sleep.slept) == 2


def test_throttling_burst_longer_than_the_retries(make_driver: Callable[..., Driver]) -> None:
    answers = throttling_burst(3)
    assert len({r.headers["x-amzn-RequestId"] for r in answers}) == 3
    driver = make_driver(
        handler=lambda request: answers.pop(0),
        config=trentclient.Config(retries={"total_max_attempts": 3}),
    )
    with pytest.raises(trentclient.ThrottlingException) as info:
        driver.call("list_keys")
    assert info.value.retry_attempts == 2
    assert info.value.message == "Rate exceeded"
    assert throttling_burst(0) == []
    with pytest.raises(ValueError):
        throttling_burst(-1)


def test_readme_respx_example() -> None:
    url = "https://kms.us-east-1.amazonaws.com/"
    with respx.mock:
        route = respx.post(url).mock(
            side_effect=[
                *throttling_burst(1),
                error_response("NotFoundException", "no such key", form="prefixed"),
            ]
        )
        with trentclient.Client(
            "us-east-1", aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY
        ) as kms:
            kms._sleep = lambda delay: None  # type: ignore[method-assign]
            with pytest.raises(trentclient.NotFoundException):  # type: ignore[attr-defined]
                kms.describe_key(KeyId="alias/missing")
    assert route.call_count == 2
    for call in route.calls:
        verify_signature(call.request, Credentials(ACCESS_KEY, SECRET_KEY), region="us-east-1")


# -- the pytest plugin -------------------------------------------------------------------------

PLUGIN_TESTS = """
import asyncio

import pytest

import trentclient
from trentclient.testing import ANY, STUB_CREDENTIALS, UnexpectedCallError, verify_signature


def test_sync_fixture(kms_stub):
    assert kms_stub.active and isinstance(kms_stub.client, trentclient.Client)
    kms_stub.add_response("describe_key", {"KeyMetadata": {"KeyId": "k"}}, {"KeyId": ANY})
    assert kms_stub.client.describe_key(KeyId="alias/a")["KeyMetadata"] == {"KeyId": "k"}
    verify_signature(kms_stub.requests[0], STUB_CREDENTIALS, region="us-east-1")


def test_async_fixture_with_asyncio_run(async_kms_stub):
    assert isinstance(async_kms_stub.client, trentclient.AsyncClient)
    async_kms_stub.add_client_error("disable_key", "DisabledException", "off")

    async def main():
        with pytest.raises(trentclient.DisabledException):
            await async_kms_stub.client.disable_key(KeyId="k")

    asyncio.run(main())


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.anyio
async def test_async_fixture_in_an_async_test(async_kms_stub):
    async_kms_stub.add_response("list_keys", {"Keys": []})
    assert (await async_kms_stub.client.list_keys())["Keys"] == []


def test_left_pending_errors_at_teardown(kms_stub):
    kms_stub.add_response("describe_key", {"KeyMetadata": {"KeyId": "k"}})


def test_async_left_pending_errors_at_teardown(async_kms_stub):
    async_kms_stub.add_response("list_keys", {})


def test_failing_test_gets_no_second_error(kms_stub):
    kms_stub.add_response("describe_key", {"KeyMetadata": {"KeyId": "k"}})
    assert False, "the test's own failure"


def test_unstubbed_call_fails(kms_stub):
    kms_stub.client.list_keys()


def test_stubber_is_off_after_teardown(kms_stub):
    pytest.stubs = [kms_stub]


def test_previous_stub_was_deactivated():
    (stub,) = pytest.stubs
    assert not stub.active
    with pytest.raises(UnexpectedCallError, match="no active Stubber"):
        stub.client.list_keys()
"""


def test_most_aws_vectors_are_checked_independently() -> None:
    official = [c.name for c in OFFICIAL if c.authorization]
    skipped = [
        name for name in official if not _sent_as_given(next(c for c in OFFICIAL if c.name == name))
    ]
    assert sorted(skipped) == [
        "get-relative",
        "get-relative-relative",
        "get-slash-dot-slash",
        "get-slash-pointless-dot",
        "get-space",
        "get-utf8",
    ]
    assert len(official) - len(skipped) >= 25


def test_plugin_fixtures(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makepyfile(test_plugin_use=PLUGIN_TESTS)
    result = pytester.runpytest(
        "-p", "trentclient._pytest_plugin", "-p", "anyio.pytest_plugin", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=7, failed=2, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_left_pending_errors_at_teardown*",
            "*StubResponseError: 1 stubbed response remaining in queue, never requested: "
            "DescribeKey (describe_key)",
            "*ERROR at teardown of test_async_left_pending_errors_at_teardown*",
            "*StubResponseError: 1 stubbed response remaining in queue, never requested: "
            "ListKeys (list_keys)",
        ]
    )
    result.stdout.fnmatch_lines(["*UnexpectedCallError: Unexpected call to ListKeys (list_keys)*"])
    text = result.stdout.str()
    assert "ERROR at teardown of test_failing_test_gets_no_second_error" not in text
    assert "the test's own failure" in text


def test_entry_point_is_declared_and_works(pytester: pytest.Pytester) -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["entry-points"]["pytest11"] == {
        "trentclient": "trentclient._pytest_plugin"
    }
    installed = [
        ep
        for ep in metadata.entry_points(group="pytest11")
        if ep.value == "trentclient._pytest_plugin"
    ]
    if not installed:
        pytest.skip("the installed trentclient predates the entry point: pip install -e .")
    assert [ep.name for ep in installed] == ["trentclient"]
    pytester.makepyfile(test_ep="def test_uses_it(kms_stub):\n    assert kms_stub.active\n")
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
    disabled = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:trentclient")
    disabled.assert_outcomes(errors=1)
    disabled.stdout.fnmatch_lines(["*fixture 'kms_stub' not found*"])


def _new_modules(setup: str, code: str) -> list[str]:
    script = (
        "import sys\n"
        f"{setup}\n"
        "before = set(sys.modules)\n"
        f"{code}\n"
        "print(','.join(sorted(set(sys.modules) - before)))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return [m for m in out.stdout.strip().split(",") if m]


def test_plugin_import_loads_nothing_beyond_trentclient() -> None:
    assert _new_modules("import pytest, trentclient", "import trentclient._pytest_plugin") == [
        "trentclient._pytest_plugin"
    ]


def test_import_trentclient_does_not_load_the_test_kit() -> None:
    loaded = _new_modules("", "import trentclient")
    assert "trentclient.testing" not in loaded
    assert "trentclient._pytest_plugin" not in loaded
    assert "asyncio" not in loaded


def test_public_surface_of_the_test_kit() -> None:
    import trentclient.testing as kit

    assert kit.__all__ == sorted(kit.__all__)
    for name in kit.__all__:
        assert hasattr(kit, name), name
    for cls in (StubResponseError, UnexpectedCallError, SignatureMismatch):
        assert issubclass(cls, AssertionError)
    assert issubclass(UnexpectedCallError, StubResponseError)
    doc = kit.__doc__ or ""
    for name in ("Stubber", "stubbed_client", "verify_signature", "error_response", "kms_stub"):
        assert name in doc


def test_requests_signed_by_trentclient_get_a_real_diff() -> None:
    import datetime as dt

    import trentclient
    from trentclient.testing import SignatureMismatch, verify_signature

    now = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    creds = trentclient.Credentials("AKIDEXAMPLE", "secret")
    with trentclient.Client(
        "us-east-1", aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret"
    ) as kms:
        request = kms.build_request(
            "EnableKeyRotation", {"KeyId": "k", "RotationPeriodInDays": 180}, now=now
        )
    verify_signature(request, creds, region="us-east-1", now=now)
    tampered = request.content.replace(b"180", b"365")
    request.stream = httpx.ByteStream(tampered)
    request._content = tampered
    with pytest.raises(SignatureMismatch) as info:
        verify_signature(request, creds, region="us-east-1", now=now)
    text = str(info.value)
    assert "--- canonical request, as signed" in text
    assert "+++ canonical request, as the request is now" in text
