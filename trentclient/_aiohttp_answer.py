"""What comes back through ``AiohttpTransport`` (``trentclient._aiohttp``): the answer's
body as a stream (``_ResponseStream``), the answer read without an ``httpx.Response``
(``DirectAnswer``, ``direct_answer``), and aiohttp's failures raised as httpx's errors
(``raise_mapped``; see the transport's module doc for the mapping). httpx is imported only
to raise one of its errors or to decode a header it must decode.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, NoReturn

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy

from ._header_map import header_map

if TYPE_CHECKING:
    import httpx

    from ._aiohttp import _Slots

__all__ = ["DirectAnswer", "direct_answer", "header_map", "raise_mapped"]


def _text(exc: BaseException, fallback: str) -> str:
    """A non-empty message for the httpx error (aiohttp's sometimes have none)."""
    message = str(exc)
    return message if message else f"{fallback} ({type(exc).__name__})"


def _scrub(exc: BaseException) -> None:
    """Redact the request's headers in an aiohttp ``ClientResponseError`` (a malformed
    answer), whose ``repr`` and ``args`` show its ``request_info``: the session token and
    the signature would otherwise sit in the ``__cause__`` of the error trentclient raises."""
    if isinstance(exc, aiohttp.ClientResponseError):
        from ._redact import redact_headers  # (an error path: not loaded before one)

        info = exc.request_info
        headers = CIMultiDictProxy(CIMultiDict(redact_headers(info.headers.items())))
        exc.request_info = aiohttp.RequestInfo(info.url, info.method, headers, info.real_url)
        exc.args = (exc.request_info, exc.history)


def raise_mapped(
    exc: BaseException, make_request: Callable[[], httpx.Request], *, sent: bool
) -> NoReturn:
    """Raise the httpx exception for an aiohttp (or socket) failure, ``from exc``.

    ``make_request`` gives the request the httpx exception carries (the direct send builds
    one only now, on failure).

    ``sent``: whether the request had reached a connection. A timeout before that is a
    connect timeout, after it a read timeout (aiohttp 3.10+ tells them apart as
    ``ConnectionTimeoutError`` and ``SocketTimeoutError``; 3.9 raises ``ServerTimeoutError``
    for both, so the phase decides).
    """
    import httpx

    _scrub(exc)
    request = make_request()
    if isinstance(exc, TimeoutError):  # aiohttp's ServerTimeoutError and its subclasses
        if sent:
            raise httpx.ReadTimeout(_text(exc, "read timeout"), request=request) from exc
        raise httpx.ConnectTimeout(_text(exc, "connect timeout"), request=request) from exc
    if isinstance(exc, aiohttp.ClientConnectorError):  # refused, DNS, TLS, unreachable
        raise httpx.ConnectError(_text(exc, "could not connect"), request=request) from exc
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        message = "Server disconnected without sending a response."
        if exc.message and not isinstance(exc.message, str):
            message = f"Server disconnected: {exc.message!r}"  # a partial answer's head
        raise httpx.RemoteProtocolError(message, request=request) from exc
    if isinstance(exc, (aiohttp.ClientPayloadError, aiohttp.ClientResponseError)):
        text = _text(exc, "malformed or incomplete answer")
        raise httpx.RemoteProtocolError(text, request=request) from exc
    if isinstance(exc, aiohttp.InvalidURL):
        raise httpx.UnsupportedProtocol(_text(exc, "invalid URL"), request=request) from exc
    if isinstance(exc, (aiohttp.ClientConnectionError, OSError)):
        raise httpx.ReadError(_text(exc, "connection reset or closed"), request=request) from exc
    raise httpx.TransportError(_text(exc, "aiohttp failure"), request=request) from exc


class _ResponseStream:
    """The answer's body, streamed from aiohttp; its slot and connection are given back at
    the end of the body or at ``aclose()``, whichever comes first. (``httpx.Response``
    takes the ``httpx.AsyncByteStream`` subclass in ``trentclient._aiohttp_httpx``.)"""

    __slots__ = ("_done", "_make_request", "_response", "_slots")

    def __init__(
        self,
        response: aiohttp.ClientResponse,
        make_request: Callable[[], httpx.Request],
        slots: _Slots | None,
    ) -> None:
        self._response = response
        self._make_request = make_request
        self._slots = slots
        self._done = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except (aiohttp.ClientError, OSError) as exc:  # OSError includes TimeoutError
            self.failed(exc)
        self._finish(keep_connection=True)

    async def read(self, take: Callable[[bytes], object]) -> None:
        """``__aiter__`` as a plain loop handing each chunk to ``take`` (which may raise:
        the body is then left unread, and ``finish()`` closes the connection)."""
        readany = self._response.content.readany
        try:
            while chunk := await readany():
                take(chunk)
        except (aiohttp.ClientError, OSError) as exc:  # OSError includes TimeoutError
            self.failed(exc)
        self._finish(keep_connection=True)

    def failed(self, exc: BaseException) -> NoReturn:
        """The body could not be read: close the connection, raise the httpx error."""
        self._finish(keep_connection=False)
        raise_mapped(exc, self._make_request, sent=True)

    def _finish(self, *, keep_connection: bool) -> None:
        if self._done:
            return
        self._done = True
        try:
            if keep_connection:
                self._response.release()  # back to the pool (closed if not reusable)
            else:
                self._response.close()
        finally:
            if self._slots is not None:
                self._slots.release()

    async def aclose(self) -> None:
        self.finish()

    def finish(self) -> None:
        # A body not read to its end leaves the connection unusable: close it.
        self._finish(keep_connection=self._response.content.at_eof())


def direct_answer(
    response: aiohttp.ClientResponse,
    make_request: Callable[[], httpx.Request],
    slots: _Slots | None,
) -> DirectAnswer:
    """``send_direct``'s answer: the head and the body to read, or, for an answer with a
    ``Content-Encoding``, the ``httpx.Response`` (with its request), for httpx to decode."""
    for name, _ in response.raw_headers:
        if name.lower() == b"content-encoding":
            from ._aiohttp_httpx import given, httpx_response

            encoded = httpx_response(response, given(make_request()), slots)
            return DirectAnswer(response, make_request, slots, encoded)
    return DirectAnswer(response, make_request, slots)


class DirectAnswer:
    """An answer's head, read without an ``httpx.Response`` (``send_direct``): ``status``,
    ``headers`` as ``httpx.Headers`` gives them (lower-case names, repeated ones joined
    with ``", "``, decoded as httpx decodes them), ``raw_headers`` as they came; then the
    body, read by ``read()``. ``close()`` gives the connection and the slot back
    (kept for reuse only when the body was read to its end).

    For an answer with a ``Content-Encoding``, ``response`` is the ``httpx.Response`` to
    read instead (httpx decodes the body; the response holds the connection and the slot,
    and ``read`` and ``close`` are not to be used); else ``None``."""

    __slots__ = ("_response", "_stream", "headers", "raw_headers", "response", "status")

    def __init__(
        self,
        response: aiohttp.ClientResponse,
        make_request: Callable[[], httpx.Request],
        slots: _Slots | None,
        encoded: httpx.Response | None = None,
    ) -> None:
        self._response = response
        self.response = encoded
        self.status: int = response.status
        raw = response.raw_headers
        self.raw_headers: tuple[tuple[bytes, bytes], ...] = raw
        self.headers: dict[str, str] = {} if encoded is not None else header_map(raw)
        # (With ``response`` set, the stream here is never read: that one holds the slot.)
        self._stream = _ResponseStream(
            response, make_request, None if encoded is not None else slots
        )

    def read(self, take: Callable[[bytes, int, Mapping[str, str]], object]) -> Awaitable[None]:
        """Hand each chunk of the body to ``take(chunk, status, headers)`` as it arrives, in
        a plain loop rather than through async generators (``take`` may raise: the body is
        then left unread, and ``close()`` closes the connection). aiohttp's failures raise
        as httpx's."""
        status, headers = self.status, self.headers
        return self._stream.read(lambda chunk: take(chunk, status, headers))

    def close(self) -> None:
        self._stream.finish()

    @property
    def http_version(self) -> str:
        """As ``httpx.Response.http_version`` says it (``"HTTP/1.1"``)."""
        version = self._response.version
        return f"HTTP/{version.major}.{version.minor}" if version else "HTTP/1.1"

    @property
    def reason_phrase(self) -> str:
        """As ``httpx.Response.reason_phrase`` says it for this transport's responses."""
        return (self._response.reason or "").encode("ascii", "replace").decode("ascii")
