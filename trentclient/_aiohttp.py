"""``AiohttpTransport``: httpx's async transport interface over aiohttp's connection pool.

``AsyncClient`` uses it by default when aiohttp is installed (``Config.async_http``):
httpcore's async pool slows down badly with many calls in flight (about 350 calls/s at 64
in flight in ``benchmarks/RESULTS.md``, where aiohttp's pool carried about 3,400).
``import trentclient`` loads neither aiohttp nor this module: ``AsyncClient`` imports both
when it is built to send through aiohttp.

What goes on the wire is exactly the ``httpx.Request``: its headers, in order and case
(aiohttp adds no ``User-Agent``, ``Accept``, ``Accept-Encoding`` or ``Content-Type`` of its
own, and keeps no cookies), its body bytes; no redirects, no proxies from the environment
(the ``httpx.AsyncClient`` around the transport handles ``trust_env`` as it always does).
The answer is handed back raw (``auto_decompress=False``) and streamed: httpx decodes any
``Content-Encoding`` as it does for its own transport, and the aiohttp response goes back
to the pool when the body has been read or the ``httpx.Response`` is closed.

Timeouts, from ``request.extensions["timeout"]`` (httpx's four, in seconds or ``None``):

- ``pool``: the wait for one of ``max_connections`` slots, enforced here with a semaphore
  (aiohttp's own ``connect`` timeout lumps that wait together with connecting, so it could
  not tell a busy pool from a slow server). A slot is held from sending until the answer's
  body is read or the response is closed, as an httpx connection is. -> ``PoolTimeout``
- ``connect``: aiohttp's ``connect`` and ``sock_connect``: DNS, TCP and TLS of a new
  connection (the aiohttp pool never queues: the semaphore has already waited).
  -> ``ConnectTimeout``
- ``read``: aiohttp's ``sock_read``: the longest wait for any bytes of the answer, from
  the end of sending the request, head and body alike (httpx: per read). -> ``ReadTimeout``
- ``write``: aiohttp has none. The whole phase from connecting to the answer's head is
  bounded by ``connect + write + read``; aiohttp's own timers end the connect and read
  parts first, so this bound fires only when sending stalled. -> ``WriteTimeout``. One
  timer watches the bounds of all the requests in flight (``_Bounds``), not one each.

aiohttp rounds timers of 5 s or more up to a whole second (``timeout_ceil_threshold``).

Stale connections: before a request that finds no other request of this transport waiting
for its answer, the transport yields to the event loop once, so a close by the server that
is already waiting on an idle pooled socket is seen (as httpcore's readability check sees
it) and that connection is not used. Without it, a call started before the loop had looked
at the socket (say, after the loop was busy or stopped) sent its request on the dead
connection and failed with "Server disconnected", costing a retry. While other requests
are in flight the loop polls every socket between their steps anyway, so the yield (a loop
pass per call, about 4% of the CPU of a call at 64 in flight) is skipped then.

Errors become httpx's, with the aiohttp exception as ``__cause__`` (the copy of the
request's headers a ``ClientResponseError`` carries is redacted first, as in the DEBUG
logs), so trentclient's retry rules and error classes apply unchanged: connect timeout ->
``ConnectTimeout``; socket read timeout -> ``ReadTimeout``; refused, unreachable, DNS and
TLS failures -> ``ConnectError``; the server closing without an answer ->
``RemoteProtocolError`` (httpx: "Server disconnected without sending a response."); an
answer cut short or malformed -> ``RemoteProtocolError``; resets and other socket errors
-> ``ReadError``.

Mocks: respx, pytest-httpx and ``unittest.mock`` intercept requests by replacing the send
method of httpcore's pool or of ``httpx.AsyncHTTPTransport``, which this transport never
calls. While such a replacement is in place (checked per request: two attribute
lookups), requests go through an ``httpx.AsyncHTTPTransport`` instead, so ``with
respx.mock:`` routes ``AsyncClient``'s calls whatever the transport.

The direct send: ``AsyncClient`` hands this transport the core's header list and body
(``send_direct``) instead of an ``httpx.Request``, and reads the status, headers and body
of the answer (``DirectAnswer``) straight into the core, instead of an ``httpx.Response``:
about a quarter of the CPU of a call at 64 in flight went into building and reading those
two. The body is read in a plain loop (``DirectAnswer.read``), not through async
generators. What goes on the wire, the timeouts, slots and errors are the code above, shared;
the ``httpx.Request`` an error carries is built only then. An answer with a
``Content-Encoding`` is handed back as the ``httpx.Response`` above, for httpx to decode.
``AsyncClient`` sends through ``handle_async_request`` instead while anything could be
watching it (``can_send_direct``: it is replaced on the class or the instance, or a mock is
active) and while trentclient's DEBUG log, which describes httpx's objects, is on.

httpx itself is not imported here: ``AsyncClient`` sends directly without it (its
``httpx.AsyncClient`` is made only when something needs one), so the transport implements
httpx's ``AsyncBaseTransport`` interface (``handle_async_request``, ``aclose``, ``async
with``) without subclassing it. What comes back (the body stream, ``DirectAnswer``, the
error mapping above) is in ``trentclient._aiohttp_answer``; the httpx side
(``httpx.Response`` and its stream) in ``trentclient._aiohttp_httpx``; httpx's errors are
imported only to raise one.

The ``aiohttp.ClientSession`` is made on the first request, inside the running event loop,
and belongs to that loop: using the transport from another loop while that one lives raises
``RuntimeError`` (as httpx's own pool fails there too). ``aclose()`` closes the session and
its connections; so does the end of its loop under ``asyncio.run`` (``_close_at_loop_end``),
after which a later loop gets a session of its own.
"""

from __future__ import annotations

import asyncio
import contextvars
import io
import socket
import ssl
import weakref
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import aiohttp
from aiohttp.connector import Connection
from yarl import URL

from ._aiohttp_answer import DirectAnswer, direct_answer, raise_mapped
from ._base import send_is_mocked

if TYPE_CHECKING:
    import httpx

    from ._core import PoolLimits
    from ._url import EndpointURL

__all__ = ["AiohttpTransport", "DirectAnswer"]

T = TypeVar("T")

#: The socket transports the current request was sent on (set per request, in its task).
_SENT_ON: contextvars.ContextVar[list[asyncio.Transport]] = contextvars.ContextVar(
    "trentclient_aiohttp_sent_on"
)


class _Request(aiohttp.ClientRequest):
    """Notes which socket each request goes out on, so a failed one can be aborted."""

    async def send(self, conn: Connection) -> aiohttp.ClientResponse:
        sent_on = _SENT_ON.get(None)
        transport = conn.transport
        if sent_on is not None and transport is not None:
            sent_on.append(transport)
        return await super().send(conn)


# Headers aiohttp would add on its own; the request's own (signed) headers are the only ones.
_SKIP_AUTO_HEADERS = ("User-Agent", "Accept", "Accept-Encoding", "Content-Type")


class _Slots:
    """The pool's ``max_connections`` as a semaphore, so a full pool is a ``PoolTimeout``."""

    __slots__ = ("_semaphore",)

    def __init__(self, size: int) -> None:
        self._semaphore = asyncio.Semaphore(size)

    async def acquire(
        self, timeout: float | None, make_request: Callable[[], httpx.Request]
    ) -> None:
        semaphore = self._semaphore
        if not semaphore.locked():
            await semaphore.acquire()  # free: no suspension, no timer
            return
        try:
            async with asyncio.timeout(timeout):
                await semaphore.acquire()
        except TimeoutError as exc:
            import httpx

            raise httpx.PoolTimeout(
                f"Timed out after {timeout} s waiting for a free connection "
                "(all max_pool_connections are in use)",
                request=make_request(),
            ) from exc

    def release(self) -> None:
        self._semaphore.release()


async def _close_at_loop_end(
    owner: weakref.ref[AiohttpTransport], session: aiohttp.ClientSession
) -> AsyncIterator[None]:
    """Close ``session`` when its event loop ends, if nothing has closed it before.

    An async generator left at its ``yield``: ``asyncio.run`` (``loop.shutdown_asyncgens``)
    closes such generators as the loop ends, which runs this ``finally`` on that loop. So
    ``asyncio.run(kms.describe_key(...))`` without ``aclose()`` closes the connections
    instead of leaving aiohttp to print "Unclosed client session" at exit, and the
    transport may then open a new session on a later loop (a session is usable on its own
    loop only)."""
    try:
        yield
    finally:
        transport = owner()
        if transport is not None and transport._session is session:
            transport._session = transport._loop = None
        if not session.closed:
            await session.close()


class _Bounds:
    """The write bounds (``connect + write + read``) of the requests in flight on one
    loop, watched by one timer, armed for the earliest of them.

    ``asyncio.timeout(bound)`` per request put a timer on the loop's heap for every call
    (beside aiohttp's own); at 64 in flight those timers were about a tenth of the CPU of a
    call, though they all but never fire. Here each request enters ``asyncio.timeout(None)``
    (no timer) and registers it with its deadline; a new timer is armed only for a
    deadline earlier than the one armed. When it fires, every request past its deadline
    gets ``Timeout.reschedule(now)``: its task is cancelled into ``TimeoutError`` exactly
    as ``asyncio.timeout`` does, and the timer is armed again for the earliest left.
    """

    __slots__ = ("_armed_at", "_deadlines", "_handle", "_loop")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._deadlines: dict[asyncio.Timeout, float] = {}
        self._handle: asyncio.TimerHandle | None = None
        self._armed_at = float("inf")

    def watch(self, timeout: asyncio.Timeout, bound: float) -> None:
        when = self._loop.time() + bound
        self._deadlines[timeout] = when
        if when < self._armed_at:
            self._arm(when)

    def forget(self, timeout: asyncio.Timeout) -> None:
        self._deadlines.pop(timeout, None)

    def _arm(self, when: float) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._armed_at = when
        self._handle = self._loop.call_at(when, self._fire)

    def _fire(self) -> None:
        self._handle, self._armed_at = None, float("inf")
        now = self._loop.time()
        earliest = float("inf")
        for timeout, when in list(self._deadlines.items()):
            if when <= now:
                del self._deadlines[timeout]
                timeout.reschedule(now)  # (its request's task is cancelled into TimeoutError)
            elif when < earliest:
                earliest = when
        if earliest != float("inf"):
            self._arm(earliest)


def _socket_factory(options: list[tuple[int, int, int]]) -> Callable[[Any], socket.socket]:
    """A ``TCPConnector(socket_factory=...)`` that sets ``options`` on each new socket
    (``Config.tcp_keepalive``; aiohttp 3.12 and later take a socket factory)."""

    def make(addr_info: Any) -> socket.socket:
        family, type_, proto, _, _ = addr_info
        sock = socket.socket(family=family, type=type_, proto=proto)
        for level, name, value in options:
            sock.setsockopt(level, name, value)
        return sock

    return make


class AiohttpTransport:
    """Send ``httpx`` requests through one ``aiohttp.ClientSession`` (see the module doc):
    an ``httpx.AsyncBaseTransport`` in all but its base class.

    ``ssl_context`` verifies TLS connections (``None``: aiohttp's own verifying default,
    which a client of an ``http://`` endpoint passes: it makes no TLS connection);
    ``limits.max_connections`` bounds the connections (``None``: no bound) and
    ``limits.keepalive_expiry`` is how long an idle one is kept (an ``httpx.Limits``, or
    the core's ``PoolLimits``);
    ``timeout`` applies to requests that carry no ``timeout`` extension of their own
    (an ``httpx.Timeout``, or its ``as_dict()``).
    """

    def __init__(
        self,
        ssl_context: ssl.SSLContext | None,
        limits: httpx.Limits | PoolLimits,
        timeout: httpx.Timeout | Mapping[str, float | None],
        *,
        socket_options: list[tuple[int, int, int]] | None = None,
    ) -> None:
        self._ssl_context = ssl_context
        self._socket_options = list(socket_options or ())
        self._limits = limits
        self._default_timeout: dict[str, float | None] = (
            dict(timeout) if isinstance(timeout, Mapping) else timeout.as_dict()
        )
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._bounds: _Bounds | None = None
        self._closer: AsyncIterator[None] | None = None
        self._slots: _Slots | None = None
        self._closed = False
        self._httpx: httpx.AsyncHTTPTransport | None = None  # only while a mock is active
        self._yarl: tuple[httpx.URL | EndpointURL, URL] | None = None
        self._client_timeouts: dict[tuple[float | None, float | None], aiohttp.ClientTimeout] = {}
        self._in_flight = 0  # requests being sent or waiting for their answer's head

    def _open(self) -> aiohttp.ClientSession:
        """The session, made on first use inside the running loop it then belongs to."""
        loop = asyncio.get_running_loop()
        session = self._session
        if session is not None:
            if loop is self._loop:
                return session
            raise RuntimeError(
                "this AsyncClient's connection pool belongs to another event loop; "
                "use one AsyncClient per event loop"
            )
        if self._closed:
            raise RuntimeError("the transport has been closed")
        limit = self._limits.max_connections
        keepalive = self._limits.keepalive_expiry
        # httpx's Limits say how long an idle connection is kept: 5 s by default, None for
        # ever (aiohttp's None too), 0 not at all (aiohttp's force_close).
        extra: dict[str, Any] = (
            {"force_close": True} if keepalive == 0 else {"keepalive_timeout": keepalive}
        )
        if self._socket_options:
            extra["socket_factory"] = _socket_factory(self._socket_options)
        connector = aiohttp.TCPConnector(
            limit=limit or 0,  # aiohttp: 0 is no limit
            limit_per_host=0,
            # None: aiohttp's own verifying default (made when aiohttp loads), for a client of
            # an http:// endpoint, whose pool never makes a TLS connection.
            ssl=True if self._ssl_context is None else self._ssl_context,
            **extra,
        )
        session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,
            skip_auto_headers=_SKIP_AUTO_HEADERS,
            trust_env=False,
            timeout=aiohttp.ClientTimeout(total=None),
            request_class=_Request,
        )
        self._session, self._loop = session, loop
        self._slots = _Slots(limit) if limit else None
        self._bounds = _Bounds(loop)
        return session

    def _fallback(self) -> httpx.AsyncHTTPTransport:
        if self._httpx is None:
            import httpx

            limits = self._limits
            if not isinstance(limits, httpx.Limits):
                limits = limits.as_httpx()
            verify = True if self._ssl_context is None else self._ssl_context
            self._httpx = httpx.AsyncHTTPTransport(verify=verify, limits=limits)
        return self._httpx

    async def __aenter__(self) -> AiohttpTransport:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        await self.aclose()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` and give back the ``httpx.Response``, its body streamed."""
        from ._aiohttp_httpx import given, httpx_response, timeouts_of

        if send_is_mocked(asynchronous=True):
            # Let respx & co. see the request, as they would with httpx's own pool.
            return await self._fallback().handle_async_request(request)
        body = await request.aread()
        headers = [
            (_header_text(name), _header_text(value))
            for name, value in request.headers.raw
            if name.lower() != b"transfer-encoding"  # the body is sent whole, with its length
        ]
        return await self._exchange(
            request.method,
            URL(str(request.url), encoded=True),
            headers,
            body,
            timeouts_of(request, self._default_timeout),
            given(request),
            httpx_response,
        )

    def can_send_direct(self) -> bool:
        """Whether ``send_direct`` may be used now: nothing watches this transport's
        ``handle_async_request`` (replaced on the class or on the instance) and no test
        double has replaced httpx's or httpcore's send (``send_is_mocked``)."""
        return (
            type(self).handle_async_request is _HANDLE_ASYNC_REQUEST
            and "handle_async_request" not in vars(self)
            and not send_is_mocked(asynchronous=True)
        )

    def send_direct(
        self,
        url: httpx.URL | EndpointURL,
        headers: list[tuple[str, str]],
        body: bytes,
        timeout: Mapping[str, float | None],
        make_request: Callable[[], httpx.Request],
    ) -> Coroutine[Any, Any, DirectAnswer]:
        """POST ``body`` with ``headers`` (the core's list, in order) to ``url``, without an
        ``httpx.Request``: what ``handle_async_request`` puts on the wire for the request
        ``make_request()`` gives, with the same timeouts (``timeout``: httpx's four), slots
        and errors (their ``request`` made by ``make_request`` only then).

        Returns the answer's head and its body to read (``DirectAnswer``); for an answer
        with a ``Content-Encoding``, its ``response`` is the ``httpx.Response`` (with its
        request) that ``handle_async_request`` gives: httpx decodes the body, as it always
        has. The caller checks ``can_send_direct()`` first. (A plain method returning the
        sending coroutine: awaiting it resumes one coroutine frame fewer at every
        suspension.)
        """
        for _, value in headers:
            if not value.isascii():
                make_request()  # httpx refuses non-ASCII header values: raise as it does
                break
        return self._exchange(
            "POST", self._url_of(url), headers, body, timeout, make_request, direct_answer
        )

    def _url_of(self, url: httpx.URL | EndpointURL) -> URL:
        """The yarl form of ``url`` (one per client: the endpoint's), made once."""
        cached = self._yarl
        if cached is None or cached[0] is not url:
            cached = self._yarl = (url, URL(str(url), encoded=True))
        return cached[1]

    def _client_timeout(self, connect: float | None, read: float | None) -> aiohttp.ClientTimeout:
        key = (connect, read)
        timeout = self._client_timeouts.get(key)
        if timeout is None:
            timeout = aiohttp.ClientTimeout(
                total=None, connect=connect, sock_connect=connect, sock_read=read
            )
            if len(self._client_timeouts) < 16:
                self._client_timeouts[key] = timeout
        return timeout

    async def _exchange(
        self,
        method: str,
        url: URL,
        headers: list[tuple[str, str]],
        body: bytes,
        timeout: Mapping[str, float | None],
        make_request: Callable[[], httpx.Request],
        finish: Callable[[aiohttp.ClientResponse, Callable[[], httpx.Request], _Slots | None], T],
    ) -> T:
        """Send, and wait for the answer's head; then ``finish(response, make_request,
        slots)``: what the caller makes of the aiohttp response and the slot it holds
        (given back when its body is read or it is closed). One coroutine for both ways of
        sending (each awaited layer is resumed at every suspension of the ones below)."""
        session = self._session
        if session is None or asyncio.get_running_loop() is not self._loop:
            session = self._open()
            closer = self._closer = _close_at_loop_end(weakref.ref(self), session)
            await closer.__anext__()  # (now the loop knows it, and closes it as it ends)
        connect, read, write = timeout.get("connect"), timeout.get("read"), timeout.get("write")
        # Let the loop read what is waiting on idle pooled sockets first: a server's FIN or
        # RST there marks the connection closing, and aiohttp then skips it. (httpcore polls
        # an idle socket before reusing it; aiohttp only looks at the transport's state.)
        # Before taking a slot, so that a cancellation here cannot leak one. Only when
        # nothing else is in flight here: otherwise the loop is polling every socket between
        # the steps of those calls anyway, and this one yield would cost a loop pass per call.
        if not self._in_flight:
            await asyncio.sleep(0)
        slots = self._slots
        if slots is not None:
            await slots.acquire(timeout.get("pool"), make_request)
        bound = (
            connect + write + read
            if connect is not None and write is not None and read is not None
            else None
        )
        sent_on: list[asyncio.Transport] = []
        token = _SENT_ON.set(sent_on)
        self._in_flight += 1
        bounds = self._bounds
        try:
            try:
                async with asyncio.timeout(None) as deadline:
                    if bound is not None and bounds is not None:
                        bounds.watch(deadline, bound)
                    try:
                        response = await session.request(
                            method,
                            url,
                            headers=headers,
                            data=_payload(body),
                            allow_redirects=False,
                            timeout=self._client_timeout(connect, read),
                        )
                    finally:
                        if bound is not None and bounds is not None:
                            bounds.forget(deadline)
            except TimeoutError as exc:
                if deadline.expired():
                    import httpx

                    raise httpx.WriteTimeout(
                        f"Timed out sending the request (write timeout {write} s)",
                        request=make_request(),
                    ) from exc
                raise_mapped(exc, make_request, sent=bool(sent_on))
            except (aiohttp.ClientError, OSError) as exc:
                raise_mapped(exc, make_request, sent=bool(sent_on))
        except BaseException:
            # aiohttp has closed the failed request's connection, but asyncio's close()
            # waits to flush unsent bytes: after a stalled send, for ever. Abort instead
            # (as anyio does under httpx), so the socket is closed now.
            for transport in sent_on:
                if transport.is_closing():
                    transport.abort()
            if slots is not None:
                slots.release()
            raise
        finally:
            self._in_flight -= 1
            _SENT_ON.reset(token)
        return finish(response, make_request, slots)

    async def aclose(self) -> None:
        """Close the session and every connection in its pool."""
        self._closed = True
        session, self._session = self._session, None
        fallback, self._httpx = self._httpx, None
        if fallback is not None:
            await fallback.aclose()
        if session is not None and not session.closed:
            await session.close()


_HANDLE_ASYNC_REQUEST = AiohttpTransport.handle_async_request


def _payload(body: bytes) -> bytes | io.BytesIO | None:
    # aiohttp warns (ResourceWarning) about raw bytes over 1 MiB; in a BytesIO it writes
    # the same bytes in chunks. KMS requests are far smaller.
    if len(body) > 1 << 20:
        return io.BytesIO(body)
    return body or None


def _header_text(raw: bytes) -> str:
    # aiohttp writes header text as UTF-8: decoding it so gives the request's own bytes back.
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")
