"""The per-call shortcuts of ``build_request`` (issue 14) give exactly what the long way
gives: HMAC from kept key states, the canonical header block made once per signer for the
same headers, the ``httpx.Request`` built from a ``ByteStream``, the invocation id without
``uuid``, X-Amz-Date from the signer's clock when the core's is the real one.
"""

from __future__ import annotations

import hmac
import random
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

import trentclient
from tests.conftest import AK, SK
from trentclient import _sigv4
from trentclient._call import _invocation_id
from trentclient._protocol import signed_headers, to_request


@pytest.mark.parametrize("size", [0, 1, 32, 63, 64, 65, 200])
def test_hmac_from_kept_states_is_hmac(size: int) -> None:
    rng = random.Random(size)
    key = rng.randbytes(size)
    for length in (0, 1, 55, 56, 64, 300):
        data = rng.randbytes(length)
        assert _sigv4.hmac_sha256_hex(key, data) == hmac.digest(key, data, "sha256").hex()
        # twice: the second time from the kept states
        assert _sigv4.hmac_sha256_hex(key, data) == hmac.digest(key, data, "sha256").hex()


def test_kept_states_are_bounded() -> None:
    for n in range(3 * _sigv4._KEY_CACHE_MAX):
        _sigv4.hmac_sha256_hex(n.to_bytes(32, "big"), b"x")
    assert len(_sigv4._PADS) <= _sigv4._KEY_CACHE_MAX


def test_canonical_block_kept_per_signer_matches_the_long_way() -> None:
    """Many headers, values and times through one signer: each signature is what
    ``_sigv4.sign`` gives from scratch (no block reused for other headers or values)."""
    auth = trentclient.SigV4Auth(trentclient.Credentials(AK, SK, "tok"), "us-east-1", "kms")
    url = httpx.URL("https://kms.us-east-1.amazonaws.com/")
    rng = random.Random(7)
    for n in range(200):
        headers = [("Host", "kms.us-east-1.amazonaws.com"), ("X-Amz-Target", f"T.{n % 5}")]
        if n % 3:
            headers.append(("X-Extra", rng.choice(["a", " a  b ", "c\td", "a"])))
        now = datetime(2030, 1, 2, 3, 4, n % 7, tzinfo=UTC)
        added, result = auth.signing_headers("POST", url, headers, b"{}", now=now)
        signed = [(k.lower(), v) for k, v in headers] + [(k.lower(), v) for k, v in added[:-1]]
        expected = _sigv4.sign(
            access_key=AK,
            secret_key=SK,
            region="us-east-1",
            service="kms",
            method="POST",
            path="/",
            query="",
            headers=signed,
            payload_hash=_sigv4.hashlib.sha256(b"{}").hexdigest(),
            amz_datetime=_sigv4.amz_date(now),
        )
        assert result.authorization == expected.authorization
        assert result.canonical_request == expected.canonical_request
    assert len(auth._canonical) <= 32


def test_request_from_a_byte_stream_is_the_content_request() -> None:
    client = trentclient.Client(
        "us-east-1", aws_access_key_id=AK, aws_secret_access_key=SK, aws_session_token="t"
    )
    core = client._core
    call = core.start("Encrypt", {"KeyId": "k", "Plaintext": b"secret"})
    headers, signed = signed_headers(
        call.operation,
        call.body,
        url=core.url,
        auth=core.auth,
        user_agent=core.user_agent,
        invocation_id="id",
        host=core.host,
    )
    ours = to_request(core.url, headers, call.body, signed)
    theirs = httpx.Request("POST", core.url, headers=headers, content=call.body)
    assert ours.method == theirs.method
    assert ours.url == theirs.url
    assert ours.headers.raw == theirs.headers.raw
    assert ours.content == theirs.content == call.body
    assert b"".join(ours.stream) == call.body  # type: ignore[arg-type]
    assert type(ours.stream) is type(theirs.stream)
    client.close()


def test_invocation_id_is_a_uuid4() -> None:
    seen = set()
    for _ in range(2000):
        text = _invocation_id()
        value = uuid.UUID(text)
        assert value.version == 4 and value.variant == uuid.RFC_4122
        assert str(value) == text
        seen.add(text[19])
    assert seen == set("89ab")


def test_amz_date_follows_a_replaced_clock_and_the_skew() -> None:
    client = trentclient.Client("us-east-1", aws_access_key_id=AK, aws_secret_access_key=SK)
    core = client._core
    real = client.build_request("ListKeys", {}).headers["X-Amz-Date"]
    now = datetime.now(UTC)
    assert abs(datetime.strptime(real, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC) - now) < timedelta(
        seconds=5
    )
    core.clock_offset = timedelta(hours=3)
    skewed = client.build_request("ListKeys", {}).headers["X-Amz-Date"]
    assert skewed == _sigv4.amz_date(core.now()) or skewed == _sigv4.amz_date(
        core.now() - timedelta(seconds=1)
    )
    core.clock_offset = timedelta(0)
    core.clock = lambda: datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert client.build_request("ListKeys", {}).headers["X-Amz-Date"] == "20310506T070809Z"
    client.close()
