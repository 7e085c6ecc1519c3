"""The per-call shortcuts of ``build_request`` (issue 14) give exactly what the long way
gives: HMAC from kept key states, the canonical header block made once per signer for the
same headers (and the signed part of a header list once per list), the ``httpx.Request``
built from a ``ByteStream`` with its ``httpx.Headers`` filled in directly, the invocation id
without ``uuid``, X-Amz-Date from the signer's clock when the core's is the real one.
"""

from __future__ import annotations

import hmac
import random
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trentclient
from tests.conftest import AK, SK
from trentclient import _httpx_request, _sigv4
from trentclient._call import _invocation_id
from trentclient._httpx_request import fast_form_in_use, request_headers, to_request
from trentclient._protocol import signed_headers


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
    assert len(auth._bases) <= 32


def test_header_list_without_host_signs_each_url_host() -> None:
    """The signed part of a header list is kept only when the list holds the host: without
    it, the host comes from each URL, so the same list signed for two URLs differs."""
    auth = trentclient.SigV4Auth(trentclient.Credentials(AK, SK), "us-east-1", "kms")
    headers = [("X-Amz-Target", "TrentService.ListKeys")]
    now = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    results = [
        auth.signing_headers("POST", httpx.URL(url), list(headers), b"{}", now=now)[1]
        for url in ("https://a.example/", "https://b.example:8443/", "https://a.example/")
    ]
    assert "\nhost:a.example\n" in results[0].canonical_request
    assert "\nhost:b.example:8443\n" in results[1].canonical_request
    assert results[2].canonical_request == results[0].canonical_request
    assert results[0].signature != results[1].signature
    assert not auth._bases  # nothing kept for a list without the host


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


# -- httpx.Headers filled in directly -----------------------------------------------------

_NAME = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1)
_VALUE = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126))


def _same(ours: httpx.Headers, theirs: httpx.Headers) -> None:
    assert ours.raw == theirs.raw
    assert ours.multi_items() == theirs.multi_items()
    assert ours.encoding == theirs.encoding
    assert dict(ours) == dict(theirs)
    for name, _ in theirs.multi_items():
        assert ours.get_list(name) == theirs.get_list(name)
        assert ours[name.upper()] == theirs[name.upper()]


def test_fast_headers_are_used_with_this_httpx() -> None:
    """The fast form passed its check against the installed httpx: if a new httpx changes
    ``Headers`` inside, this fails (the clients still work, on the public form)."""
    assert fast_form_in_use(), f"httpx {httpx.__version__}: fast headers refused"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_NAME | st.sampled_from(["Host", "host", "X-Amz-Date"]), _VALUE)))
def test_fast_headers_are_httpx_headers(pairs: list[tuple[str, str]]) -> None:
    _same(request_headers(pairs), httpx.Headers(pairs))
    _same(
        httpx.Request("POST", "http://h/", headers=request_headers(pairs)).headers,
        httpx.Request("POST", "http://h/", headers=pairs).headers,
    )


def test_non_ascii_header_value_fails_as_httpx_fails() -> None:
    pairs = [("Host", "h"), ("User-Agent", "trentclient/1 app/caf\u00e9")]
    with pytest.raises(UnicodeEncodeError) as theirs:
        httpx.Headers(pairs)
    with pytest.raises(UnicodeEncodeError) as ours:
        request_headers(pairs)
    assert str(ours.value) == str(theirs.value)


def test_the_name_cache_is_bounded() -> None:
    for n in range(3 * _httpx_request._NAMES_MAX):
        request_headers([(f"X-N{n}", "v")])
    assert len(_httpx_request._NAMES) <= _httpx_request._NAMES_MAX


def test_the_check_refuses_a_fast_form_that_differs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Triples in another form than httpx's own (here: names not lower-cased for lookups)
    fail the check, so the public form is used."""
    real = _httpx_request._build

    def other(pairs: list[tuple[str, str]]) -> httpx.Headers:
        headers = real(pairs)
        headers._list = [(raw, raw, value) for raw, _, value in headers._list]
        return headers

    monkeypatch.setattr(_httpx_request, "_build", other)
    monkeypatch.setattr(_httpx_request, "_fast", None)
    assert not fast_form_in_use()
    pairs = [("Host", "h"), ("X-Amz-Target", "T")]
    assert request_headers(pairs).raw == httpx.Headers(pairs).raw
    assert request_headers(pairs)["x-amz-target"] == "T"


def test_an_httpx_that_ignores_the_list_gets_the_public_form(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """If filling in ``httpx.Headers._list`` stops taking effect in a new httpx, the check
    refuses the fast form and requests are built (the same) with ``httpx.Headers(pairs)``."""

    class Changed(httpx.Headers):
        @property  # type: ignore[misc]
        def _list(self) -> list[tuple[bytes, bytes, bytes]]:
            return []

        @_list.setter
        def _list(self, value: list[tuple[bytes, bytes, bytes]]) -> None:
            pass

    client = trentclient.Client("us-east-1", aws_access_key_id=AK, aws_secret_access_key=SK)
    now = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    fast = client.build_request("ListKeys", {}, now=now)
    monkeypatch.setattr(_httpx_request, "_fast", None)
    monkeypatch.setattr(_httpx_request.httpx, "Headers", Changed)
    assert not fast_form_in_use()
    monkeypatch.undo()
    monkeypatch.setattr(_httpx_request, "_fast", False)
    public = client.build_request("ListKeys", {}, now=now)
    assert public.headers.raw[:-2] == fast.headers.raw[:-2]  # all but the invocation id
    assert public.headers["Authorization"] == fast.headers["Authorization"]
    assert [name for name, _ in public.headers.raw] == [name for name, _ in fast.headers.raw]
    client.close()


def test_the_check_refuses_an_httpx_that_keeps_content_elsewhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """If a new httpx stops keeping a read body in ``Request._content``, the check refuses
    the fast form (the content it sets would not be seen) and ``read()`` is used."""

    def read(self: httpx.Request) -> bytes:
        if "_body" not in self.__dict__:
            self.__dict__["_body"] = b"".join(self.stream)  # type: ignore[arg-type]
        return bytes(self.__dict__["_body"])

    monkeypatch.setattr(httpx.Request, "read", read)
    monkeypatch.setattr(httpx.Request, "content", property(read))
    monkeypatch.setattr(_httpx_request, "_fast", None)
    assert not fast_form_in_use()
    request = to_request(httpx.URL("http://h/"), [("Host", "h")], b"{}", None)  # type: ignore[arg-type]
    assert request.content == b"{}"
    assert "_content" not in request.__dict__


def test_amz_date_is_formatted_once_a_second(monkeypatch: pytest.MonkeyPatch) -> None:
    from trentclient import _signer

    second = int(_signer._time())
    monkeypatch.setattr(_signer, "_amz_cache", (second + 10, "kept"))
    monkeypatch.setattr(_signer, "_time", lambda: second + 10.5)
    assert _signer._current_amz_date() == "kept"  # the same second: no datetime made
    monkeypatch.setattr(_signer, "_time", lambda: second + 11.0)
    fresh = _signer._current_amz_date()  # another second: from the real clock
    assert fresh != "kept"
    assert fresh == _sigv4.amz_date(datetime.now(UTC)) or fresh == _sigv4.amz_date(
        datetime.now(UTC) - timedelta(seconds=1)
    )
