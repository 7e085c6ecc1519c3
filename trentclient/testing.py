"""Test kit for code that uses trentclient: stub KMS, check signatures, fake error answers.

Not loaded by ``import trentclient``; import it in your tests. Three tools:

**Stubber**: botocore's ``Stubber`` API, but each stubbed call still goes through the
real validation, serialization, SigV4 signing and httpx layer; only the network is
replaced (an ``httpx.MockTransport`` answers from the queue, in KMS's wire format)::

    from trentclient.testing import ANY, Stubber, stubbed_client

    kms = stubbed_client()  # fixed fake credentials: no environment, file or IMDS lookup
    with Stubber(kms) as stub:
        stub.add_response(
            "describe_key",
            {"KeyMetadata": {"KeyId": "1234abcd", "Enabled": True}},
            expected_params={"KeyId": "alias/app"},
        )
        stub.add_client_error("disable_key", "NotFoundException", "Alias not found")

        assert kms.describe_key(KeyId="alias/app")["KeyMetadata"]["Enabled"] is True
        try:
            kms.disable_key(KeyId="alias/gone")
        except kms.exceptions.NotFoundException:
            pass
        stub.assert_no_pending_responses()
        stub.requests[0].headers["X-Amz-Target"]  # 'TrentService.DescribeKey'

``AsyncClient`` works the same way (``Stubber(stubbed_client(async_=True))``, the same
sync ``with`` block, ``await`` the calls). ``ANY`` in ``expected_params`` matches any
value at any depth. Wrong calls raise ``UnexpectedCallError`` / ``StubResponseError``,
both ``AssertionError`` subclasses.

**verify_signature**: check the SigV4 ``Authorization`` of any ``httpx.Request``::

    verify_signature(stub.requests[0], STUB_CREDENTIALS, region="us-east-1")

It returns ``None`` or raises ``SignatureMismatch`` explaining what does not match.

**error_response** / **throttling_burst**: KMS error answers in the wire forms real
servers use, for ``httpx.MockTransport`` handlers or respx routes::

    error_response("NotFoundException", form="prefixed")  # 400, com.amazonaws.kms#...
    error_response("AccessDeniedException", form="xml")  # 403, <ErrorResponse>...
    throttling_burst(3)  # three ThrottlingException answers

With pytest, the ``kms_stub`` and ``async_kms_stub`` fixtures (installed with
trentclient) give an activated ``Stubber`` around a ``stubbed_client()``.
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import hmac
import html
import json
import math
import pprint
import re
import uuid
from collections import deque
from collections.abc import Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Final, Generic, Literal, TypeVar, overload

import attrs
import httpx

from . import _sigv4
from ._async_client import AsyncClient
from ._auth import SIGNING_EXTENSION, host_of
from ._client import Client
from ._common_errors import UNMODELED_ERRORS
from ._config import Config, RetryConfig
from ._core import _operation, http_timeout
from ._credentials import CredentialProvider, StaticCredentialProvider
from ._credvalue import Credentials
from ._endpoints import resolve_endpoint
from ._exceptions import (
    AuthError,
    ParamValidationError,
    ServiceError,
    ServiceFault,
)
from ._generated._errors import ERROR_CLASSES, MODELED_ERRORS
from ._protocol import CONTENT_TYPE
from ._retry import RateLimiter, RetryPolicy

if TYPE_CHECKING:
    from ._model import Operation, Shape

__all__ = [
    "ANY",
    "ERROR_CODES",
    "ERROR_FORMS",
    "STUB_CREDENTIALS",
    "SignatureMismatch",
    "StubResponseError",
    "Stubber",
    "UnexpectedCallError",
    "error_response",
    "stubbed_client",
    "throttling_burst",
    "verify_signature",
]

#: The fixed fake credentials ``stubbed_client()`` signs with.
STUB_CREDENTIALS: Final = Credentials("AKIDSTUBBER", "stubber-secret")


# -- ANY and the assertion errors ---------------------------------------------------------------


class _AnyType:
    """Equal to everything; see ``ANY``."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return True

    def __ne__(self, other: object) -> bool:
        return False

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "ANY"


#: Matches any value in ``expected_params``, at any depth (botocore's ``stub.ANY``).
ANY: Final = _AnyType()


class StubResponseError(AssertionError):
    """A stubbed client was called in a way the queued responses do not allow.

    Raised as is when a call's parameters differ from the ``expected_params`` queued with
    its response; the message holds a diff. ``operation_name`` is the operation called,
    ``expected_operation`` the one the next queued response is for (``None``: none queued).
    """

    def __init__(
        self, message: str, *, operation_name: str = "", expected_operation: str | None = None
    ) -> None:
        super().__init__(message)
        self.operation_name = operation_name
        self.expected_operation = expected_operation


class UnexpectedCallError(StubResponseError):
    """A call nothing was queued for: the queue is empty, or its next response is for
    another operation (botocore's ``UnStubbedResponseError`` and operation mismatch)."""


class SignatureMismatch(AssertionError):
    """``verify_signature`` found that the request's SigV4 signature does not hold.

    ``reason`` is the message's first line. When the failure is the signature itself,
    ``canonical_request``, ``string_to_sign`` and ``expected_signature`` hold what the
    request as it is now should have been signed with (session tokens are redacted in the
    message, not in these attributes).
    """

    def __init__(
        self,
        message: str,
        *,
        reason: str = "",
        canonical_request: str | None = None,
        string_to_sign: str | None = None,
        expected_signature: str | None = None,
    ) -> None:
        super().__init__(message)
        self.reason: str = reason or message.partition("\n")[0]
        self.canonical_request = canonical_request
        self.string_to_sign = string_to_sign
        self.expected_signature = expected_signature


# -- service_response -> KMS wire JSON ----------------------------------------------------------

_TYPE_NAMES: Final = {
    "string": "str",
    "integer": "int",
    "long": "int",
    "boolean": "bool",
    "double": "float or int",
    "float": "float or int",
    "blob": "bytes, bytearray, memoryview or str",
    "timestamp": "datetime, int, float or ISO 8601 str",
    "list": "list or tuple",
    "map": "dict",
    "structure": "dict",
}
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _bad_type(path: str, value: Any, shape: Shape) -> str:
    return (
        f"Invalid type for {path}, value: {_short(value)}, type: {type(value).__name__}, "
        f"valid types: {_TYPE_NAMES.get(shape.type, shape.type)}"
    )


def _epoch(moment: datetime) -> int | float:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    seconds = (moment - _EPOCH).total_seconds()
    return int(seconds) if seconds.is_integer() else seconds


def _to_wire(shape: Shape, value: Any, path: str, problems: list[str]) -> Any:
    """``value`` (a response as boto3 would return it) in KMS's wire JSON for ``shape``.

    Blobs become base64, timestamps epoch seconds. Checks keys (unknown and required)
    and types at every depth, appending to ``problems``; value bounds and enums are not
    checked (KMS adds enum values over time).
    """
    kind = shape.type
    if kind == "structure":
        if not isinstance(value, Mapping):
            problems.append(_bad_type(path, value, shape))
            return None
        for name in sorted(shape.required - value.keys()):
            problems.append(f'Missing required key in {path}: "{name}"')
        out: dict[str, Any] = {}
        for name, item in value.items():
            member = shape.members.get(name)
            if member is None:
                known = ", ".join(shape.members) or "(none)"
                problems.append(f'Unknown key in {path}: "{name}", must be one of: {known}')
                continue
            out[name] = _to_wire(member, item, f"{path}.{name}", problems)
        return out
    if kind == "string":
        ok = isinstance(value, str)
    elif kind in ("integer", "long"):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "boolean":
        ok = isinstance(value, bool)
    elif kind in ("double", "float"):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if ok and not math.isfinite(value):
            problems.append(f"Invalid value for {path}: {value!r} is not a finite number")
            return None
    elif kind == "blob":
        if isinstance(value, str):
            return base64.b64encode(value.encode("utf-8")).decode("ascii")
        if isinstance(value, (bytes, bytearray, memoryview)):
            return base64.b64encode(bytes(value)).decode("ascii")
        ok = False
    elif kind == "timestamp":
        return _timestamp_to_wire(shape, value, path, problems)
    elif kind == "list":
        if not isinstance(value, (list, tuple)):
            problems.append(_bad_type(path, value, shape))
            return None
        member = shape.member
        assert member is not None
        return [_to_wire(member, item, f"{path}[{i}]", problems) for i, item in enumerate(value)]
    elif kind == "map":
        if not isinstance(value, Mapping):
            problems.append(_bad_type(path, value, shape))
            return None
        value_shape = shape.value
        assert value_shape is not None
        result: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                problems.append(f"Invalid key type in {path}: {_short(key)} is not a str")
                continue
            result[key] = _to_wire(value_shape, item, f"{path}.{key}", problems)
        return result
    else:  # pragma: no cover - model drift
        raise AssertionError(f"unknown shape type {kind!r}")
    if not ok:
        problems.append(_bad_type(path, value, shape))
        return None
    return value


def _timestamp_to_wire(shape: Shape, value: Any, path: str, problems: list[str]) -> Any:
    if isinstance(value, datetime):
        return _epoch(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return value
    if isinstance(value, str):
        try:
            return _epoch(datetime.fromisoformat(value.strip()))
        except ValueError:
            problems.append(f"Invalid timestamp for {path}: {_short(value)} is not ISO 8601")
            return None
    problems.append(_bad_type(path, value, shape))
    return None


def _render_output(operation: Operation, service_response: Mapping[str, Any]) -> bytes:
    """The success body KMS would send for ``service_response`` (validated first)."""
    problems: list[str] = []
    output = operation.output
    if output is None:
        if service_response:
            keys = ", ".join(repr(k) for k in service_response)
            problems.append(
                f"{operation.name} returns no data: service_response may only hold "
                f"ResponseMetadata, not {keys}"
            )
        wire: Any = None
    else:
        wire = _to_wire(output, service_response, "service_response", problems)
    if problems:
        raise ParamValidationError(problems, operation.name)
    return b"" if wire is None else json.dumps(wire).encode("utf-8")


# -- Stubber ------------------------------------------------------------------------------------

ClientT = TypeVar("ClientT", Client, AsyncClient)

_META_KEYS: Final = frozenset({"RequestId", "HTTPStatusCode", "HTTPHeaders", "RetryAttempts"})


class _Queued:
    __slots__ = ("body", "expected_params", "headers", "operation", "status")

    def __init__(
        self,
        operation: Operation,
        status: int,
        headers: dict[str, str],
        body: bytes,
        expected_params: Mapping[str, Any] | None,
    ) -> None:
        self.operation = operation
        self.status = status
        self.headers = headers
        self.body = body
        self.expected_params = expected_params

    def describe(self) -> str:
        return f"{self.operation.name} ({self.operation.method_name})"


def _matches(expected: Any, actual: Any) -> bool:
    if expected is ANY:
        return True
    if isinstance(expected, Mapping):
        return (
            isinstance(actual, Mapping)
            and expected.keys() == actual.keys()
            and all(_matches(expected[k], actual[k]) for k in expected)
        )
    if isinstance(expected, (list, tuple)):
        return (
            isinstance(actual, (list, tuple))
            and len(expected) == len(actual)
            and all(_matches(e, a) for e, a in zip(expected, actual, strict=True))
        )
    return bool(expected == actual)


def _fill_any(expected: Any, actual: Any) -> Any:
    """``expected`` with each ``ANY`` replaced by what it matched, so a diff shows only
    real differences."""
    if expected is ANY:
        return actual
    if isinstance(expected, Mapping) and isinstance(actual, Mapping):
        return {k: _fill_any(v, actual[k]) if k in actual else v for k, v in expected.items()}
    if isinstance(expected, (list, tuple)) and isinstance(actual, (list, tuple)):
        filled = [_fill_any(e, a) for e, a in zip(expected, actual, strict=False)]
        return filled + list(expected[len(filled) :])
    return expected


def _differences(expected: Any, actual: Any, path: str, out: list[str]) -> None:
    """One line per difference, by parameter path (``EncryptionContext.purpose``)."""
    if expected is ANY:
        return
    if isinstance(expected, Mapping) and isinstance(actual, Mapping):
        for key in expected:
            where = f"{path}.{key}" if path else str(key)
            if key not in actual:
                out.append(f"{where}: expected {_short(expected[key])}, but it was not passed")
            else:
                _differences(expected[key], actual[key], where, out)
        for key in actual:
            if key not in expected:
                where = f"{path}.{key}" if path else str(key)
                out.append(f"{where}: passed {_short(actual[key])}, not in expected_params")
        return
    if (
        isinstance(expected, (list, tuple))
        and isinstance(actual, (list, tuple))
        and len(expected) == len(actual)
    ):
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            _differences(e, a, f"{path}[{i}]", out)
        return
    if not _matches(expected, actual):
        out.append(f"{path or 'params'}: expected {_short(expected)}, got {_short(actual)}")


def _params_diff(expected: Mapping[str, Any], actual: Mapping[str, Any]) -> str:
    lines: list[str] = []
    _differences(expected, actual, "", lines)
    left = pprint.pformat(_fill_any(dict(expected), dict(actual)), width=88).splitlines()
    right = pprint.pformat(dict(actual), width=88).splitlines()
    diff = difflib.unified_diff(left, right, "expected_params", "actual params", lineterm="")
    return "\n".join(["  " + line for line in lines] + list(diff))


def _describe_operation(operation_name: str) -> str:
    try:
        return f"{operation_name} ({_operation(operation_name).method_name})"
    except ParamValidationError:
        return operation_name or "(no X-Amz-Target)"


class Stubber(Generic[ClientT]):
    """botocore's ``Stubber`` for ``Client`` and ``AsyncClient``, over the real request path.

    While active, the client's httpx client is swapped for one with an
    ``httpx.MockTransport`` that answers from the queue in KMS's wire format, and retries
    (and adaptive rate limiting) are off: a stubbed ``ThrottlingException`` raises at
    once. Each call is still validated, serialized and signed; ``requests`` lists the
    signed ``httpx.Request`` values sent. ``deactivate()`` (or leaving the ``with`` block) restores everything.

    Use it as ``with Stubber(client) as stub:`` for either client (nothing awaits), or
    call ``activate()`` / ``deactivate()``. The stubber never looks for credentials; the
    client signs with its own (use ``stubbed_client()`` for fixed fake ones).

    Differences from botocore: method names and API names (``"DescribeKey"``) are both
    accepted; parameters are validated before ``expected_params`` is compared (invalid
    parameters raise ``ParamValidationError`` and consume nothing); ``ANY`` works at any
    depth.

    Args:
        client: the ``Client`` or ``AsyncClient`` to stub (``stub.client``).

    Raises:
        TypeError: ``client`` is not a trentclient client.
    """

    #: botocore's ``stub.ANY``.
    ANY: ClassVar[_AnyType] = ANY

    def __init__(self, client: ClientT) -> None:
        if not isinstance(client, (Client, AsyncClient)):
            raise TypeError(
                f"Stubber needs a trentclient Client or AsyncClient, not {type(client).__name__}"
            )
        self.client: ClientT = client
        #: The signed requests sent while active, stubbed or not, in order.
        self.requests: list[httpx.Request] = []
        self._queue: deque[_Queued] = deque()
        self._params: dict[str, Mapping[str, Any]] = {}
        self._active = False
        self._saved_http: httpx.Client | httpx.AsyncClient | None = None
        self._saved_attempts = 0
        self._saved_limiter: RateLimiter | None = None
        self._responses = 0

    def __repr__(self) -> str:
        state = "active" if self._active else "inactive"
        return f"<Stubber {state} for {self.client!r}, {len(self._queue)} pending>"

    # -- activation -------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        return self._active

    def activate(self) -> None:
        """Answer the client's calls from the queue (idempotent)."""
        if self._active:
            return
        client = self.client
        core = client._core
        if "start" in vars(core):
            raise RuntimeError("another Stubber is already active on this client")
        original_start = core.start
        params_by_call = self._params

        def start(operation_name: str, params: Mapping[str, Any]) -> Any:
            call = original_start(operation_name, params)
            params_by_call[call.invocation_id] = params
            return call

        core.start = start  # type: ignore[method-assign]
        self._saved_attempts = core.retry.max_attempts
        # No retries and no retry loop: botocore's stubs answer before its retry handler
        # runs, so a stubbed error is never marked MaxAttemptsReached.
        core.retry.max_attempts = RetryPolicy.NO_RETRY_LOOP
        self._saved_limiter = core.rate_limiter
        core.rate_limiter = None  # adaptive mode would slow later calls down after throttling
        transport = httpx.MockTransport(self._handle)
        if isinstance(client, AsyncClient):
            self._saved_http = client._http
            client._http = httpx.AsyncClient(transport=transport, timeout=client._http.timeout)
        else:
            self._saved_http = client._http
            client._http = httpx.Client(transport=transport, timeout=client._http.timeout)
        self._active = True

    def deactivate(self) -> None:
        """Give the client its own httpx client, retry policy and ``start`` back."""
        if not self._active:
            return
        client = self.client
        core = client._core
        vars(core).pop("start", None)
        core.retry.max_attempts = self._saved_attempts
        core.rate_limiter = self._saved_limiter
        self._saved_limiter = None
        mock = client._http
        if isinstance(client, AsyncClient):
            assert isinstance(self._saved_http, httpx.AsyncClient)
            client._http = self._saved_http
        else:
            assert isinstance(self._saved_http, httpx.Client)
            assert isinstance(mock, httpx.Client)
            client._http = self._saved_http
            mock.close()
        # An AsyncClient over a MockTransport holds nothing to release.
        self._saved_http = None
        self._params.clear()
        self._active = False

    def __enter__(self) -> Stubber[ClientT]:
        self.activate()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.deactivate()

    # -- the queue ----------------------------------------------------------------------------

    def add_response(
        self,
        method_name: str,
        service_response: Mapping[str, Any],
        expected_params: Mapping[str, Any] | None = None,
    ) -> None:
        """Queue a success answer for ``method_name`` (``"describe_key"`` or ``"DescribeKey"``).

        ``service_response`` is the dict the call should return, as boto3 returns it
        (``bytes`` for blobs, ``datetime`` for timestamps); it is checked against the
        operation's output shape (unknown keys, missing required keys, wrong types raise
        ``ParamValidationError`` now) and sent as KMS's JSON. An optional
        ``ResponseMetadata`` sets the answer's ``RequestId``, ``HTTPHeaders`` and 2xx
        ``HTTPStatusCode``. With ``expected_params``, the call's keyword arguments must
        equal it (``ANY`` matches anything), or the call raises ``StubResponseError``.

        Args:
            method_name: the operation, as a method name or an API name.
            service_response: what the call returns (``ResponseMetadata`` optional).
            expected_params: the keyword arguments the call must be made with, or
                ``None`` to accept any.

        Raises:
            ParamValidationError: unknown operation, or ``service_response`` does not fit
                the operation's output shape.
            TypeError: ``service_response`` or ``ResponseMetadata`` is not a dict.
            ValueError: ``ResponseMetadata.HTTPStatusCode`` is not 2xx, or
                ``ResponseMetadata`` has a key botocore's does not.
        """
        operation = self._operation(method_name)
        if not isinstance(service_response, Mapping):
            raise TypeError(
                f"service_response must be a dict, not {type(service_response).__name__}"
            )
        response = dict(service_response)
        status, headers = self._meta(response.pop("ResponseMetadata", None), 200)
        if not 200 <= status < 300:
            raise ValueError(
                f"ResponseMetadata.HTTPStatusCode of a success answer must be 2xx, not {status}"
                " (use add_client_error for errors)"
            )
        body = _render_output(operation, response)
        self._queue.append(
            _Queued(operation, status, headers, body, self._expected(expected_params))
        )

    def add_client_error(
        self,
        method_name: str,
        service_error_code: str = "",
        service_message: str = "",
        http_status_code: int = 400,
        service_error_meta: Mapping[str, Any] | None = None,
        expected_params: Mapping[str, Any] | None = None,
        response_meta: Mapping[str, Any] | None = None,
        modeled_fields: Mapping[str, Any] | None = None,
    ) -> None:
        """Queue an error answer for ``method_name``; the call raises its typed error.

        The body is ``{"__type": service_error_code, "message": service_message,
        **service_error_meta, **modeled_fields}`` with status ``http_status_code``, so
        the client's real error parsing picks the class (an unknown or empty code gives
        ``ServiceError``) and the error's ``code`` and ``message`` are the ones given (an
        empty code stays empty, as with botocore's Stubber). ``response`` is what the same
        answer from KMS gives, a modeled error's ``message`` at its top included.
        ``response_meta`` may set ``RequestId`` and ``HTTPHeaders``. ``expected_params``
        works as in ``add_response``.

        Args:
            method_name: the operation, as a method name or an API name.
            service_error_code: the error code (``"NotFoundException"``).
            service_message: the error message.
            http_status_code: the answer's status, 300-599.
            service_error_meta: more members of the error body.
            expected_params: as in ``add_response``.
            response_meta: ``RequestId`` and ``HTTPHeaders`` of the answer.
            modeled_fields: the modeled error's own members, added to the body.

        Raises:
            ParamValidationError: unknown operation.
            TypeError: ``response_meta`` is not a dict.
            ValueError: ``http_status_code`` is not an error status, or
                ``response_meta`` has a key botocore's does not.
        """
        operation = self._operation(method_name)
        if not isinstance(http_status_code, int) or not 300 <= http_status_code <= 599:
            raise ValueError(
                f"http_status_code must be an error status (300-599), not {http_status_code!r}"
            )
        error: dict[str, Any] = {"__type": service_error_code, "message": service_message}
        error.update(service_error_meta or {})
        error.update(modeled_fields or {})
        status, headers = self._meta(response_meta, http_status_code)
        body = json.dumps(error).encode("utf-8")
        self._queue.append(
            _Queued(operation, status, headers, body, self._expected(expected_params))
        )

    def assert_no_pending_responses(self) -> None:
        """Check that every queued response was asked for.

        Raises:
            StubResponseError: responses remain in the queue (the message lists them).
        """
        if self._queue:
            names = ", ".join(q.describe() for q in self._queue)
            count = len(self._queue)
            raise StubResponseError(
                f"{count} stubbed response{'s' if count != 1 else ''} remaining in queue, "
                f"never requested: {names}",
                expected_operation=self._queue[0].operation.name,
            )

    # -- helpers ----------------------------------------------------------------------------

    @staticmethod
    def _operation(method_name: str) -> Operation:
        try:
            return _operation(method_name)
        except ParamValidationError:
            raise ValueError(f"KMS clients have no method or operation {method_name!r}") from None

    @staticmethod
    def _expected(expected_params: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
        if expected_params is not None and not isinstance(expected_params, Mapping):
            raise TypeError(
                f"expected_params must be a dict or None, not {type(expected_params).__name__}"
            )
        return expected_params

    def _meta(self, meta: Mapping[str, Any] | None, status: int) -> tuple[int, dict[str, str]]:
        self._responses += 1
        request_id = f"00000000-0000-4000-8000-{self._responses:012d}"
        extra: dict[str, str] = {}
        if meta is not None:
            unknown = set(meta) - _META_KEYS
            if unknown:
                raise ValueError(
                    f"ResponseMetadata keys {sorted(unknown)} are not supported; "
                    f"use {sorted(_META_KEYS)}"
                )
            request_id = str(meta.get("RequestId", request_id))
            status = int(meta.get("HTTPStatusCode", status))
            extra = {str(k): str(v) for k, v in dict(meta.get("HTTPHeaders") or {}).items()}
        headers = {"x-amzn-RequestId": request_id, "Content-Type": CONTENT_TYPE}
        headers.update(extra)
        return status, headers

    def _handle(self, request: httpx.Request) -> httpx.Response:
        """The MockTransport handler: check the call against the queue and answer it."""
        self.requests.append(request)
        operation_name = request.headers.get("x-amz-target", "").rpartition(".")[2]
        params = self._params.pop(request.headers.get("amz-sdk-invocation-id", ""), None)
        called = _describe_operation(operation_name)
        if not self._queue:
            raise UnexpectedCallError(
                f"Unexpected call to {called}: no stubbed response is queued. Either the "
                "call was not stubbed, or it was made more times than stubbed.",
                operation_name=operation_name,
            )
        pending = self._queue[0]
        if pending.operation.name != operation_name:
            raise UnexpectedCallError(
                f"Operation mismatch: {called} was called, but the next stubbed response "
                f"is for {pending.describe()}.",
                operation_name=operation_name,
                expected_operation=pending.operation.name,
            )
        expected = pending.expected_params
        if expected is not None:
            if params is None:  # not started through this client's core: use the wire body
                params = json.loads(request.content or b"{}")
            if not _matches(expected, params):
                raise StubResponseError(
                    f"{called} was called with parameters that differ from "
                    f"expected_params:\n{_params_diff(expected, params)}",
                    operation_name=operation_name,
                    expected_operation=pending.operation.name,
                )
        self._queue.popleft()
        return httpx.Response(
            pending.status, headers=pending.headers, content=pending.body, request=request
        )


# -- stubbed_client -----------------------------------------------------------------------------


def _refuse(request: httpx.Request) -> httpx.Response:
    target = request.headers.get("x-amz-target", "").rpartition(".")[2] or "a request"
    raise UnexpectedCallError(
        f"A stubbed_client() never sends: {target} was called with no active Stubber. "
        "Wrap the calls in `with Stubber(client):` (or use the kms_stub fixture).",
        operation_name=target,
    )


@overload
def stubbed_client(
    region_name: str = ...,
    *,
    async_: Literal[False] = ...,
    endpoint_url: str | None = ...,
    config: Config | None = ...,
    credentials: Credentials | CredentialProvider | None = ...,
) -> Client: ...
@overload
def stubbed_client(
    region_name: str = ...,
    *,
    async_: Literal[True],
    endpoint_url: str | None = ...,
    config: Config | None = ...,
    credentials: Credentials | CredentialProvider | None = ...,
) -> AsyncClient: ...
def stubbed_client(
    region_name: str = "us-east-1",
    *,
    async_: bool = False,
    endpoint_url: str | None = None,
    config: Config | None = None,
    credentials: Credentials | CredentialProvider | None = None,
) -> Client | AsyncClient:
    """A ``Client`` (or, with ``async_=True``, an ``AsyncClient``) for use with ``Stubber``.

    It signs with ``STUB_CREDENTIALS`` (or ``credentials``), given as a credential
    provider, so nothing is looked up: no environment variables, no shared files, no
    instance metadata (botocore's Stubber still resolves credentials; see botocore#2275).
    The endpoint is the region's standard one unless ``endpoint_url`` is given
    (``AWS_ENDPOINT_URL*`` are not read). Its own httpx client never sends: a call made
    while no ``Stubber`` is active raises ``UnexpectedCallError`` instead of reaching
    the network.

    Args:
        region_name: the region it signs for.
        async_: ``True`` for an ``AsyncClient``.
        endpoint_url: the endpoint, else the region's standard one.
        config: the client's ``Config``.
        credentials: what it signs with (default ``STUB_CREDENTIALS``).

    Returns:
        The client, never sending anything itself.

    Raises:
        EndpointResolutionError: ``region_name`` is not a valid region name.
    """
    config = config or Config()
    if config.retries.total_max_attempts is None or config.retries.mode is None:
        # Settle what the environment and the profile would fill in: nothing is looked up.
        retries = config.retries
        config = attrs.evolve(
            config,
            retries=RetryConfig(
                total_max_attempts=retries.total_max_attempts or 3,
                mode=retries.mode or "standard",
            ),
        )
    if credentials is None:
        credentials = STUB_CREDENTIALS
    provider = (
        StaticCredentialProvider(credentials)
        if isinstance(credentials, Credentials)
        else credentials
    )
    if endpoint_url is None:
        endpoint_url = resolve_endpoint(
            region_name,
            use_fips=config.use_fips_endpoint,
            use_dualstack=config.use_dualstack_endpoint,
        )
    timeout = http_timeout(config)
    transport = httpx.MockTransport(_refuse)
    if async_:
        return AsyncClient(
            region_name,
            endpoint_url=endpoint_url,
            config=config,
            credential_provider=provider,
            http_client=httpx.AsyncClient(transport=transport, timeout=timeout),
        )
    return Client(
        region_name,
        endpoint_url=endpoint_url,
        config=config,
        credential_provider=provider,
        http_client=httpx.Client(transport=transport, timeout=timeout),
    )


# -- verify_signature ---------------------------------------------------------------------------

_AUTHORIZATION: Final = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<credential>[^,\s]+),\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+),\s*Signature=(?P<signature>[0-9a-f]{64})"
)
_AMZ_DATE: Final = re.compile(r"\d{8}T\d{6}Z")


def _fail(reason: str, detail: str = "") -> SignatureMismatch:
    message = f"{reason}\n{detail}" if detail else reason
    return SignatureMismatch(message, reason=reason)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.split("\n"))


def _diff(before: str, after: str, a: str, b: str) -> str:
    return "\n".join(difflib.unified_diff(before.split("\n"), after.split("\n"), a, b, lineterm=""))


def verify_signature(
    request: httpx.Request,
    credentials: Credentials | CredentialProvider,
    *,
    region: str,
    service: str = "kms",
    now: datetime | None = None,
    max_skew: float | None = 300,
    signing_result: _sigv4.SigningResult | None = None,
) -> None:
    """Check the SigV4 ``Authorization`` header of ``request``; return ``None`` if it holds.

    Raises ``SignatureMismatch`` (an ``AssertionError``) saying what is wrong:

    * the header is not ``AWS4-HMAC-SHA256 Credential=AKID/YYYYMMDD/region/service/
      aws4_request, SignedHeaders=a;b;c, Signature=<64 hex digits>``;
    * the access key, region or service of the scope is not the expected one, or the
      scope's date is not ``X-Amz-Date``'s;
    * ``X-Amz-Date`` is more than ``max_skew`` seconds from ``now`` (default: the current
      UTC time; ``max_skew=None`` skips this check);
    * ``X-Amz-Security-Token`` is present without ``credentials.token``, or missing or
      different with one; ``SignedHeaders`` is not lower-case, sorted and unique, lacks
      ``host`` or ``x-amz-date``, or names a header the request does not have; an
      ``X-Amz-Content-SHA256`` header is not the body's hash;
    * the signature is not the one the request, as it is now, gives. Only the headers in
      ``SignedHeaders`` count: an unsigned header added or changed after signing does
      not matter, a changed signed one does. The message shows the canonical request
      and string to sign it should have been signed with, and a diff against what was
      actually signed when that is known: requests signed by trentclient carry it (in
      ``request.extensions``), or pass ``signing_result`` (from ``sign_with_details``).

    Canonicalization is trentclient's own signer's (``trentclient._sigv4``), which is
    checked against AWS's test suite and botocore. Session tokens never appear in messages.

    Args:
        request: the signed request.
        credentials: the keys it should be signed with (or a provider of them).
        region: the region of the scope.
        service: the service of the scope.
        now: the time to judge clock skew against (default: now).
        max_skew: the skew allowed, in seconds (``None``: not checked).
        signing_result: what was signed (``SigV4Auth.sign_with_details``), for a diff.

    Raises:
        SignatureMismatch: the signature does not hold (see above).
    """
    creds = credentials if isinstance(credentials, Credentials) else credentials.get_credentials()
    token = creds.token
    values = request.headers.get_list("authorization")
    if not values:
        raise _fail("The request has no Authorization header")
    if len(values) > 1:
        raise _fail(f"The request has {len(values)} Authorization headers")
    authorization = values[0]
    if not authorization.startswith(_sigv4.ALGORITHM + " "):
        raise _fail(
            f"Authorization does not use {_sigv4.ALGORITHM}: {authorization.partition(' ')[0]!r}"
        )
    match = _AUTHORIZATION.fullmatch(authorization)
    if match is None:
        raise _fail(
            "Malformed Authorization header: expected 'AWS4-HMAC-SHA256 Credential=AKID/"
            "YYYYMMDD/region/service/aws4_request, SignedHeaders=h1;h2, Signature=<64 hex>'",
            f"got: {authorization}",
        )
    credential, signed, claimed = match.group("credential", "signed", "signature")
    parts = credential.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request" or not all(parts):
        raise _fail(
            f"Malformed Credential {credential!r}: expected "
            "AKID/YYYYMMDD/region/service/aws4_request"
        )
    access_key, scope_date, scope_region, scope_service, _ = parts
    if access_key != creds.access_key:
        raise _fail(f"Signed with access key {access_key!r}, expected {creds.access_key!r}")

    dates = request.headers.get_list("x-amz-date")
    if len(dates) != 1:
        raise _fail(f"The request needs one X-Amz-Date header, it has {len(dates)}")
    amz_date = dates[0]
    try:
        if not _AMZ_DATE.fullmatch(amz_date):
            raise ValueError
        signed_at = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise _fail(f"X-Amz-Date {amz_date!r} is not YYYYMMDDTHHMMSSZ") from None
    if scope_date != amz_date[:8]:
        raise _fail(f"The credential scope's date {scope_date} is not X-Amz-Date's ({amz_date})")
    if scope_region != region:
        raise _fail(f"Signed for region {scope_region!r}, expected {region!r}")
    if scope_service != service:
        raise _fail(f"Signed for service {scope_service!r}, expected {service!r}")
    if max_skew is not None:
        if now is None:
            now = datetime.now(UTC)
        elif now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        skew = (now - signed_at).total_seconds()
        if abs(skew) > max_skew:
            raise _fail(
                f"X-Amz-Date {amz_date} is {abs(skew):.0f} s "
                f"{'before' if skew > 0 else 'after'} now ({_sigv4.amz_date(now)}); "
                f"max_skew is {max_skew} s"
            )

    tokens = request.headers.get_list("x-amz-security-token")
    if token:
        if not tokens:
            raise _fail(
                "The credentials have a session token, but the request has no X-Amz-Security-Token"
            )
        if tokens != [token]:
            raise _fail("X-Amz-Security-Token is not the credentials' session token")
    elif tokens:
        raise _fail(
            "The request has X-Amz-Security-Token, but the credentials have no session token"
        )

    names = signed.split(";")
    if any(not n or n != n.lower() for n in names) or names != sorted(set(names)):
        raise _fail(f"SignedHeaders {signed!r} is not a lower-case, sorted list without repeats")
    for required in ("host", "x-amz-date"):
        if required not in names:
            raise _fail(f"SignedHeaders {signed!r} does not include {required!r}")
    if "authorization" in names:
        raise _fail("SignedHeaders includes 'authorization'")
    wanted = set(names)
    to_sign: list[tuple[str, str]] = []
    for raw_name, raw_value in request.headers.raw:
        name = raw_name.decode("latin-1").lower()
        if name in wanted:
            to_sign.append((name, raw_value.decode("utf-8", "surrogateescape")))
    missing = wanted - {name for name, _ in to_sign}
    if "host" in missing:
        to_sign.append(("host", host_of(request.url)))
        missing.discard("host")
    if missing:
        raise _fail(
            f"Signed header{'s' if len(missing) > 1 else ''} {', '.join(sorted(missing))} "
            "missing from the request"
        )

    try:
        body = request.content
    except httpx.RequestNotRead:
        raise ValueError(
            "verify_signature needs the request body: call request.read() first"
        ) from None
    payload_hash = hashlib.sha256(body).hexdigest()
    declared = request.headers.get_list("x-amz-content-sha256")
    if declared and declared != [payload_hash]:
        raise _fail("X-Amz-Content-SHA256 is not the SHA-256 of the request body")

    path, _, query = request.url.raw_path.decode("ascii").partition("?")
    result = _sigv4.sign(
        access_key=access_key,
        secret_key=creds.secret_key,
        region=region,
        service=service,
        method=request.method,
        path=path,
        query=query,
        headers=to_sign,
        payload_hash=payload_hash,
        amz_datetime=amz_date,
    )
    if hmac.compare_digest(result.signature, claimed):
        return

    def shown(text: str) -> str:
        return text.replace(token, "<session token>") if token else text

    reason = (
        f"SigV4 signature mismatch: the request carries Signature={claimed}, but the request "
        f"as it is now gives {result.signature}"
    )
    if signing_result is None:
        recorded = request.extensions.get(SIGNING_EXTENSION)
        if isinstance(recorded, _sigv4.SigningResult) and recorded.signature == claimed:
            signing_result = recorded
    detail = (
        "Either something signed changed after signing (the method, path, query, body, or "
        f"a header in SignedHeaders={signed}), or it was signed with another secret key.\n"
        f"Canonical request it should have been signed with:\n{_indent(shown(result.canonical_request))}\n"
        f"String to sign:\n{_indent(shown(result.string_to_sign))}"
    )
    if signing_result is not None:
        creq_diff = _diff(
            shown(signing_result.canonical_request),
            shown(result.canonical_request),
            "canonical request, as signed",
            "canonical request, as the request is now",
        )
        sts_diff = _diff(
            shown(signing_result.string_to_sign),
            shown(result.string_to_sign),
            "string to sign, as signed",
            "string to sign, as the request is now",
        )
        notes = []
        if signing_result.signature != claimed:
            notes.append("(signing_result is not the signature this request carries)")
        if not creq_diff and not sts_diff:
            notes.append(
                "The canonical request and string to sign are unchanged: the secret key differs."
            )
        detail = "\n".join([*notes, creq_diff, sts_diff, detail]).strip("\n")
    raise SignatureMismatch(
        f"{reason}\n{detail}",
        reason=reason,
        canonical_request=result.canonical_request,
        string_to_sign=result.string_to_sign,
        expected_signature=result.signature,
    )


# -- error responses ----------------------------------------------------------------------------

ErrorForm = Literal["plain", "prefixed", "suffixed", "header", "xml"]

#: The wire forms ``error_response`` can write.
ERROR_FORMS: Final[tuple[ErrorForm, ...]] = ("plain", "prefixed", "suffixed", "header", "xml")

#: Every KMS error code with a class of its own: the modeled ones and those KMS (and AWS's
#: front end) send without modeling them (throttling, access, validation, signature, token).
ERROR_CODES: Final[tuple[str, ...]] = tuple(sorted({*MODELED_ERRORS, *UNMODELED_ERRORS}))


def _namespace(code: str) -> str:
    if code in MODELED_ERRORS:
        return "com.amazonaws.kms"
    if code == "ThrottlingException":
        return "com.amazon.coral.availability"
    return "com.amazon.coral.service"


def _default_message(code: str) -> str:
    cls = ERROR_CLASSES.get(code)
    doc = " ".join((cls.__doc__ or "").split()) if cls is not None else ""
    if not doc:
        return f"{code} (stubbed error)"
    sentence, dot, _ = doc.partition(". ")
    return sentence + "." if dot else doc


def _default_status(code: str, form: str) -> int:
    cls: type[ServiceError] | None = ERROR_CLASSES.get(code)
    if cls is not None and issubclass(cls, ServiceFault):
        return 503 if code == "ServiceUnavailableException" else 500
    if form == "xml" or (cls is not None and issubclass(cls, AuthError)):
        return 403
    return 400


def error_response(
    code: str,
    message: str | None = None,
    *,
    form: ErrorForm = "plain",
    status: int | None = None,
    request_id: str | None = None,
) -> httpx.Response:
    """An error answer for ``code`` as a KMS endpoint (or what stands in front of it) sends it.

    ``form`` is one of ``ERROR_FORMS``:

    * ``"plain"``: JSON ``{"__type": "NotFoundException", "message": ...}``;
    * ``"prefixed"``: ``__type`` is ``com.amazonaws.kms#NotFoundException`` (AWS's own
      codes get ``com.amazon.coral.service#`` / ``com.amazon.coral.availability#``);
    * ``"suffixed"``: ``__type`` is ``NotFoundException:http://internal.amazon.com/coral/
      com.amazonaws.kms/``;
    * ``"header"``: only ``X-Amzn-ErrorType`` (suffixed), with an empty body, so the
      client's message is botocore's for an empty body: ``""`` for a 4xx, the HTTP
      reason phrase for a 5xx;
    * ``"xml"``: ``<ErrorResponse><Error><Code>..</Code><Message>..</Message></Error>
      </ErrorResponse>``, as proxies and some emulators answer.

    ``message`` defaults to the first sentence of the error class's description. ``status``
    defaults to 500 for server faults (503 for ``ServiceUnavailableException``), 403 for
    authentication/authorization errors and for the XML form, 400 otherwise.
    ``request_id`` (default: a random UUID) goes in ``x-amzn-RequestId`` (and the XML).
    Any code is accepted; ``ERROR_CODES`` lists those with a class of their own.

    Args:
        code: the error code.
        message: the error message (default: from the error's class).
        form: one of ``ERROR_FORMS``.
        status: the HTTP status (default: as above).
        request_id: the request id (default: a random UUID).

    Returns:
        The ``httpx.Response``.

    Raises:
        ValueError: an empty ``code``, or an unknown ``form``.
    """
    if not isinstance(code, str) or not code:
        raise ValueError("error_response needs a non-empty error code")
    if form not in ERROR_FORMS:
        raise ValueError(f"form must be one of {', '.join(ERROR_FORMS)}, not {form!r}")
    if message is None:
        message = _default_message(code)
    if status is None:
        status = _default_status(code, form)
    if request_id is None:
        request_id = str(uuid.uuid4())
    headers = {"x-amzn-RequestId": request_id, "Content-Type": CONTENT_TYPE}
    suffixed = f"{code}:http://internal.amazon.com/coral/{_namespace(code)}/"
    body: bytes
    if form == "header":
        headers["X-Amzn-ErrorType"] = suffixed
        body = b""
    elif form == "xml":
        headers["Content-Type"] = "text/xml"
        kind = "Receiver" if status >= 500 else "Sender"
        body = (
            "<ErrorResponse>\n"
            "  <Error>\n"
            f"    <Type>{kind}</Type>\n"
            f"    <Code>{html.escape(code, quote=False)}</Code>\n"
            f"    <Message>{html.escape(message, quote=False)}</Message>\n"
            "  </Error>\n"
            f"  <RequestId>{html.escape(request_id, quote=False)}</RequestId>\n"
            "</ErrorResponse>\n"
        ).encode()
    else:
        type_ = {
            "plain": code,
            "prefixed": f"{_namespace(code)}#{code}",
            "suffixed": suffixed,
        }[form]
        body = json.dumps({"__type": type_, "message": message}).encode("utf-8")
    return httpx.Response(status, headers=headers, content=body)


def throttling_burst(
    n: int, *, form: ErrorForm = "plain", message: str = "Rate exceeded"
) -> list[httpx.Response]:
    """``n`` ``ThrottlingException`` answers (HTTP 400, as KMS throttles), each with its own
    request id: feed them to a handler or a respx route before a success to exercise
    retries (``side_effect=[*throttling_burst(2), httpx.Response(200, json={...})]``).

    Args:
        n: how many answers.
        form: one of ``ERROR_FORMS`` (see ``error_response``).
        message: the error message.

    Returns:
        ``n`` ``httpx.Response`` values.

    Raises:
        ValueError: ``n`` is negative, or ``form`` unknown.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    return [error_response("ThrottlingException", message, form=form) for _ in range(n)]
