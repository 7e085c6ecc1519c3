"""``Client``: the synchronous KMS client. It sends, reads and sleeps; the rest is core."""

from __future__ import annotations

import time
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ._base import BaseClient, log_sent, send_is_replaced
from ._core import ClientCore
from ._generated._methods import SyncOperations

if TYPE_CHECKING:
    import httpx

__all__ = ["Client"]


class Client(BaseClient["httpx.Client"], SyncOperations):
    """A synchronous AWS KMS client with boto3's method names and parameters.

    ``region_name``, credentials and ``endpoint_url`` are resolved as boto3 does (arguments,
    then the environment, then the shared AWS files). Pass ``http_client`` to bring your own
    ``httpx.Client`` (proxies, mounts, HTTP/2, respx); ``close()`` leaves it open.
    """

    _sleep = staticmethod(time.sleep)
    #: The transport of the ``httpx.Client`` this client made, and that client: requests go
    #: straight to the transport while ``_http`` is that client (see ``_send``).
    _direct: tuple[httpx.Client, httpx.HTTPTransport] | None = None
    _http: httpx.Client

    def _init_http(self, core: ClientCore, http_client: httpx.Client | None) -> None:
        import httpx  # (not at `import trentclient`: AsyncClient over aiohttp needs none of it)

        if http_client is not None:
            self._http = http_client
            return
        transport = httpx.HTTPTransport(**core.transport_options())
        self._http = http = httpx.Client(transport=transport, timeout=core.timeout)
        self._direct = (http, transport)

    def _send(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``, streaming the answer.

        Through the ``httpx.Client``'s own transport when this client made it (no
        ``http_client=``), it is open, has no event hooks and nothing has replaced a step
        of its ``send``: ``send`` adds nothing to these requests then (no auth, cookies,
        redirects or proxies of its own; the timeouts are in the request), and skipping it
        saves about a quarter of the CPU per call. Otherwise through ``send``, so that
        hooks and mocks see the call. httpx's INFO line is logged either way.
        """
        import httpx

        http = self._http
        direct = self._direct
        if direct is None or direct[0] is not http or http.is_closed or send_is_replaced(http):
            return http.send(request, stream=True, auth=None, follow_redirects=False)
        try:
            response = direct[1].handle_request(request)
        except httpx.RequestError as exc:
            exc.request = request  # as httpx.Client.send attaches it
            raise
        response.request = request
        log_sent(request, response)
        return response

    def _invoke(self, operation_name: str, params: Mapping[str, Any]) -> dict[str, Any]:
        import httpx

        call = self._core.start(operation_name, params)
        while True:
            while wait := call.send_delay():
                self._sleep(wait)
            request = call.next_request(timeout=self._timeout)
            try:
                response = self._send(request)
                try:
                    for chunk in response.iter_bytes():
                        call.feed(chunk, response)
                finally:
                    response.close()
            except httpx.HTTPError as exc:
                delay = call.failed(exc)
            else:
                result, delay = call.answered(response)
                if result is not None:
                    return result
            if delay > 0:
                self._sleep(delay)

    def close(self) -> None:
        """Close the connection pool (unless the httpx client was given by the caller)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
