"""Retries (quota, retry-after, adaptive), clock skew, credential refresh, hostile answers, redaction."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import email.utils
import json
import logging
import threading
from collections.abc import Callable

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trentclient
from tests.conftest import AK, SK, Driver
from tests.test_client import Recorder, err, ok
from trentclient._credentials._refresh import RefreshableCredentialProvider
from trentclient._generated._shapes import OPERATIONS
from trentclient._protocol import parse_response
from trentclient._retry import RateLimiter, RetryPolicy, RetryQuota

KEY = "1234abcd-12ab-34cd-56ef-1234567890ab"
UTC = dt.UTC


# -- retry policy ----------------------------------------------------------------------------


def test_retry_quota_stops_retries_and_refunds_on_success(
    make_driver: Callable[..., Driver],
) -> None:
    rec = Recorder(err("KMSInternalException", status=500))
    kms = make_driver(rec)
    kms.client._core.retry.quota = RetryQuota(12)  # room for two retries of cost 5
    with pytest.raises(trentclient.KMSInternalException):  # type: ignore[attr-defined]
        kms.call("describe_key", KeyId=KEY)
    assert len(rec.requests) == 3
    assert kms.client._core.retry.quota.available == 2
    with pytest.raises(trentclient.KMSInternalException):  # type: ignore[attr-defined]
        kms.call("describe_key", KeyId=KEY)
    assert len(rec.requests) == 4  # quota exhausted: no retry at all
    rec.responses = [ok({"KeyMetadata": {"KeyId": KEY}})]
    kms.call("describe_key", KeyId=KEY)
    assert kms.client._core.retry.quota.available == 3  # a success without retry adds 1


def test_timeouts_cost_more_quota() -> None:
    policy = RetryPolicy(max_attempts=5, rng=lambda: 0.5, quota=RetryQuota(100))
    assert policy.decide(1, trentclient.ReadTimeoutError("slow")) == (0.025, 10)
    assert policy.decide(1, trentclient.TransportError("reset")) == (0.025, 5)
    assert policy.quota.available == 85
    policy.succeeded(10)
    assert policy.quota.available == 95


@pytest.mark.parametrize(
    ("hint_ms", "expected"),
    [("3000", 3.0), ("60000", 0.025 + 5.0), ("0", 0.025), ("garbage", 0.025), ("-5", 0.025)],
)
def test_retry_after_header_is_honoured_within_a_bound(hint_ms: str, expected: float) -> None:
    policy = RetryPolicy(rng=lambda: 0.5)
    error = trentclient.ServiceUnavailableException(
        "busy", status_code=503, http_headers={"x-amz-retry-after": hint_ms}
    )
    decision = policy.decide(1, error)
    assert decision is not None
    assert decision[0] == pytest.approx(expected)


def test_backoff_is_capped_and_throttling_starts_at_one_second() -> None:
    policy = RetryPolicy(max_attempts=50, rng=lambda: 0.999999)
    throttle = trentclient.ThrottlingException("slow")
    fault = trentclient.InternalFailure("x", status_code=500)
    assert policy.decide(1, throttle)[0] == pytest.approx(1.0, rel=1e-3)  # type: ignore[index]
    assert policy.decide(1, fault)[0] == pytest.approx(0.05, rel=1e-3)  # type: ignore[index]
    assert policy.decide(20, fault)[0] == pytest.approx(20.0, rel=1e-3)  # type: ignore[index]
    assert policy.decide(3, trentclient.LimitExceededException("quota")) is None  # type: ignore[attr-defined]


def test_adaptive_rate_limiter_slows_down_after_throttling() -> None:
    limiter = RateLimiter(now=0.0)
    assert limiter.acquire(0.0) == 0.0  # off until throttled
    t = 0.0
    for _ in range(20):  # a steady 10 calls/s
        t += 0.1
        limiter.record(False, t)
        assert limiter.acquire(t) == 0.0
    limiter.record(True, t)
    assert limiter.enabled
    assert limiter.max_rate < 10
    waits = [limiter.acquire(t) for _ in range(10)]
    first_wait = next(i for i, wait in enumerate(waits) if wait > 0)
    # Waiting takes no token: every caller that must wait is told the same, and asks again.
    assert len(set(waits[first_wait:])) == 1
    wait = waits[-1]
    assert 0 < wait <= RateLimiter.MAX_RECHECK
    assert limiter.acquire(t + wait + 1e-9) == 0.0  # the token it waited for is there


def test_adaptive_waiters_ask_again_at_least_every_max_recheck() -> None:
    """At the 0.5/s floor the next token is 2 s away; a waiter is told to look again
    within MAX_RECHECK, so a rate that climbs back in the meantime is seen."""
    limiter = RateLimiter(now=0.0)
    limiter.record(True, 0.0)  # a throttle before any rate was measured: the floor
    assert limiter.max_rate == 0.0
    while limiter.acquire(0.0) == 0.0:
        pass
    assert limiter.acquire(0.0) == RateLimiter.MAX_RECHECK


def test_adaptive_limiter_counts_transport_failures_as_answers(
    make_driver: Callable[..., Driver],
) -> None:
    """botocore's limiter hears every attempt's outcome (its needs-retry hook sees caught
    exceptions too), so a connection error counts towards the measured rate."""
    rec = Recorder(httpx.ConnectError("refused"), httpx.ReadError("reset"), ok({"Keys": []}))
    kms = make_driver(rec, config=trentclient.Config(retries={"mode": "adaptive"}))
    limiter = kms.client._core.rate_limiter
    assert limiter is not None
    heard: list[bool] = []
    record = limiter.record

    def recording(throttled: bool, now: float) -> None:
        heard.append(throttled)
        record(throttled, now)

    limiter.record = recording  # type: ignore[method-assign]
    kms.call("list_keys")
    assert heard == [False, False, False]


def test_adaptive_mode_from_config(make_driver: Callable[..., Driver]) -> None:
    rec = Recorder(err("ThrottlingException"), err("ThrottlingException"), ok({"Keys": []}))
    kms = make_driver(
        rec, config=trentclient.Config(retries={"mode": "adaptive", "total_max_attempts": 3})
    )
    assert kms.client._core.rate_limiter is not None
    result = kms.call("list_keys")
    assert result["ResponseMetadata"]["RetryAttempts"] == 2
    assert rec.requests[0].headers["User-Agent"].split(" cfg/retry-mode#")[1].startswith("adaptive")


# -- clock skew -------------------------------------------------------------------------------


def _http_date(moment: dt.datetime) -> str:
    return email.utils.format_datetime(moment.astimezone(UTC), usegmt=True)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (
            "InvalidSignatureException",
            "Signature expired: 20150830T123600Z is now earlier than 20150830T130600Z",
        ),
        ("RequestExpired", "Request has expired."),
        (
            "RequestTimeTooSkewed",
            "The difference between the request time and the current time is too large.",
        ),
        ("UnrecognizedClientException", "The security token included in the request is invalid."),
    ],
)
def test_clock_skew_is_corrected_from_the_date_header(
    make_driver: Callable[..., Driver], code: str, message: str
) -> None:
    local = dt.datetime(2015, 8, 30, 12, 36, 0, tzinfo=UTC)
    server = local + dt.timedelta(minutes=37)
    refusal = err(code, message, status=403)
    refusal.headers["Date"] = _http_date(server)
    rec = Recorder(refusal, ok({"Keys": []}, headers={"Date": _http_date(server)}))
    kms = make_driver(rec)
    kms.client._core.clock = lambda: local
    kms.call("list_keys")
    first, second = rec.requests
    assert first.headers["X-Amz-Date"] == "20150830T123600Z"
    assert second.headers["X-Amz-Date"] == "20150830T131300Z"
    assert kms.client._core.clock_offset == dt.timedelta(minutes=37)
    kms.call("list_keys")  # later requests keep the offset
    assert rec.requests[2].headers["X-Amz-Date"] == "20150830T131300Z"
    assert kms.client._sleep.slept == []


def test_auth_error_without_skew_is_not_retried(make_driver: Callable[..., Driver]) -> None:
    local = dt.datetime(2015, 8, 30, 12, 36, 0, tzinfo=UTC)
    refusal = err("AccessDeniedException", "not allowed", status=400)
    refusal.headers["Date"] = _http_date(local + dt.timedelta(seconds=30))
    rec = Recorder(refusal)
    kms = make_driver(rec)
    kms.client._core.clock = lambda: local
    with pytest.raises(trentclient.AccessDeniedException):
        kms.call("list_keys")
    assert len(rec.requests) == 1


def test_skew_correction_happens_once_per_call(make_driver: Callable[..., Driver]) -> None:
    local = dt.datetime(2015, 8, 30, 12, 36, 0, tzinfo=UTC)
    refusal = err("InvalidSignatureException", "Signature expired", status=400)
    refusal.headers["Date"] = _http_date(local + dt.timedelta(hours=2))
    rec = Recorder(refusal)
    kms = make_driver(rec)
    kms.client._core.clock = lambda: local
    with pytest.raises(trentclient.InvalidSignatureException):
        kms.call("list_keys")
    assert len(rec.requests) == 2


# -- credential refresh -----------------------------------------------------------------------


class Source:
    """A credential source whose answers expire; counts its calls."""

    def __init__(
        self, clock: Callable[[], dt.datetime], lifetime: dt.timedelta = dt.timedelta(hours=1)
    ) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self.calls = 0
        self.threads: list[str] = []
        self.fail = False

    def __call__(self) -> trentclient.Credentials:
        self.calls += 1
        self.threads.append(threading.current_thread().name)
        if self.fail:
            raise RuntimeError("sts is down")
        return trentclient.Credentials(
            f"ASIA{self.calls:016d}",
            "secret-" + str(self.calls),
            "token-" + str(self.calls),
            expiry=self.clock() + self.lifetime,
        )


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2030, 1, 1, tzinfo=UTC)

    def __call__(self) -> dt.datetime:
        return self.now


def test_refresh_windows_sync() -> None:
    clock = Clock()
    source = Source(clock)
    provider = RefreshableCredentialProvider(source, clock=clock)
    first = provider.get_credentials()
    assert source.calls == 1
    clock.now += dt.timedelta(minutes=40)  # 20 min left: fresh
    assert provider.get_credentials() is first
    clock.now += dt.timedelta(minutes=6)  # 14 min left: advisory, refresh fails -> keep
    source.fail = True
    assert provider.get_credentials() is first
    assert source.calls == 2
    clock.now += dt.timedelta(minutes=5)  # 9 min left: mandatory, failure raises
    with pytest.raises(trentclient.NoCredentialsError, match="Refreshing credentials failed"):
        provider.get_credentials()
    source.fail = False
    fresh = provider.get_credentials()
    assert fresh is not first
    assert fresh.expiry == clock.now + dt.timedelta(hours=1)
    assert "secret" not in repr(provider)


def test_refresh_is_thread_safe() -> None:
    clock = Clock()
    source = Source(clock)
    provider = RefreshableCredentialProvider(source, clock=clock)
    provider.get_credentials()
    clock.now += dt.timedelta(minutes=55)  # mandatory
    barrier = threading.Barrier(32)
    seen: list[trentclient.Credentials] = []

    def worker() -> None:
        barrier.wait()
        seen.append(provider.get_credentials())

    threads = [threading.Thread(target=worker) for _ in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert source.calls == 2
    assert len({id(c) for c in seen}) == 1


def test_thousand_async_calls_across_expiry_refresh_once() -> None:
    clock = Clock()
    source = Source(clock)
    provider = RefreshableCredentialProvider(source, clock=clock)
    provider.get_credentials()  # the first credentials, about to expire
    signed_with: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        signed_with.append(request.headers["Authorization"].split("Credential=")[1].split("/")[0])
        await asyncio.sleep(0)
        return ok({"Keys": []})

    async def main() -> None:
        async with trentclient.AsyncClient(
            "us-east-1",
            credential_provider=provider,
            http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        ) as kms:
            clock.now += dt.timedelta(minutes=55)  # 5 minutes left: mandatory for everyone
            results = await asyncio.gather(*(kms.list_keys() for _ in range(1000)))
            assert len(results) == 1000

    asyncio.run(main())
    assert source.calls == 2  # the first fetch, then exactly one refresh
    assert set(signed_with) == {"ASIA0000000000000002"}
    assert source.threads[0] == "MainThread"  # the first, synchronous fetch
    assert source.threads[1] != "MainThread"  # the refresh ran in a worker thread, off the loop


def test_async_advisory_refresh_runs_in_the_background() -> None:
    clock = Clock()
    source = Source(clock)
    provider = RefreshableCredentialProvider(source, clock=clock)
    first = provider.get_credentials()

    async def main() -> tuple[trentclient.Credentials, trentclient.Credentials]:
        clock.now += dt.timedelta(minutes=48)  # 12 minutes left: advisory
        now_creds = await provider.aget_credentials()  # does not wait for the refresh
        await asyncio.sleep(0.05)
        for _ in range(100):
            if source.calls == 2:
                break
            await asyncio.sleep(0.01)
        return now_creds, await provider.aget_credentials()

    during, after = asyncio.run(main())
    assert during is first
    assert after is not first
    assert source.calls == 2


def test_async_fetch_function_is_supported() -> None:
    calls = 0

    async def fetch() -> trentclient.Credentials:
        nonlocal calls
        calls += 1
        return trentclient.Credentials(AK, SK, expiry=dt.datetime.now(UTC) + dt.timedelta(hours=1))

    async def main() -> None:
        async with trentclient.AsyncClient(
            "us-east-1",
            credential_provider=fetch,
            http_client=httpx.AsyncClient(
                transport=httpx.MockTransport(lambda r: ok({"Keys": []}))
            ),
        ) as kms:
            await kms.list_keys()
            await kms.list_keys()

    asyncio.run(main())
    assert calls == 1
    with pytest.raises(trentclient.NoCredentialsError, match="needs AsyncClient"):
        trentclient.Client("us-east-1", credential_provider=fetch).list_keys()


def test_credentials_expiry_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        trentclient.Credentials(AK, SK, expiry=dt.datetime(2030, 1, 1))


# -- hostile answers --------------------------------------------------------------------------


@settings(
    max_examples=300, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    operation=st.sampled_from(sorted(OPERATIONS)),
    status=st.integers(min_value=100, max_value=599),
    headers=st.dictionaries(
        st.sampled_from(
            ["x-amzn-errortype", "x-amzn-requestid", "content-type", "date", "x-amz-retry-after"]
        ),
        st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
        max_size=4,
    ),
    body=st.one_of(
        st.binary(max_size=200),
        st.recursive(
            st.none()
            | st.booleans()
            | st.integers()
            | st.floats(allow_nan=False)
            | st.text(max_size=10),
            lambda children: (
                st.lists(children, max_size=3)
                | st.dictionaries(st.text(max_size=12), children, max_size=4)
            ),
            max_leaves=12,
        ).map(lambda v: json.dumps(v).encode()),
        st.just(b'{"KeyMetadata": {"KeyId": 1}}'),
        st.just(b"<ErrorResponse><Error><Code>X</Code></Error></ErrorResponse>"),
    ),
)
def test_only_trentclient_errors_come_out_of_the_parser(
    operation: str, status: int, headers: dict[str, str], body: bytes
) -> None:
    try:
        result = parse_response(OPERATIONS[operation], status, httpx.Headers(headers), body)
    except trentclient.TrentError as error:
        assert str(error)
        if isinstance(error, trentclient.ServiceError):
            assert error.status_code == status
    else:
        assert 200 <= status < 300
        assert result["ResponseMetadata"]["HTTPStatusCode"] == status


# -- secrets ----------------------------------------------------------------------------------

SECRET = "wJalrXUtnFEMI/SENTINEL/SECRETKEY0123456789"
TOKEN = "SENTINELTOKEN//FQoGZXIvYXdzEXAMPLE=="
PLAINTEXT = b"SENTINEL-PLAINTEXT-do-not-log-me"
PASSWORD = "SENTINEL-PASSWORD-123"
XKS_KEY_ID = "SENTINELXKSKEYIDABCDEFGH"
XKS_SECRET = "SENTINELxksRawSecretAccessKey0123456789abcdefgh"


def _forbidden() -> list[str]:
    return [
        SECRET,
        TOKEN,
        PLAINTEXT.decode(),
        base64.b64encode(PLAINTEXT).decode(),
        base64.b64encode(PLAINTEXT).decode().rstrip("="),
        PASSWORD,
        XKS_KEY_ID,
        XKS_SECRET,
    ]


def test_nothing_secret_reaches_logs_reprs_or_errors(
    make_driver: Callable[..., Driver], caplog: pytest.LogCaptureFixture
) -> None:
    blob = base64.b64encode(PLAINTEXT).decode()

    def handler(request: httpx.Request) -> httpx.Response:
        target = request.headers["X-Amz-Target"].split(".")[1]
        if target == "Decrypt":
            return ok({"KeyId": KEY, "Plaintext": blob, "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"})
        if target == "GenerateDataKey":
            return ok({"KeyId": KEY, "Plaintext": blob, "CiphertextBlob": "AAAA"})
        if target == "CreateCustomKeyStore":
            return err("CustomKeyStoreInvalidStateException", "bad state")
        return ok({"KeyId": KEY, "CiphertextBlob": "AAAA"})

    kms = make_driver(
        handler,
        aws_secret_access_key=SECRET,
        aws_session_token=TOKEN,
        config=trentclient.Config(retries={"total_max_attempts": 1}),
    )
    texts: list[str] = []
    with caplog.at_level(logging.DEBUG, logger="trentclient"):
        texts.append(repr(kms.call("encrypt", KeyId=KEY, Plaintext=PLAINTEXT)))
        decrypted = kms.call("decrypt", CiphertextBlob=b"\x00\x01")
        assert decrypted["Plaintext"] == PLAINTEXT  # the caller still gets it
        kms.call("generate_data_key", KeyId=KEY, NumberOfBytes=32)
        with pytest.raises(trentclient.ServiceError) as info:
            kms.call(
                "create_custom_key_store",
                CustomKeyStoreName="s",
                CloudHsmClusterId="cluster-1234567abcd",
                TrustAnchorCertificate="c",
                KeyStorePassword=PASSWORD,
            )
        with pytest.raises(trentclient.ServiceError):
            kms.call(
                "create_custom_key_store",
                CustomKeyStoreName="xks",
                CustomKeyStoreType="EXTERNAL_KEY_STORE",
                XksProxyUriEndpoint="https://xks.example.com",
                XksProxyUriPath="/kms/xks/v1",
                XksProxyConnectivity="PUBLIC_ENDPOINT",
                XksProxyAuthenticationCredential={
                    "AccessKeyId": XKS_KEY_ID,
                    "RawSecretAccessKey": XKS_SECRET,
                },
            )
        with pytest.raises(trentclient.ParamValidationError) as short:
            kms.call(
                "update_custom_key_store",
                CustomKeyStoreId="cks-1234567890abcdef0",
                XksProxyAuthenticationCredential={
                    "AccessKeyId": "SHORT",
                    "RawSecretAccessKey": XKS_SECRET[:10],
                },
            )
        assert "XksProxyAuthenticationCredential.RawSecretAccessKey" in str(short.value)
        assert XKS_SECRET[:10] not in str(short.value)
        with pytest.raises(trentclient.ParamValidationError) as bad:
            kms.call("encrypt", KeyId=KEY, Plaintext=PLAINTEXT * 200)
    texts += [str(info.value), repr(info.value), repr(info.value.response), str(bad.value)]
    texts += [repr(kms.client), repr(kms.client._core.credentials), repr(kms.client._core.auth)]
    logged = caplog.text
    assert "Sending Encrypt" in logged and "Answer to Decrypt" in logged
    assert "<redacted>" in logged
    for text in [logged, *texts]:
        for forbidden in _forbidden():
            assert forbidden not in text
        assert "Signature=" not in text or "Signature=<redacted>" in text


def test_tls_is_verified_and_http_only_when_asked() -> None:
    import ssl

    from trentclient._core import shared_ssl_context
    from trentclient._endpoints import resolve_endpoint

    context = shared_ssl_context()
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is True
    assert shared_ssl_context() is context  # one for every client
    for region in ("us-east-1", "cn-north-1", "us-gov-west-1", "us-iso-east-1"):
        assert resolve_endpoint(region).startswith("https://")
    with trentclient.Client("us-east-1", aws_access_key_id=AK, aws_secret_access_key=SK) as kms:
        assert kms._http._transport._pool._ssl_context is context  # type: ignore[attr-defined]
    with trentclient.Client(
        "us-east-1",
        endpoint_url="http://127.0.0.1:9",
        aws_access_key_id=AK,
        aws_secret_access_key=SK,
    ) as kms:
        plain = kms._http._transport._pool._ssl_context  # type: ignore[attr-defined]
        assert plain is not context
        assert plain.verify_mode == ssl.CERT_REQUIRED  # never used, and fails closed if it were
        assert plain.get_ca_certs() == [] and plain.check_hostname is True
    from trentclient._core import plain_http_ssl_context

    assert plain_http_ssl_context() is plain  # one per process, shared with credential sources


@pytest.mark.parametrize("bad", ["evil\r\nX-Injected: 1", "a\nb", "nul\0"])
def test_header_values_from_user_input_refuse_cr_lf(bad: str) -> None:
    with pytest.raises(ValueError):
        trentclient.Config(user_agent_extra=bad)
    with pytest.raises(ValueError):
        trentclient.Credentials(AK, SK, bad)
