"""``Client``'s direct send over httpcore (issue 14): the core's header list goes to the
client's own ``httpcore.ConnectionPool`` and the answer's status, headers and body go
straight back into the core, without an ``httpx.Request``, an ``httpx.Response`` or
``import httpx``.

What must hold, checked against the same calls made through httpx's objects (the same
client with the direct send switched off, which sends through ``httpx.HTTPTransport``):
the same bytes on the wire; the same results and errors for every kind of answer (error
answers, ``Content-Encoding``, cut-short bodies, resets); the pool ``HTTPTransport``
would build; httpcore's errors mapped as ``HTTPTransport`` maps them; an ``httpx.Request``
built only for a transport error; the size cap while reading; httpx's INFO line; a
non-ASCII header value refused as httpx refuses it; and no httpx imported at all.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any
from unittest import mock

import httpcore
import httpx
import pytest

import trentclient
from tests.answers import ANSWERS, JSON_HEADERS, KEY, OK, RID
from tests.conftest import AK, SK
from tests.faultserver import FaultServer, respond, unused_port
from trentclient._call import Call
from trentclient._httpcore import new_pool, raise_mapped

#: direct: the direct send; httpx: the same client through httpx's request and response
#: objects (``httpx.HTTPTransport`` over the same kind of pool).
WAYS = ("direct", "httpx")


@pytest.fixture
def server() -> Iterator[FaultServer]:
    fault_server = FaultServer([OK]).start()
    try:
        yield fault_server
    finally:
        fault_server.stop()


def _client(url: str, **config: Any) -> trentclient.Client:
    config.setdefault("connect_timeout", 1.0)
    config.setdefault("read_timeout", 1.0)
    return trentclient.Client(
        "us-east-1",
        endpoint_url=url,
        aws_access_key_id=AK,
        aws_secret_access_key=SK,
        config=trentclient.Config(**config),
    )


def _way(way: str) -> contextlib.AbstractContextManager[Any]:
    if way == "httpx":
        return mock.patch.object(trentclient.Client, "_direct_pool", return_value=None)
    return contextlib.nullcontext()


def _outcome(url: str, way: str, calls: int = 1, **config: Any) -> list[Any]:
    """What ``describe_key`` gives, ``calls`` times in a row, made one way: each result,
    or the error's type, text and what it carries."""
    out: list[Any] = []
    with _way(way), _client(url, **config) as kms:
        for _ in range(calls):
            try:
                out.append(kms.describe_key(KeyId=KEY))
            except trentclient.ServiceError as exc:
                out.append((type(exc), str(exc), exc.code, exc.status_code, exc.http_headers))
            except trentclient.TrentError as exc:
                out.append((type(exc), str(exc)))
    return out


def _spy_requests() -> Any:
    """Count the ``httpx.Request`` values the core builds (``Call.request``)."""
    return mock.patch.object(Call, "request", autospec=True, side_effect=Call.request)


def test_a_call_builds_no_httpx_request(server: FaultServer) -> None:
    with _spy_requests() as built:
        (result,) = _outcome(server.url, "direct")
    assert result["KeyMetadata"]["KeyId"] == KEY
    assert built.call_count == 0
    with _spy_requests() as built:
        _outcome(server.url, "httpx")
    assert built.call_count == 1


def test_same_bytes_on_the_wire_both_ways(server: FaultServer) -> None:
    for way in WAYS:
        _outcome(server.url, way)
    direct, through_httpx = server.requests
    varying = {"x-amz-date", "authorization", "amz-sdk-invocation-id"}
    assert direct.method == through_httpx.method == "POST"
    assert direct.path == through_httpx.path == "/"
    assert direct.body == through_httpx.body
    assert [(k, v) for k, v in direct.headers if k.lower() not in varying] == [
        (k, v) for k, v in through_httpx.headers if k.lower() not in varying
    ]
    assert [k for k, _ in direct.headers] == [k for k, _ in through_httpx.headers]
    # The User-Agent names the library that carries the request: httpcore's pool.
    assert f" md/httpcore#{httpcore.__version__} " in (direct.header("User-Agent") or "")


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_same_outcome_both_ways(server: FaultServer, name: str) -> None:
    config: dict[str, Any] = {"retries": {"total_max_attempts": 2}}
    outcomes = {}
    for way in WAYS:
        server.set_script(ANSWERS[name])
        outcomes[way] = _outcome(server.url, way, calls=1, **config)
    assert outcomes["direct"] == outcomes["httpx"], outcomes


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"max_pool_connections": 3},
        {"tcp_keepalive": True},
    ],
)
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_the_pool_is_what_httpx_transport_builds(options: dict[str, Any], scheme: str) -> None:
    kms = trentclient.Client(
        "us-east-1",
        endpoint_url=f"{scheme}://127.0.0.1:1",
        aws_access_key_id=AK,
        aws_secret_access_key=SK,
        config=trentclient.Config(**options),
    )
    core = kms._core
    theirs = httpx.HTTPTransport(**core.transport_options())._pool
    ours = kms._pool
    assert type(ours) is type(theirs) is httpcore.ConnectionPool
    mine = new_pool(core.ssl_context(), core.pool_limits(), core.socket_options())
    names = [
        n for n in vars(theirs) if n not in ("_connections", "_requests", "_optional_thread_lock")
    ]
    assert "_max_connections" in names and "_ssl_context" in names and "_socket_options" in names
    for pool in (ours, mine):
        for name in names:
            value, expected = getattr(pool, name), getattr(theirs, name)
            if type(expected).__eq__ is object.__eq__:  # (locks, the network backend)
                assert type(value) is type(expected), name
            else:
                assert value == expected, name
    kms.close()


def _mapped_by_httpx(exc: Exception) -> BaseException:
    class Failing:
        def handle_request(self, request: Any) -> Any:
            raise exc

    transport = httpx.HTTPTransport()
    transport._pool = Failing()  # type: ignore[assignment]
    with pytest.raises(BaseException) as info:
        transport.handle_request(httpx.Request("POST", "http://h/"))
    return info.value


def test_httpcore_errors_map_as_httpx_transport_maps_them() -> None:
    names = [n for n in dir(httpcore) if isinstance(getattr(httpcore, n), type)]
    errors = [getattr(httpcore, n) for n in names if issubclass(getattr(httpcore, n), Exception)]
    assert len(errors) >= 14
    request = httpx.Request("POST", "http://h/")
    for cls in [*errors, ValueError, OSError]:
        exc = cls("it failed: why")
        theirs = _mapped_by_httpx(exc)
        with pytest.raises(BaseException) as info:
            raise_mapped(exc, lambda: request)
        ours = info.value
        assert type(ours) is type(theirs), cls
        assert str(ours) == str(theirs)
        assert ours.__cause__ is theirs.__cause__
        if isinstance(ours, httpx.RequestError):
            assert ours.request is request


def test_size_cap_while_reading(server: FaultServer) -> None:
    big = respond(200, JSON_HEADERS, b"z" * (256 * 1024))
    server.set_script([big, OK])
    with _client(server.url, max_response_bytes=16 * 1024) as kms:
        with pytest.raises(trentclient.ResponseParseError, match="max_response_bytes") as info:
            kms.describe_key(KeyId=KEY)
        assert info.value.request_id == RID
        assert kms.describe_key(KeyId=KEY)["KeyMetadata"]["KeyId"] == KEY
    assert [r.connection for r in server.requests] == [1, 2]  # the cut-off one was closed


def test_transport_error_builds_its_request_then() -> None:
    url = f"http://127.0.0.1:{unused_port()}"
    with (
        _spy_requests() as built,
        _client(url, retries={"total_max_attempts": 2}) as kms,
        pytest.raises(trentclient.EndpointConnectionError) as info,
    ):
        kms.describe_key(KeyId=KEY)
    assert built.call_count == 2  # one per failed attempt, for its httpx.ConnectError
    cause = info.value.__cause__
    assert isinstance(cause, httpx.ConnectError)
    assert isinstance(cause.__cause__, httpcore.ConnectError)
    assert cause.request.headers["X-Amz-Target"] == "TrentService.DescribeKey"
    assert cause.request.headers["amz-sdk-request"] == "attempt=2"


def test_httpx_info_line_as_httpx_logs_it(
    server: FaultServer, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    lines = {}
    for way in WAYS:
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="httpx"):
            _outcome(server.url, way)
        lines[way] = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert lines["direct"] == [f'HTTP Request: POST {server.url}/ "HTTP/1.1 200 OK"']
    assert lines["direct"] == lines["httpx"]


def test_non_ascii_header_value_fails_as_through_httpx(server: FaultServer) -> None:
    errors = {}
    for way in WAYS:
        with (
            _way(way),
            trentclient.Client(
                "us-east-1",
                endpoint_url=server.url,
                aws_access_key_id=AK,
                aws_secret_access_key=SK,
                aws_session_token="t\xf6ken",
            ) as kms,
            pytest.raises(UnicodeEncodeError) as info,
        ):
            kms.describe_key(KeyId=KEY)
        errors[way] = str(info.value)
    assert errors["direct"] == errors["httpx"]
    assert server.requests == []


def test_a_proxy_sends_through_httpx(monkeypatch: pytest.MonkeyPatch) -> None:
    kms = trentclient.Client(
        "us-east-1",
        endpoint_url="https://kms.us-east-1.amazonaws.com",
        aws_access_key_id=AK,
        aws_secret_access_key=SK,
        config=trentclient.Config(proxies={"https": "http://127.0.0.1:3128"}),
    )
    assert kms._pool is None
    assert kms._direct is not None
    assert isinstance(kms._direct[1]._pool, httpcore.HTTPProxy)
    kms.close()


def test_sends_without_importing_httpx(server: FaultServer) -> None:
    """A fresh interpreter: import, construct, call, close; httpx is never imported."""
    script = (
        "import sys, trentclient\n"
        "c = trentclient.Client('us-east-1', endpoint_url=sys.argv[1],"
        " aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3])\n"
        "r = c.describe_key(KeyId='k')\n"
        "c.close()\n"
        "print(r['KeyMetadata']['KeyId'], 'httpx' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["AWS_CONFIG_FILE"] = env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    out = subprocess.run(
        [sys.executable, "-c", script, server.url, AK, SK],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()
    assert out == [KEY, "False"]
    assert json.loads(server.requests[0].body) == {"KeyId": "k"}
