"""A tiny ``httpx.AsyncBaseTransport`` over one ``aiohttp.ClientSession`` (experiment only).

It lets ``trentclient.AsyncClient`` send through aiohttp's connection pool::

    http = httpx.AsyncClient(transport=AiohttpTransport(limit=64))
    kms = trentclient.AsyncClient(..., http_client=http)

The answer is read whole before it is handed back (KMS answers are small), so httpx sees one
chunk. aiohttp's errors become httpx's, so trentclient's retry rules still apply. No TLS
options, proxies or redirects: this is for measuring, not for production.
"""

from __future__ import annotations

import aiohttp
import httpx

__all__ = ["AiohttpTransport"]

_SKIP = frozenset({"content-length", "transfer-encoding"})


class AiohttpTransport(httpx.AsyncBaseTransport):
    def __init__(self, *, limit: int = 100) -> None:
        self._limit = limit
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(limit=self._limit, limit_per_host=self._limit)
        self._session = aiohttp.ClientSession(
            connector=connector, auto_decompress=False, skip_auto_headers=("Accept-Encoding",)
        )
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._session or self._open()
        timeout = request.extensions.get("timeout", {})
        headers = [(k, v) for k, v in request.headers.multi_items() if k not in _SKIP]
        try:
            async with session.request(
                request.method,
                str(request.url),
                headers=headers,
                data=request.content,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(
                    total=None,
                    connect=timeout.get("pool"),
                    sock_connect=timeout.get("connect"),
                    sock_read=timeout.get("read"),
                ),
            ) as response:
                body = await response.read()
                status = response.status
                raw_headers = response.raw_headers
        except aiohttp.ClientConnectorError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise httpx.ReadTimeout(str(exc) or "read timeout", request=request) from exc
        except aiohttp.ClientError as exc:
            raise httpx.ReadError(str(exc), request=request) from exc
        return httpx.Response(status, headers=list(raw_headers), content=body, request=request)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
