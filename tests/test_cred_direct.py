"""The credential drivers' direct exchange on httpcore's pools (issue 14: the cold start
of a client whose credentials come over HTTP, IRSA's, ECS's, IMDS's, SSO's, without
``import httpx``).

What must hold, against the same requests sent through ``httpx.Client`` (the driver's
other path): the header list httpx builds, byte for byte; the same answers and failures
for every kind of answer (plain, error, ``Content-Encoding``, too large, cut short, reset,
refused); httpx's path while a proxy from the environment may apply; and an IRSA cold
start that never imports httpx.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import pytest

from tests.faultserver import (
    Action,
    FaultServer,
    reset_mid_body,
    respond,
    respond_and_close,
    truncate,
    unused_port,
)
from trentclient._credentials._direct import accept_encoding, request_headers
from trentclient._credentials._drive import _AsyncHttp, _SyncHttp
from trentclient._credentials._flow import AnswerHeaders, HttpFailure, HttpRequest, HttpResponse
from trentclient._url import EndpointURL

UA = ("User-Agent", "trentclient/0 md/httpcore#1")
CREDS = json.dumps(
    {"AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "s", "Token": "t", "Expiration": "x"}
).encode()


@pytest.fixture
def server() -> Iterator[FaultServer]:
    fault_server = FaultServer([respond(200, {"Content-Type": "application/json"}, CREDS)])
    fault_server.start()
    try:
        yield fault_server
    finally:
        fault_server.stop()


REQUESTS: dict[str, tuple[str, str, list[tuple[str, str]], bytes]] = {
    "IMDS token": (
        "PUT",
        "http://169.254.169.254/latest/api/token",
        [("x-aws-ec2-metadata-token-ttl-seconds", "21600"), UA],
        b"",
    ),
    "IMDS role": (
        "GET",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        [("x-aws-ec2-metadata-token", "tok"), UA],
        b"",
    ),
    "IMDS over IPv6": ("GET", "http://[fd00:ec2::254]/latest/api/token", [UA], b""),
    "container": (
        "GET",
        "http://127.0.0.1:8080/creds?x=1",
        [("Accept", "application/json"), UA, ("Authorization", "secret")],
        b"",
    ),
    "STS": (
        "POST",
        "https://sts.us-east-1.amazonaws.com/",
        [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"), UA],
        b"Action=AssumeRoleWithWebIdentity&Version=2011-06-15",
    ),
    "SSO on a port": (
        "GET",
        "https://portal.sso.eu-west-1.amazonaws.com:8443/federation/x",
        [("x-amz-sso_bearer_token", "b"), UA],
        b"",
    ),
    "POST without a body": ("POST", "https://oidc.us-east-1.amazonaws.com/token", [UA], b""),
    "own encoding and repeats": (
        "GET",
        "http://127.0.0.1/",
        [
            ("Accept-Encoding", "identity"),
            ("X-Dup", "1"),
            UA,
            ("x-dup", "2"),
            ("Connection", "close"),
        ],
        b"",
    ),
    "own Content-Length": ("PUT", "http://127.0.0.1/", [UA, ("Content-Length", "0")], b""),
}


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_the_header_list_is_httpx_clients(name: str) -> None:
    method, url, headers, body = REQUESTS[name]
    with httpx.Client() as http:
        theirs = http.build_request(method, url, headers=headers, content=body or None)
    ours = request_headers(EndpointURL(url), HttpRequest(method, url, headers, body))
    assert ours == theirs.headers.raw


def test_accept_encoding_is_httpx_clients() -> None:
    with httpx.Client() as http:
        assert accept_encoding() == http.headers["Accept-Encoding"]


def _outcome(answer: HttpResponse | HttpFailure) -> Any:
    if isinstance(answer, HttpFailure):
        return ("failure", answer.kind, answer.message)
    return (answer.status, dict(answer.headers), answer.body)


ANSWERS: dict[str, list[Action]] = {
    "credentials": [respond(200, {"Content-Type": "application/json"}, CREDS)],
    "an error": [respond(404, [("Content-Type", "text/plain"), ("X-A", "1"), ("x-a", "2")], b"no")],
    "gzip": [respond(200, {"Content-Encoding": "gzip"}, gzip.compress(CREDS))],
    "broken gzip": [respond(200, {"Content-Encoding": "gzip"}, b"\x1f\x8b not gzip")],
    "too large": [respond(200, {}, b"x" * 5000)],
    "too large once decoded": [
        respond(200, {"Content-Encoding": "gzip"}, gzip.compress(b"x" * 5000))
    ],
    "cut short": [truncate(200, {}, CREDS)],
    "reset mid-body": [reset_mid_body(200, {}, CREDS)],
    "closed after": [respond_and_close(200, {}, CREDS)],
}


def _send(asynchronous: bool, way: str, request: HttpRequest) -> HttpResponse | HttpFailure:
    """One exchange by one driver's HTTP (``_SyncHttp`` or ``_AsyncHttp``), one way."""
    if not asynchronous:
        http = _SyncHttp()
        try:
            answer: HttpResponse | HttpFailure = getattr(http, way)(request)
            return answer
        finally:
            http.close()

    async def main() -> HttpResponse | HttpFailure:
        ahttp = _AsyncHttp()
        try:
            answer: HttpResponse | HttpFailure = await getattr(ahttp, way)(request)
            return answer
        finally:
            await ahttp.close()

    return asyncio.run(main())


DRIVERS = pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])


@DRIVERS
@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_same_outcome_as_through_httpx(server: FaultServer, name: str, asynchronous: bool) -> None:
    outcomes = []
    for way in ("_send_direct", "_send_httpx"):
        server.set_script(ANSWERS[name])
        request = HttpRequest(
            "GET", server.url + "/creds", [("Accept", "application/json"), UA], max_body=4096
        )
        outcomes.append(_outcome(_send(asynchronous, way, request)))
    assert outcomes[0] == outcomes[1]
    direct, through_httpx = server.requests
    assert (direct.method, direct.path, direct.body) == (
        through_httpx.method,
        through_httpx.path,
        through_httpx.body,
    )
    assert direct.headers == through_httpx.headers


@DRIVERS
def test_refused_and_bad_urls_fail_as_through_httpx(asynchronous: bool) -> None:
    for url in (f"http://127.0.0.1:{unused_port()}/", "ftp://127.0.0.1/"):
        outcomes = [
            _outcome(_send(asynchronous, way, HttpRequest("GET", url, [UA])))
            for way in ("_send_direct", "_send_httpx")
        ]
        assert outcomes[0] == outcomes[1], url
        assert outcomes[0][0] == "failure"


@DRIVERS
def test_a_port_out_of_range_fails_before_sending(asynchronous: bool) -> None:
    request = HttpRequest("GET", "http://127.0.0.1:99999/", [UA])
    if asynchronous:

        async def main() -> HttpResponse | HttpFailure:
            http = _AsyncHttp()
            try:
                return await http.send(request)
            finally:
                await http.close()

        answer = asyncio.run(main())
    else:
        sync = _SyncHttp()
        answer = sync.send(request)
        sync.close()
    assert isinstance(answer, HttpFailure)
    assert (answer.kind, answer.message) == (
        "other",
        "the request could not be sent (port 99999 out of range)",
    )


def test_proxies_from_the_environment_go_through_httpx(
    server: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = []
    real = _SyncHttp._send_httpx

    def spy(self: _SyncHttp, request: HttpRequest) -> Any:
        sent.append(request.trust_env)
        return real(self, request)

    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with mock.patch.object(_SyncHttp, "_send_httpx", spy):
        http = _SyncHttp()
        for trust_env in (True, False):
            request = HttpRequest("GET", server.url + "/creds", [UA], trust_env=trust_env)
            assert isinstance(http.send(request), HttpResponse)
        http.close()
    assert sent == [True]  # only the one that trusts the environment


def test_answer_headers_read_as_httpx_headers() -> None:
    given = {"X-Amzn-RequestId": "r", "content-type": "text/xml"}
    ours, theirs = AnswerHeaders(given), httpx.Headers(given)
    for name in ("x-amzn-requestid", "X-AMZN-REQUESTID", "Content-Type", "nope"):
        assert ours.get(name) == theirs.get(name)
        assert (name in ours) == (name in theirs)
    assert dict(ours) == dict(theirs.items())
    assert ours["CONTENT-TYPE"] == "text/xml"


STS_ANSWER = (
    b'<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    b"<AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId>"
    b"<SecretAccessKey>s3cret</SecretAccessKey><SessionToken>tok</SessionToken>"
    b"<Expiration>2099-07-11T19:55:29.611Z</Expiration></Credentials>"
    b"</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>rid</RequestId>"
    b"</ResponseMetadata></AssumeRoleWithWebIdentityResponse>"
)


@pytest.mark.parametrize("client_class", ["Client", "AsyncClient"])
def test_an_irsa_cold_start_imports_no_httpx(
    server: FaultServer, tmp_path: Path, client_class: str
) -> None:
    """A fresh interpreter on an EKS pod's environment: the first call asks STS (this
    server) for keys, then KMS (this server too); httpx is never imported."""
    kms = json.dumps({"KeyMetadata": {"KeyId": "k"}}).encode()
    server.set_script(
        [
            respond(200, {"Content-Type": "text/xml"}, STS_ANSWER),
            respond(200, {"Content-Type": "application/x-amz-json-1.1"}, kms),
        ]
    )
    token = tmp_path / "token"
    token.write_text("eyJ.token.sig", "ascii")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_WEB_IDENTITY_TOKEN_FILE=str(token),
        AWS_ROLE_ARN="arn:aws:iam::123456789012:role/app",
        AWS_ENDPOINT_URL_STS=server.url,
        AWS_REGION="us-east-1",
    )
    if client_class == "Client":
        script = (
            "import sys, trentclient\n"
            "c = trentclient.Client(endpoint_url=sys.argv[1])\n"
            "r = c.describe_key(KeyId='k')\n"
            "c.close()\n"
            "print(r['KeyMetadata']['KeyId'], 'httpx' in sys.modules)\n"
        )
    else:  # over aiohttp: its credential requests go on httpcore's asyncio pool
        pytest.importorskip("aiohttp")
        script = (
            "import asyncio, sys, trentclient\n"
            "async def main():\n"
            "    async with trentclient.AsyncClient(endpoint_url=sys.argv[1]) as c:\n"
            "        return await c.describe_key(KeyId='k')\n"
            "r = asyncio.run(main())\n"
            "print(r['KeyMetadata']['KeyId'], 'httpx' in sys.modules)\n"
        )
    done = subprocess.run(
        [sys.executable, "-c", script, server.url],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["k", "False"]
    sts, call = server.requests
    assert b"AssumeRoleWithWebIdentity" in sts.body
    assert (call.header("Authorization") or "").startswith(
        "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/"
    )
