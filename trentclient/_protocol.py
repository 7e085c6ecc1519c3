"""The KMS JSON protocol (awsJson1.1): request values out, response values in. No I/O.

``serialize_body`` validates and serializes the parameters (nothing is built for bad input),
``signed_headers`` signs the request's header list (``trentclient._httpx_request`` wraps
it in an ``httpx.Request`` when a shell needs one). ``parse_response`` turns a status, the
headers and the body bytes into the result dict or raises the typed error.
"""

from __future__ import annotations

import http
import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ._exceptions import (
    ParamValidationError,
    ResponseParseError,
    ServiceError,
    ServiceFault,
    ThrottlingError,
)
from ._model import Operation
from ._serde import deserialize, serialize
from ._signer import Signer, host_of

if TYPE_CHECKING:
    import httpx

    from ._signer import _KeyPair
    from ._sigv4 import SigningResult
    from ._url import EndpointURL

__all__ = [
    "CONTENT_TYPE",
    "error_code",
    "parse_error",
    "parse_response",
    "serialize_body",
    "signed_headers",
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


#: ``json.dumps(value)`` is this encoder's ``encode(value)`` (the same defaults), less the
#: look at each keyword argument per call.
_JSON = json.JSONEncoder()


def serialize_body(
    operation: Operation, params: Mapping[str, Any], *, validate: bool = True
) -> bytes:
    """The request body: validated (unless ``validate`` is false: botocore's
    ``parameter_validation=False``), serialized, ``json.dumps`` with botocore's separators."""
    if validate:
        wire = serialize(operation.input, params, operation.name)
        return _JSON.encode(wire).encode("utf-8")
    from ._serde import serialize_unchecked

    loose = serialize_unchecked(operation.input, params, operation.name)
    try:
        return json.dumps(loose, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError) as exc:  # a set, an object, NaN: not JSON at all
        raise ParamValidationError(
            [f"The input cannot be serialized to JSON: {type(exc).__name__}: {exc}"],
            operation.name,
        ) from None


def signed_headers(
    operation: Operation,
    body: bytes,
    *,
    url: httpx.URL | EndpointURL,
    auth: Signer,
    user_agent: str,
    now: datetime | None = None,
    invocation_id: str | None = None,
    attempt: int = 1,
    credentials: _KeyPair | None = None,
    host: str | None = None,
) -> tuple[list[tuple[str, str]], SigningResult]:
    """The header list of a signed POST for ``operation`` carrying ``body``, and what was
    signed: what ``_httpx_request.to_request`` wraps in an ``httpx.Request``, and what the
    aiohttp transport sends as it is.

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
    return headers, signed


def request_id_of(headers: Mapping[str, str]) -> str | None:
    """The request id AWS put in the answer's headers, if any."""
    return headers.get("x-amzn-requestid") or headers.get("x-amz-request-id")


def error_code(raw: str) -> str:
    """``com.amazonaws.kms#NotFoundException:http://...`` -> ``NotFoundException``.

    botocore's reading of ``__type``: cut at the first ``:``, then keep what follows the
    last ``#`` (so a bare namespace, ``"ns#"``, gives ``""`` as there).
    """
    return raw.split(":", 1)[0].rsplit("#", 1)[-1]


def _error_class(code: str, status_code: int) -> type[ServiceError]:
    from ._generated._errors import ERROR_CLASSES  # (the modeled, unmodeled and aliased codes)

    cls = ERROR_CLASSES.get(code)
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

    ``code``, ``message`` and ``response`` are what botocore's JSON parser and client make
    of the same answer:

    - a 5xx whose body is empty or starts with ``<html>``: the status as the code, its
      reason phrase as the message, no ``RequestId`` in ``ResponseMetadata``;
    - a JSON object: the code from ``__type`` (the ``ns#`` prefix and ``:...`` suffix cut
      off; ``null`` gives ``""``), else the status; the message from ``message``, else
      ``Message``, else ``""`` (``null`` gives ``None``); for a modeled error, its
      ``message`` member also at the top of ``response``;
    - anything else (text, HTML, a 4xx with an empty body): the status as the code, the
      body's text as the message.

    Two additions of trentclient's: an XML error body gives its own ``<Code>`` and
    ``<Message>``, and an ``X-Amzn-ErrorType`` header gives the code when the body names
    none. Server text is clipped (``_MAX_CODE``, ``_MAX_MESSAGE`` characters).
    """
    request_id: str | None = headers.get("x-amzn-requestid")
    code: str | None = None  # the code the body names; None when it names none
    message: str | None = ""
    modeled: dict[str, Any] = {}
    data: Any = None
    stripped = body.strip()
    if status_code >= 500 and (not stripped or stripped.startswith(b"<html>")):
        message = _reason(status_code)  # botocore's "generic" error: no header is read
        request_id = None
    else:
        data, text = _error_body(body)
        if isinstance(data, dict):
            if "message" in data:
                message = _message_text(data["message"])
            elif "Message" in data:
                message = _message_text(data["Message"])
            kind = data.get("__type", _ABSENT)
            if isinstance(kind, str):
                code = error_code(kind)
            elif kind is None:
                code = ""
            # (a __type of another JSON type, which botocore cannot read, names nothing)
        elif stripped[:1] == b"<" and (xml := _xml_error(body)) is not None:
            code, message = xml
        else:
            message = text
    header_code = error_code(headers.get("x-amzn-errortype", "")).strip()
    if not code and header_code:
        code = header_code
    if code is None:
        code = str(status_code)
    code = _clip(code, _MAX_CODE)
    if message is not None:
        message = _clip(message, _MAX_MESSAGE)
    if isinstance(data, dict) and data.get("message") is not None and _is_modeled(code):
        modeled["message"] = message  # every KMS error shape has this one member
    cls = _error_class(code, status_code)
    return cls(
        message,
        code=code,
        status_code=status_code,
        request_id=request_id_of(headers),
        operation_name=operation_name,
        http_headers=dict(headers.items()),
        retry_attempts=retry_attempts,
        metadata_request_id=request_id,
        modeled_fields=modeled,
    )


_ABSENT = object()


def _is_modeled(code: str) -> bool:
    from ._generated._errors import MODELED_ERRORS

    return code in MODELED_ERRORS


def _reason(status_code: int) -> str:
    """The status's reason phrase (``http.client.responses``, as botocore), or ``""``."""
    try:
        return http.HTTPStatus(status_code).phrase
    except ValueError:
        return ""


def _error_body(body: bytes) -> tuple[Any, str]:
    """``(the JSON value or None, the text)`` of an error body, decoded as botocore does:
    UTF-8 first (a BOM or another encoding is text, not JSON), then ``json.loads``."""
    if not body:
        return {}, ""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:  # botocore raises; this is text all the same
        return None, body.decode("utf-8", "replace")
    try:
        return json.loads(text), text
    except (ValueError, RecursionError):
        return None, text


def _message_text(value: Any) -> str | None:
    """A JSON message as ``message`` holds it: a string as is, ``null`` as None, any other
    value (botocore keeps the raw value) as its JSON text."""
    if value is None or isinstance(value, str):
        return value
    try:
        return json.dumps(value)
    except (ValueError, RecursionError):
        return ""


def _xml_error(body: bytes) -> tuple[str | None, str] | None:
    """``(code or None, message)`` of an XML error (a non-blank ``<Code>`` or a
    ``<Message>``), or None when the markup is no AWS error."""
    match = re.search(_XML_CODE, body)
    code = _xml_text(match.group(1)) if match else ""
    match = re.search(_XML_MESSAGE, body, re.DOTALL)
    if not code and match is None:
        return None
    return code or None, _xml_text(match.group(1)) if match else ""


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
