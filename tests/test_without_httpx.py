"""``AsyncClient`` over aiohttp sends without importing httpx (issue 14: its cold start).

``import trentclient`` loads no httpx; an ``AsyncClient`` over aiohttp makes no
``httpx.AsyncClient`` until something asks for one (``_http``: a test double, the DEBUG
log, the testing kit) and sends directly. What must still hold: the request's URL parts
are those of ``httpx.URL`` (``EndpointURL``, compared over many endpoint URLs), httpx's
send steps are recognised as replaced whenever httpx was first seen (``_real_steps``), a
class-level mock of ``httpx.AsyncClient.send`` still sees every call, a closed client
refuses calls as httpx does, and the ``User-Agent`` names the library that sent.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import ssl
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trentclient
from tests.conftest import AK, SK
from tests.faultserver import FaultServer, respond
from trentclient import _base
from trentclient._call import Call
from trentclient._core import verifying_ssl_context
from trentclient._signer import host_of
from trentclient._url import EndpointURL

KEY = "1234abcd-12ab-34cd-56ef-1234567890ab"
JSON = [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", "rid-1")]
OK = respond(200, JSON, json.dumps({"KeyMetadata": {"KeyId": KEY}}).encode())
REFUSED = respond(
    400,
    JSON,
    json.dumps({"__type": "NotFoundException", "message": "no such key"}).encode(),
)


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer([OK]) as fault_server:
        yield fault_server


def _aclient(url: str, async_http: str = "aiohttp") -> trentclient.AsyncClient:
    return trentclient.AsyncClient(
        "us-east-1",
        endpoint_url=url,
        aws_access_key_id=AK,
        aws_secret_access_key=SK,
        config=trentclient.Config(async_http=async_http, connect_timeout=2, read_timeout=2),
    )


# -- the URL's parts -------------------------------------------------------------------------

_SCHEMES = ("http", "https")
_HOSTS = (
    "kms.us-east-1.amazonaws.com",
    "KMS.Eu-West-1.AmazonAWS.com",
    "127.0.0.1",
    "localhost.",
    "xn--bcher-kva.example",
    "[::1]",
    "[2001:DB8::1]",
)
_PORTS = ("", ":80", ":443", ":0080", ":8080", ":65535", ":4566")
_PATHS = ("", "/", "/kms", "/kms/", "/a//b", "/a;b=c:@!$&'()*+,~", "/%41b", "/é", "/a%2Fb")


def _parts(url: httpx.URL | EndpointURL) -> tuple[object, ...]:
    return (url.scheme, url.raw_host, url.port, url.raw_path, str(url), host_of(url))


@pytest.mark.parametrize("scheme", _SCHEMES)
def test_endpoint_url_parts_are_httpx_urls(scheme: str) -> None:
    plain = 0
    for host, port, path in itertools.product(_HOSTS, _PORTS, _PATHS):
        text = f"{scheme}://{host}{port}{path}"
        ours = EndpointURL(text)
        plain += "httpx_url" not in vars(ours)  # parsed without httpx.URL
        theirs = httpx.URL(text)
        assert _parts(ours) == _parts(theirs), text
        assert ours.httpx_url == theirs, text
    # Most forms are parsed here (not handed to httpx.URL): all but IPv6, %, non-ASCII.
    assert plain == 5 * len(_PORTS) * 6


@pytest.mark.parametrize(
    "text",
    [
        "http://h:/",
        "http://h:/kms",
        "http://user@h/",
        "http://h:8080@x/",
        "https://h:443:1/",
        "http://h?x",
        "http://h/p?q=1",
        "http://h#f",
        "http://h/p#f",
        "HTTP://h/",
        "http://h:\u0663/",
        "http://h\u00e9/",
        "http://h:99999/",
        "ftp://h/",
        "http:/h/",
    ],
)
def test_endpoint_url_odd_forms_are_left_to_httpx(text: str) -> None:
    """Forms the plain parse must not take (an empty port, user info, a second colon, a query
    or fragment, an upper-case scheme, a non-ASCII digit or letter, a port out of range, no
    "://"): they are parsed by httpx.URL, which gives the parts or refuses the URL."""
    try:
        theirs = httpx.URL(text)
    except httpx.InvalidURL:
        with pytest.raises(httpx.InvalidURL):
            EndpointURL(text)
        return
    ours = EndpointURL(text)
    assert "httpx_url" in vars(ours)
    assert _parts(ours) == _parts(theirs)


_URL_TAILS = st.text(alphabet="aZ09.-_~:/@?#%!$&'()*+,;=[]\u00e9\u0663 ", max_size=24)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(["http://", "https://", "HTTP://", "http:/", "ftp://"]), _URL_TAILS)
def test_endpoint_url_agrees_with_httpx_on_any_text(prefix: str, tail: str) -> None:
    """Differential: for any text, EndpointURL's parts are httpx.URL's, or both refuse it."""
    text = prefix + tail
    try:
        theirs = httpx.URL(text)
        expected: tuple[object, ...] | None = _parts(theirs)
    except (httpx.InvalidURL, ValueError):
        expected = None
    if expected is None:
        with pytest.raises((httpx.InvalidURL, ValueError)):
            _parts(EndpointURL(text))
    else:
        assert _parts(EndpointURL(text)) == expected, text


def test_a_client_signs_for_the_url_httpx_would_send_to() -> None:
    """The core's parts and the ``httpx.Request``'s agree for endpoint URLs of every form."""
    for url in ("http://127.0.0.1:4566", "https://KMS.example.com:443/Prefix/", "http://[::1]:80"):
        kms = trentclient.Client(
            "us-east-1", endpoint_url=url, aws_access_key_id=AK, aws_secret_access_key=SK
        )
        request = kms.build_request("ListKeys", {})
        assert request.url == kms._core.url == httpx.URL(kms._core.target.text)
        assert request.headers["Host"] == host_of(request.url) == kms._core.host
        kms.close()


def _context_facts(context: ssl.SSLContext) -> tuple[object, ...]:
    return (
        context.verify_mode,
        context.check_hostname,
        context.minimum_version,
        context.cert_store_stats(),
        sorted(ca["serialNumber"] for ca in context.get_ca_certs()),
    )


@pytest.mark.parametrize("env", ["", "SSL_CERT_FILE", "SSL_CERT_DIR"])
def test_the_verifying_context_trusts_what_httpx_trusts(
    env: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import certifi

    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    if env == "SSL_CERT_FILE":
        bundle = tmp_path / "one.pem"
        first = Path(certifi.where()).read_text().split("-----END CERTIFICATE-----")[0]
        bundle.write_text(first + "-----END CERTIFICATE-----\n")
        monkeypatch.setenv(env, str(bundle))
    elif env == "SSL_CERT_DIR":
        monkeypatch.setenv(env, str(tmp_path))
    ours = verifying_ssl_context()
    theirs = httpx.create_ssl_context()
    assert _context_facts(ours) == _context_facts(theirs)
    assert ours.verify_mode == ssl.CERT_REQUIRED and ours.check_hostname
    if env == "SSL_CERT_FILE":
        assert ours.cert_store_stats()["x509_ca"] == 1
    elif not env:
        assert ours.cert_store_stats()["x509_ca"] > 50  # certifi's bundle


# -- no httpx on the way ---------------------------------------------------------------------

_NO_HTTPX = """
import asyncio, sys
import trentclient
assert "httpx" not in sys.modules, "import trentclient"

async def main():
    async with trentclient.AsyncClient(
        "us-east-1", endpoint_url={url!r}, aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
    ) as kms:
        assert "trentclient._aiohttp" in sys.modules  # (sending through aiohttp)
        print(await kms.enable_key_rotation(KeyId="k"))
        try:
            await kms.describe_key(KeyId="k")
        except kms.exceptions.NotFoundException as exc:
            print(exc.response["Error"]["Code"])

asyncio.run(main())
assert "httpx" not in sys.modules, "a call"
print("no httpx")
"""


def test_async_client_over_aiohttp_sends_without_importing_httpx() -> None:
    pytest.importorskip("aiohttp")
    with FaultServer([OK, REFUSED]) as server:
        code = textwrap.dedent(_NO_HTTPX).format(url=server.url)
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[-2:] == ["NotFoundException", "no httpx"]
        assert len(server.requests) == 2
        agent = server.requests[0].header("User-Agent") or ""
    import aiohttp

    assert f" md/aiohttp#{aiohttp.__version__} cfg/retry-mode#" in agent
    assert "httpx" not in agent


def test_the_user_agent_names_the_library_that_sends(server: FaultServer) -> None:
    sync = trentclient.Client(
        "us-east-1", endpoint_url=server.url, aws_access_key_id=AK, aws_secret_access_key=SK
    )
    sync.describe_key(KeyId=KEY)
    sync.close()

    async def main() -> None:
        async with _aclient(server.url, "httpx") as kms:
            await kms.describe_key(KeyId=KEY)

    asyncio.run(main())
    with httpx.Client() as http:
        given = trentclient.Client(
            "us-east-1",
            endpoint_url=server.url,
            aws_access_key_id=AK,
            aws_secret_access_key=SK,
            http_client=http,
        )
        given.describe_key(KeyId=KEY)
    import httpcore

    agents = [r.header("User-Agent") or "" for r in server.requests]
    assert len(agents) == 3
    # Client on its own pool: httpcore's; AsyncClient over httpx's pool, or a given client:
    # httpx's.
    assert f" md/httpcore#{httpcore.__version__} cfg/" in agents[0], agents
    assert all(f" md/httpx#{httpx.__version__} cfg/" in agent for agent in agents[1:]), agents


# -- test doubles still see the calls --------------------------------------------------------


def test_a_class_mock_of_httpx_send_sees_a_call_before_any_httpx_client_exists(
    server: FaultServer,
) -> None:
    pytest.importorskip("aiohttp")
    answer = httpx.Response(200, json={"KeyMetadata": {"KeyId": "mocked"}})
    built = mock.patch.object(Call, "request", autospec=True, side_effect=Call.request)

    async def main() -> None:
        async with _aclient(server.url) as kms:
            assert kms._http_client is None
            with mock.patch.object(httpx.AsyncClient, "send", return_value=answer) as send:
                mocked = await kms.describe_key(KeyId=KEY)
            assert mocked["KeyMetadata"]["KeyId"] == "mocked"
            assert send.call_count == 1
            assert kms._http_client is not None  # made for the mock to see the call
            with built as requests:  # the mock gone: direct again, no httpx.Request
                real = await kms.describe_key(KeyId=KEY)
            assert real["KeyMetadata"]["KeyId"] == KEY
            assert requests.call_count == 0

    asyncio.run(main())
    assert len(server.requests) == 1


def test_send_steps_first_seen_replaced_are_learned_once_they_are_httpx_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_base, "_REAL_STEPS", {})
    with mock.patch.object(httpx.AsyncClient, "_send_single_request"):
        assert _base.class_send_is_replaced(httpx.AsyncClient)
        assert httpx.AsyncClient not in _base._REAL_STEPS  # not learned from a double
    assert not _base.class_send_is_replaced(httpx.AsyncClient)
    assert _base._REAL_STEPS[httpx.AsyncClient][0] is httpx.AsyncClient.send
    with mock.patch.object(httpx.AsyncClient, "send"):
        assert _base.class_send_is_replaced(httpx.AsyncClient)  # replaced after learning
    assert not _base.class_send_is_replaced(httpx.AsyncClient)


# -- closing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("async_http", ["aiohttp", "httpx"])
def test_a_closed_client_refuses_calls_as_httpx_does(server: FaultServer, async_http: str) -> None:
    if async_http == "aiohttp":
        pytest.importorskip("aiohttp")

    async def main() -> str:
        kms = _aclient(server.url, async_http)
        await kms.describe_key(KeyId=KEY)
        await kms.aclose()
        with pytest.raises(RuntimeError) as refused:
            await kms.describe_key(KeyId=KEY)
        if async_http == "aiohttp":
            assert kms._http_client is None  # (closed without ever making one)
        return str(refused.value)

    assert asyncio.run(main()) == "Cannot send a request, as the client has been closed."
    assert len(server.requests) == 1


def test_a_transport_error_over_aiohttp_is_httpx_error_mapped() -> None:
    """With no httpx loaded before, a failure still becomes trentclient's error."""
    pytest.importorskip("aiohttp")
    code = textwrap.dedent(
        """
        import asyncio, socket, sys
        import trentclient
        s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()

        async def main():
            async with trentclient.AsyncClient(
                "us-east-1", endpoint_url=f"http://127.0.0.1:{port}",
                aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
                config=trentclient.Config(retries={"total_max_attempts": 1}),
            ) as kms:
                try:
                    await kms.list_keys()
                except trentclient.EndpointConnectionError as exc:
                    print(type(exc).__name__, type(exc.__cause__).__name__)

        asyncio.run(main())
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["EndpointConnectionError", "ConnectError"]
