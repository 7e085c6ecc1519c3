"""The ``httpx.Request`` of a signed call (``to_request``), built without httpx's per-call
header work. Imported only by shells that send ``httpx.Request`` values (it imports httpx).

``httpx.Headers(pairs)`` encodes every name and value and lower-cases every name, through
two helper calls per header: about half of what building a signed ``httpx.Request`` costs
(``benchmarks/``). The names the core sends are few and fixed, so their encoded and
lower-cased forms are kept; only the values are encoded per call, with the same
``str.encode("ascii")`` httpx uses (so a non-ASCII value fails the same way).

The result is put in ``httpx.Headers``' own list (``_list``: ``(name, lower-cased name,
value)`` byte triples, unchanged from httpx 0.18 to 0.29). That attribute is not public,
so the fast form is used only after a check, on first use, that it builds exactly what
``httpx.Headers(pairs)`` builds for a signed header list (same items, same raw bytes,
same encoding, same lookups, the same once copied into an ``httpx.Request``); otherwise,
and on any surprise, ``httpx.Headers(pairs)`` is used. ``tests/test_httpx_headers.py``
holds the two forms equal for many lists, and fails if the fast form stops being used.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import httpx

from ._signer import SIGNING_EXTENSION

if TYPE_CHECKING:
    from ._sigv4 import SigningResult

__all__ = ["fast_headers_in_use", "request_headers", "to_request"]

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
        request = httpx.Request("POST", "http://h/", headers=fast)
        return _same(request.headers, httpx.Request("POST", "http://h/", headers=_SAMPLE).headers)
    except Exception:  # any change in httpx's internals: use the public form
        return False


def request_headers(pairs: Sequence[tuple[str, str]]) -> httpx.Headers:
    """``httpx.Headers(pairs)``, built in about a fifth of the time once checked."""
    global _fast
    if _fast is None:
        _fast = _check()
    if _fast:
        return _build(pairs)
    return httpx.Headers(pairs)


def fast_headers_in_use() -> bool:
    """Whether ``request_headers`` uses the fast form (checking it now if not yet done)."""
    request_headers(())
    return bool(_fast)


def to_request(
    url: httpx.URL, headers: list[tuple[str, str]], body: bytes, signed: SigningResult
) -> httpx.Request:
    """The ``httpx.Request`` for a POST of ``signed_headers``' result (``_protocol``).

    The same request as ``httpx.Request("POST", url, headers=headers, content=body)``
    (whose only additions, ``Host`` and ``Content-Length``, are in ``headers`` already),
    built in a third of the time: given the body as a ``ByteStream``, httpx neither looks
    for those headers nor builds the header list a second time, and the list itself comes
    from ``request_headers``.
    """
    request = httpx.Request(
        "POST",
        url,
        headers=request_headers(headers),
        stream=httpx.ByteStream(body),
        extensions={SIGNING_EXTENSION: signed},
    )
    request.read()
    return request
