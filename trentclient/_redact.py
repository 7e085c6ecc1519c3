"""Redaction for logs: what a request or an answer looked like, with every secret hidden.

Hidden: the signature in ``Authorization``, ``X-Amz-Security-Token``, and every member the
model marks sensitive (``Plaintext``, ``KeyStorePassword``, the XKS proxy secrets), in
requests and answers alike, so neither they nor their base64 ever reach a log. The secret
key is never on the wire at all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ._model import Operation, Shape

if TYPE_CHECKING:
    import httpx

__all__ = ["REDACTED", "describe_request", "describe_response", "redact_headers", "redact_value"]

REDACTED = "<redacted>"
_SIGNATURE = re.compile(r"Signature=[0-9A-Fa-f]+")
_SECRET_HEADERS = frozenset({"x-amz-security-token"})


def redact_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Header pairs with the signature and the session token hidden."""
    out = []
    for name, value in headers:
        lowered = name.lower()
        if lowered == "authorization":
            value = _SIGNATURE.sub("Signature=" + REDACTED, value)
        elif lowered in _SECRET_HEADERS:
            value = REDACTED
        out.append((name, value))
    return out


def redact_value(shape: Shape | None, value: Any) -> Any:
    """``value`` (wire JSON) with the model's sensitive members replaced by ``REDACTED``."""
    if shape is None:
        return value
    if shape.sensitive:
        return REDACTED
    if not shape.has_sensitive:
        return value
    if shape.type == "structure" and isinstance(value, dict):
        members = shape.members
        return {k: redact_value(members.get(k), v) for k, v in value.items()}
    if shape.type == "list" and isinstance(value, list):
        return [redact_value(shape.member, v) for v in value]
    if shape.type == "map" and isinstance(value, dict):
        return {k: redact_value(shape.value, v) for k, v in value.items()}
    return REDACTED  # a sensitive subtree of an unexpected type: hide it whole


def _body(shape: Shape | None, body: bytes) -> str:
    if not body:
        return "(empty)"
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return f"({len(body)} bytes, not JSON)"
    if shape is not None and shape.has_sensitive:
        data = redact_value(shape, data)
    text = json.dumps(data)
    return text if len(text) <= 4096 else text[:4096] + f"... ({len(body)} bytes)"


def _pairs(headers: httpx.Headers) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers.raw]


def describe_request(request: httpx.Request, operation: Operation) -> str:
    headers = redact_headers(_pairs(request.headers))
    return (
        f"{request.method} {request.url} headers={headers} "
        f"body={_body(operation.input, request.content)}"
    )


def describe_response(response: httpx.Response, body: bytes, operation: Operation) -> str:
    shape = operation.output if 200 <= response.status_code < 300 else None
    return (
        f"HTTP {response.status_code} headers={_pairs(response.headers)} body={_body(shape, body)}"
    )


def redact_url_password(url: str) -> str:
    """``url`` with the password of its userinfo replaced by ``***`` (proxy URLs)."""
    scheme, sep, rest = url.rpartition("://")
    head = f"{scheme}{sep}"
    netloc, slash, path = rest.partition("/")
    userinfo, at, host = netloc.rpartition("@")
    if not at:
        return url
    user, colon, _ = userinfo.partition(":")
    return f"{head}{user}{':***' if colon else ''}@{host}{slash}{path}"
