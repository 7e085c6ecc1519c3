"""Error answers read as botocore reads them (issue 11, part 1), through both clients.

The oracle is a real botocore KMS client whose HTTP layer is stubbed (a ``before-send``
handler answers), so what is compared is what a boto3 user sees in
``ClientError.response``: ``Error``, ``ResponseMetadata`` (with ``RetryAttempts``) and a
modeled error's members at the top. Both sides make one attempt (botocore
``max_attempts=0``, trentclient ``total_max_attempts=1``).

1. The grid: every JSON error body form KMS sends (the message in ``message`` or
   ``Message``, both, absent, empty, ``null``; ``__type`` absent, plain, ``ns#``-prefixed,
   ``:``-suffixed, both) and the non-JSON forms (empty, blank, text, HTML), times statuses
   400, 403, 404, 409, 429, 500, 502, 503, for ``Client`` and ``AsyncClient``: the
   ``response``, ``code``, ``message``, ``status_code`` and ``str()`` equal botocore's, and
   the class (so the retry decision) is what it was before.
2. The two deliberate differences (an XML error's own ``<Code>``/``<Message>``; the
   ``X-Amzn-ErrorType`` header's code when the body names none), bodies botocore cannot
   read at all, and what the retry loop does with each cell.
3. Beyond the grid: any JSON object of the error keys at any error status, against
   botocore's parser (Hypothesis).
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Iterator
from typing import Any

import botocore.awsrequest
import botocore.exceptions
import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trentclient
from tests.botocore_oracle import botocore_client, parse_with_botocore, session
from tests.conftest import AK, SK, Driver, mock_http
from trentclient._generated._errors import MODELED_ERRORS
from trentclient._protocol import parse_error
from trentclient._retry import is_retryable

REQUEST_ID = "c0ffee00-1234-4abc-8def-0123456789ab"
JSON_TYPE = "application/x-amz-json-1.1"
STATUSES = [400, 403, 404, 409, 429, 500, 502, 503]
SUFFIX = ":http://internal.amazon.com/coral/com.amazon.coral.service/"

#: ``__type`` as KMS sends it (absent for some gateway-made answers).
TYPES: dict[str, str | None] = {
    "no-type": None,
    "type": "NotFoundException",
    "type-ns": "com.amazonaws.kms#NotFoundException",
    "type-suffix": "NotFoundException" + SUFFIX,
    "type-ns-suffix": "com.amazonaws.kms#KMSInternalException" + SUFFIX,
    "type-throttling": "ThrottlingException",
}
#: The message as KMS sends it: either spelling, absent, empty or null.
MESSAGES: dict[str, dict[str, Any]] = {
    "no-message": {},
    "message": {"message": "Key 'arn:aws:kms:...' does not exist"},
    "Message": {"Message": "Rate exceeded"},
    "both": {"message": "lower", "Message": "upper"},
    "message-empty": {"message": ""},
    "Message-empty": {"Message": ""},
    "message-null": {"message": None},
    "Message-null": {"Message": None},
}


def _json_forms() -> Iterator[Any]:
    for type_id, kind in TYPES.items():
        for message_id, message in MESSAGES.items():
            fields = {} if kind is None else {"__type": kind}
            body = json.dumps({**fields, **message}).encode()
            yield pytest.param(body, id=f"{type_id}-{message_id}")


FORMS = [
    *_json_forms(),
    # What botocore reads from odd but readable JSON: an empty or null code stays empty.
    pytest.param(b'{"__type": "", "message": "m"}', id="type-empty"),
    pytest.param(b'{"__type": null, "message": "m"}', id="type-null"),
    pytest.param(b'{"__type": "com.amazonaws.kms#", "message": "m"}', id="type-bare-ns"),
    # Non-JSON bodies: botocore's Message is the text, except for a 5xx that is empty or
    # starts with <html> (then the reason phrase, and no RequestId).
    pytest.param(b"", id="empty"),
    pytest.param(b" \r\n", id="blank"),
    pytest.param(b"upstream connect error or disconnect/reset", id="text"),
    pytest.param(b"<html><body><b>Http/1.1 Service Unavailable</b></body></html>", id="html"),
    pytest.param(b"  <html><body>busy</body></html>\n", id="html-indented"),
    pytest.param(b"<!DOCTYPE html><html><body>busy</body></html>", id="html-doctype"),
    pytest.param(b"\xef\xbb\xbf{}", id="json-after-bom"),
]


# == the two sides ============================================================================


class _Raw:
    """The ``raw`` of a botocore ``AWSResponse``: only ``stream()`` is read."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.body


_ANSWER: dict[str, Any] = {}
_BOTOCORE: list[Any] = []
_DRIVERS: dict[tuple[str, int], Driver] = {}


def _answer(request: httpx.Request) -> httpx.Response:
    _ANSWER["requests"] += 1
    response = httpx.Response(
        _ANSWER["status"], headers=_ANSWER["headers"], content=_ANSWER["body"]
    )
    _ANSWER["received"] = [(k.decode(), v.decode()) for k, v in response.headers.raw]
    return response


def _driver(kind: str, attempts: int = 1) -> Driver:
    key = (kind, attempts)
    if key not in _DRIVERS:
        driver = Driver(
            kind,
            region_name="us-east-1",
            aws_access_key_id=AK,
            aws_secret_access_key=SK,
            http_client=mock_http(kind, _answer),
            config=trentclient.Config(retries={"total_max_attempts": attempts}),
        )
        driver.client._sleep = (lambda _: None) if kind == "sync" else _async_no_sleep
        _DRIVERS[key] = driver
    return _DRIVERS[key]


async def _async_no_sleep(_: float) -> None:
    return None


@pytest.fixture(scope="module", autouse=True)
def _close_cached_clients() -> Iterator[None]:
    yield
    for driver in _DRIVERS.values():
        driver.close()
    _DRIVERS.clear()
    _BOTOCORE.clear()


def _answer_with(status: int, headers: list[tuple[str, str]], body: bytes) -> None:
    _ANSWER.update(status=status, headers=headers, body=body, requests=0, received=None)


def ours(
    kind: str, status: int, headers: list[tuple[str, str]], body: bytes, attempts: int = 1
) -> trentclient.ServiceError:
    """The error trentclient raises for the answer, and (in ``_ANSWER``) what it received."""
    _answer_with(status, headers, body)
    with pytest.raises(trentclient.ServiceError) as raised:
        _driver(kind, attempts).call("describe_key", KeyId="alias/x")
    return raised.value


def theirs(status: int, headers: list[tuple[str, str]], body: bytes) -> Any:
    """botocore's ``ClientError`` (or whatever else it raises) for the same answer."""
    if not _BOTOCORE:
        client = botocore_client("us-east-1")

        def send(request: botocore.awsrequest.AWSPreparedRequest, **_: Any) -> Any:
            answer = _ANSWER["botocore"]
            return botocore.awsrequest.AWSResponse(
                request.url, answer["status"], answer["headers"], _Raw(answer["body"])
            )

        client.meta.events.register("before-send.kms", send)
        _BOTOCORE.append(client)
    _ANSWER["botocore"] = {"status": status, "headers": dict(headers), "body": body}
    try:
        _BOTOCORE[0].describe_key(KeyId="alias/x")
    except Exception as error:
        return error
    raise AssertionError("botocore raised nothing")


def both(
    kind: str, status: int, body: bytes, headers: list[tuple[str, str]] | None = None
) -> tuple[trentclient.ServiceError, Any]:
    """``(ours, theirs)`` for one answer; botocore sees exactly the headers httpx gave ours
    (``Content-Length`` included)."""
    if headers is None:
        headers = [("x-amzn-RequestId", REQUEST_ID), ("Content-Type", JSON_TYPE)]
    error = ours(kind, status, headers, body)
    return error, theirs(status, _ANSWER["received"], body)


def without_retry_marker(response: dict[str, Any]) -> dict[str, Any]:
    """A response less ``MaxAttemptsReached``: the retry loop's mark that the (single)
    attempt was retryable, which both set but which depends on the retry rules, compared
    on its own (``check_retry_marker``)."""
    copy = {**response, "ResponseMetadata": dict(response["ResponseMetadata"])}
    copy["ResponseMetadata"].pop("MaxAttemptsReached", None)
    return copy


def check_retry_marker(error: trentclient.ServiceError, clienterror: Any, status: int) -> None:
    """``MaxAttemptsReached`` (and the message's "(reached max retries: 0)") as botocore
    sets them: on a retryable answer when no attempt is left. Where botocore's retry rules
    differ (``RETRY_DIFFERS``) the mark follows trentclient's own."""
    theirs_marked = bool(clienterror.response["ResponseMetadata"].get("MaxAttemptsReached"))
    assert error.max_attempts_reached == is_retryable(error)
    assert error.response["ResponseMetadata"].get("MaxAttemptsReached", False) == (
        error.max_attempts_reached
    )
    assert ("(reached max retries: 0)" in str(error)) == error.max_attempts_reached
    if (error.code, status) not in RETRY_DIFFERS:
        assert error.max_attempts_reached == theirs_marked, (error.code, status)
        assert str(error) == str(clienterror)


def expected_class(body: bytes, status: int) -> type[trentclient.ServiceError]:
    """The class each cell raised before this change (the retry decision rides on it)."""
    text = body.decode("utf-8", "replace")
    for code in ("NotFoundException", "KMSInternalException", "ThrottlingException"):
        if code in text:
            return getattr(trentclient, code)  # type: ignore[no-any-return]
    if status == 429:
        return trentclient.ThrottlingError
    if status >= 500:
        return trentclient.ServiceFault
    return trentclient.ServiceError


KINDS = ["sync", "async"]


# == 1. the grid ==============================================================================


@pytest.mark.parametrize("client_kind", KINDS)
@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("body", FORMS)
def test_error_reads_as_botocore_reads_it(client_kind: str, status: int, body: bytes) -> None:
    error, clienterror = both(client_kind, status, body)
    assert isinstance(clienterror, botocore.exceptions.ClientError), repr(clienterror)
    expected = without_retry_marker(clienterror.response)

    assert without_retry_marker(error.response) == expected
    assert error.code == expected["Error"]["Code"]
    assert error.message == expected["Error"]["Message"]
    assert error.status_code == expected["ResponseMetadata"]["HTTPStatusCode"] == status
    assert error.response["ResponseMetadata"]["RetryAttempts"] == 0
    check_retry_marker(error, clienterror, status)
    assert type(error) is expected_class(body, status)
    assert error.request_id == REQUEST_ID  # kept even where ResponseMetadata has none
    assert _ANSWER["requests"] == 1


def test_the_grid_covers_what_it_says() -> None:
    """The forms include every message spelling by every ``__type`` spelling, and a modeled
    error's ``message`` member reaches the top of ``response`` as in botocore."""
    assert len(FORMS) == len(TYPES) * len(MESSAGES) + 10
    error = parse_error(
        "DescribeKey", 400, {}, b'{"__type": "NotFoundException", "message": "m", "x": 1}'
    )
    assert error.response["message"] == "m"
    assert "x" not in error.response


def test_every_kms_error_shape_has_only_a_message_member() -> None:
    """parse_error puts ``message`` at the top of a modeled error's response; botocore puts
    every member of the error's shape there. For KMS they are the same while this holds."""
    model = session().get_service_model("kms")
    shapes = {shape.name: list(shape.members) for shape in model.error_shapes}
    assert set(shapes) == set(MODELED_ERRORS)
    assert all(members == ["message"] for members in shapes.values()), shapes


@pytest.mark.parametrize("client_kind", KINDS)
@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"__type": "NotFoundException", "message": "m"}', id="json"),
        pytest.param(b"", id="empty"),
        pytest.param(b"<html>busy</html>", id="html"),
    ],
)
@pytest.mark.parametrize("status", [400, 503])
@pytest.mark.parametrize(
    "headers",
    [
        pytest.param([], id="no-request-id"),
        pytest.param([("x-amz-request-id", "other")], id="x-amz-request-id"),
    ],
)
def test_request_id_in_response_metadata_only_where_botocore_has_one(
    client_kind: str, body: bytes, status: int, headers: list[tuple[str, str]]
) -> None:
    """botocore's ResponseMetadata holds ``RequestId`` only from ``x-amzn-RequestId`` (and
    none for a 5xx answered generically); ``request_id`` still names any request id."""
    error, clienterror = both(client_kind, status, body, headers)
    assert without_retry_marker(error.response) == without_retry_marker(clienterror.response)
    assert "RequestId" not in error.response["ResponseMetadata"]
    assert error.request_id == (headers[0][1] if headers else None)


# == 2. deliberate differences, unreadable bodies, retries ====================================

XML = (
    b"<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>"
    b"<Message>The security token included in the request is invalid.</Message>"
    b"</Error><RequestId>r</RequestId></ErrorResponse>"
)


@pytest.mark.parametrize("client_kind", KINDS)
@pytest.mark.parametrize("status", STATUSES)
def test_an_xml_error_gives_its_own_code_and_message(client_kind: str, status: int) -> None:
    """Deliberate: botocore reports the status and the raw XML; ours the XML's own."""
    error, clienterror = both(client_kind, status, XML)
    expected = without_retry_marker(clienterror.response)
    assert expected["Error"] == {"Code": str(status), "Message": XML.decode()}
    expected["Error"] = {
        "Code": "InvalidClientTokenId",
        "Message": "The security token included in the request is invalid.",
    }
    assert without_retry_marker(error.response) == expected
    assert type(error) is trentclient.InvalidClientTokenId


@pytest.mark.parametrize("client_kind", KINDS)
@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"message": "Rate exceeded"}', id="no-type"),
        pytest.param(b'{"__type": "", "message": "m"}', id="type-empty"),
        pytest.param(b"", id="empty"),
        pytest.param(b"busy", id="text"),
        pytest.param(b"<html>busy</html>", id="html"),
    ],
)
def test_the_error_type_header_gives_the_code_the_body_lacks(
    client_kind: str, status: int, body: bytes
) -> None:
    """Deliberate: botocore ignores ``X-Amzn-ErrorType``; ours takes its code when the body
    names none. Everything else (the message included) is botocore's."""
    headers = [
        ("x-amzn-RequestId", REQUEST_ID),
        ("X-Amzn-ErrorType", "ThrottlingException" + SUFFIX),
    ]
    error, clienterror = both(client_kind, status, body, headers)
    expected = without_retry_marker(clienterror.response)
    assert expected["Error"]["Code"] in (str(status), "")
    expected["Error"]["Code"] = "ThrottlingException"
    assert without_retry_marker(error.response) == expected
    assert type(error) is trentclient.ThrottlingException


@pytest.mark.parametrize("client_kind", KINDS)
@pytest.mark.parametrize("status", [400, 503])
def test_the_body_code_wins_over_the_error_type_header(client_kind: str, status: int) -> None:
    headers = [("x-amzn-RequestId", REQUEST_ID), ("X-Amzn-ErrorType", "ThrottlingException")]
    body = b'{"__type": "com.amazonaws.kms#NotFoundException", "message": "m"}'
    error, clienterror = both(client_kind, status, body, headers)
    assert without_retry_marker(error.response) == without_retry_marker(clienterror.response)
    assert type(error) is trentclient.NotFoundException  # type: ignore[attr-defined]


@pytest.mark.parametrize("client_kind", KINDS)
@pytest.mark.parametrize("status", [400, 500])
@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        pytest.param(b"null", None, "null", id="null"),
        pytest.param(b"[1, 2]", None, "[1, 2]", id="list"),
        pytest.param(b'"text"', None, '"text"', id="string"),
        pytest.param(b'{"__type": 5, "message": "m"}', None, "m", id="type-number"),
        pytest.param(b"\xff\xfe{}", None, "\ufffd\ufffd{}", id="not-utf-8"),
        pytest.param(b'{"__type": "NotFoundException", "message": 5}', "NotFoundException",
                     "5", id="message-number"),
    ],
)  # fmt: skip
def test_bodies_botocore_cannot_read_still_give_a_typed_error(
    client_kind: str, status: int, body: bytes, code: str | None, message: str
) -> None:
    """botocore raises AttributeError, TypeError or UnicodeDecodeError for these (or, for a
    number as the message, keeps the number); ours is a ServiceError with the status as the
    code and the text as the message (a message that is not a string: its JSON text)."""
    error, raised = both(client_kind, status, body)
    if code is None:
        assert not isinstance(raised, botocore.exceptions.ClientError), raised
    else:
        assert raised.response["Error"]["Message"] == 5
    assert (error.code, error.message) == (code or str(status), message)
    assert error.response["Error"] == {"Code": error.code, "Message": message}


#: Cells by the code they carry: retried before this change and after it.
RETRIED = {
    "NotFoundException": {500, 502, 503},
    "KMSInternalException": set(STATUSES),
    "ThrottlingException": set(STATUSES),
    None: {429, 500, 502, 503},
}
#: Where botocore's default (legacy) retry mode decides otherwise, untouched by this change:
#: it retries any 429 whatever the code, but no ThrottlingException sent with 403, 404 or
#: 409 and no KMSInternalException sent with a 4xx other than 429.
RETRY_DIFFERS = {
    ("NotFoundException", 429),
    *(("ThrottlingException", status) for status in (403, 404, 409)),
    *(("KMSInternalException", status) for status in (400, 403, 404, 409)),
}


@pytest.mark.parametrize("client_kind", KINDS)
@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("code", list(RETRIED), ids=str)
@pytest.mark.parametrize("with_message", [True, False], ids=["message", "no-message"])
def test_retried_cells_are_as_before(
    client_kind: str, status: int, code: str | None, with_message: bool
) -> None:
    """With two attempts allowed, exactly the throttles and faults (any 500-504, and
    faults and throttles by code) are tried again, whatever the message; ``RetryAttempts``
    counts the retry. botocore's marker of a retryable answer (``MaxAttemptsReached``
    after its one attempt) agrees except in ``RETRY_DIFFERS``."""
    fields: dict[str, Any] = {"message": "m"} if with_message else {}
    if code is not None:
        fields["__type"] = "com.amazonaws.kms#" + code
    body = json.dumps(fields).encode()
    error = ours(client_kind, status, [("x-amzn-RequestId", REQUEST_ID)], body, attempts=2)
    retried = status in RETRIED[code]
    assert _ANSWER["requests"] == (2 if retried else 1)
    assert error.retry_attempts == error.response["ResponseMetadata"]["RetryAttempts"]
    assert error.retry_attempts == (1 if retried else 0)

    clienterror = theirs(status, [("x-amzn-RequestId", REQUEST_ID)], body)
    marked = bool(clienterror.response["ResponseMetadata"].get("MaxAttemptsReached"))
    assert (marked != retried) == ((code, status) in RETRY_DIFFERS)


def test_an_error_with_a_null_message_and_modeled_fields_pickles() -> None:
    for body, status in [
        (b'{"__type": "NotFoundException", "message": null}', 400),
        (b'{"__type": "NotFoundException", "message": "m"}', 404),
        (b"", 503),
    ]:
        error = parse_error("DescribeKey", status, {"x-amzn-requestid": "r"}, body)
        clone = pickle.loads(pickle.dumps(error))
        assert clone == error
        assert clone.response == error.response
        assert str(clone) == str(error)


_texts = st.sampled_from(["", " ", "m", "Rate exceeded", "\u2603", "a:b#c"])
_types = st.one_of(
    st.sampled_from(["NotFoundException", "ThrottlingException", "KMSInternalException"]),
    st.sampled_from(["", "#", ":", "ns#", "#:", "a#b#c", "x:y:z", " NotFoundException "]),
    st.builds(
        lambda ns, code, suffix: ns + code + suffix,
        st.sampled_from(["", "com.amazonaws.kms#", "com.amazon.coral.availability#"]),
        st.sampled_from(["NotFoundException", "ThrottlingException", "Unknown", ""]),
        st.sampled_from(["", ":", SUFFIX, ":a#b"]),
    ),
)


@settings(max_examples=400, derandomize=True, database=None, deadline=None)
@given(
    fields=st.fixed_dictionaries(
        {},
        optional={
            "__type": st.none() | _types,
            "message": st.none() | _texts,
            "Message": st.none() | _texts,
            "code": _types,
            "errorMessage": _texts,
        },
    ),
    status=st.sampled_from([*STATUSES, 401, 408, 413, 501, 504, 599]),
    request_id=st.booleans(),
)
def test_any_json_error_object_parses_as_botocore_parses_it(
    fields: dict[str, Any], status: int, request_id: bool
) -> None:
    """Beyond the grid: any JSON object of these keys (``code`` and ``errorMessage``, which
    botocore ignores, included) at any error status, against botocore's parser alone."""
    body = json.dumps(fields).encode()
    headers = {"x-amzn-requestid": REQUEST_ID} if request_id else {}
    error = parse_error("DescribeKey", status, headers, body)
    expected = parse_with_botocore("DescribeKey", status, headers, body)
    response = error.response
    metadata = response.pop("ResponseMetadata")
    assert metadata.pop("RetryAttempts") == 0
    assert metadata == expected.pop("ResponseMetadata")
    assert response.pop("message", None) == (
        fields.get("message") if error.code in MODELED_ERRORS else None
    )
    assert response == expected


@pytest.mark.parametrize(
    "code", ["ThrottlingException", "NotFoundException", "KMSInternalException"]
)
def test_a_stubbed_error_is_not_marked_as_botocore_stubs_are_not(code: str) -> None:
    """botocore's Stubber answers before its retry handler runs: no MaxAttemptsReached, no
    "(reached max retries: 0)"; trentclient's Stubber neither."""
    import botocore.stub

    from trentclient.testing import Stubber, stubbed_client

    theirs_client = botocore_client("us-east-1")
    with botocore.stub.Stubber(theirs_client) as stub:
        stub.add_client_error("list_keys", service_error_code=code, http_status_code=400)
        with pytest.raises(botocore.exceptions.ClientError) as their_error:
            theirs_client.list_keys()
    client = stubbed_client()
    with Stubber(client) as ours_stub:
        ours_stub.add_client_error("list_keys", service_error_code=code, http_status_code=400)
        with pytest.raises(trentclient.ServiceError) as our_error:
            client.list_keys()
    assert "MaxAttemptsReached" not in their_error.value.response["ResponseMetadata"]
    assert "MaxAttemptsReached" not in our_error.value.response["ResponseMetadata"]
    assert str(our_error.value) == str(their_error.value)


@pytest.mark.parametrize("client_kind", KINDS)
def test_a_fault_after_the_last_retry_is_marked_and_a_refusal_after_retries_is_not(
    client_kind: str,
) -> None:
    """botocore marks MaxAttemptsReached only on a retryable answer with no attempt left:
    503, 503, 503 is marked "(reached max retries: 2)"; 503, 503, NotFoundException is not."""
    fault = b'{"__type": "ServiceUnavailableException", "message": "busy"}'
    error = ours(client_kind, 503, [("x-amzn-RequestId", REQUEST_ID)], fault, attempts=3)
    assert error.max_attempts_reached and error.retry_attempts == 2
    assert "(reached max retries: 2)" in str(error)
    assert error.response["ResponseMetadata"]["MaxAttemptsReached"] is True
