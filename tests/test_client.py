"""Client behaviour, run once for ``Client`` and once for ``AsyncClient`` (the ``kind`` fixture)."""

from __future__ import annotations

import datetime as dt
import json
import pickle
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import trentclient
from tests.botocore_oracle import parse_with_botocore
from tests.conftest import AK, SK, Driver
from trentclient._retry import is_retryable

KEY = "1234abcd-12ab-34cd-56ef-1234567890ab"
RID = "f1d2e5c8-0000-4a4b-9c9d-123456789abc"

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport handler that answers from a queue and records what it was sent."""

    def __init__(self, *responses: httpx.Response | Exception) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        answer = self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def ok(
    body: Any = None, *, status: int = 200, headers: dict[str, str] | None = None
) -> httpx.Response:
    content = (
        b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    )
    return httpx.Response(
        status,
        headers={
            "x-amzn-RequestId": RID,
            "Content-Type": "application/x-amz-json-1.1",
            **(headers or {}),
        },
        content=content,
    )


def err(code: str, message: str = "boom", *, status: int = 400, **extra: Any) -> httpx.Response:
    return ok({"__type": code, "message": message, **extra}, status=status)


# -- success ---------------------------------------------------------------------------------


def test_enable_key_rotation_returns_response_metadata(make_driver: Callable[..., Driver]) -> None:
    rec = Recorder(ok())
    kms = make_driver(rec)
    result = kms.call("enable_key_rotation", KeyId=KEY, RotationPeriodInDays=180)
    assert result == {
        "ResponseMetadata": {
            "RequestId": RID,
            "HTTPStatusCode": 200,
            "HTTPHeaders": {
                "x-amzn-requestid": RID,
                "content-type": "application/x-amz-json-1.1",
            },
            "RetryAttempts": 0,
        }
    }
    (sent,) = rec.requests
    assert sent.url == "https://kms.us-east-1.amazonaws.com/"
    assert sent.headers["X-Amz-Target"] == "TrentService.EnableKeyRotation"
    assert sent.headers["Content-Type"] == "application/x-amz-json-1.1"
    assert json.loads(sent.content) == {"KeyId": KEY, "RotationPeriodInDays": 180}
    assert sent.headers["Authorization"].startswith(f"AWS4-HMAC-SHA256 Credential={AK}/")


def test_describe_key_parses_like_botocore(make_driver: Callable[..., Driver]) -> None:
    body = {
        "KeyMetadata": {
            "KeyId": KEY,
            "Arn": f"arn:aws:kms:us-east-1:111122223333:key/{KEY}",
            "CreationDate": 1.700000000123e9,
            "Enabled": True,
            "KeyState": "Enabled",
            "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
            "SomethingKMSAddsLater": {"x": 1},
        }
    }
    kms = make_driver(Recorder(ok(body)))
    result = kms.call("describe_key", KeyId=KEY)
    meta = result["KeyMetadata"]
    assert meta["CreationDate"] == dt.datetime.fromtimestamp(1.700000000123e9, dt.UTC)
    assert meta["CreationDate"].tzinfo is not None
    assert "SomethingKMSAddsLater" not in meta
    theirs = parse_with_botocore(
        "DescribeKey", 200, {"x-amzn-requestid": RID}, json.dumps(body).encode()
    )
    theirs.pop("ResponseMetadata")
    result.pop("ResponseMetadata")
    assert result == theirs


def test_list_key_rotations_and_status(make_driver: Callable[..., Driver]) -> None:
    kms = make_driver(
        Recorder(
            ok(
                {
                    "Rotations": [
                        {"KeyId": KEY, "RotationDate": 1700000000, "RotationType": "ON_DEMAND"}
                    ],
                    "Truncated": False,
                }
            ),
        )
    )
    result = kms.call("list_key_rotations", KeyId=KEY)
    assert result["Rotations"][0]["RotationDate"] == dt.datetime(
        2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC
    )
    assert result["Truncated"] is False


# -- bad input: nothing is sent ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ['Missing required parameter in input: "KeyId"']),
        ({"KeyId": ""}, ["Invalid length for parameter KeyId"]),
        (
            {"KeyId": "k" * 2049},
            ["Invalid length for parameter KeyId, length: 2049, valid max length: 2048"],
        ),
        ({"KeyId": 5}, ["Invalid type for parameter KeyId"]),
        ({"KeyId": KEY, "RotationPeriodInDays": 89}, ["valid min value: 90"]),
        ({"KeyId": KEY, "RotationPeriodInDays": 2561}, ["valid max value: 2560"]),
        ({"KeyId": KEY, "RotationPeriodInDays": 3000}, ["valid max value: 2560"]),
        (
            {"KeyId": KEY, "RotationPeriodInDays": "180"},
            ["Invalid type for parameter RotationPeriodInDays"],
        ),
        (
            {"KeyId": KEY, "RotationPeriodInDays": True},
            ["Invalid type for parameter RotationPeriodInDays"],
        ),
        (
            {"KeyId": KEY, "RotationPeriodInDays": None},
            ["Invalid type for parameter RotationPeriodInDays"],
        ),
        (
            {"KeyId": KEY, "RotationPeriodInDays": 180.0},
            ["Invalid type for parameter RotationPeriodInDays"],
        ),
        ({"KeyId": KEY, "Bogus": 1}, ['Unknown parameter in input: "Bogus"']),
        (
            {"RotationPeriodInDays": 1, "Extra": 2},
            [
                'Missing required parameter in input: "KeyId"',
                "valid min value: 90",
                'Unknown parameter in input: "Extra"',
            ],
        ),
    ],
)
def test_bad_input_is_refused_before_sending(
    make_driver: Callable[..., Driver], params: dict[str, Any], expected: list[str]
) -> None:
    rec = Recorder(ok())
    kms = make_driver(rec)
    with pytest.raises(trentclient.ParamValidationError) as info:
        kms.call("enable_key_rotation", **params)
    assert len(info.value.problems) == len(expected)
    for fragment in expected:
        assert fragment in str(info.value)
    with pytest.raises(trentclient.ParamValidationError):
        kms.client.build_request("EnableKeyRotation", params)
    assert rec.requests == []


def test_validation_paths_name_nested_members(make_driver: Callable[..., Driver]) -> None:
    rec = Recorder(ok())
    kms = make_driver(rec)
    with pytest.raises(trentclient.ParamValidationError) as info:
        kms.call(
            "create_key",
            Tags=[
                {"TagKey": "a", "TagValue": "b"},
                {"TagKey": "c"},
                {"TagKey": 3, "TagValue": "d"},
            ],
        )
    text = str(info.value)
    assert 'Missing required parameter in Tags[1]: "TagValue"' in text
    assert "Invalid type for parameter Tags[2].TagKey" in text
    assert rec.requests == []


# -- errors -----------------------------------------------------------------------------------

DOCUMENTED = [
    "NotFoundException",
    "DisabledException",
    "InvalidArnException",
    "DependencyTimeoutException",
    "KMSInternalException",
    "KMSInvalidStateException",
    "UnsupportedOperationException",
]


def _wire_forms(code: str) -> list[httpx.Response]:
    status = 500 if code in ("DependencyTimeoutException", "KMSInternalException") else 400
    return [
        err(code, "plain", status=status),
        err(f"com.amazonaws.kms#{code}", "prefixed", status=status),
        err(
            f"{code}:http://internal.amazon.com/coral/com.amazon.coral.service/",
            "suffixed",
            status=status,
        ),
        ok({"__type": f"com.amazonaws.kms#{code}:http://x", "Message": "capital M"}, status=status),
        ok(b"", status=status, headers={"X-Amzn-ErrorType": f"{code}:http://internal.amazon.com/"}),
        ok({"message": "header code"}, status=status, headers={"X-Amzn-ErrorType": code}),
    ]


#: The message of each wire form (botocore's: ``message``, else ``Message``; an empty body is
#: ``""`` for a 4xx and the reason phrase for a 5xx).
_FORM_MESSAGES = ["plain", "prefixed", "suffixed", "capital M", None, "header code"]


@pytest.mark.parametrize("code", DOCUMENTED)
@pytest.mark.parametrize("form", range(6))
def test_documented_errors_in_every_wire_form(
    make_driver: Callable[..., Driver], code: str, form: int
) -> None:
    response = _wire_forms(code)[form]
    kms = make_driver(
        Recorder(response), config=trentclient.Config(retries={"total_max_attempts": 1})
    )
    cls = getattr(trentclient, code)
    with pytest.raises(cls) as info:
        kms.call("enable_key_rotation", KeyId=KEY)
    error = info.value
    assert type(error) is cls
    assert isinstance(error, trentclient.ServiceError)
    assert error.code == code
    assert error.status_code == response.status_code
    assert error.request_id == RID
    assert error.operation_name == "EnableKeyRotation"
    # A retryable error with no attempt left says so, as botocore's (MaxAttemptsReached).
    spent = " (reached max retries: 0)" if is_retryable(error) else ""
    assert str(error).startswith(
        f"An error occurred ({code}) when calling the EnableKeyRotation operation{spent}: "
    )
    assert error.response["Error"]["Code"] == code
    message = _FORM_MESSAGES[form]
    if message is None:  # the empty body
        message = "Internal Server Error" if response.status_code == 500 else ""
    assert error.message == error.response["Error"]["Message"] == message
    if message == "Internal Server Error":  # botocore's generic 5xx error reads no request id
        assert "RequestId" not in error.response["ResponseMetadata"]
    else:
        assert error.response["ResponseMetadata"]["RequestId"] == RID
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == response.status_code
    assert kms.client.exceptions.__dict__[code] is cls


@pytest.mark.parametrize(
    "body",
    [
        {"__type": "NotFoundException", "message": "Key 'x' does not exist"},
        {
            "__type": "com.amazonaws.kms#KMSInvalidStateException:http://a",
            "Message": "pending deletion",
        },
        {
            "__type": "ThrottlingException",
            "message": "You have exceeded the rate at which you may call KMS.",
        },
    ],
)
def test_error_response_matches_botocore(body: dict[str, str]) -> None:
    from trentclient._protocol import parse_error

    raw = json.dumps(body).encode()
    headers = httpx.Headers({"x-amzn-requestid": RID})
    ours = parse_error("EnableKeyRotation", 400, headers, raw)
    theirs = parse_with_botocore("EnableKeyRotation", 400, {"x-amzn-requestid": RID}, raw)
    assert ours.response["Error"] == {k: theirs["Error"][k] for k in ("Code", "Message")}
    assert ours.response["ResponseMetadata"]["RequestId"] == theirs["ResponseMetadata"]["RequestId"]


@pytest.mark.parametrize(
    ("response", "cls", "code"),
    [
        (
            lambda: err("ThrottlingException", status=400),
            trentclient.ThrottlingException,
            "ThrottlingException",
        ),
        (
            lambda: err("AccessDeniedException"),
            trentclient.AccessDeniedException,
            "AccessDeniedException",
        ),
        (
            lambda: err("ValidationException"),
            trentclient.ValidationException,
            "ValidationException",
        ),
        (
            lambda: err("UnrecognizedClientException"),
            trentclient.UnrecognizedClientException,
            "UnrecognizedClientException",
        ),
        (
            lambda: err("InvalidSignatureException"),
            trentclient.InvalidSignatureException,
            "InvalidSignatureException",
        ),
        (
            lambda: err("ExpiredTokenException"),
            trentclient.ExpiredTokenException,
            "ExpiredTokenException",
        ),
        (
            lambda: err("IncompleteSignatureException"),
            trentclient.IncompleteSignatureException,
            "IncompleteSignatureException",
        ),
        (
            lambda: err("MissingAuthenticationTokenException", status=403),
            trentclient.MissingAuthenticationTokenException,
            "MissingAuthenticationTokenException",
        ),
        (lambda: err("Throttling"), trentclient.ThrottlingError, "Throttling"),
        (lambda: err("SomethingNewException"), trentclient.ServiceError, "SomethingNewException"),
        (
            lambda: err("LimitExceededException"),
            trentclient.LimitExceededException,
            "LimitExceededException",
        ),  # type: ignore[attr-defined]
        (lambda: ok({"message": "no type"}, status=400), trentclient.ServiceError, "400"),
        (
            lambda: ok(
                b"<html><body>Bad Gateway</body></html>",
                status=502,
                headers={"Content-Type": "text/html"},
            ),
            trentclient.ServiceFault,
            "502",
        ),
        (lambda: ok(b"", status=503), trentclient.ServiceFault, "503"),
        (lambda: ok(b"", status=429), trentclient.ThrottlingError, "429"),
        (
            lambda: ok(b"", status=301, headers={"Location": "https://elsewhere/"}),
            trentclient.ServiceError,
            "301",
        ),
        (
            lambda: ok(
                b'<?xml version="1.0" encoding="utf-8"?>\n<ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code>'
                b"<Message>The request signature we calculated does not match</Message></Error></Errors></ErrorResponse>",
                status=403,
                headers={"Content-Type": "text/xml"},
            ),
            trentclient.SignatureDoesNotMatch,
            "SignatureDoesNotMatch",
        ),
        (lambda: ok(b"\xff\xfe not utf-8", status=400), trentclient.ServiceError, "400"),
        (lambda: ok(b"[1, 2]", status=400), trentclient.ServiceError, "400"),
    ],
)
def test_error_forms_give_typed_errors(
    make_driver: Callable[..., Driver],
    response: Callable[[], httpx.Response],
    cls: type[Exception],
    code: str,
) -> None:
    answer = response()
    kms = make_driver(
        Recorder(answer), config=trentclient.Config(retries={"total_max_attempts": 1})
    )
    with pytest.raises(cls) as info:
        kms.call("describe_key", KeyId=KEY)
    assert type(info.value) is cls
    assert info.value.code == code  # type: ignore[attr-defined]
    assert info.value.status_code == answer.status_code  # type: ignore[attr-defined]


def test_error_message_of_xml_and_html(make_driver: Callable[..., Driver]) -> None:
    xml = ok(
        b"<ErrorResponse><Error><Code>AccessDenied</Code><Message>nope &amp; no</Message></Error></ErrorResponse>",
        status=403,
    )
    kms = make_driver(Recorder(xml), config=trentclient.Config(retries={"total_max_attempts": 1}))
    with pytest.raises(trentclient.AuthError) as info:
        kms.call("describe_key", KeyId=KEY)
    assert info.value.code == "AccessDenied"
    assert info.value.message == "nope & no"


# -- retries ----------------------------------------------------------------------------------


def test_retries_server_faults_then_succeeds(make_driver: Callable[..., Driver]) -> None:
    rec = Recorder(
        ok(b"<html>503</html>", status=503),
        err("KMSInternalException", status=500),
        ok({"KeyMetadata": {"KeyId": KEY}}),
    )
    kms = make_driver(rec)
    result = kms.call("describe_key", KeyId=KEY)
    assert result["ResponseMetadata"]["RetryAttempts"] == 2
    assert len(rec.requests) == 3
    attempts = [r.headers["amz-sdk-request"] for r in rec.requests]
    assert attempts == ["attempt=1", "attempt=2", "attempt=3"]
    assert len({r.headers["amz-sdk-invocation-id"] for r in rec.requests}) == 1
    slept = kms.client._sleep.slept
    assert len(slept) == 2
    assert all(0 <= d <= 0.05 * 2**i for i, d in enumerate(slept))


def test_throttling_exhausts_attempts(make_driver: Callable[..., Driver]) -> None:
    rec = Recorder(
        err("ThrottlingException", "You have exceeded the rate at which you may call KMS.")
    )
    kms = make_driver(rec)
    with pytest.raises(trentclient.ThrottlingException) as info:
        kms.call("enable_key_rotation", KeyId=KEY)
    assert len(rec.requests) == 3
    assert info.value.retry_attempts == 2
    assert "(reached max retries: 2)" in str(info.value)
    assert all(0 <= d <= 1.0 * 2**i for i, d in enumerate(kms.client._sleep.slept))


@pytest.mark.parametrize(
    "code",
    ["LimitExceededException", "NotFoundException", "AccessDeniedException", "ValidationException"],
)
def test_client_errors_are_not_retried(make_driver: Callable[..., Driver], code: str) -> None:
    rec = Recorder(err(code))
    kms = make_driver(rec)
    with pytest.raises(trentclient.ServiceError):
        kms.call("enable_key_rotation", KeyId=KEY)
    assert len(rec.requests) == 1


def test_max_attempts_one_turns_retries_off(make_driver: Callable[..., Driver]) -> None:
    rec = Recorder(err("KMSInternalException", status=500))
    kms = make_driver(rec, config=trentclient.Config(retries={"total_max_attempts": 1}))
    with pytest.raises(trentclient.KMSInternalException):  # type: ignore[attr-defined]
        kms.call("enable_key_rotation", KeyId=KEY)
    assert len(rec.requests) == 1


@pytest.mark.parametrize(
    ("exc", "cls"),
    [
        (httpx.ConnectError("refused"), trentclient.EndpointConnectionError),
        (httpx.ConnectTimeout("slow"), trentclient.ConnectTimeoutError),
        (httpx.ReadTimeout("slow"), trentclient.ReadTimeoutError),
        (httpx.RemoteProtocolError("reset"), trentclient.ConnectionClosedError),
        (httpx.ReadError("reset by peer"), trentclient.ConnectionClosedError),
        (httpx.ProxyError("proxy said no"), trentclient.HTTPClientError),
    ],
)
def test_transport_errors_are_retried_then_wrapped(
    make_driver: Callable[..., Driver], exc: Exception, cls: type[Exception]
) -> None:
    rec = Recorder(exc)
    kms = make_driver(rec)
    with pytest.raises(cls) as info:
        kms.call("enable_key_rotation", KeyId=KEY)
    assert type(info.value) is cls
    assert info.value.__cause__ is exc
    assert info.value.attempts == 3  # type: ignore[attr-defined]
    assert "after 3 attempts" in str(info.value)
    assert len(rec.requests) == 3


# -- hostile success answers -------------------------------------------------------------------


@pytest.mark.parametrize(
    "response",
    [
        lambda: ok(b"not json"),
        lambda: ok(b'{"KeyMetadata": {"KeyId": '),
        lambda: ok(b"[1, 2, 3]"),
        lambda: ok(b"42"),
        lambda: ok(b""),
        lambda: ok(b"\xff\xfe\xfd"),
        lambda: ok({"KeyMetadata": {"KeyId": 123}}),
        lambda: ok({"KeyMetadata": {"CreationDate": "yesterday"}}),
        lambda: ok({"KeyMetadata": ["not", "a", "dict"]}),
    ],
)
def test_bad_success_answers_give_response_parse_error(
    make_driver: Callable[..., Driver], response: Callable[[], httpx.Response]
) -> None:
    kms = make_driver(Recorder(response()))
    with pytest.raises(trentclient.ResponseParseError) as info:
        kms.call("describe_key", KeyId=KEY)
    assert info.value.status_code == 200
    assert info.value.request_id == RID
    assert info.value.operation_name == "DescribeKey"


def test_answer_over_the_size_cap_is_refused(make_driver: Callable[..., Driver]) -> None:
    big = ok({"KeyMetadata": {"KeyId": KEY, "Description": "x" * 5000}})
    kms = make_driver(Recorder(big), config=trentclient.Config(max_response_bytes=1024))
    with pytest.raises(trentclient.ResponseParseError, match="max_response_bytes"):
        kms.call("describe_key", KeyId=KEY)


# -- lifecycle, configuration, secrets ----------------------------------------------------------


def test_given_http_client_is_left_open(kind: str) -> None:
    from tests.conftest import mock_http

    http = mock_http(kind, Recorder(ok()))
    driver = Driver(
        kind,
        region_name="us-east-1",
        aws_access_key_id=AK,
        aws_secret_access_key=SK,
        http_client=http,
    )
    driver.call("enable_key_rotation", KeyId=KEY)
    driver.run(driver.client.aclose() if kind == "async" else None)
    if kind == "sync":
        driver.client.close()
    assert not http.is_closed
    driver.close()  # the test's own cleanup closes it
    assert http.is_closed


def test_own_http_client_is_closed_by_context_manager() -> None:
    with trentclient.Client("us-east-1", aws_access_key_id=AK, aws_secret_access_key=SK) as kms:
        http = kms._http
        assert not http.is_closed
    assert http.is_closed


async def _async_context() -> httpx.AsyncClient:
    async with trentclient.AsyncClient(
        "us-east-1", aws_access_key_id=AK, aws_secret_access_key=SK
    ) as kms:
        http = kms._http
        assert not http.is_closed
    return http


def test_async_context_manager_closes() -> None:
    import asyncio

    assert asyncio.run(_async_context()).is_closed


def test_secrets_stay_out_of_reprs_and_errors(make_driver: Callable[..., Driver]) -> None:
    secret, token = "SECRETSENTINEL0123456789abcdefghijklmnop", "TOKENSENTINEL-abcdef"
    rec = Recorder(err("AccessDeniedException", "denied"))
    kms = make_driver(rec, aws_secret_access_key=secret, aws_session_token=token)
    with pytest.raises(trentclient.AccessDeniedException) as info:
        kms.call("describe_key", KeyId=KEY)
    texts = [
        repr(kms.client),
        str(kms.client),
        repr(kms.client._core.auth),
        repr(info.value),
        str(info.value),
        repr(info.value.response),
    ]
    texts.append(repr(trentclient.Credentials(AK, secret, token)))
    for text in texts:
        assert secret not in text
        assert token not in text


def test_region_and_credentials_are_required(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(trentclient.NoRegionError):
        trentclient.Client(aws_access_key_id=AK, aws_secret_access_key=SK)
    # As boto3: a client without credentials can be built; its first call raises.
    nothing = trentclient.Client("us-east-1")
    with pytest.raises(trentclient.NoCredentialsError):
        nothing.build_request("ListKeys", {})
    with pytest.raises(trentclient.NoCredentialsError):
        nothing.list_keys()
    nothing.close()
    monkeypatch.setenv("AWS_REGION", "eu-west-3")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", AK)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SK)
    kms = trentclient.Client()
    assert kms.region_name == "eu-west-3"
    assert kms.endpoint_url == "https://kms.eu-west-3.amazonaws.com"
    kms.close()


def test_endpoint_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    monkeypatch.setenv("AWS_ENDPOINT_URL_KMS", "http://127.0.0.1:5000")
    kms = trentclient.Client("us-east-1", aws_access_key_id=AK, aws_secret_access_key=SK)
    assert kms.endpoint_url == "http://127.0.0.1:5000"
    kms.close()
    explicit = trentclient.Client(
        "us-east-1",
        endpoint_url="http://localhost:1",
        aws_access_key_id=AK,
        aws_secret_access_key=SK,
    )
    assert explicit.endpoint_url == "http://localhost:1"
    explicit.close()


def test_config_validation() -> None:
    # botocore's meaning: max_attempts counts retries, total_max_attempts every attempt.
    assert trentclient.Config(retries={"max_attempts": 5}).retries.total_max_attempts == 6
    assert trentclient.Config(retries={"max_attempts": 0}).retries.total_max_attempts == 1
    both = trentclient.Config(retries={"total_max_attempts": 2, "max_attempts": 9})
    assert both.retries.total_max_attempts == 2 and both.retries.max_attempts == 1
    assert trentclient.Config().retries.total_max_attempts is None  # env, profile, then 3
    with pytest.raises(ValueError):
        trentclient.Config(retries={"total_max_attempts": 0})
    with pytest.raises(ValueError):
        trentclient.Config(retries={"max_attempts": -1})
    with pytest.raises(ValueError):
        trentclient.Config(retries={"mode": "turbo"})
    with pytest.raises(ValueError):
        trentclient.Config(retries={"max_attempt": 3})
    with pytest.raises(ValueError):
        trentclient.Config(connect_timeout=0)
    with pytest.raises(ValueError):
        trentclient.Config(user_agent_extra="evil\r\nX-Injected: 1")
    with pytest.raises(TypeError):
        trentclient.Client(
            "us-east-1", aws_access_key_id=AK, aws_secret_access_key=SK, config={"retries": 1}
        )  # type: ignore[arg-type]


def test_user_agent_extra_and_timeouts(make_driver: Callable[..., Driver]) -> None:
    rec = Recorder(ok())
    kms = make_driver(rec, config=trentclient.Config(user_agent_extra="myapp/1.2", read_timeout=7))
    kms.call("enable_key_rotation", KeyId=KEY)
    (sent,) = rec.requests
    assert sent.headers["User-Agent"].startswith("trentclient/")
    assert sent.headers["User-Agent"].endswith(" myapp/1.2")


def test_timeouts_come_from_config() -> None:
    with trentclient.Client(
        "us-east-1",
        aws_access_key_id=AK,
        aws_secret_access_key=SK,
        config=trentclient.Config(connect_timeout=3, read_timeout=7, pool_timeout=2),
    ) as kms:
        request = kms.build_request("ListKeys", {})
        assert request.extensions["timeout"] == {"connect": 3, "read": 7, "write": 7, "pool": 2}
        limits = kms._http._transport._pool  # type: ignore[attr-defined]
        assert limits._max_connections == 10


def test_exceptions_pickle_round_trip() -> None:
    errors: list[Exception] = [
        trentclient.NotFoundException(
            "gone",
            status_code=400,
            request_id=RID,
            operation_name="DescribeKey",
            http_headers={"a": "b"},
            retry_attempts=1,
        ),  # type: ignore[attr-defined]
        trentclient.ServiceError("x", code="Brand:New", status_code=418),
        trentclient.ThrottlingError("slow", code="Throttling"),
        trentclient.ParamValidationError(["a", "b"], "EnableKeyRotation"),
        trentclient.NoCredentialsError("none"),
        trentclient.NoRegionError(),
        trentclient.TransportError("down", operation_name="ListKeys", attempts=3),
        trentclient.ReadTimeoutError("slow", operation_name="ListKeys", attempts=2),
        trentclient.ResponseParseError(
            "bad", status_code=200, request_id=RID, operation_name="ListKeys"
        ),
    ]
    for error in errors:
        clone = pickle.loads(pickle.dumps(error))
        assert type(clone) is type(error)
        assert str(clone) == str(error)
        assert vars(clone) == vars(error)


def test_every_error_class_is_importable_and_picklable() -> None:
    for name in trentclient.__all__:
        obj = getattr(trentclient, name)
        if isinstance(obj, type) and issubclass(obj, trentclient.ServiceError):
            error = obj("m", request_id="r", operation_name="Op")
            clone = pickle.loads(pickle.dumps(error))
            assert clone == error
            assert getattr(trentclient.Client.exceptions, name) is obj
