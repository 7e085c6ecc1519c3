"""``SigV4Auth``: signing ``httpx.Request`` values, and its use as ``auth=`` on httpx clients.

The golden KMS sample below was worked out by hand from the SigV4 rules; botocore
(``tests/sigv4_cases.py``, clock frozen) agrees with it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

import trentclient._signer
from tests.sigv4_cases import botocore_sign_httpx, mismatch
from trentclient._auth import SigV4Auth
from trentclient._credentials import StaticCredentialProvider
from trentclient._credvalue import Credentials
from trentclient._sigv4 import EMPTY_SHA256, SigningResult, signing_key

AK = "AKIDEXAMPLE"
SK = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"
FIXED = datetime(2015, 8, 30, 12, 36, 0, tzinfo=UTC)

KMS_URL = "https://kms.us-east-1.amazonaws.com/"
KMS_HEADERS = {
    "X-Amz-Target": "TrentService.EnableKeyRotation",
    "Content-Type": "application/x-amz-json-1.1",
}
KMS_BODY = b'{"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "RotationPeriodInDays": 180}'
KMS_BODY_SHA256 = "b7ba4835be149a5b142e638f6f5cf81e794c5b51589886e77c742d9c591875a8"

GOLDEN_CANONICAL_REQUEST = (
    "POST\n"
    "/\n"
    "\n"
    "content-type:application/x-amz-json-1.1\n"
    "host:kms.us-east-1.amazonaws.com\n"
    "x-amz-date:20150830T123600Z\n"
    "x-amz-target:TrentService.EnableKeyRotation\n"
    "\n"
    "content-type;host;x-amz-date;x-amz-target\n"
    "b7ba4835be149a5b142e638f6f5cf81e794c5b51589886e77c742d9c591875a8"
)
GOLDEN_CREQ_SHA256 = "105b9cdffa22d14c4ca88bfa1ec4cb3361bc28c1e9f613bf043b32853fba5519"
GOLDEN_SIGNATURE = "deaa572df37bcb7bfe7e0fcc517bbc841dd152b9b838705c4302019ba09f0a8d"
GOLDEN_AUTHORIZATION = (
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/kms/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
    f"Signature={GOLDEN_SIGNATURE}"
)


def kms_request(url: str = KMS_URL, content: bytes | Iterator[bytes] = KMS_BODY) -> httpx.Request:
    return httpx.Request("POST", url, headers=KMS_HEADERS, content=content)


def assert_botocore_agrees(
    request: httpx.Request,
    result: SigningResult | None = None,
    *,
    credentials: Credentials,
    now: datetime = FIXED,
    region: str = "us-east-1",
    service: str = "kms",
) -> None:
    """botocore, signing the same method, URL, headers and body, gives our Authorization."""
    theirs = botocore_sign_httpx(
        request,
        now=now,
        params=None,
        mode="list",
        credentials=credentials,
        region=region,
        service=service,
    )
    ours = request.headers["Authorization"]
    detail = mismatch(result, theirs) if result is not None else theirs.canonical_request
    assert ours == theirs.authorization, detail
    assert request.headers["X-Amz-Date"] == theirs.amz_date
    assert request.headers.get("X-Amz-Security-Token") == theirs.token


# ---------------------------------------------------------------------------------------
# the golden KMS sample


def test_kms_golden_sample() -> None:
    assert hashlib.sha256(KMS_BODY).hexdigest() == KMS_BODY_SHA256
    auth = SigV4Auth(Credentials(AK, SK), "us-east-1")
    request = kms_request()
    result = auth.sign_with_details(request, now=FIXED)

    assert result.canonical_request == GOLDEN_CANONICAL_REQUEST
    assert hashlib.sha256(result.canonical_request.encode()).hexdigest() == GOLDEN_CREQ_SHA256
    assert result.string_to_sign == (
        "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/kms/aws4_request\n"
        + GOLDEN_CREQ_SHA256
    )
    assert result.signature == GOLDEN_SIGNATURE
    assert result.authorization == GOLDEN_AUTHORIZATION
    assert result.amz_date == "20150830T123600Z"
    assert request.headers["Authorization"] == GOLDEN_AUTHORIZATION
    assert request.headers["X-Amz-Date"] == "20150830T123600Z"
    assert "X-Amz-Security-Token" not in request.headers
    assert "X-Amz-Content-SHA256" not in request.headers
    assert_botocore_agrees(request, result, credentials=Credentials(AK, SK))


def test_sign_returns_the_same_request_signed_in_place() -> None:
    request = kms_request()
    assert SigV4Auth(Credentials(AK, SK), "us-east-1").sign(request, now=FIXED) is request
    assert request.headers["Authorization"] == GOLDEN_AUTHORIZATION


@pytest.mark.parametrize(
    "now",
    [
        datetime(2015, 8, 30, 12, 36, 0),  # naive: taken as UTC
        datetime(2015, 8, 30, 14, 36, 0, tzinfo=timezone(timedelta(hours=2))),
        datetime(2015, 8, 30, 4, 36, 0, 999_999, tzinfo=timezone(timedelta(hours=-8))),
    ],
    ids=["naive", "utc+2", "utc-8-with-microseconds"],
)
def test_now_is_converted_to_utc(now: datetime) -> None:
    request = kms_request()
    SigV4Auth(Credentials(AK, SK), "us-east-1").sign(request, now=now)
    assert request.headers["Authorization"] == GOLDEN_AUTHORIZATION


def test_kms_golden_sample_with_session_token() -> None:
    credentials = Credentials(AK, SK, TOKEN)
    request = kms_request()
    result = SigV4Auth(credentials, "us-east-1").sign_with_details(request, now=FIXED)
    assert request.headers["X-Amz-Security-Token"] == TOKEN
    assert (
        "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,"
        in result.authorization
    )
    assert f"\nx-amz-security-token:{TOKEN}\n" in result.canonical_request
    assert result.signature != GOLDEN_SIGNATURE
    assert_botocore_agrees(request, result, credentials=credentials)


# ---------------------------------------------------------------------------------------
# signing again


def test_resigning_replaces_date_authorization_and_token() -> None:
    request = kms_request()
    SigV4Auth(Credentials(AK, SK, "token-one"), "us-east-1").sign(request, now=FIXED)
    later = FIXED + timedelta(minutes=5)
    second = SigV4Auth(Credentials(AK, SK, "token-two"), "us-east-1")
    second.sign(request, now=later)

    assert request.headers.get_list("Authorization") == [request.headers["Authorization"]]
    assert request.headers.get_list("X-Amz-Date") == ["20150830T124100Z"]
    assert request.headers.get_list("X-Amz-Security-Token") == ["token-two"]
    fresh = second.sign(kms_request(), now=later)
    assert fresh.headers["Authorization"] == request.headers["Authorization"]
    assert_botocore_agrees(request, credentials=Credentials(AK, SK, "token-two"), now=later)

    # Without a token now: the old token header goes away too.
    SigV4Auth(Credentials(AK, SK), "us-east-1").sign(request, now=FIXED)
    assert "X-Amz-Security-Token" not in request.headers
    assert request.headers.get_list("Authorization") == [GOLDEN_AUTHORIZATION]
    names = [name.lower() for name, _ in request.headers.multi_items()]
    assert sorted(names) == sorted(
        ["host", "content-length", "x-amz-target", "content-type", "x-amz-date", "authorization"]
    )


def test_stale_auth_headers_in_any_case_are_replaced() -> None:
    request = httpx.Request(
        "POST",
        KMS_URL,
        headers=[
            *KMS_HEADERS.items(),
            ("authorization", "stale"),
            ("X-AMZ-DATE", "19990101T000000Z"),
            ("x-amz-date", "19990101T000000Z"),
            ("x-amz-security-token", "stale-token"),
        ],
        content=KMS_BODY,
    )
    SigV4Auth(Credentials(AK, SK), "us-east-1").sign(request, now=FIXED)
    assert request.headers.get_list("Authorization") == [GOLDEN_AUTHORIZATION]
    assert request.headers.get_list("X-Amz-Date") == ["20150830T123600Z"]
    assert "X-Amz-Security-Token" not in request.headers


# ---------------------------------------------------------------------------------------
# X-Amz-Content-SHA256


@pytest.mark.parametrize("body", [KMS_BODY, b""], ids=["json", "empty"])
def test_sign_content_sha256(body: bytes) -> None:
    credentials = Credentials(AK, SK, TOKEN)
    auth = SigV4Auth(credentials, "us-east-1", sign_content_sha256=True)
    request = kms_request(content=body)
    result = auth.sign_with_details(request, now=FIXED)
    digest = hashlib.sha256(body).hexdigest()
    if not body:
        assert digest == EMPTY_SHA256
    assert request.headers["X-Amz-Content-SHA256"] == digest
    assert f"\nx-amz-content-sha256:{digest}\n" in result.canonical_request
    assert result.canonical_request.endswith("\n" + digest)
    assert (
        "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;"
        "x-amz-security-token;x-amz-target," in result.authorization
    )
    # botocore gets the same X-Amz-Content-SHA256 header: it signs it and uses it as the
    # payload hash.
    assert_botocore_agrees(request, result, credentials=credentials)

    auth.sign(request, now=FIXED)  # again: still one header
    assert request.headers.get_list("X-Amz-Content-SHA256") == [digest]


# ---------------------------------------------------------------------------------------
# the signing key cache


def _derive(secret: str, date: str, region: str, service: str) -> bytes:
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), "sha256").digest()
    return key


def test_signing_key_is_cached_per_secret_date_region_service() -> None:
    args = (SK, "20150830", "us-east-1", "kms")
    first = signing_key(*args)
    assert signing_key(*args) is first
    assert first == _derive(*args)
    # AWS's documented example key (IAM, same secret and date).
    assert (
        signing_key(SK, "20150830", "us-east-1", "iam").hex()
        == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
    )
    variants = [
        (SK + "x", "20150830", "us-east-1", "kms"),
        (SK, "20150831", "us-east-1", "kms"),
        (SK, "20150830", "us-east-2", "kms"),
        (SK, "20150830", "us-east-1", "sts"),
    ]
    keys = [signing_key(*variant) for variant in variants]
    for variant, key in zip(variants, keys, strict=True):
        assert key != first
        assert key == _derive(*variant)
    assert len(set(keys)) == len(keys)


# ---------------------------------------------------------------------------------------
# the signed host


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://127.0.0.1:56109/", "127.0.0.1:56109"),
        ("https://127.0.0.1:56109/", "127.0.0.1:56109"),
        ("http://localhost:443/", "localhost:443"),
        ("https://localhost:80/", "localhost:80"),
        ("https://kms.us-east-1.amazonaws.com:443/", "kms.us-east-1.amazonaws.com"),
        ("http://localhost:80/", "localhost"),
        ("https://KMS.US-EAST-1.AmazonAWS.com/", "kms.us-east-1.amazonaws.com"),
        ("http://[::1]:8080/", "[::1]:8080"),
        ("https://[::1]/", "[::1]"),
        ("https://b\u00fccher.example:8443/", "xn--bcher-kva.example:8443"),
    ],
)
@pytest.mark.parametrize("host_header", ["from-httpx", "removed"])
def test_signed_host(url: str, host: str, host_header: str) -> None:
    """Default ports are dropped, other ports kept, the host is the wire (IDNA) form.

    "removed": without a Host header the signer derives it from the URL; that must
    give what the transport will send (and what botocore derives)."""
    request = kms_request(url)
    if host_header == "removed":
        del request.headers["Host"]
    else:
        assert request.headers["Host"] == host
    credentials = Credentials(AK, SK)
    result = SigV4Auth(credentials, "us-east-1").sign_with_details(request, now=FIXED)
    assert f"\nhost:{host}\n" in result.canonical_request
    assert ";host;" in result.authorization
    assert_botocore_agrees(request, result, credentials=credentials)


# ---------------------------------------------------------------------------------------
# as auth= on httpx clients


def _ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={})


def test_auth_on_sync_and_async_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(trentclient._signer, "_utcnow", lambda: FIXED)
    credentials = Credentials(AK, SK, TOKEN)
    auth = SigV4Auth(credentials, "us-east-1")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return _ok(request)

    async def async_handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return _ok(request)

    with httpx.Client(transport=httpx.MockTransport(handler), auth=auth) as client:
        assert client.post(KMS_URL, headers=KMS_HEADERS, content=KMS_BODY).status_code == 200

    async def run() -> None:
        transport = httpx.MockTransport(async_handler)
        async with httpx.AsyncClient(transport=transport, auth=auth) as client:
            response = await client.post(KMS_URL, headers=KMS_HEADERS, content=KMS_BODY)
            assert response.status_code == 200

    asyncio.run(run())

    sync_request, async_request = seen
    assert sync_request.headers["Authorization"] == async_request.headers["Authorization"]
    assert sync_request.headers["X-Amz-Date"] == "20150830T123600Z"
    assert sync_request.headers["X-Amz-Security-Token"] == TOKEN
    # The clients add Accept and Accept-Encoding (signed) and User-Agent and Connection
    # (not signed).
    signed = sync_request.headers["Authorization"].split("SignedHeaders=")[1].split(",")[0]
    assert signed == (
        "accept;accept-encoding;content-type;host;x-amz-date;x-amz-security-token;x-amz-target"
    )
    for request in seen:
        assert "user-agent" in request.headers
        assert_botocore_agrees(request, credentials=credentials)


def test_auth_without_a_clock_patch_uses_the_current_time() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return _ok(request)

    before = datetime.now(UTC).replace(microsecond=0)
    auth = SigV4Auth(Credentials(AK, SK), "us-east-1")
    with httpx.Client(transport=httpx.MockTransport(handler), auth=auth) as client:
        client.post(KMS_URL, headers=KMS_HEADERS, content=KMS_BODY)
    after = datetime.now(UTC)
    signed_at = datetime.strptime(seen[0].headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
    assert before <= signed_at.replace(tzinfo=UTC) <= after


def test_streaming_bodies_are_read_and_signed_through_auth(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(trentclient._signer, "_utcnow", lambda: FIXED)
    credentials = Credentials(AK, SK)
    auth = SigV4Auth(credentials, "us-east-1")
    chunks = [KMS_BODY[:10], KMS_BODY[10:40], KMS_BODY[40:]]
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return _ok(request)

    async def async_handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return _ok(request)

    def body() -> Iterator[bytes]:
        yield from chunks

    async def async_body() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    with httpx.Client(transport=httpx.MockTransport(handler), auth=auth) as client:
        client.post(KMS_URL, headers=KMS_HEADERS, content=body())
        client.post(KMS_URL, headers=KMS_HEADERS, content=KMS_BODY)

    async def run() -> None:
        transport = httpx.MockTransport(async_handler)
        async with httpx.AsyncClient(transport=transport, auth=auth) as client:
            await client.post(KMS_URL, headers=KMS_HEADERS, content=async_body())

    asyncio.run(run())

    streamed, whole, async_streamed = seen
    assert streamed.headers["Transfer-Encoding"] == "chunked"  # not signed, by either signer
    assert streamed.content == async_streamed.content == KMS_BODY
    # The payload hash is the whole body's; chunked or not, the signature is the same.
    assert (
        streamed.headers["Authorization"]
        == whole.headers["Authorization"]
        == async_streamed.headers["Authorization"]
    )
    for request in seen:
        assert_botocore_agrees(request, credentials=credentials)


def test_sign_on_an_unread_streaming_request_raises_a_clear_error() -> None:
    def body() -> Iterator[bytes]:
        yield KMS_BODY

    request = kms_request(content=body())
    auth = SigV4Auth(Credentials(AK, SK), "us-east-1")
    with pytest.raises(ValueError, match=r"request\.read\(\)"):
        auth.sign(request, now=FIXED)
    # Nothing was half-done to the request.
    assert "Authorization" not in request.headers
    assert "X-Amz-Date" not in request.headers

    request.read()
    auth.sign(request, now=FIXED)
    assert request.headers["Authorization"] == GOLDEN_AUTHORIZATION


# ---------------------------------------------------------------------------------------
# secrets stay out of reprs


def test_reprs_hide_the_secret_token_and_signature() -> None:
    auth = SigV4Auth(Credentials(AK, SK, TOKEN), "us-east-1")
    request = kms_request()
    result = auth.sign_with_details(request, now=FIXED)
    texts = {
        "auth": repr(auth),
        "auth-str": str(auth),
        "result": repr(result),
        "result-str": str(result),
    }
    assert "us-east-1" in texts["auth"]
    assert "20150830T123600Z" in texts["result"]
    for name, text in texts.items():
        for secret in (SK, TOKEN, result.signature, request.headers["Authorization"]):
            assert secret not in text, name


# ---------------------------------------------------------------------------------------
# credentials providers


class RotatingProvider:
    """Hands out new credentials on every call, like a refreshing provider."""

    def __init__(self) -> None:
        self.calls = 0

    def get_credentials(self) -> Credentials:
        self.calls += 1
        return Credentials(f"AKIDROTATING{self.calls}", f"{SK}{self.calls}", f"token-{self.calls}")


def test_credentials_provider_is_asked_on_every_sign() -> None:
    provider = RotatingProvider()
    auth = SigV4Auth(provider, "us-east-1")
    first = auth.sign(kms_request(), now=FIXED)
    second = auth.sign(kms_request(), now=FIXED)
    assert provider.calls == 2
    assert "Credential=AKIDROTATING1/" in first.headers["Authorization"]
    assert "Credential=AKIDROTATING2/" in second.headers["Authorization"]
    assert first.headers["X-Amz-Security-Token"] == "token-1"
    assert second.headers["X-Amz-Security-Token"] == "token-2"
    assert_botocore_agrees(first, credentials=Credentials("AKIDROTATING1", SK + "1", "token-1"))
    assert_botocore_agrees(second, credentials=Credentials("AKIDROTATING2", SK + "2", "token-2"))


def test_credentials_provider_through_a_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(trentclient._signer, "_utcnow", lambda: FIXED)
    provider = RotatingProvider()
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return _ok(request)

    auth = SigV4Auth(provider, "us-east-1")
    with httpx.Client(transport=httpx.MockTransport(handler), auth=auth) as client:
        for _ in range(3):
            client.post(KMS_URL, headers=KMS_HEADERS, content=KMS_BODY)
    assert provider.calls == 3
    assert [r.headers["X-Amz-Security-Token"] for r in seen] == ["token-1", "token-2", "token-3"]


def test_static_provider_gives_the_golden_signature() -> None:
    auth = SigV4Auth(StaticCredentialProvider(Credentials(AK, SK)), "us-east-1")
    assert auth.sign(kms_request(), now=FIXED).headers["Authorization"] == GOLDEN_AUTHORIZATION


# ---------------------------------------------------------------------------------------
# options and arguments


def test_unsigned_headers_option() -> None:
    request = kms_request()
    request.headers["User-Agent"] = "trentclient/test"
    # x-amz-date, the token and host are always signed; authorization never is.
    auth = SigV4Auth(
        Credentials(AK, SK, TOKEN),
        "us-east-1",
        unsigned_headers=["X-Amz-Target", "x-amz-date", "x-amz-security-token", "host"],
    )
    result = auth.sign_with_details(request, now=FIXED)
    signed = result.authorization.split("SignedHeaders=")[1].split(",")[0]
    assert signed == "content-length;content-type;host;user-agent;x-amz-date;x-amz-security-token"


def test_default_unsigned_headers_are_not_signed() -> None:
    request = kms_request()
    for name in ("User-Agent", "Expect", "Connection", "X-Amzn-Trace-Id"):
        request.headers[name] = "x"
    SigV4Auth(Credentials(AK, SK), "us-east-1").sign(request, now=FIXED)
    assert request.headers["Authorization"] == GOLDEN_AUTHORIZATION


@pytest.mark.parametrize(("region", "service"), [("", "kms"), ("us-east-1", "")])
def test_region_and_service_are_required(region: str, service: str) -> None:
    with pytest.raises(ValueError, match="SigV4Auth needs"):
        SigV4Auth(Credentials(AK, SK), region, service)
