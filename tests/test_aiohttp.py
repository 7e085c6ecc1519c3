"""``AiohttpTransport`` (``trentclient._aiohttp``): what ``AsyncClient`` sends through when
aiohttp is installed. Against the loopback fault server and moto, with httpx's own pool as
the reference wherever the two should behave alike.

``test_faults.py`` and ``test_client.py`` already run every ``make_driver`` test over both
(the ``async`` and ``async-httpx`` kinds); these tests pin what is particular to aiohttp:
the exact headers on the wire, streaming, slots and pool timeouts, error mapping, the
session's lifecycle and the choice of transport.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import gzip
import json
import socket
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest

import trentclient
from tests.conftest import AK, SK
from tests.faultserver import (
    Action,
    FaultServer,
    delay,
    reset,
    reset_mid_body,
    respond,
    unused_port,
)
from trentclient._localkms import LocalKMS

aiohttp = pytest.importorskip("aiohttp")

from trentclient._aiohttp import AiohttpTransport  # noqa: E402  (needs aiohttp)

KEY = "1234abcd-12ab-34cd-56ef-1234567890ab"
RID = "0c8e1d7a-5b1f-4a8e-9d1c-2f3e4a5b6c7d"
JSON_HEADERS = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": RID}
BODY = json.dumps({"KeyMetadata": {"KeyId": KEY, "Description": "x" * 2000}}).encode()
OK = respond(200, JSON_HEADERS, BODY)
TRANSPORTS = ["aiohttp", "httpx"]


@pytest.fixture
def server() -> Iterator[FaultServer]:
    fault_server = FaultServer([OK]).start()
    try:
        yield fault_server
    finally:
        fault_server.stop()
    assert not fault_server.errors, fault_server.errors


def client(url: str, transport: str = "auto", **config: Any) -> trentclient.AsyncClient:
    config.setdefault("connect_timeout", 0.5)
    config.setdefault("read_timeout", 0.5)
    return trentclient.AsyncClient(
        "us-east-1",
        endpoint_url=url,
        aws_access_key_id=AK,
        aws_secret_access_key=SK,
        config=trentclient.Config(async_http=transport, **config),
    )


def run(make: Callable[[], Awaitable[Any]]) -> Any:
    return asyncio.run(make())  # type: ignore[arg-type]


def raw_transport(**timeouts: float) -> tuple[AiohttpTransport, httpx.AsyncClient]:
    """The transport alone inside an ``httpx.AsyncClient``, as ``AsyncClient`` builds it."""
    timeout = httpx.Timeout(**{"timeout": 0.5, **timeouts})
    transport = AiohttpTransport(
        trentclient._core.plain_http_ssl_context(),
        httpx.Limits(max_connections=4, max_keepalive_connections=4),
        timeout,
    )
    return transport, httpx.AsyncClient(transport=transport, timeout=timeout)


# -- choosing the transport -----------------------------------------------------------------


def test_default_is_aiohttp_and_async_http_chooses() -> None:
    def transport_of(transport: str = "auto") -> Any:
        kms = client("http://127.0.0.1:9", transport)
        return kms._http._transport  # type: ignore[attr-defined]

    assert isinstance(transport_of(), AiohttpTransport)
    assert isinstance(transport_of(transport="aiohttp"), AiohttpTransport)
    assert isinstance(transport_of(transport="httpx"), httpx.AsyncHTTPTransport)
    assert trentclient.Config().async_http == "auto"


def test_tls_context_https_shared_and_http_aiohttps_verifying_default() -> None:
    """https: the shared verifying context; http: none made (the pool makes no TLS
    connection), and aiohttp's own verifying default stands in, never an unverified one."""
    import ssl

    from trentclient._core import shared_ssl_context

    secure = client("https://kms.us-east-1.amazonaws.com")._http._transport  # type: ignore[attr-defined]
    assert secure._ssl_context is shared_ssl_context()
    plain = client("http://127.0.0.1:9")._http._transport  # type: ignore[attr-defined]
    assert plain._ssl_context is None

    async def connector_ssl(transport: AiohttpTransport) -> Any:
        try:
            return transport._open().connector._ssl  # type: ignore[union-attr]
        finally:
            await transport.aclose()

    assert run(lambda: connector_ssl(plain)) is True  # aiohttp: verify with its default
    given = run(lambda: connector_ssl(secure))
    assert isinstance(given, ssl.SSLContext) and given.verify_mode == ssl.CERT_REQUIRED


def test_given_http_client_always_wins() -> None:
    http = httpx.AsyncClient()
    kms = trentclient.AsyncClient(
        "us-east-1",
        aws_access_key_id=AK,
        aws_secret_access_key=SK,
        config=trentclient.Config(async_http="aiohttp"),
        http_client=http,
    )
    assert kms._http is http
    run(http.aclose)


@pytest.mark.parametrize("value", ["trio", "AIOHTTP", "", None])
def test_async_http_is_validated(value: Any) -> None:
    with pytest.raises(ValueError, match="async_http must be one of 'auto', 'aiohttp', 'httpx'"):
        trentclient.Config(async_http=value)


def test_aiohttp_required_but_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "aiohttp", None)  # `import aiohttp` now fails
    with pytest.raises(ImportError, match=r"pip install 'trentclient\[aiohttp\]'") as info:
        client("http://127.0.0.1:9", "aiohttp")
    assert info.value.name == "aiohttp"
    assert "async_http='aiohttp'" in str(info.value)
    # "auto" falls back to httpx's own pool without a word.
    kms = client("http://127.0.0.1:9", "auto")
    assert isinstance(kms._http._transport, httpx.AsyncHTTPTransport)  # type: ignore[attr-defined]


def test_import_trentclient_does_not_import_aiohttp() -> None:
    code = (
        "import sys, trentclient\n"
        "assert 'aiohttp' not in sys.modules and 'trentclient._aiohttp' not in sys.modules\n"
        "kw = dict(region_name='us-east-1', aws_access_key_id='AKID', aws_secret_access_key='s')\n"
        "trentclient.Client(**kw).close()\n"
        "trentclient.AsyncClient(**kw, config=trentclient.Config(async_http='httpx'))\n"
        "assert 'aiohttp' not in sys.modules, 'httpx transport imported aiohttp'\n"
        "trentclient.AsyncClient(**kw)\n"
        "assert 'aiohttp' in sys.modules and 'trentclient._aiohttp' in sys.modules\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


# -- the wire -------------------------------------------------------------------------------


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_headers_on_the_wire_are_exactly_the_requests(server: FaultServer, transport: str) -> None:
    """No User-Agent, Accept, Accept-Encoding, Content-Type or Cookie of aiohttp's own:
    the server receives the signed request's headers, in order, with their case."""
    sent: list[httpx.Request] = []

    async def main() -> None:
        async with client(server.url, transport) as kms:

            async def capture(request: httpx.Request) -> None:
                sent.append(request)

            kms._http.event_hooks["request"].append(capture)
            await kms.describe_key(KeyId=KEY)
            await kms.encrypt(KeyId=KEY, Plaintext=b"\x00secret")

    run(main)
    assert len(sent) == len(server.requests) == 2
    for request, received in zip(sent, server.requests, strict=True):
        expected = [(k.decode(), v.decode()) for k, v in request.headers.raw]
        assert received.headers == expected
        assert received.body == request.content
        assert received.method == "POST"
        assert received.path == "/"
        names = [name.lower() for name, _ in received.headers]
        assert not {"accept", "accept-encoding", "cookie", "connection"} & set(names)
        assert names.count("user-agent") == 1
        assert received.header(
            "User-Agent",
        ).startswith("trentclient/")  # type: ignore[union-attr]
        assert received.header("Content-Type") == "application/x-amz-json-1.1"


def test_set_cookie_is_not_kept(server: FaultServer) -> None:
    server.set_script([respond(200, [*JSON_HEADERS.items(), ("Set-Cookie", "a=b")], BODY)])

    async def main() -> None:
        async with client(server.url) as kms:
            await kms.describe_key(KeyId=KEY)
            await kms.describe_key(KeyId=KEY)

    run(main)
    assert [r.header("Cookie") for r in server.requests] == [None, None]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_gzip_answers_are_decoded_by_httpx(server: FaultServer, transport: str) -> None:
    """aiohttp hands the raw bytes up (auto_decompress=False); httpx decodes them, as it
    does for its own transport."""
    server.set_script(
        [respond(200, {**JSON_HEADERS, "Content-Encoding": "gzip"}, gzip.compress(BODY))]
    )

    async def main() -> Any:
        async with client(server.url, transport) as kms:
            return await kms.describe_key(KeyId=KEY)

    result = run(main)
    assert result["KeyMetadata"]["Description"] == "x" * 2000
    assert result["ResponseMetadata"]["HTTPHeaders"]["content-encoding"] == "gzip"


def test_response_head_is_httpx_shaped(server: FaultServer) -> None:
    server.set_script(
        [respond(404, [("Content-Type", "text/plain"), ("X-Dup", "1"), ("X-Dup", "2")], b"no")]
    )
    transport, http = raw_transport()

    async def main() -> httpx.Response:
        async with http:
            return await http.post(server.url + "/", content=b"{}")

    response = run(main)
    assert response.status_code == 404
    assert response.reason_phrase == "Not Found"
    assert response.http_version == "HTTP/1.1"
    assert response.headers.get_list("x-dup") == ["1", "2"]
    assert response.content == b"no"
    assert transport._session is None  # closed with the httpx client


# -- streaming, size cap, slots -------------------------------------------------------------


def test_body_is_streamed_in_chunks(server: FaultServer) -> None:
    big = b"y" * (4 * 1024 * 1024)
    server.set_script([respond(200, {"Content-Type": "application/octet-stream"}, big)])
    _, http = raw_transport(read=5.0)

    async def main() -> list[int]:
        async with http, http.stream("POST", server.url + "/", content=b"{}") as response:
            return [len(chunk) async for chunk in response.aiter_raw()]

    sizes = run(main)
    assert sum(sizes) == len(big)
    assert len(sizes) > 1  # handed up as it arrives, not read whole first


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_size_cap_stops_reading_and_frees_the_connection(
    server: FaultServer, transport: str
) -> None:
    """An answer over max_response_bytes is refused while streaming; its connection (half
    read, so unusable) is closed and its slot freed: with a pool of one, the next call gets
    a new connection at once instead of a PoolTimeout."""
    big = respond(200, JSON_HEADERS, b"z" * (2 * 1024 * 1024))
    server.set_script([big, OK])

    async def main() -> Any:
        async with client(
            server.url,
            transport,
            max_response_bytes=64 * 1024,
            max_pool_connections=1,
            pool_timeout=0.5,
        ) as kms:
            with pytest.raises(trentclient.ResponseParseError, match="max_response_bytes"):
                await kms.describe_key(KeyId=KEY)
            return await kms.describe_key(KeyId=KEY)

    result = run(main)
    assert result["KeyMetadata"]["KeyId"] == KEY
    assert len(server.requests) == 2
    assert server.connections == 2


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_full_pool_is_a_pool_timeout(server: FaultServer, transport: str) -> None:
    """One connection, busy with a slow call: the second call waits pool_timeout, then
    fails with httpx's PoolTimeout (retried like any transport error)."""
    server.set_script([delay(1.0, OK)])

    async def main() -> tuple[BaseException, float]:
        async with client(
            server.url,
            transport,
            max_pool_connections=1,
            pool_timeout=0.2,
            read_timeout=2.0,
            retries={"total_max_attempts": 1},
        ) as kms:
            slow = asyncio.ensure_future(kms.describe_key(KeyId=KEY))
            await asyncio.sleep(0.1)  # the slow call holds the only connection
            started = time.monotonic()
            with pytest.raises(trentclient.TransportError) as info:
                await kms.describe_key(KeyId=KEY)
            elapsed = time.monotonic() - started
            await slow
            return info.value, elapsed

    error, elapsed = run(main)
    assert isinstance(error.__cause__, httpx.PoolTimeout)
    assert "PoolTimeout" in str(error)
    assert 0.15 < elapsed < 0.8
    assert len(server.requests) == 1


def test_two_hundred_concurrent_calls_over_ten_connections(server: FaultServer) -> None:
    async def main() -> list[Any]:
        async with client(server.url, max_pool_connections=10, read_timeout=10.0) as kms:
            return await asyncio.gather(*(kms.describe_key(KeyId=KEY) for _ in range(200)))

    results = run(main)
    assert len(results) == 200
    assert all(r["ResponseMetadata"]["RetryAttempts"] == 0 for r in results)
    assert len(server.requests) == 200
    assert server.connections <= 10


@pytest.mark.moto
def test_two_hundred_concurrent_calls_against_moto(kms_server: LocalKMS) -> None:
    creds = kms_server.credentials

    async def main() -> tuple[list[bytes], Any]:
        async with trentclient.AsyncClient(
            kms_server.region,
            endpoint_url=kms_server.endpoint_url,
            aws_access_key_id=creds.access_key,
            aws_secret_access_key=creds.secret_key,
            config=trentclient.Config(max_pool_connections=10),
        ) as kms:
            assert isinstance(kms._http._transport, AiohttpTransport)  # type: ignore[attr-defined]
            key = (await kms.create_key(Description="aiohttp"))["KeyMetadata"]["KeyId"]
            blobs = await asyncio.gather(
                *(kms.encrypt(KeyId=key, Plaintext=b"%d" % n) for n in range(200))
            )
            plain = await asyncio.gather(
                *(kms.decrypt(CiphertextBlob=b["CiphertextBlob"]) for b in blobs)
            )
            connector = kms._http._transport._session.connector  # type: ignore[attr-defined]
            return [p["Plaintext"] for p in plain], connector

    plaintexts, connector = run(main)
    assert plaintexts == [b"%d" % n for n in range(200)]
    assert connector.limit == 10
    assert connector.closed


# -- errors: httpx's classes, aiohttp's exception as the cause --------------------------------


def _fin_server() -> tuple[socket.socket, threading.Event]:
    """Reads each request, then closes with a FIN: no answer at all."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.05)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(2.0)
                conn.recv(65536)

    threading.Thread(target=serve, daemon=True).start()
    return listener, stop


@pytest.mark.parametrize(
    ("action", "error", "cause"),
    [
        (reset(), httpx.ReadError, aiohttp.ClientOSError),
        (
            reset_mid_body(200, JSON_HEADERS, BODY),
            httpx.RemoteProtocolError,
            aiohttp.ClientPayloadError,
        ),
        (
            delay(1.0, OK),
            httpx.ReadTimeout,
            aiohttp.ServerTimeoutError,
        ),  # 3.10+: SocketTimeoutError
    ],
    ids=["reset", "reset-mid-body", "read-timeout"],
)
def test_faults_become_httpx_errors(
    server: FaultServer, action: Action, error: type[Exception], cause: type[Exception]
) -> None:
    server.set_script([action])
    _, http = raw_transport(read=0.3)

    async def main() -> None:
        async with http:
            response = await http.post(server.url + "/", content=b"{}")
            await response.aread()

    with pytest.raises(error) as info:
        run(main)
    assert type(info.value) is error
    assert isinstance(info.value.__cause__, cause)
    assert isinstance(info.value.__cause__, aiohttp.ClientError)
    assert str(info.value)


def test_disconnect_without_answer_is_remote_protocol_error() -> None:
    listener, stop = _fin_server()
    _, http = raw_transport()

    async def main() -> None:
        async with http:
            await http.post(f"http://127.0.0.1:{listener.getsockname()[1]}/", content=b"{}")

    try:
        with pytest.raises(httpx.RemoteProtocolError) as info:
            run(main)
    finally:
        stop.set()
        listener.close()
    assert str(info.value) == "Server disconnected without sending a response."
    assert isinstance(info.value.__cause__, aiohttp.ServerDisconnectedError)


def test_refused_is_connect_error() -> None:
    _, http = raw_transport()
    port = unused_port()

    async def main() -> None:
        async with http:
            await http.post(f"http://127.0.0.1:{port}/", content=b"{}")

    with pytest.raises(httpx.ConnectError) as info:
        run(main)
    assert isinstance(info.value.__cause__, aiohttp.ClientConnectorError)
    assert f"127.0.0.1:{port}" in str(info.value)


@pytest.fixture
def black_hole() -> Iterator[int]:
    """A port whose accept queue is full: new connections never complete (SYNs dropped)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port: int = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.05)
    try:
        yield port
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_connect_timeout(black_hole: int, transport: str) -> None:
    async def main() -> tuple[BaseException, float]:
        async with client(f"http://127.0.0.1:{black_hole}", transport, connect_timeout=0.3) as kms:
            started = time.monotonic()
            with pytest.raises(trentclient.ConnectTimeoutError) as info:
                await kms.describe_key(KeyId=KEY)
            return info.value, time.monotonic() - started

    error, elapsed = run(main)
    assert isinstance(error.__cause__, httpx.ConnectTimeout)
    assert error.attempts == 3
    assert 0.8 < elapsed < 3.0  # 3 x 0.3 s, plus backoff
    if transport == "aiohttp":
        # aiohttp 3.10+: ConnectionTimeoutError, a subclass
        assert isinstance(error.__cause__.__cause__, aiohttp.ServerTimeoutError)


@pytest.fixture
def deaf_server() -> Iterator[int]:
    """Accepts connections and never reads from them, with a tiny receive buffer."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()
    listener.settimeout(0.05)

    def accept() -> None:
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(2.0)
        for conn in held:
            conn.close()
        listener.close()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_stalled_send_is_a_write_timeout(deaf_server: int, transport: str) -> None:
    """aiohttp has no write timeout; the transport bounds connect + send + wait for the
    head by connect + write + read, so a send that stalls ends as httpx's WriteTimeout
    (later than httpx's own: 0.6 s here, where httpx gives up after 0.2 s), and its
    socket is aborted, not left waiting to flush (no ResourceWarning)."""
    timeouts = {"connect": 0.2, "write": 0.2, "read": 0.2}
    if transport == "aiohttp":
        http = raw_transport(**timeouts)[1]
    else:
        http = httpx.AsyncClient(timeout=httpx.Timeout(0.5, **timeouts))

    async def main() -> float:
        async with http:
            started = time.monotonic()
            with pytest.raises(httpx.WriteTimeout) as info:
                await http.post(f"http://127.0.0.1:{deaf_server}/", content=b"w" * (64 << 20))
            assert str(info.value) or transport == "httpx"
            return time.monotonic() - started

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        elapsed = run(main)
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []
    assert 0.1 < elapsed < 2.0


# -- session lifecycle ----------------------------------------------------------------------


def test_session_is_made_lazily_and_aclose_releases_everything(server: FaultServer) -> None:
    kms = client(server.url)
    transport = kms._http._transport  # type: ignore[attr-defined]
    assert transport._session is None  # nothing opened by construction
    held: list[Any] = [kms, transport]

    async def main() -> Any:
        await asyncio.gather(*(kms.describe_key(KeyId=KEY) for _ in range(4)))
        session = transport._session
        assert session is not None and not session.closed
        await kms.aclose()
        return session

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        held.append(run(main))
        session = held[-1]
        assert session.closed
        assert session.connector is None or session.connector.closed
        assert transport._session is None
        held.clear()
        session = kms = transport = None
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []
    # The server saw every connection closed by the client.
    deadline = time.monotonic() + 2.0
    while server._conns and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not server._conns


def test_unused_client_needs_no_aclose() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        kms = client("http://127.0.0.1:9")
        del kms
        gc.collect()
    assert caught == []


def test_closed_transport_refuses_to_reopen(server: FaultServer) -> None:
    transport, http = raw_transport()

    async def main() -> None:
        await http.post(server.url + "/", content=b"{}")
        await transport.aclose()
        with pytest.raises(RuntimeError, match="closed"):
            await transport.handle_async_request(httpx.Request("POST", server.url + "/"))
        await http.aclose()

    run(main)


def test_one_event_loop_per_client(server: FaultServer) -> None:
    """The session belongs to the loop it was made in (httpx's pool fails there too)."""
    kms = client(server.url)
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(kms.describe_key(KeyId=KEY))
        with pytest.raises(RuntimeError, match="another event loop"):
            asyncio.run(kms.describe_key(KeyId=KEY))
    finally:
        loop.run_until_complete(kms.aclose())
        loop.close()


def test_the_session_closes_with_its_loop(server: FaultServer) -> None:
    """``asyncio.run(kms.call())`` without ``aclose()``: the loop's end closes the session
    (no "Unclosed client session" from aiohttp at exit), and a later loop gets a new one."""
    script = (
        "import asyncio, sys, trentclient\n"
        "kms = trentclient.AsyncClient('us-east-1', endpoint_url=sys.argv[1],"
        " aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3])\n"
        "for _ in range(2):\n"
        "    r = asyncio.run(kms.describe_key(KeyId='k'))\n"
        "    print(r['KeyMetadata']['KeyId'], kms._aiohttp._session is None)\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "always", "-X", "dev", "-c", script, server.url, AK, SK],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [KEY, "True", KEY, "True"]
    assert "Unclosed" not in done.stderr and "ResourceWarning" not in done.stderr, done.stderr
    assert [r.connection for r in server.requests] == [1, 2]  # one session per loop


def test_cancelled_call_frees_its_slot(server: FaultServer) -> None:
    server.set_script([delay(1.0, OK), OK])

    async def main() -> Any:
        async with client(server.url, max_pool_connections=1, pool_timeout=0.5) as kms:
            slow = asyncio.ensure_future(kms.describe_key(KeyId=KEY))
            await asyncio.sleep(0.1)
            slow.cancel()
            with pytest.raises(asyncio.CancelledError):
                await slow
            return await kms.describe_key(KeyId=KEY)

    assert run(main)["KeyMetadata"]["KeyId"] == KEY


# -- test doubles still see the requests ------------------------------------------------------


def test_respx_routes_calls_even_when_started_after_the_first_call(server: FaultServer) -> None:
    """respx patches httpcore's pool; while it does, the transport sends through httpx's
    own, so the mock sees the call. Before and after, aiohttp's pool carries it."""
    import respx

    async def main() -> list[Any]:
        async with client(server.url) as kms:
            transport = kms._http._transport  # type: ignore[attr-defined]
            first = await kms.describe_key(KeyId=KEY)  # the real server, through aiohttp
            assert transport._session is not None
            with respx.mock:
                route = respx.post(server.url + "/").mock(
                    return_value=httpx.Response(200, json={"KeyMetadata": {"KeyId": "mocked"}})
                )
                mocked = await kms.describe_key(KeyId=KEY)
                assert route.call_count == 1
            last = await kms.describe_key(KeyId=KEY)
            return [first, mocked, last]

    first, mocked, last = run(main)
    assert mocked["KeyMetadata"]["KeyId"] == "mocked"
    assert first["KeyMetadata"]["KeyId"] == last["KeyMetadata"]["KeyId"] == KEY
    assert len(server.requests) == 2


def test_patched_httpx_transport_is_used(
    server: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pytest-httpx and unittest.mock replace ``httpx.AsyncHTTPTransport``'s send."""
    seen: list[httpx.Request] = []

    async def fake(self: Any, request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"KeyMetadata": {"KeyId": "patched"}})

    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", fake)

    async def main() -> Any:
        async with client(server.url) as kms:
            return await kms.describe_key(KeyId=KEY)

    assert run(main)["KeyMetadata"]["KeyId"] == "patched"
    assert len(seen) == 1
    assert server.requests == []


def test_call_cancelled_while_waiting_for_a_slot_takes_none(server: FaultServer) -> None:
    server.set_script([delay(0.3, OK), OK])

    async def main() -> Any:
        async with client(server.url, max_pool_connections=1, read_timeout=2.0) as kms:
            slow = asyncio.ensure_future(kms.describe_key(KeyId=KEY))
            await asyncio.sleep(0.05)
            waiting = asyncio.ensure_future(kms.describe_key(KeyId=KEY))
            await asyncio.sleep(0.05)  # queued behind the slow call
            waiting.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiting
            await slow
            return await asyncio.wait_for(kms.describe_key(KeyId=KEY), 1.0)

    assert run(main)["KeyMetadata"]["KeyId"] == KEY
    assert len(server.requests) == 2
