"""The ``httpx.Request`` of a signed call (``to_request``), built without httpx's per-call
header and body work. Imported only by shells that send ``httpx.Request`` values (it
imports httpx).

``httpx.Headers(pairs)`` encodes every name and value and lower-cases every name, through
two helper calls per header, and ``Request.read()`` looks for ``_content``, checks the
stream against ``typing.Iterable`` and joins it: together about a third of what building a
signed ``httpx.Request`` costs. Here the names the core sends (few and fixed) keep their
encoded and lower-cased forms; only the values are encoded per call, with the same
``str.encode("ascii")`` httpx uses (so a non-ASCII value fails the same way); and the body
the request holds in a ``ByteStream`` is its content as it is.

Both go in httpx's own attributes: ``Headers._list`` (``(name, lower-cased name, value)``
byte triples, unchanged from httpx 0.18 to 0.29) and ``Request._content`` (what ``read()``
sets). Those are not public, so the fast form is used only after a check, on first use,
that it builds exactly what ``httpx.Headers(pairs)`` and
``httpx.Request(..., content=body)`` build (same items, raw bytes, encoding, lookups;
same content, stream and ``read()``); otherwise, and on any surprise, the request is built
the public way. ``tests/test_build_shortcuts.py`` holds the two forms equal for many header
lists, and fails if the fast form stops being used.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import httpx

from ._signer import SIGNING_EXTENSION

if TYPE_CHECKING:
    from ._sigv4 import SigningResult

__all__ = ["fast_form_in_use", "request_headers", "to_request"]

#: Encoded and lower-cased forms of the names seen (a dozen in practice; bounded anyway).
_NAMES: dict[str, tuple[bytes, bytes]] = {}
_NAMES_MAX = 64
#: ``None`` until the first call checks the fast form; then whether it is used.
_fast: bool | None = None

_SAMPLE = [
    ("Host", "kms.us-east-1.amazonaws.com"),
    ("X-Amz-Target", "TrentService.Encrypt"),
    ("Content-Type", "application/x-amz-json-1.1"),
    ("User-Agent", "trentclient/0 md/httpx#0"),
    ("Content-Length", "2"),
    ("X-Amz-Date", "20261202T000000Z"),
    ("X-Amz-Security-Token", "token/with+odd=chars"),
    ("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20261202/us-east-1/kms/aws4_request"),
    ("amz-sdk-invocation-id", "00000000-0000-4000-8000-000000000000"),
    ("amz-sdk-request", "attempt=1"),
    ("x-dup", "1"),
    ("X-DUP", "2"),
]


def _build(pairs: Sequence[tuple[str, str]]) -> httpx.Headers:
    names = _NAMES
    items = []
    for name, value in pairs:
        encoded = names.get(name)
        if encoded is None:
            raw = name.encode("ascii")
            encoded = (raw, raw.lower())
            if len(names) >= _NAMES_MAX:
                names.clear()
            names[name] = encoded
        items.append((encoded[0], encoded[1], value.encode("ascii")))
    headers = httpx.Headers()
    headers._list = items
    return headers


def _same(fast: httpx.Headers, public: httpx.Headers) -> bool:
    return (
        fast._list == public._list
        and fast.raw == public.raw
        and fast.multi_items() == public.multi_items()
        and fast.encoding == public.encoding
        and all(fast.get_list(k) == public.get_list(k) for k in ("x-dup", "HOST", "nope"))
    )


def _check() -> bool:
    try:
        fast, public = _build(_SAMPLE), httpx.Headers(_SAMPLE)
        if not _same(fast, public):
            return False
        body = b'{"KeyId": "k"}'
        ours = _fast_request(httpx.URL("http://h/"), _SAMPLE, body, {})
        theirs = httpx.Request("POST", "http://h/", headers=_SAMPLE, content=body)
        return (
            _same(ours.headers, theirs.headers)
            and theirs.__dict__.get("_content") == body  # what httpx's read() keeps
            and ours.content == theirs.content == body
            and ours.read() == body
            and type(ours.stream) is type(theirs.stream)
            and b"".join(ours.stream) == b"".join(theirs.stream) == body  # type: ignore[arg-type]
        )
    except Exception:  # any change in httpx's internals: use the public form
        return False


def _fast_request(
    url: httpx.URL, headers: Sequence[tuple[str, str]], body: bytes, extensions: dict[str, Any]
) -> httpx.Request:
    request = httpx.Request(
        "POST", url, headers=_build(headers), stream=httpx.ByteStream(body), extensions=extensions
    )
    request._content = body  # what read() would set, from the same stream
    return request


def request_headers(pairs: Sequence[tuple[str, str]]) -> httpx.Headers:
    """``httpx.Headers(pairs)``, built in about a fifth of the time once checked."""
    if _fast is None:
        _set_fast()
    if _fast:
        return _build(pairs)
    return httpx.Headers(pairs)


def _set_fast() -> None:
    global _fast
    _fast = _check()


def fast_form_in_use() -> bool:
    """Whether ``to_request`` and ``request_headers`` use the fast form (checked now if not
    yet done)."""
    if _fast is None:
        _set_fast()
    return bool(_fast)


def to_request(
    url: httpx.URL, headers: list[tuple[str, str]], body: bytes, signed: SigningResult
) -> httpx.Request:
    """The ``httpx.Request`` for a POST of ``signed_headers``' result (``_protocol``).

    The same request as ``httpx.Request("POST", url, headers=headers, content=body)``
    (whose only additions, ``Host`` and ``Content-Length``, are in ``headers`` already),
    built in a fifth of the time: given the body as a ``ByteStream``, httpx neither looks
    for those headers nor builds the header list a second time, and the fast form (above)
    fills in the headers and the content.
    """
    if _fast is None:
        _set_fast()
    extensions: dict[str, Any] = {SIGNING_EXTENSION: signed}
    if _fast:
        return _fast_request(url, headers, body, extensions)
    request = httpx.Request(
        "POST", url, headers=headers, stream=httpx.ByteStream(body), extensions=extensions
    )
    request.read()
    return request
