"""The KMS JSON protocol (awsJson1.1): request values out, response values in. No I/O.

``build_request`` turns an operation and its parameters into a signed ``httpx.Request``
(validated first: nothing is built for bad input). ``parse_response`` turns a status, the
headers and the body bytes into the result dict or raises the typed error.
"""

from __future__ import annotations

import http
import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx

from ._auth import SIGNING_EXTENSION, SigV4Auth, host_of
from ._exceptions import (
    CODE_ALIASES,
    ResponseParseError,
    ServiceError,
    ServiceFault,
    ThrottlingError,
)
from ._model import Operation
from ._serde import deserialize, serialize

if TYPE_CHECKING:
    from ._auth import _KeyPair

__all__ = [
    "CONTENT_TYPE",
    "build_request",
    "error_code",
    "parse_error",
    "parse_response",
    "serialize_body",
]

CONTENT_TYPE = "application/x-amz-json-1.1"
# Compiled (and cached) by re on first use. One greedy class and no optional whitespace
# around it: the match is linear in the body (``\s*([^<]*?)\s*`` backtracked cubically on
# a run of whitespace with no closing tag). The text is stripped after the match.
_XML_CODE = rb"<Code>([^<]*)</Code>"
_XML_MESSAGE = rb"<Message>([^<]*)</Message>"
#: Server text kept in an error: codes are short names, messages a sentence or two. Longer
#: text is clipped, so a hostile answer cannot make an error (or a log line) huge.
_MAX_CODE = 256
_MAX_MESSAGE = 4096


def serialize_body(operation: Operation, params: Mapping[str, Any]) -> bytes:
    """The request body: validated, serialized, ``json.dumps`` with botocore's separators."""
    wire = serialize(operation.input, params, operation.name)
    return json.dumps(wire).encode("utf-8")


def build_request(
    operation: Operation,
    body: bytes,
    *,
    url: httpx.URL,
    auth: SigV4Auth,
    user_agent: str,
    now: datetime | None = None,
    invocation_id: str | None = None,
    attempt: int = 1,
    credentials: _KeyPair | None = None,
    host: str | None = None,
) -> httpx.Request:
    """A signed POST for ``operation`` carrying ``body`` (from ``serialize_body``).

    Headers in botocore's order; ``amz-sdk-invocation-id`` and ``amz-sdk-request`` come
    after signing, unsigned, as botocore adds them. ``host`` defaults to the URL's.
    """
    headers = [
        ("Host", host or host_of(url)),
        ("X-Amz-Target", operation.target),
        ("Content-Type", CONTENT_TYPE),
        ("User-Agent", user_agent),
    ]
    added, signed = auth.signing_headers(
        "POST", url, headers, body, now=now, credentials=credentials
    )
    headers.append(("Content-Length", str(len(body))))
    headers += added
    if invocation_id is not None:
        headers.append(("amz-sdk-invocation-id", invocation_id))
        headers.append(("amz-sdk-request", f"attempt={attempt}"))
    request = httpx.Request("POST", url, headers=headers, content=body)
    request.extensions[SIGNING_EXTENSION] = signed
    return request


def request_id_of(headers: Mapping[str, str]) -> str | None:
    """The request id AWS put in the answer's headers, if any."""
    return headers.get("x-amzn-requestid") or headers.get("x-amz-request-id")


def error_code(raw: str) -> str:
    """``com.amazonaws.kms#NotFoundException:http://...`` -> ``NotFoundException``."""
    return raw.split(":", 1)[0].rsplit("#", 1)[-1].strip()


def _error_class(code: str, status_code: int) -> type[ServiceError]:
    from ._generated._errors import ERROR_CLASSES

    cls = ERROR_CLASSES.get(code) or CODE_ALIASES.get(code)
    if cls is not None:
        return cls
    if status_code == 429:
        return ThrottlingError
    if status_code >= 500:
        return ServiceFault
    return ServiceError


def parse_error(
    operation_name: str,
    status_code: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    retry_attempts: int = 0,
) -> ServiceError:
    """The typed error for an error answer. Never raises; always returns a ServiceError.

    The code comes from the ``X-Amzn-ErrorType`` header, else the JSON body's ``__type``,
    else its ``code``, else an XML ``<Code>``, else the HTTP status as a string (botocore's
    fallback). The message from ``message``/``Message`` (JSON or XML), else the reason phrase.
    """
    code = error_code(headers.get("x-amzn-errortype", ""))
    message = ""
    data: Any = None
    if body:
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            data = None
    if isinstance(data, dict):
        if not code:
            for key in ("__type", "code", "Code"):
                value = data.get(key)
                if isinstance(value, str) and error_code(value):
                    code = error_code(value)
                    break
        for key in ("message", "Message", "errorMessage"):
            value = data.get(key)
            if isinstance(value, str):
                message = value
                break
    elif body and body.lstrip()[:1] == b"<":
        match = re.search(_XML_CODE, body)
        if match and not code:
            code = _xml_text(match.group(1))
        match = re.search(_XML_MESSAGE, body, re.DOTALL)
        if match:
            message = _xml_text(match.group(1))
    if not code:
        code = str(status_code)
    if not message:
        try:
            message = http.HTTPStatus(status_code).phrase
        except ValueError:
            message = ""
    code, message = _clip(code, _MAX_CODE), _clip(message, _MAX_MESSAGE)
    cls = _error_class(code, status_code)
    return cls(
        message,
        code=code,
        status_code=status_code,
        request_id=request_id_of(headers),
        operation_name=operation_name,
        http_headers=dict(headers.items()),
        retry_attempts=retry_attempts,
    )


def _xml_text(raw: bytes) -> str:
    import html  # only for XML/HTML error bodies; ~1 ms to import

    # bytes.strip() drops exactly the ASCII whitespace that \s matches in a bytes pattern.
    return html.unescape(raw.strip().decode("utf-8", "replace"))


def _clip(text: str, limit: int) -> str:
    """``text``, or its first ``limit`` characters and a note of its length."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... [truncated: {len(text)} characters]"


def parse_response(
    operation: Operation,
    status_code: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    retry_attempts: int = 0,
) -> dict[str, Any]:
    """The result dict for a 2xx answer (with ``ResponseMetadata``); raise for anything else.

    Raises the ``ServiceError`` subclass for error answers and ``ResponseParseError`` for a
    success answer that is not the JSON object the operation returns.
    """
    if not 200 <= status_code < 300:
        raise parse_error(operation.name, status_code, headers, body, retry_attempts=retry_attempts)
    request_id = request_id_of(headers)
    output = operation.output
    if not body.strip():
        if output is not None and output.members:
            raise ResponseParseError(
                f"Empty response body from {operation.name}, which returns data",
                status_code=status_code,
                request_id=request_id,
                operation_name=operation.name,
            )
        result: dict[str, Any] = {}
    else:
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise ResponseParseError(
                f"Response from {operation.name} is not valid JSON ({type(exc).__name__})",
                status_code=status_code,
                request_id=request_id,
                operation_name=operation.name,
            ) from None
        if data is None and output is None:
            data = {}  # moto answers operations without output with `null`
        if not isinstance(data, dict):
            raise ResponseParseError(
                f"Response from {operation.name} is a JSON {type(data).__name__}, not an object",
                status_code=status_code,
                request_id=request_id,
                operation_name=operation.name,
            )
        if output is None:
            result = {}
        else:
            try:
                result = deserialize(output, data)
            except ResponseParseError as exc:
                raise ResponseParseError(
                    f"{exc.args[0]} in the response from {operation.name}",
                    status_code=status_code,
                    request_id=request_id,
                    operation_name=operation.name,
                ) from None
    result["ResponseMetadata"] = {
        "RequestId": request_id or "",
        "HTTPStatusCode": status_code,
        "HTTPHeaders": dict(headers.items()),
        "RetryAttempts": retry_attempts,
    }
    return result
