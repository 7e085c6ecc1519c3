"""``Client``'s direct send: a signed call handed to httpcore's connection pool (the one
``httpx.HTTPTransport`` sends through) without an ``httpx.Request``, an ``httpx.Response``
or httpx itself.

Measured before this (issue 14): of the CPU of a sequential call, building the
``httpx.Request`` and reading the ``httpx.Response`` through ``HTTPTransport`` took about
a fifth, and ``import httpx`` (which httpcore does not need) was a third of a cold start.
``Client`` builds its pool here (``new_pool``: what ``HTTPTransport(**options)`` builds
for a client with no proxy) and sends on it (``send``): the core's header list as bytes,
in order and case (``Host`` and ``Content-Length`` are in it already, as httpx would add
them), the body, httpx's four timeouts; the answer's status, headers and body go straight
to the core. So the bytes on the wire, the pool, its limits, TLS and timeouts are
``HTTPTransport``'s.

Errors are httpx's, mapped from httpcore's as ``HTTPTransport`` maps them (the most
specific of the same-named classes, the message kept, ``from`` the httpcore error), with
the ``httpx.Request`` that ``make_request`` builds only then; so trentclient's retry rules
and error classes apply unchanged. httpx is imported only to raise one of its errors, to
decode a ``Content-Encoding`` (the answer is then handed back as the ``httpx.Response``
``HTTPTransport`` would give), or when something asks for the ``httpx.Client``.

``Client`` sends through httpx instead (its ``httpx.Client``, made then over this pool)
while anything could be watching: a test double on httpx's or httpcore's send
(``_base.send_is_mocked``), hooks or a replaced step on that ``httpx.Client``, a
replaced ``handle_request`` on its transport, or trentclient's DEBUG log (which describes
httpx's objects); and always for a proxy (``HTTPTransport`` builds the proxy's pool).
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, NoReturn

import httpcore

from ._header_map import header_map

if TYPE_CHECKING:
    import httpx

    from ._core import PoolLimits
    from ._url import EndpointURL

__all__ = [
    "ERRORS",
    "LIBRARY",
    "DirectAnswer",
    "new_async_pool",
    "new_pool",
    "pool_url",
    "raise_mapped",
    "send",
]

#: The ``User-Agent``'s name for the library that carries these requests.
LIBRARY = f"httpcore#{httpcore.__version__}"

#: httpcore's errors that ``HTTPTransport`` maps to httpx's of the same name.
_MAPPED = (
    "TimeoutException",
    "ConnectTimeout",
    "ReadTimeout",
    "WriteTimeout",
    "PoolTimeout",
    "NetworkError",
    "ConnectError",
    "ReadError",
    "WriteError",
    "ProxyError",
    "UnsupportedProtocol",
    "ProtocolError",
    "LocalProtocolError",
    "RemoteProtocolError",
)

#: httpcore's errors (the base classes of all it raises).
ERRORS: tuple[type[Exception], ...] = tuple(getattr(httpcore, name) for name in _MAPPED)

#: Encoded forms of the header names seen (a dozen in practice; bounded anyway).
_NAMES: dict[str, bytes] = {}
_NAMES_MAX = 64


def _pool_options(
    ssl_context: ssl.SSLContext,
    limits: PoolLimits,
    socket_options: Iterable[tuple[int, int, int]] | None,
) -> dict[str, Any]:
    return {
        "ssl_context": ssl_context,
        "max_connections": limits.max_connections,
        "max_keepalive_connections": limits.max_keepalive_connections,
        "keepalive_expiry": limits.keepalive_expiry,
        "http1": True,
        "http2": False,
        "uds": None,
        "local_address": None,
        "retries": 0,
        "socket_options": list(socket_options) if socket_options else None,
    }


def new_pool(
    ssl_context: ssl.SSLContext,
    limits: PoolLimits,
    socket_options: Iterable[tuple[int, int, int]] | None = None,
) -> httpcore.ConnectionPool:
    """The pool ``httpx.HTTPTransport(verify=ssl_context, limits=limits,
    socket_options=socket_options)`` makes (HTTP/1.1, no retries, no proxy)."""
    return httpcore.ConnectionPool(**_pool_options(ssl_context, limits, socket_options))


def new_async_pool(
    ssl_context: ssl.SSLContext,
    limits: PoolLimits,
    socket_options: Iterable[tuple[int, int, int]] | None = None,
) -> httpcore.AsyncConnectionPool:
    """``new_pool`` for asyncio: what ``httpx.AsyncHTTPTransport`` makes."""
    return httpcore.AsyncConnectionPool(**_pool_options(ssl_context, limits, socket_options))


def pool_url(url: EndpointURL) -> httpcore.URL:
    """The ``httpcore.URL`` ``HTTPTransport`` makes for a request to ``url``."""
    return httpcore.URL(
        scheme=url.scheme.encode("ascii"), host=url.raw_host, port=url.port, target=url.raw_path
    )


def raise_mapped(exc: BaseException, make_request: Callable[[], httpx.Request]) -> NoReturn:
    """Raise httpx's error for httpcore's ``exc`` (``exc`` itself when httpx maps none)."""
    mapped: type[httpx.HTTPError] | None = None
    if isinstance(exc, Exception):
        import httpx

        for name in _MAPPED:
            if isinstance(exc, getattr(httpcore, name)):
                to: type[httpx.HTTPError] = getattr(httpx, name)
                if mapped is None or issubclass(to, mapped):
                    mapped = to
    if mapped is None:
        raise exc
    error = mapped(str(exc))
    error.request = make_request()
    raise error from exc


def _raw_headers(pairs: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    names = _NAMES
    raw = []
    for name, value in pairs:
        encoded = names.get(name)
        if encoded is None:
            encoded = name.encode("ascii")
            if len(names) >= _NAMES_MAX:
                names.clear()
            names[name] = encoded
        raw.append((encoded, value.encode("ascii")))
    return raw


def send(
    pool: httpcore.ConnectionPool,
    url: httpcore.URL,
    headers: list[tuple[str, str]],
    body: bytes,
    timeout: Mapping[str, float | None],
    make_request: Callable[[], httpx.Request],
) -> DirectAnswer:
    """POST ``body`` with ``headers`` (the core's list, in order) to ``url`` on ``pool``:
    what ``HTTPTransport.handle_request`` puts on the wire for ``make_request()``, with
    ``timeout`` (httpx's four). Returns the answer's head, its body still to read."""
    try:
        raw = _raw_headers(headers)
    except UnicodeEncodeError:
        make_request()  # httpx refuses a non-ASCII header value: raise as it does
        raise
    request = httpcore.Request(
        b"POST", url, headers=raw, content=body, extensions={"timeout": timeout}
    )
    try:
        response = pool.handle_request(request)
    except Exception as exc:
        raise_mapped(exc, make_request)
    return DirectAnswer(response, make_request)


class DirectAnswer:
    """An answer's head, read without an ``httpx.Response``: ``status``, ``headers`` as
    ``httpx.Headers`` gives them, ``raw_headers`` as they came; then the body, read by
    ``read()``. ``close()`` gives the connection back (kept for reuse only when the body
    was read to its end, as httpcore decides).

    With a ``Content-Encoding``, ``encoded()`` gives the ``httpx.Response`` to read instead
    (httpx decodes the body, as it does for ``HTTPTransport``'s answers)."""

    __slots__ = ("_make_request", "_response", "headers", "raw_headers", "status")

    def __init__(
        self, response: httpcore.Response, make_request: Callable[[], httpx.Request]
    ) -> None:
        self._response = response
        self._make_request = make_request
        self.status: int = response.status
        self.raw_headers: list[tuple[bytes, bytes]] = response.headers
        self.headers: dict[str, str] = header_map(response.headers)

    @property
    def content_encoded(self) -> bool:
        return "content-encoding" in self.headers

    def read(self, take: Callable[[bytes, int, Mapping[str, str]], object]) -> None:
        """Hand each chunk of the body to ``take(chunk, status, headers)`` (which may raise:
        the body is then left unread, and ``close()`` closes the connection)."""
        status, headers = self.status, self.headers
        stream: Iterable[bytes] = self._response.stream  # type: ignore[assignment]
        try:
            for chunk in stream:
                take(chunk, status, headers)
        except ERRORS as exc:  # (not what ``take`` raises)
            raise_mapped(exc, self._make_request)

    def close(self) -> None:
        self._response.close()

    def encoded(self) -> httpx.Response:
        """The ``httpx.Response`` ``HTTPTransport`` gives for this answer, with its request."""
        import httpx

        response = httpx.Response(
            status_code=self.status,
            headers=self.raw_headers,
            stream=_stream_class()(self._response.stream, self._make_request),
            extensions=self._response.extensions,
            request=self._make_request(),
        )
        return response

    @property
    def http_version(self) -> str:
        """As ``httpx.Response.http_version`` says it."""
        version: bytes = self._response.extensions.get("http_version", b"HTTP/1.1")
        return version.decode("ascii", errors="ignore")

    @property
    def reason_phrase(self) -> str:
        """As ``httpx.Response.reason_phrase`` says it."""
        reason: bytes | None = self._response.extensions.get("reason_phrase")
        if reason is None:
            import httpx

            return httpx.codes.get_reason_phrase(self.status)
        return reason.decode("ascii", errors="ignore")


_STREAM: Any = None


def _stream_class() -> Any:
    """httpx's ``ResponseStream`` for ``HTTPTransport``'s answers: an
    ``httpx.SyncByteStream`` over httpcore's, its errors mapped (made on first use)."""
    global _STREAM
    if _STREAM is None:
        import httpx

        class ResponseStream(httpx.SyncByteStream):
            def __init__(self, stream: Any, make_request: Callable[[], httpx.Request]) -> None:
                self._stream = stream
                self._make_request = make_request

            def __iter__(self) -> Any:
                try:
                    yield from self._stream
                except ERRORS as exc:
                    raise_mapped(exc, self._make_request)

            def close(self) -> None:
                if hasattr(self._stream, "close"):
                    self._stream.close()

        _STREAM = ResponseStream
    return _STREAM
