"""Fault injection against a real loopback HTTP/1.1 server, for both clients.

Unlike the ``MockTransport`` tests, these go through trentclient's own default httpx client
(its connection pool, sockets and timeouts): ``make_driver(endpoint_url=server.url)`` with
no ``handler=``. The server (``tests/faultserver.py``) resets connections, drops idle ones,
answers slowly or with error bursts, and records what it received. Every call has
sub-second connect/read timeouts, so no test can hang; backoff sleeps are recorded by
``make_driver``, never slept.
"""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

import trentclient
from tests.conftest import AK, SK, Driver
from tests.faultserver import (
    Action,
    FaultServer,
    RecordedRequest,
    delay,
    reset,
    reset_mid_body,
    respond,
    respond_and_close,
    respond_then_drop,
    unused_port,
)

KEY = "1234abcd-12ab-34cd-56ef-1234567890ab"
ARN = f"arn:aws:kms:us-east-1:111122223333:key/{KEY}"
RID = "f1d2e5c8-0000-4a4b-9c9d-123456789abc"
JSON_HEADERS = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": RID}
# Long enough that "half the body" is a real, unparseable prefix.
DESCRIBE_BODY = json.dumps(
    {
        "KeyMetadata": {
            "KeyId": KEY,
            "Arn": ARN,
            "Description": "x" * 2000,
            "Enabled": True,
        }
    }
).encode()
THROTTLE_BODY = json.dumps(
    {
        "__type": "ThrottlingException",
        "message": "You have exceeded the rate at which you may call KMS.",
    }
).encode()
HTML_503 = b"<html><head><title>503 Service Unavailable</title></head><body>busy</body></html>"

OK = respond(200, JSON_HEADERS, DESCRIBE_BODY)
THROTTLE = respond(400, JSON_HEADERS, THROTTLE_BODY)
UNAVAILABLE = respond(503, {"Content-Type": "text/html"}, HTML_503)
LIMIT = respond(
    400,
    JSON_HEADERS,
    json.dumps({"__type": "LimitExceededException", "message": "too many keys"}).encode(),
)

Make = Callable[..., Driver]


@pytest.fixture
def fault_server() -> Iterator[FaultServer]:
    """A started ``FaultServer`` (script: always 200 OK); stopped, sockets closed, after."""
    server = FaultServer([OK]).start()
    try:
        yield server
    finally:
        server.stop()
    assert not server.errors, server.errors


def driver_for(make_driver: Make, url: str, **config: Any) -> Driver:
    """A driver on trentclient's default httpx client, with short timeouts."""
    config.setdefault("connect_timeout", 0.5)
    config.setdefault("read_timeout", 0.5)
    return make_driver(endpoint_url=url, config=trentclient.Config(**config))


def describe(driver: Driver) -> Any:
    return driver.call("describe_key", KeyId=KEY)


def run(server: FaultServer, make_driver: Make, script: list[Action], **config: Any) -> Driver:
    server.set_script(script)
    return driver_for(make_driver, server.url, **config)


def assert_ok(result: Any, retries: int) -> None:
    assert result["KeyMetadata"]["KeyId"] == KEY
    assert result["KeyMetadata"]["Arn"] == ARN
    assert result["ResponseMetadata"]["RetryAttempts"] == retries
    assert result["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert result["ResponseMetadata"]["RequestId"] == RID


def transport_failure(driver: Driver) -> trentclient.TransportError:
    with pytest.raises(trentclient.TransportError) as info:
        describe(driver)
    return info.value


# -- the fake itself ------------------------------------------------------------------------


def test_fake_sends_a_big_answer_whole_to_a_slow_reader(fault_server: FaultServer) -> None:
    """An 8 MB answer reaches a client that starts reading late, byte for byte: the fake
    must not give up on a send after its 20 ms poll interval (a ``sendall`` under a socket
    timeout does, and CI once saw an answer cut short at 3.9 of 4 MB that way)."""
    body = bytes(range(256)) * (32 * 1024)
    fault_server.set_script([respond_and_close(200, {}, body)])
    host, port = fault_server.url.removeprefix("http://").split(":")
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)  # before connect: the window
        sock.settimeout(5)
        sock.connect((host, int(port)))
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        time.sleep(0.2)  # the fake's buffers fill and its sends wait for this reader
        received = bytearray()
        while chunk := sock.recv(1 << 20):
            received += chunk
    head, _, got = bytes(received).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert len(got) == len(body)
    assert got == body


# -- connection resets ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [reset_mid_body(200, JSON_HEADERS, DESCRIBE_BODY), reset()],
    ids=["reset-mid-response", "reset-before-any-byte"],
)
def test_reset_is_retried_then_succeeds(
    fault_server: FaultServer, make_driver: Make, fault: Action
) -> None:
    driver = run(fault_server, make_driver, [fault, OK])
    assert_ok(describe(driver), retries=1)
    assert len(fault_server.requests) == 2
    assert fault_server.connections == 2  # the reset connection is not reused
    assert len(driver.client._sleep.slept) == 1
    assert 0 <= driver.client._sleep.slept[0] <= 0.05


@pytest.mark.parametrize(
    "fault",
    [reset_mid_body(200, JSON_HEADERS, DESCRIBE_BODY), reset()],
    ids=["reset-mid-response", "reset-before-any-byte"],
)
def test_reset_on_every_attempt_raises_transport_error(
    fault_server: FaultServer, make_driver: Make, fault: Action
) -> None:
    driver = run(fault_server, make_driver, [fault])
    error = transport_failure(driver)
    assert type(error) is trentclient.ConnectionClosedError
    assert error.attempts == 3
    assert error.operation_name == "DescribeKey"
    assert "after 3 attempts" in str(error)
    assert isinstance(error.__cause__, httpx.HTTPError)
    assert isinstance(error.__cause__, httpx.TransportError)
    assert len(fault_server.requests) == 3
    assert fault_server.connections == 3
    assert len(driver.client._sleep.slept) == 2


# -- keep-alive and stale pooled connections ----------------------------------------------------


def test_keep_alive_reuses_one_connection(fault_server: FaultServer, make_driver: Make) -> None:
    driver = run(fault_server, make_driver, [OK])
    for _ in range(5):
        assert_ok(describe(driver), retries=0)
    assert len(fault_server.requests) == 5
    assert fault_server.connections == 1
    assert [r.connection for r in fault_server.requests] == [1] * 5
    assert driver.client._sleep.slept == []


def test_server_dropping_idle_connections_is_not_a_retry(
    fault_server: FaultServer, make_driver: Make
) -> None:
    """The server answers without ``Connection: close`` and then closes the connection, so
    the pool holds a dead connection when the next call starts. The pool must notice and
    open a new one: no error, no retry.

    The test waits until the server has really closed the connection before the next call,
    as when a connection goes stale while idle in the pool; without the wait the client
    could race the close (send on the connection just before the FIN arrives), which is a
    different failure that only a retry can cover.
    """
    driver = run(fault_server, make_driver, [respond_then_drop(200, JSON_HEADERS, DESCRIBE_BODY)])
    for n in range(1, 6):
        assert_ok(describe(driver), retries=0)
        assert fault_server.wait_closed_by_server(n, timeout=2.0)
    assert len(fault_server.requests) == 5
    assert fault_server.connections == 5
    assert [r.connection for r in fault_server.requests] == [1, 2, 3, 4, 5]
    assert driver.client._sleep.slept == []


def test_server_dropping_connections_right_after_answering(
    fault_server: FaultServer, make_driver: Make
) -> None:
    """Without waiting for the server's close, the next call may race it: its request goes
    out on the connection just before the FIN/RST arrives and fails with no answer. That
    attempt is retried on a new connection (the failed one is never reused), so every call
    succeeds with at most one retry, and the lost request never reached the server."""
    driver = run(fault_server, make_driver, [respond_then_drop(200, JSON_HEADERS, DESCRIBE_BODY)])
    retries = [describe(driver)["ResponseMetadata"]["RetryAttempts"] for _ in range(5)]
    assert set(retries) <= {0, 1}
    assert len(driver.client._sleep.slept) == sum(retries)
    assert len(fault_server.requests) == 5
    assert fault_server.connections == 5


def test_connection_close_answers_open_a_connection_per_call(
    fault_server: FaultServer, make_driver: Make
) -> None:
    driver = run(fault_server, make_driver, [respond_and_close(200, JSON_HEADERS, DESCRIBE_BODY)])
    for _ in range(5):
        assert_ok(describe(driver), retries=0)
    assert len(fault_server.requests) == 5
    assert fault_server.connections == 5
    assert driver.client._sleep.slept == []


# -- timeouts and refused connections --------------------------------------------------------


def test_slow_answer_is_a_read_timeout(fault_server: FaultServer, make_driver: Make) -> None:
    started = time.monotonic()
    driver = run(fault_server, make_driver, [delay(2.0, OK)], read_timeout=0.3)
    error = transport_failure(driver)
    elapsed = time.monotonic() - started
    assert type(error) is trentclient.ReadTimeoutError
    assert error.attempts == 3
    assert isinstance(error.__cause__, httpx.ReadTimeout)
    assert "Read timeout on endpoint URL" in str(error)
    assert len(fault_server.requests) == 3
    assert len(driver.client._sleep.slept) == 2
    assert elapsed < 2.5  # 3 x 0.3 s plus overhead; far below the server's 2 s delay x 3


def test_connection_refused(make_driver: Make) -> None:
    port = unused_port()
    driver = driver_for(make_driver, f"http://127.0.0.1:{port}")
    error = transport_failure(driver)
    assert type(error) is trentclient.EndpointConnectionError
    assert error.attempts == 3
    assert "Could not connect to the endpoint URL" in str(error)
    assert f"127.0.0.1:{port}" in str(error)
    assert isinstance(error.__cause__, httpx.ConnectError)
    assert len(driver.client._sleep.slept) == 2


# -- error bursts ---------------------------------------------------------------------------


def test_burst_of_503_then_success(fault_server: FaultServer, make_driver: Make) -> None:
    driver = run(fault_server, make_driver, [UNAVAILABLE, UNAVAILABLE, OK])
    assert_ok(describe(driver), retries=2)
    assert len(fault_server.requests) == 3
    assert fault_server.connections == 1  # error answers keep the connection alive
    slept = driver.client._sleep.slept
    assert len(slept) == 2
    assert 0 <= slept[0] <= 0.05
    assert 0 <= slept[1] <= 0.1


def test_throttling_longer_than_the_budget(fault_server: FaultServer, make_driver: Make) -> None:
    driver = run(fault_server, make_driver, [THROTTLE])
    with pytest.raises(trentclient.ThrottlingException) as info:
        describe(driver)
    error = info.value
    assert type(error) is trentclient.ThrottlingException
    assert error.retry_attempts == 2
    assert error.status_code == 400
    assert error.request_id == RID
    assert "(reached max retries: 2)" in str(error)
    assert "You have exceeded the rate at which you may call KMS." in str(error)
    assert len(fault_server.requests) == 3
    slept = driver.client._sleep.slept
    assert len(slept) == 2
    assert 0 <= slept[0] <= 1.0  # throttling backs off from a 1 s base
    assert 0 <= slept[1] <= 2.0


def test_throttling_within_a_larger_budget(fault_server: FaultServer, make_driver: Make) -> None:
    driver = run(
        fault_server, make_driver, [THROTTLE] * 4 + [OK], retries={"total_max_attempts": 5}
    )
    assert_ok(describe(driver), retries=4)
    assert len(fault_server.requests) == 5
    assert len(driver.client._sleep.slept) == 4


def test_limit_exceeded_is_not_retried(fault_server: FaultServer, make_driver: Make) -> None:
    driver = run(fault_server, make_driver, [LIMIT, OK])
    with pytest.raises(trentclient.LimitExceededException) as info:
        describe(driver)
    assert info.value.retry_attempts == 0
    assert "reached max retries" not in str(info.value)
    assert len(fault_server.requests) == 1
    assert driver.client._sleep.slept == []


# -- every attempt is signed afresh ------------------------------------------------------------

_AUTH = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<credential>[^,]+), "
    r"SignedHeaders=(?P<signed>[^,]+), Signature=(?P<signature>[0-9a-f]{64})$"
)


def verify_signature(server: FaultServer, recorded: RecordedRequest) -> str:
    """Recompute the signature of ``recorded`` from what reached the server; return it."""
    authorization = recorded.header("Authorization")
    assert authorization is not None
    match = _AUTH.match(authorization)
    assert match, authorization
    signed = match["signed"].split(";")
    assert {"host", "x-amz-date", "x-amz-target", "content-type"} <= set(signed)
    # Headers added after signing, or by httpx, are not signed.
    assert not {"amz-sdk-request", "amz-sdk-invocation-id", "user-agent"} & set(signed)
    amz_date = recorded.header("X-Amz-Date")
    assert amz_date is not None
    when = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert match["credential"] == f"{AK}/{when:%Y%m%d}/us-east-1/kms/aws4_request"
    request = httpx.Request(
        recorded.method,
        server.url + recorded.path,
        headers=[
            (name, value)
            for name, value in recorded.headers
            if name.lower() in signed and name.lower() not in ("host", "x-amz-date")
        ],
        content=recorded.body,
    )
    assert request.headers["host"] == recorded.header("Host")
    result = trentclient.SigV4Auth(trentclient.Credentials(AK, SK), "us-east-1").sign_with_details(
        request, now=when
    )
    assert result.signature == match["signature"]
    assert result.authorization == authorization
    return result.signature


@pytest.mark.parametrize(
    "script",
    [
        [reset(), reset_mid_body(200, JSON_HEADERS, DESCRIBE_BODY), OK],
        [UNAVAILABLE, THROTTLE, OK],
    ],
    ids=["transport-faults", "error-answers"],
)
def test_every_attempt_is_signed_afresh(
    fault_server: FaultServer, make_driver: Make, script: list[Action]
) -> None:
    driver = run(fault_server, make_driver, script)
    # One clock tick per signature, so each attempt has its own X-Amz-Date and signature.
    ticks = iter(
        datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC) + timedelta(seconds=n) for n in range(100)
    )
    driver.client._core.clock = lambda: next(ticks)
    assert_ok(describe(driver), retries=2)
    requests = fault_server.requests
    assert len(requests) == 3
    assert [r.header("amz-sdk-request") for r in requests] == [
        "attempt=1",
        "attempt=2",
        "attempt=3",
    ]
    invocation_ids = {r.header("amz-sdk-invocation-id") for r in requests}
    assert len(invocation_ids) == 1
    assert None not in invocation_ids
    assert [r.header("X-Amz-Date") for r in requests] == [
        "20240501T120000Z",
        "20240501T120001Z",
        "20240501T120002Z",
    ]
    assert {r.body for r in requests} == {json.dumps({"KeyId": KEY}).encode()}
    assert all(r.method == "POST" and r.path == "/" for r in requests)
    signatures = [verify_signature(fault_server, r) for r in requests]
    assert len(set(signatures)) == 3
    # A second call is a new invocation.
    fault_server.set_script([OK])
    assert_ok(describe(driver), retries=0)
    last = fault_server.requests[-1]
    assert last.header("amz-sdk-request") == "attempt=1"
    assert last.header("amz-sdk-invocation-id") not in invocation_ids
    verify_signature(fault_server, last)
