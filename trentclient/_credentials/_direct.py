"""The credential drivers' HTTP exchange on httpcore's pools, without httpx (``run_sync``
and ``run_async``).

A client that sends without httpx (``Client`` on its own pool, ``AsyncClient`` over
aiohttp; issue 14) would otherwise import httpx for its credential source's first request:
on EKS (IRSA), ECS, EC2 or an SSO laptop, that is about 30 ms of the cold start. So the
drivers send what ``httpx.Client(verify=..., trust_env=...).stream(...)`` (or
``httpx.AsyncClient``'s) sends, themselves: the same header list (``request_headers``:
httpx's client defaults, the request's own, then ``Host`` and ``Content-Length`` as
``httpx.Request`` adds them), the body, httpx's timeouts, on the pool ``httpx``'s transport
would make (``trentclient._httpcore.new_pool`` / ``new_async_pool``, httpx's default
limits). An answer with a ``Content-Encoding`` is decoded by httpx, as before.

They go through httpx instead (``goes_through_httpx``) when proxies may apply
(``proxies_may_apply``: a request that trusts the environment while a ``*_proxy`` variable
is set), when a request has no User-Agent of its own (httpx's default names its version),
or when a test double has replaced httpx's or httpcore's send (then it must see the
request). ``tests/test_cred_direct.py`` holds the header lists and the outcomes equal to
httpx's, for both drivers.
"""

from __future__ import annotations

import importlib.util
import os
import ssl
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias, TypeVar

import httpcore

from trentclient._core import PoolLimits
from trentclient._header_map import header_map
from trentclient._httpcore import new_async_pool, new_pool, pool_url
from trentclient._url import EndpointURL

if TYPE_CHECKING:
    from trentclient._credentials._flow import HttpRequest

__all__ = [
    "DirectHttp",
    "accept_encoding",
    "goes_through_httpx",
    "has_user_agent",
    "proxies_may_apply",
    "request_headers",
]

#: ``httpx.Limits()``: the pool limits of an ``httpx.Client`` made with no ``limits=``.
_HTTPX_LIMITS = PoolLimits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)
_accept_encoding: str | None = None


def accept_encoding() -> str:
    """httpx's ``Accept-Encoding``: the encodings it decodes (brotli and zstd when their
    packages are installed, as ``httpx._decoders`` finds them)."""
    global _accept_encoding
    if _accept_encoding is None:
        found = importlib.util.find_spec
        names = ["gzip", "deflate"]
        if found("brotli") is not None or found("brotlicffi") is not None:
            names.append("br")
        if found("zstandard") is not None:
            names.append("zstd")
        _accept_encoding = ", ".join(names)
    return _accept_encoding


def proxies_may_apply(request: HttpRequest) -> bool:
    """Whether httpx could send ``request`` through a proxy from the environment."""
    if not request.trust_env:
        return False
    return any(
        name.lower().endswith("_proxy") and name.lower() != "no_proxy" and value
        for name, value in os.environ.items()
    )


def goes_through_httpx(request: HttpRequest, *, asynchronous: bool) -> bool:
    """Whether the driver sends ``request`` through httpx's client instead: a proxy from the
    environment may apply, it has no User-Agent of its own, or a test double replaces
    httpx's or httpcore's send (``asynchronous``: the asyncio one)."""
    from trentclient._base import send_is_mocked

    return (
        proxies_may_apply(request)
        or not has_user_agent(request)
        or send_is_mocked(asynchronous=asynchronous)
    )


def has_user_agent(request: HttpRequest) -> bool:
    """Whether ``request`` names its own User-Agent (every credential source's does; one
    that did not would go through httpx, whose default names httpx's version)."""
    return any(name.lower() == "user-agent" for name, _ in request.headers)


def _netloc(url: EndpointURL) -> bytes:
    host = url.raw_host
    if b":" in host:  # an IPv6 address, as httpx.URL.netloc gives it
        host = b"[" + host + b"]"
    return host if url.port is None else host + b":" + str(url.port).encode("ascii")


def request_headers(url: EndpointURL, request: HttpRequest) -> list[tuple[bytes, bytes]]:
    """The header list ``httpx.Client().build_request`` makes for ``request``: the
    client's defaults, each replaced by the request's header of that name (which then goes
    last, in the request's order), ``Host`` first, and ``Content-Length`` for a body (at
    the end) or for a POST, PUT or PATCH without one (after ``Host``)."""
    given = [(name.encode("ascii"), value.encode("ascii")) for name, value in request.headers]
    names = {name.lower() for name, _ in given}
    defaults = [
        (b"Accept", b"*/*"),
        (b"Accept-Encoding", accept_encoding().encode("ascii")),
        (b"Connection", b"keep-alive"),
        (b"User-Agent", b"python-httpx"),  # (never sent: see ``has_user_agent``)
    ]
    headers = [(n, v) for n, v in defaults if n.lower() not in names] + given
    auto: list[tuple[bytes, bytes]] = []
    if b"host" not in names:
        auto.append((b"Host", _netloc(url)))
    has_length = b"content-length" in names or b"transfer-encoding" in names
    if request.body:
        if not has_length:
            headers.append((b"Content-Length", str(len(request.body)).encode("ascii")))
    elif not has_length and request.method.upper() in ("POST", "PUT", "PATCH"):
        auto.append((b"Content-Length", b"0"))
    return auto + headers


class DirectHttp:
    """One pool per kind of URL (``https`` or not) in a run, as the httpx clients were:
    httpcore's sync pools for ``exchange``, its asyncio ones for ``aexchange``."""

    def __init__(self, ssl_for: Callable[[str], ssl.SSLContext]) -> None:
        self._pools: dict[bool, httpcore.ConnectionPool] = {}
        self._async_pools: dict[bool, httpcore.AsyncConnectionPool] = {}
        self._ssl_for = ssl_for

    def exchange(self, request: HttpRequest) -> Answer[httpcore.Response]:
        """Send ``request``; the answer's status, raw and mapped headers, and the httpcore
        response whose body is still to read (``read`` it, then close it). httpcore's errors
        are raised as they are; a bad URL or header value as ``ValueError``."""
        https, core_request = _core_request(request)
        pool = self._pools.get(https)
        if pool is None:
            pool = self._pools[https] = new_pool(self._ssl_for(request.url), _HTTPX_LIMITS)
        response = pool.handle_request(core_request)
        return response.status, response.headers, header_map(response.headers), response

    async def aexchange(self, request: HttpRequest) -> Answer[httpcore.Response]:
        """``exchange`` on the running event loop."""
        https, core_request = _core_request(request)
        pool = self._async_pools.get(https)
        if pool is None:
            ssl_context = self._ssl_for(request.url)
            pool = self._async_pools[https] = new_async_pool(ssl_context, _HTTPX_LIMITS)
        response = await pool.handle_async_request(core_request)
        return response.status, response.headers, header_map(response.headers), response

    def close(self) -> None:
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()

    async def aclose(self) -> None:
        for pool in self._async_pools.values():
            await pool.aclose()
        self._async_pools.clear()


R = TypeVar("R")
#: An answer's status, raw headers, headers as ``httpx.Headers`` reads them, and the
#: response whose body is still to read.
Answer: TypeAlias = tuple[int, list[tuple[bytes, bytes]], dict[str, str], R]


def _core_request(request: HttpRequest) -> tuple[bool, httpcore.Request]:
    """Whether ``request`` is for ``https``, and the ``httpcore.Request`` httpx's transport
    would make of it."""
    url = EndpointURL(request.url)
    if url.scheme not in ("http", "https"):
        raise httpcore.UnsupportedProtocol(
            f"Request URL has an unsupported protocol '{url.scheme}://'."
        )
    connect, read = request.timeout
    return url.scheme == "https", httpcore.Request(
        request.method.upper().encode("ascii"),
        pool_url(url),
        headers=request_headers(url, request),
        content=request.body,
        extensions={"timeout": {"connect": connect, "read": read, "write": read, "pool": read}},
    )
