"""``AsyncClient``: the asyncio KMS client. It sends, reads and sleeps; the rest is core."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

from ._base import (
    BaseClient,
    class_send_is_replaced,
    info_enabled,
    is_http_error,
    log_line,
    log_sent,
    send_is_replaced,
)
from ._call import Call
from ._core import ClientCore, logger
from ._generated._async_methods import AsyncOperations

if TYPE_CHECKING:
    import httpx

    from ._aiohttp import AiohttpTransport
    from ._credentials._flow import Keys
    from ._credvalue import Credentials

__all__ = ["AsyncClient"]


def _new_transport(core: ClientCore) -> httpx.AsyncBaseTransport | AiohttpTransport:
    """aiohttp's pool (``trentclient._aiohttp``) when ``Config.async_http`` asks for it, or
    allows it and aiohttp is installed; else httpx's own. aiohttp is imported only here,
    httpx only for httpx's pool."""
    choice = core.settings.async_http
    proxied = core.proxy() is not None
    if choice == "auto" and proxied:
        choice = "httpx"  # trentclient's aiohttp transport sends direct only
    if choice == "aiohttp" and proxied:
        raise ValueError(
            "Config(async_http='aiohttp') sends direct only, but a proxy is configured "
            f"for {core.endpoint_url}: use async_http='auto' or 'httpx' (httpx's pool)"
        )
    if choice != "httpx":
        try:
            import aiohttp  # noqa: F401  (is it installed? ~0.1 s, on the first client only)
        except ImportError as exc:
            if choice == "aiohttp":
                raise ImportError(
                    "Config(async_http='aiohttp') needs aiohttp, which is not installed: "
                    "pip install 'trentclient[aiohttp]' (or use async_http='auto' or 'httpx')",
                    name="aiohttp",
                ) from exc
        else:
            from ._aiohttp import AiohttpTransport

            return AiohttpTransport(
                # (an http:// endpoint makes no TLS connection: no context of its own to make)
                core.ssl_context() if core.is_https else None,
                core.pool_limits(),
                core.timeouts,
                socket_options=core.socket_options(),
            )
    import httpx

    return httpx.AsyncHTTPTransport(**core.transport_options())


async def _read(call: Call, response: httpx.Response) -> None:
    """Feed the (decoded) body of ``response`` to ``call``, then close ``response``."""
    try:
        async for chunk in response.aiter_bytes():
            call.feed(chunk, response)
    finally:
        await response.aclose()


class AsyncClient(BaseClient["httpx.AsyncClient"], AsyncOperations):
    """An asyncio AWS KMS client with boto3's method names and parameters.

    Constructed like ``Client``. Pass ``http_client`` to bring your own
    ``httpx.AsyncClient``; ``aclose()`` leaves it open. Otherwise its ``httpx.AsyncClient``
    sends through aiohttp's connection pool when aiohttp is installed (much faster with many
    calls in flight), else through httpx's own; ``Config(async_http=...)`` chooses.
    """

    @staticmethod
    async def _sleep(delay: float) -> None:
        import asyncio  # loaded already by the running loop; not at `import trentclient`

        await asyncio.sleep(delay)

    #: The transport of the ``httpx.AsyncClient`` this client made, and that client:
    #: requests go straight to the transport while ``_http`` is that client (see ``_send``).
    _direct: tuple[httpx.AsyncClient, httpx.AsyncBaseTransport] | None = None
    #: That transport when it is trentclient's aiohttp one: then requests go to it without
    #: an ``httpx.Request`` or ``httpx.Response`` (see ``_invoke``), and the
    #: ``httpx.AsyncClient`` around it is made only when something asks for ``_http``.
    _aiohttp: AiohttpTransport | None = None
    #: The ``httpx.AsyncClient`` (``_http``), None until it is made.
    _http_client: httpx.AsyncClient | None = None
    #: Whether ``aclose()`` has closed the aiohttp transport before ``_http`` was made.
    _closed = False

    def _init_http(self, core: ClientCore, http_client: httpx.AsyncClient | None) -> None:
        if http_client is not None:
            self._http_client = http_client
            return
        transport = _new_transport(core)
        if type(transport).__name__ == "AiohttpTransport":  # (aiohttp imported only then)
            from ._aiohttp import AiohttpTransport

            if type(transport) is AiohttpTransport:
                import aiohttp

                self._aiohttp = transport
                core.http_library = f"aiohttp#{aiohttp.__version__}"
                return
        self._wrap(transport)

    def _wrap(self, transport: httpx.AsyncBaseTransport | AiohttpTransport) -> httpx.AsyncClient:
        """The ``httpx.AsyncClient`` over this client's own ``transport``."""
        import httpx

        http = httpx.AsyncClient(
            transport=cast("httpx.AsyncBaseTransport", transport), timeout=self._core.timeout
        )
        self._http_client = http
        self._direct = (http, cast("httpx.AsyncBaseTransport", transport))
        return http

    @property
    def _http(self) -> httpx.AsyncClient:
        """The ``httpx.AsyncClient``: the one given, or this client's own (over aiohttp's
        transport, made on first use: sending directly needs none)."""
        http = self._http_client
        if http is None:
            assert self._aiohttp is not None
            http = self._wrap(self._aiohttp)
        return http

    @_http.setter
    def _http(self, http: httpx.AsyncClient) -> None:
        self._http_client = http

    def _own_transport(self) -> httpx.AsyncBaseTransport | None:
        """The transport to hand requests to directly, or None to send through ``_http``:
        this client made ``_http``, it is open, and no hook or test double watches its
        ``send``."""
        http = self._http_client
        direct = self._direct
        if direct is None or direct[0] is not http or http.is_closed or send_is_replaced(http):
            return None
        return direct[1]

    async def _send(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``, streaming the answer: as ``Client._send``, through the
        transport itself when this client made the ``httpx.AsyncClient`` (aiohttp's or
        httpx's pool; either still routes to respx & co. while they are active)."""
        import httpx

        transport = self._own_transport()
        if transport is None:
            http = self._http
            return await http.send(request, stream=True, auth=None, follow_redirects=False)
        try:
            response = await transport.handle_async_request(request)
        except httpx.RequestError as exc:
            exc.request = request  # as httpx.AsyncClient.send attaches it
            raise
        response.request = request
        log_sent(request, response)
        return response

    def _raw_transport(self) -> AiohttpTransport | None:
        """The aiohttp transport when this attempt may skip httpx's request and response
        objects: ``_send`` would hand the request to it, nothing watches its own send,
        and trentclient's DEBUG log (which describes those objects) is off."""
        transport = self._aiohttp
        if transport is None:
            return None
        if self._http_client is None:
            # No httpx.AsyncClient made yet: none with hooks or patched on the instance;
            # but its class may be patched (then it is made, to send through its send).
            if self._closed:
                raise RuntimeError("Cannot send a request, as the client has been closed.")
            httpx = sys.modules.get("httpx")
            if httpx is not None and class_send_is_replaced(httpx.AsyncClient):
                return None
        elif cast(object, self._own_transport()) is not transport:
            return None
        if not transport.can_send_direct() or logger.isEnabledFor(logging.DEBUG):
            return None
        return transport

    async def _attempt(
        self, call: Call, credentials: Credentials | Keys | None
    ) -> tuple[dict[str, Any] | None, float]:
        """One attempt through httpx's request and response objects."""
        import httpx

        request = call.next_request(timeout=self._timeout, credentials=credentials)
        try:
            response = await self._send(request)
            await _read(call, response)
        except httpx.HTTPError as exc:
            return None, call.failed(exc)
        return call.answered(response)

    async def _invoke(self, operation_name: str, params: Mapping[str, Any]) -> dict[str, Any]:
        call = self._core.start(operation_name, params)
        while True:
            while wait := call.send_delay():
                await self._sleep(wait)
            getter = self._core.aget_credentials  # refreshes off the loop
            credentials = await getter() if getter is not None else None
            transport = self._raw_transport()
            if transport is None:
                result, delay = await self._attempt(call, credentials)
            else:
                # The direct attempt, inline (one coroutine frame fewer to resume at each
                # suspension): sent by the aiohttp transport from the core's header list, its
                # answer read straight into the core. The same bytes on the wire, errors,
                # timeouts and decisions as ``_attempt``, without building an
                # ``httpx.Request`` (only for an error, which carries one) or an
                # ``httpx.Response`` (only to decode a ``Content-Encoding``).
                headers = call.next_headers(credentials=credentials)
                url = self._core.target
                try:
                    answer = await transport.send_direct(
                        url,
                        headers,
                        call.body,
                        self._timeout,
                        functools.partial(call.request, self._timeout),
                    )
                    response = answer.response
                    if response is not None:  # (a Content-Encoding: httpx decodes it)
                        log_sent(response.request, response)
                        await _read(call, response)
                    else:
                        if info_enabled():
                            log_line(
                                "POST",
                                url,
                                answer.http_version,
                                answer.status,
                                answer.reason_phrase,
                            )
                        try:
                            await answer.read(call.take)
                        finally:
                            answer.close()
                except Exception as exc:
                    if not is_http_error(exc):
                        raise
                    result, delay = None, call.failed(exc)
                else:
                    if response is not None:
                        result, delay = call.answered(response)
                    else:
                        result, delay = call.answered_raw(
                            answer.status, answer.headers, answer.raw_headers
                        )
            if result is not None:
                return result
            if delay > 0:
                await self._sleep(delay)

    async def aclose(self) -> None:
        """Close the connection pool (unless the httpx client was given by the caller)."""
        if not self._owns_http:
            return
        http = self._http_client
        if http is not None:
            await http.aclose()
        elif self._aiohttp is not None:
            self._closed = True
            await self._aiohttp.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
