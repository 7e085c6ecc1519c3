"""trentclient against the real botocore, for every one of the 54 KMS operations.

1. Wire: the signed request (URL, target, content type, date, body bytes, Authorization)
   equals botocore's, for botocore's published examples and for synthesized inputs that
   fill every member at every depth (blobs and the one timestamp given every accepted
   way) or only the required ones, with and without a session token, across partitions
   and dual-stack.
2. Validation: bad input is refused by both, naming the same parameters; where the two
   knowingly differ (maximums, blob lengths, bools, memoryview) the difference is pinned.
3. Responses: a full answer (every member at every depth) parses to what botocore parses,
   through the whole client path (``Client.<method>`` over an ``httpx.MockTransport``).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Iterator
from typing import Any

import botocore.exceptions
import httpx
import pytest

import trentclient
from tests import examples as ex
from tests.botocore_oracle import (
    ACCESS_KEY,
    FROZEN,
    SECRET_KEY,
    botocore_client,
    botocore_request,
    parse_with_botocore,
    session,
)
from trentclient._generated._shapes import OPERATIONS
from trentclient._model import Shape

TOKEN = "FQoGZXIvYXdzEXAMPLE//token+with/slashes=="
REQUEST_ID = "c0ffee00-1234-4abc-8def-0123456789ab"
JSON_TYPE = "application/x-amz-json-1.1"
OPERATION_NAMES = sorted(OPERATIONS)

# (region, dual-stack): one per partition, and dual-stack in a fourth.
ENDPOINTS = [
    pytest.param("us-east-1", False, id="us-east-1"),
    pytest.param("cn-north-1", False, id="cn-north-1"),
    pytest.param("us-gov-west-1", False, id="us-gov-west-1"),
    pytest.param("eu-west-1", True, id="eu-west-1-dualstack"),
]


@functools.cache
def _botocore(region: str, token: str | None, dualstack: bool) -> Any:
    return botocore_client(region, token=token, use_dualstack=dualstack)


_TRENT: dict[tuple[str, str | None, bool], trentclient.Client] = {}


def _trent(region: str, token: str | None, dualstack: bool) -> trentclient.Client:
    key = (region, token, dualstack)
    if key not in _TRENT:
        _TRENT[key] = trentclient.Client(
            region,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            aws_session_token=token,
            config=trentclient.Config(use_dualstack_endpoint=dualstack),
        )
    return _TRENT[key]


@pytest.fixture(scope="module", autouse=True)
def _close_cached_clients() -> Iterator[None]:
    yield
    for client in _TRENT.values():
        client.close()
    _TRENT.clear()


def _method(operation: str) -> str:
    return OPERATIONS[operation].method_name


# == 1. Wire ==================================================================================


def _wire_cases() -> list[Any]:
    cases = [
        pytest.param(operation, params, id=case_id)
        for operation, case_id, params in ex.example_inputs()
    ]
    for operation in OPERATION_NAMES:
        shape = OPERATIONS[operation].input
        labels: set[str] = set()
        for style in ex.STYLES:  # each blob and timestamp style the input has, once
            label = ex.style_label(shape, style)
            if label in labels:
                continue
            labels.add(label)
            cases.append(
                pytest.param(operation, ex.full_input(shape, style), id=f"{operation}-{label}")
            )
        cases.append(pytest.param(operation, ex.minimal_input(shape), id=f"{operation}-minimal"))
    return cases


WIRE_CASES = _wire_cases()


def assert_same_request(ours: httpx.Request, theirs: Any, token: str | None) -> None:
    assert str(ours.url) == theirs.url
    assert ours.method == theirs.method == "POST"
    for name in ("X-Amz-Target", "Content-Type", "X-Amz-Date"):
        assert ours.headers[name] == theirs.headers[name].decode(), name
    assert ours.content == theirs.body  # byte-exact: key order, separators, escapes
    assert json.loads(ours.content) == json.loads(theirs.body)
    assert ours.headers["Authorization"] == theirs.headers["Authorization"].decode()
    if token is None:
        assert "X-Amz-Security-Token" not in ours.headers
    else:
        assert ours.headers["X-Amz-Security-Token"] == token
        assert theirs.headers["X-Amz-Security-Token"].decode() == token


@pytest.mark.parametrize("token", [None, TOKEN], ids=["no-token", "token"])
@pytest.mark.parametrize(("region", "dualstack"), ENDPOINTS)
@pytest.mark.parametrize(("operation", "params"), WIRE_CASES)
def test_request_equals_botocore(
    operation: str, params: dict[str, Any], region: str, dualstack: bool, token: str | None
) -> None:
    ours = _trent(region, token, dualstack).build_request(operation, params, now=FROZEN)
    # botocore refuses memoryview blobs (ours takes any buffer): it gets the same bytes.
    theirs = botocore_request(
        _botocore(region, token, dualstack), _method(operation), ex.for_botocore(params)
    )
    assert_same_request(ours, theirs, token)


_KEY = "1234abcd-12ab-34cd-56ef-1234567890ab"
_UTC = dt.UTC
_IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
_PST = dt.timezone(dt.timedelta(hours=-8))

# Every way of giving ImportKeyMaterial.ValidTo, including the rounding edges.
VALID_TO = [
    pytest.param(dt.datetime(2030, 1, 2, 3, 4, 5, 678901, tzinfo=_UTC), id="aware-utc"),
    pytest.param(dt.datetime(2030, 1, 2, 3, 4, 5, 999999, tzinfo=_IST), id="aware-ist"),
    pytest.param(dt.datetime(2030, 1, 2, 3, 4, 5, 500000, tzinfo=_PST), id="aware-pst"),
    pytest.param(dt.datetime(2030, 1, 2, 3, 4, 5, 999999), id="naive"),
    # Before 1970, seconds are floored (timegm), not truncated toward zero.
    pytest.param(dt.datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=_UTC), id="aware-pre-1970"),
    pytest.param(1893553445, id="int"),
    pytest.param(0, id="int-zero"),
    pytest.param(1893553445.75, id="float"),
    # Rounded to the microsecond first (datetime.fromtimestamp), so this is the next second.
    pytest.param(1893553445.9999996, id="float-rounds-up"),
    pytest.param(-0.5, id="float-negative"),
    pytest.param(-1.25, id="float-negative-2"),
    pytest.param("2030-01-02T03:04:05.678901Z", id="iso-z"),
    pytest.param("2030-01-02T03:04:05+05:30", id="iso-offset"),
    pytest.param("2030-01-02T03:04:05", id="iso-naive"),
    pytest.param("2030-01-02 03:04:05", id="iso-space"),
    pytest.param("2030-01-02", id="iso-date"),
    pytest.param("20300102T030405", id="iso-basic"),
    pytest.param("1893553445", id="epoch-str"),
    pytest.param("1893553445.9", id="epoch-str-float"),
    pytest.param(" 1893553445 ", id="epoch-str-spaces"),
    pytest.param("1e9", id="epoch-str-exponent"),
    # Both an ISO basic date and a number: botocore reads numbers first (epoch seconds).
    pytest.param("20300102", id="epoch-str-or-basic-date"),
]


@pytest.mark.parametrize("valid_to", VALID_TO)
def test_import_key_material_valid_to_equals_botocore(valid_to: Any) -> None:
    params = {
        "KeyId": _KEY,
        "ImportToken": b"\x00\xfftoken",
        "EncryptedKeyMaterial": b"\x00\xffmaterial",
        "ExpirationModel": "KEY_MATERIAL_EXPIRES",
        "ValidTo": valid_to,
    }
    ours = _trent("us-east-1", None, False).build_request("ImportKeyMaterial", params, now=FROZEN)
    theirs = botocore_request(_botocore("us-east-1", None, False), "import_key_material", params)
    assert_same_request(ours, theirs, None)
    assert isinstance(json.loads(ours.content)["ValidTo"], int)


def test_every_example_input_is_valid_as_published() -> None:
    """No example needed fixing: its placeholders ("<binary data>") are valid str blobs."""
    client = _trent("us-east-1", None, False)
    for operation, _, params in ex.example_inputs():
        client.build_request(operation, params, now=FROZEN)


def test_synthesized_values_match_the_model_patterns() -> None:
    """The values given to patterned shapes match botocore's ``pattern`` and bounds."""
    shapes = session().get_component("data_loader").load_service_model("kms", "service-2")
    patterned = {n: s for n, s in shapes["shapes"].items() if "pattern" in s}
    assert set(patterned) == set(ex.PATTERNED)
    for name, text in ex.PATTERNED.items():
        model = patterned[name]
        assert re.fullmatch(model["pattern"], text), name
        assert model.get("min", 0) <= len(text) <= model.get("max", len(text)), name


def test_every_operation_is_covered() -> None:
    botocore_names = set(session().get_service_model("kms").operation_names)
    assert set(OPERATIONS) == botocore_names
    assert len(OPERATIONS) == 54
    wire_ids = {case.id for case in WIRE_CASES}
    validation_ops = {case.values[0] for case in VALIDATION_CASES}
    response_ops = {case.values[0] for case in RESPONSE_CASES}
    for operation in OPERATIONS:
        assert f"{operation}-minimal" in wire_ids
        assert any(i.startswith(f"{operation}-full") for i in wire_ids)
    assert validation_ops == set(OPERATIONS)
    assert response_ops == set(OPERATIONS)


# == 2. Validation ============================================================================

_PROBLEM = re.compile(
    r"^(?P<kind>Missing required parameter in|Unknown parameter in|Invalid type for parameter"
    r"|Invalid length for parameter|Invalid value for parameter|Invalid timestamp for parameter)"
    r' (?P<where>.+?)(?:: "(?P<name>[^"]+)"|, value:|, length:|: must)'
)


def problems(lines: Any) -> set[tuple[str, str, str]]:
    """``(kind, where, member)`` for each problem line (ours or botocore's)."""
    found = set()
    for line in lines:
        match = _PROBLEM.match(line.strip().removeprefix("- "))
        assert match, line
        kind = match["kind"]
        if kind == "Invalid timestamp for parameter":  # botocore calls it a type problem
            kind = "Invalid type for parameter"
        found.add((kind, match["where"], match["name"] or ""))
    return found


def _where(path: ex.Path) -> str:
    return ex.render(path) or "input"


def _shrunk(shape: Shape, value: Any) -> Any:
    """A value one below ``shape.min`` (length or value)."""
    assert shape.min is not None
    if shape.type == "string":
        return "x" * (shape.min - 1)
    if shape.type == "list":
        return value[: shape.min - 1]
    if shape.type == "blob":
        return b"\x00" * (shape.min - 1)
    return shape.min - 1


def _grown(shape: Shape, value: Any) -> Any:
    """A value one above ``shape.max`` (length or value)."""
    assert shape.max is not None
    if shape.type == "string":
        return "x" * (shape.max + 1)
    if shape.type == "list":
        return [value[0]] * (shape.max + 1)
    if shape.type == "blob":
        return b"\x00" * (shape.max + 1)
    return shape.max + 1


def _validation_cases() -> list[Any]:
    """``(operation, params, botocore_refuses, expected problem)`` for each operation.

    ``expected`` is the ``(kind, where, member)`` trentclient must report; when both refuse,
    the two reports must also name the same problems.
    """
    cases = []

    def add(
        operation: str, label: str, params: Any, both: bool, kind: str, where: str, name: str = ""
    ) -> None:
        cases.append(
            pytest.param(operation, params, both, (kind, where, name), id=f"{operation}-{label}")
        )

    for operation in OPERATION_NAMES:
        shape = OPERATIONS[operation].input
        full = ex.full_input(shape)
        for path, struct in ex.structures(shape, full):
            for name in sorted(struct.required):
                add(
                    operation,
                    f"missing-{ex.render((*path, name))}",
                    ex.deleted(full, (*path, name)),
                    True,
                    "Missing required parameter in",
                    _where(path),
                    name,
                )
            # An unknown member at every depth (depth >= 2 is inside Tags[1] and the like).
            add(
                operation,
                f"unknown-in-{_where(path)}",
                ex.added(full, path, "Bogus", 1),
                True,
                "Unknown parameter in",
                _where(path),
                "Bogus",
            )
        for path, member in ex.walk(shape, full):
            where = ex.render(path)
            add(
                operation,
                f"wrong-type-{where}",
                ex.replaced(full, path, ex.wrong_type(member)),
                True,
                "Invalid type for parameter",
                where,
            )
            current = _value_at(full, path)
            if member.type == "map":
                add(
                    operation,
                    f"wrong-key-type-{where}",
                    ex.replaced(full, path, {5: "v"}),
                    True,
                    "Invalid type for parameter",
                    f"{where} (key: 5)",
                )
            bounded = member.type in ("string", "list", "blob", "integer", "long")
            value_kind = member.type in ("integer", "long")
            length_or_value = (
                "Invalid value for parameter" if value_kind else "Invalid length for parameter"
            )
            if bounded and member.min:
                # botocore checks minimums, except for blobs: blob lengths it never checks.
                add(
                    operation,
                    f"below-min-{where}",
                    ex.replaced(full, path, _shrunk(member, current)),
                    member.type != "blob",
                    length_or_value,
                    where,
                )
            if bounded and member.max is not None:
                # botocore never checks maximums: only trentclient refuses.
                add(
                    operation,
                    f"over-max-{where}",
                    ex.replaced(full, path, _grown(member, current)),
                    False,
                    length_or_value,
                    where,
                )
    return cases


def _value_at(value: Any, path: ex.Path) -> Any:
    for part in path:
        value = value[part]
    return value


VALIDATION_CASES = _validation_cases()


def _botocore_refusal(operation: str, params: dict[str, Any]) -> set[tuple[str, str, str]] | None:
    """botocore's problems for ``params``, or None when it accepts them (and would send)."""
    try:
        botocore_request(_botocore("us-east-1", None, False), _method(operation), params)
    except botocore.exceptions.ParamValidationError as error:
        report = str(error).split(":", 1)[1].strip().splitlines()
        return problems(report)
    return None


def _our_refusal(operation: str, params: dict[str, Any]) -> trentclient.ParamValidationError:
    with pytest.raises(trentclient.ParamValidationError) as raised:
        _trent("us-east-1", None, False).build_request(operation, params, now=FROZEN)
    assert raised.value.operation_name == operation
    return raised.value


@pytest.mark.parametrize(("operation", "params", "botocore_refuses", "expected"), VALIDATION_CASES)
def test_invalid_input_is_refused_like_botocore(
    operation: str,
    params: dict[str, Any],
    botocore_refuses: bool,
    expected: tuple[str, str, str],
) -> None:
    ours = problems(_our_refusal(operation, params).problems)
    assert ours == {expected}
    theirs = _botocore_refusal(operation, params)
    if botocore_refuses:
        assert theirs == ours
    else:
        # Documented difference: botocore checks only minimums (and no blob lengths).
        assert theirs is None


def test_nested_unknown_member_is_refused_with_its_path() -> None:
    params = {
        "Tags": [
            {"TagKey": "a", "TagValue": "b"},
            {"TagKey": "c", "TagValue": "d", "Colour": "blue"},
        ]
    }
    error = _our_refusal("CreateKey", params)
    assert error.problems == (
        'Unknown parameter in Tags[1]: "Colour", must be one of: TagKey, TagValue',
    )
    assert _botocore_refusal("CreateKey", params) == problems(error.problems)


# Where the two validators knowingly disagree, pinned so that a change is noticed.
_STRICTER = [
    # bool is an int subclass: botocore sends `"Limit": true`; KMS would refuse it.
    pytest.param("ListKeys", {"Limit": True}, id="bool-for-integer"),
    # botocore reads True as epoch second 1 (1970-01-01T00:00:01Z).
    pytest.param(
        "ImportKeyMaterial",
        {"KeyId": _KEY, "ImportToken": b"t", "EncryptedKeyMaterial": b"m", "ValidTo": True},
        id="bool-for-timestamp",
    ),
]


@pytest.mark.parametrize(("operation", "params"), _STRICTER)
def test_stricter_than_botocore(operation: str, params: dict[str, Any]) -> None:
    _our_refusal(operation, params)
    assert _botocore_refusal(operation, params) is None


def test_memoryview_blob_is_accepted_where_botocore_refuses_it() -> None:
    params = {"KeyId": _KEY, "Plaintext": memoryview(b"\x00\xffhello")}
    ours = _trent("us-east-1", None, False).build_request("Encrypt", params, now=FROZEN)
    assert json.loads(ours.content)["Plaintext"] == "AP9oZWxsbw=="
    assert _botocore_refusal("Encrypt", params) == {("Invalid type for parameter", "Plaintext", "")}


_TIMESTAMP_BASE = {"KeyId": _KEY, "ImportToken": b"t", "EncryptedKeyMaterial": b"m"}


@pytest.mark.parametrize(
    "valid_to",
    [
        pytest.param(10**12, id="epoch-beyond-year-9999"),
        pytest.param(float("nan"), id="nan"),
        pytest.param("nan", id="nan-str"),
        pytest.param("1e12", id="epoch-str-beyond-year-9999"),
        pytest.param("next tuesday", id="words"),
        pytest.param(dt.date(2030, 1, 2), id="date"),
        pytest.param(10.0 + 0j, id="complex"),
    ],
)
def test_bad_timestamps_are_refused_by_both(valid_to: Any) -> None:
    params = {**_TIMESTAMP_BASE, "ValidTo": valid_to}
    ours = problems(_our_refusal("ImportKeyMaterial", params).problems)
    assert ours == {("Invalid type for parameter", "ValidTo", "")}
    assert _botocore_refusal("ImportKeyMaterial", params) == ours


def test_float_for_integer_is_refused_by_both() -> None:
    params = {"Limit": 10.0}
    ours = problems(_our_refusal("ListKeys", params).problems)
    assert (
        _botocore_refusal("ListKeys", params)
        == ours
        == {("Invalid type for parameter", "Limit", "")}
    )


def test_every_problem_is_reported_at_once_like_botocore() -> None:
    params = {"Tags": [{"TagKey": 5}], "KeyUsage": 1, "Bogus": None, "MultiRegion": "yes"}
    ours = problems(_our_refusal("CreateKey", params).problems)
    assert len(ours) == 5
    assert _botocore_refusal("CreateKey", params) == ours


# == 3. Responses =============================================================================


def _response_cases() -> list[Any]:
    """``(operation, body, unknown)``: ``unknown`` says the body has unmodeled members."""
    cases = []
    for operation in OPERATION_NAMES:
        output = OPERATIONS[operation].output
        if output is None or not output.members:
            cases.append(pytest.param(operation, b"", False, id=f"{operation}-empty-body"))
            cases.append(pytest.param(operation, b"{}", False, id=f"{operation}-empty-object"))
            cases.append(
                pytest.param(
                    operation, b'{"Unmodeled": {"x": 1}}', True, id=f"{operation}-unknown-only"
                )
            )
            continue
        full = json.dumps(ex.full_output(output)).encode()
        utf8 = json.dumps(ex.full_output(output, int_timestamps=True), ensure_ascii=False)
        unknown = json.dumps(ex.full_output(output, unknown=True)).encode()
        cases.append(pytest.param(operation, full, False, id=f"{operation}-full"))
        cases.append(
            pytest.param(operation, utf8.encode(), False, id=f"{operation}-full-utf8-int-ts")
        )
        cases.append(pytest.param(operation, unknown, True, id=f"{operation}-full-unknown"))
    for operation, case_id, body in ex.example_outputs():
        cases.append(pytest.param(operation, body, False, id=case_id))
    return cases


RESPONSE_CASES = _response_cases()


def assert_same_result(ours: Any, theirs: Any, path: str = "") -> None:
    """Equal values of equal types; datetimes equal as instants, ours in UTC."""
    if isinstance(theirs, dt.datetime):
        assert isinstance(ours, dt.datetime), path
        assert theirs.tzinfo is not None, path
        assert ours.tzinfo is dt.UTC, path
        assert ours == theirs, path
    elif isinstance(theirs, dict):
        assert isinstance(ours, dict), path
        assert sorted(ours) == sorted(theirs), path
        for key in theirs:
            assert_same_result(ours[key], theirs[key], f"{path}.{key}")
    elif isinstance(theirs, list):
        assert isinstance(ours, list), path
        assert len(ours) == len(theirs), path
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            assert_same_result(a, b, f"{path}[{i}]")
    else:
        assert type(ours) is type(theirs), path
        assert ours == theirs, path


def _call_through_client(operation: str, body: bytes) -> tuple[dict[str, Any], httpx.Response]:
    op = OPERATIONS[operation]
    answers: list[httpx.Response] = []

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["X-Amz-Target"] == op.target
        answer = httpx.Response(
            200,
            headers=[("x-amzn-RequestId", REQUEST_ID), ("Content-Type", JSON_TYPE)],
            content=body,
        )
        answers.append(answer)
        return answer

    with (
        httpx.Client(transport=httpx.MockTransport(handler)) as http,
        trentclient.Client(
            "us-east-1",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            http_client=http,
        ) as client,
    ):
        result = getattr(client, op.method_name)(**ex.minimal_input(op.input))
    assert len(answers) == 1
    return result, answers[0]


def _keys_anywhere(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys_anywhere(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys_anywhere(item)


@pytest.mark.parametrize(("operation", "body", "unknown"), RESPONSE_CASES)
def test_response_parses_like_botocore(operation: str, body: bytes, unknown: bool) -> None:
    ours, answer = _call_through_client(operation, body)
    headers = {name.decode().lower(): value.decode() for name, value in answer.headers.raw}
    theirs = parse_with_botocore(operation, 200, headers, body)

    meta = ours.pop("ResponseMetadata")
    assert meta == {
        "RequestId": REQUEST_ID,
        "HTTPStatusCode": 200,
        "HTTPHeaders": headers,
        "RetryAttempts": 0,
    }
    assert all(name == name.lower() for name in meta["HTTPHeaders"])
    assert theirs.pop("ResponseMetadata") == {
        "RequestId": REQUEST_ID,
        "HTTPStatusCode": 200,
        "HTTPHeaders": headers,
    }

    assert_same_result(ours, theirs)
    if not body.strip():
        assert ours == theirs == {}  # only ResponseMetadata, as botocore
    output = OPERATIONS[operation].output
    if output is not None and output.members and body.strip() not in (b"", b"{}") and not unknown:
        assert ours  # a full answer is not parsed to nothing
    if unknown:
        assert not {"UnmodeledMember", "Unmodeled"} & set(_keys_anywhere(ours))


@pytest.mark.parametrize(
    "creation_date",
    [
        pytest.param(1.6e9 + 0.123456, id="float"),
        pytest.param(1_600_000_000, id="int"),
        pytest.param(1600000000.9999996, id="float-rounds-up"),
        pytest.param(-0.5, id="negative"),
        pytest.param("1.499288695918E9", id="epoch-str"),
        # Both an ISO basic date and a number: botocore reads numbers first (epoch seconds).
        pytest.param("20300102", id="epoch-str-or-basic-date"),
        pytest.param("2017-07-05T14:04:55-07:00", id="iso-offset"),
        pytest.param("2017-07-05T14:04:55.5Z", id="iso-z"),
    ],
)
def test_response_timestamp_forms_parse_like_botocore(creation_date: Any) -> None:
    body = json.dumps({"KeyMetadata": {"KeyId": "k", "CreationDate": creation_date}}).encode()
    ours, _ = _call_through_client("DescribeKey", body)
    theirs = parse_with_botocore("DescribeKey", 200, {}, body)
    del ours["ResponseMetadata"], theirs["ResponseMetadata"]
    assert_same_result(ours, theirs)


def test_response_naive_iso_timestamp_is_utc_where_botocore_leaves_it_naive() -> None:
    """Documented difference: KMS sends epoch numbers; for zone-less text ours says UTC."""
    body = b'{"KeyMetadata": {"KeyId": "k", "CreationDate": "2017-07-05T14:04:55"}}'
    ours, _ = _call_through_client("DescribeKey", body)
    theirs = parse_with_botocore("DescribeKey", 200, {}, body)
    naive = theirs["KeyMetadata"]["CreationDate"]
    assert naive.tzinfo is None
    assert ours["KeyMetadata"]["CreationDate"] == naive.replace(tzinfo=dt.UTC)


def test_huge_epoch_is_a_validation_error_where_botocore_crashes() -> None:
    """Documented difference: botocore lets float()'s OverflowError escape its validator."""
    params = {**_TIMESTAMP_BASE, "ValidTo": 10**400}
    ours = problems(_our_refusal("ImportKeyMaterial", params).problems)
    assert ours == {("Invalid type for parameter", "ValidTo", "")}
    with pytest.raises(OverflowError):
        _botocore_refusal("ImportKeyMaterial", params)


def test_huge_epoch_in_a_response_is_a_parse_error() -> None:
    body = b'{"KeyMetadata": {"KeyId": "k", "CreationDate": 1' + b"0" * 400 + b"}}"
    with pytest.raises(trentclient.ResponseParseError, match=r"KeyMetadata\.CreationDate"):
        _call_through_client("DescribeKey", body)
