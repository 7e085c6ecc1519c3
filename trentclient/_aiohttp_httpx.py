"""The httpx side of ``AiohttpTransport`` (``trentclient._aiohttp``): the ``httpx.Response``
for an aiohttp answer, with its body as an ``httpx.AsyncByteStream``.

Apart from the transport so that sending directly (``AiohttpTransport.send_direct``) never
imports httpx: this module is loaded when an ``httpx.Request`` is sent through the transport
(``handle_async_request``) or an answer must be decoded by httpx (a ``Content-Encoding``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import aiohttp
import httpx

from ._aiohttp import _Slots
from ._aiohttp_answer import _ResponseStream

__all__ = ["ResponseStream", "given", "httpx_response", "timeouts_of"]


class ResponseStream(_ResponseStream, httpx.AsyncByteStream):
    """``_ResponseStream`` as the ``httpx.AsyncByteStream`` an ``httpx.Response`` reads."""

    __slots__ = ()


def given(request: httpx.Request) -> Callable[[], httpx.Request]:
    """``make_request`` for a request that exists already."""
    return lambda: request


def timeouts_of(
    request: httpx.Request, default: Mapping[str, float | None]
) -> Mapping[str, float | None]:
    """The request's ``timeout`` extension (httpx's four), else ``default``."""
    timeout: Mapping[str, float | None] = request.extensions.get("timeout") or default
    return timeout


def httpx_response(
    response: aiohttp.ClientResponse,
    make_request: Callable[[], httpx.Request],
    slots: _Slots | None,
) -> httpx.Response:
    """The ``httpx.Response`` for an aiohttp response whose head has arrived."""
    version = response.version
    return httpx.Response(
        response.status,
        headers=list(response.raw_headers),
        stream=ResponseStream(response, make_request, slots),
        request=make_request(),
        extensions={
            "http_version": f"HTTP/{version.major}.{version.minor}".encode()
            if version
            else b"HTTP/1.1",
            "reason_phrase": (response.reason or "").encode("ascii", "replace"),
        },
    )
