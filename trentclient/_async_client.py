"""``AsyncClient``: the asyncio KMS client. It sends, reads and sleeps; the rest is core."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any

import httpx

from ._base import BaseClient, log_sent, send_is_replaced
from ._core import ClientCore
from ._generated._methods import AsyncOperations

__all__ = ["AsyncClient"]


def _new_transport(core: ClientCore) -> httpx.AsyncBaseTransport:
    """aiohttp's pool (``trentclient._aiohttp``) when ``Config.async_http`` asks for it, or
    allows it and aiohttp is installed; else httpx's own. aiohttp is imported only here."""
    choice = core.settings.async_http
    options = core.transport_options()
    if choice == "auto" and "proxy" in options:
        choice = "httpx"  # trentclient's aiohttp transport sends direct only
    if choice == "aiohttp" and "proxy" in options:
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
                core.ssl_context(),
                core.limits(),
                core.timeout,
                socket_options=core.socket_options(),
            )
    return httpx.AsyncHTTPTransport(**options)


class AsyncClient(BaseClient[httpx.AsyncClient], AsyncOperations):
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

    def _new_http_client(self, core: ClientCore) -> httpx.AsyncClient:
        transport = _new_transport(core)
        http = httpx.AsyncClient(transport=transport, timeout=core.timeout)
        self._direct = (http, transport)
        return http

    async def _send(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``, streaming the answer: as ``Client._send``, through the
        transport itself when this client made the ``httpx.AsyncClient`` (aiohttp's or
        httpx's pool; either still routes to respx & co. while they are active)."""
        http = self._http
        direct = self._direct
        if direct is None or direct[0] is not http or http.is_closed or send_is_replaced(http):
            return await http.send(request, stream=True, auth=None, follow_redirects=False)
        try:
            response = await direct[1].handle_async_request(request)
        except httpx.RequestError as exc:
            exc.request = request  # as httpx.AsyncClient.send attaches it
            raise
        response.request = request
        log_sent(request, response)
        return response

    async def _invoke(self, operation_name: str, params: Mapping[str, Any]) -> dict[str, Any]:
        call = self._core.start(operation_name, params)
        while True:
            while wait := call.send_delay():
                await self._sleep(wait)
            getter = self._core.aget_credentials  # refreshes off the loop
            credentials = await getter() if getter is not None else None
            request = call.next_request(timeout=self._timeout, credentials=credentials)
            try:
                response = await self._send(request)
                try:
                    async for chunk in response.aiter_bytes():
                        call.feed(chunk, response)
                finally:
                    await response.aclose()
            except httpx.HTTPError as exc:
                delay = call.failed(exc)
            else:
                result, delay = call.answered(response)
                if result is not None:
                    return result
            if delay > 0:
                await self._sleep(delay)

    async def aclose(self) -> None:
        """Close the connection pool (unless the httpx client was given by the caller)."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
