"""``Client``: the synchronous KMS client. It sends, reads and sleeps; the rest is core."""

from __future__ import annotations

import functools
import logging
import sys
import threading
import time
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ._base import (
    BaseClient,
    class_send_is_replaced,
    info_enabled,
    is_http_error,
    log_line,
    log_sent,
    send_is_mocked,
    send_is_replaced,
)
from ._core import ClientCore, logger
from ._generated._methods import SyncOperations

if TYPE_CHECKING:
    import httpcore
    import httpx

    from ._call import Call

__all__ = ["Client"]


def _read(call: Call, response: httpx.Response) -> None:
    """Feed the (decoded) body of ``response`` to ``call``, then close ``response``."""
    try:
        for chunk in response.iter_bytes():
            call.feed(chunk, response)
    finally:
        response.close()


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
    #: The httpcore pool this client made (no ``http_client=``, no proxy): requests go to
    #: it without httpx's request and response objects (``trentclient._httpcore``), and
    #: the ``httpx.Client`` over it is made only when something asks for ``_http``.
    _pool: httpcore.ConnectionPool | None = None
    #: The ``httpx.Client`` (``_http``), None until it is made.
    _http_client: httpx.Client | None = None
    #: Whether ``close()`` has closed the pool before ``_http`` was made.
    _closed = False

    def _init_http(self, core: ClientCore, http_client: httpx.Client | None) -> None:
        if http_client is not None:
            self._http_client = http_client
            return
        self._lock = threading.Lock()
        if core.proxy() is None:
            from ._httpcore import LIBRARY, new_pool, pool_url

            self._pool = new_pool(core.ssl_context(), core.pool_limits(), core.socket_options())
            self._pool_url = pool_url(core.target)
            core.http_library = LIBRARY
            return
        self._wrap()

    def _wrap(self) -> httpx.Client:
        """The ``httpx.Client`` this client sends through when it does not send directly:
        over an ``httpx.HTTPTransport`` with this client's options and, when it has one,
        its pool (so the two paths share the connections and their limit)."""
        import httpx

        with self._lock:
            http = self._http_client
            if http is not None:
                return http
            transport = httpx.HTTPTransport(**self._core.transport_options())
            pool = self._pool
            if pool is not None and isinstance(getattr(transport, "_pool", None), type(pool)):
                transport._pool.close()  # (new, never used: holds no connection)
                transport._pool = pool
            http = httpx.Client(transport=transport, timeout=self._core.timeout)
            if self._closed:
                http.close()
            self._direct = (http, transport)
            self._http_client = http
        return http

    @property
    def _http(self) -> httpx.Client:
        """The ``httpx.Client``: the one given, or this client's own (made on first use
        when this client sends directly, which needs none)."""
        http = self._http_client
        return http if http is not None else self._wrap()

    @_http.setter
    def _http(self, http: httpx.Client) -> None:
        self._http_client = http

    def _send(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``, streaming the answer.

        Through the ``httpx.Client``'s own transport when this client made it (no
        ``http_client=``), it is open, has no event hooks and nothing has replaced a step
        of its ``send``: ``send`` adds nothing to these requests then (no auth, cookies,
        redirects or proxies of its own; the timeouts are in the request). Otherwise
        through ``send``, so that hooks and mocks see the call. httpx's INFO line is
        logged either way.
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

    def _direct_pool(self) -> httpcore.ConnectionPool | None:
        """The pool when this attempt may skip httpx (``trentclient._httpcore``): this
        client made it, nothing watches httpx's or httpcore's send or the ``httpx.Client``
        made over it, and trentclient's DEBUG log (which describes httpx's objects) is off.
        """
        pool = self._pool
        if pool is None:
            return None
        http = self._http_client
        if http is None:
            # No httpx.Client made yet: none with hooks or patched on the instance; but
            # its class may be patched (then it is made, to send through its send).
            if self._closed:
                raise RuntimeError("Cannot send a request, as the client has been closed.")
            httpx = sys.modules.get("httpx")
            if httpx is not None and class_send_is_replaced(httpx.Client):
                return None
        else:
            direct = self._direct
            if (
                direct is None
                or direct[0] is not http
                or http.is_closed
                or send_is_replaced(http)
                or "handle_request" in vars(direct[1])
            ):
                return None
        if send_is_mocked(asynchronous=False) or logger.isEnabledFor(logging.DEBUG):
            return None
        return pool

    def _attempt(self, call: Call) -> tuple[dict[str, Any] | None, float]:
        """One attempt through httpx's request and response objects."""
        import httpx

        request = call.next_request(timeout=self._timeout)
        try:
            response = self._send(request)
            _read(call, response)
        except httpx.HTTPError as exc:
            return None, call.failed(exc)
        return call.answered(response)

    def _attempt_direct(
        self, call: Call, pool: httpcore.ConnectionPool
    ) -> tuple[dict[str, Any] | None, float]:
        """One attempt on the pool, without an ``httpx.Request`` (built only for an error,
        which carries one) or an ``httpx.Response`` (only to decode a ``Content-Encoding``):
        the same bytes on the wire, errors, timeouts and decisions as ``_attempt``."""
        from ._httpcore import send

        headers = call.next_headers()
        try:
            answer = send(
                pool,
                self._pool_url,
                headers,
                call.body,
                self._timeout,
                functools.partial(call.request, self._timeout),
            )
            if answer.content_encoded:
                response = answer.encoded()
                log_sent(response.request, response)
                _read(call, response)
                return call.answered(response)
            if info_enabled():
                url = self._core.target
                log_line("POST", url, answer.http_version, answer.status, answer.reason_phrase)
            try:
                answer.read(call.take)
            finally:
                answer.close()
        except Exception as exc:
            if not is_http_error(exc):
                raise
            return None, call.failed(exc)
        return call.answered_raw(answer.status, answer.headers, answer.raw_headers)

    def _invoke(self, operation_name: str, params: Mapping[str, Any]) -> dict[str, Any]:
        call = self._core.start(operation_name, params)
        while True:
            while wait := call.send_delay():
                self._sleep(wait)
            pool = self._direct_pool()
            if pool is None:
                result, delay = self._attempt(call)
            else:
                result, delay = self._attempt_direct(call, pool)
            if result is not None:
                return result
            if delay > 0:
                self._sleep(delay)

    def close(self) -> None:
        """Close the connection pool (unless the httpx client was given by the caller)."""
        if not self._owns_http:
            return
        self._closed = True
        http = self._http_client
        if http is not None:
            http.close()
        elif self._pool is not None:
            self._pool.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
