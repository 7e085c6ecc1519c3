"""Assume-role and web identity (IRSA) against moto's STS, and differentially against botocore.

For each scenario (environment, shared files, token file) botocore's own resolver runs first,
through a recorder in front of moto's STS, which keeps what botocore sent and what moto
answered. Then trentclient resolves the same scenario, sync and async, with the recorder
replaying moto's answers, so both parse the same bytes: the requests (method, path, content
type, what was signed and with which key, the form body) and the resulting access key,
secret, token and expiry must be equal.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import re
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import botocore.session
import httpx
import pytest

import trentclient
from tests.credfakes import HandlerServer, Recorded, Reply
from trentclient._credentials import resolve_credential_provider
from trentclient._credentials._flow import HttpResponse, Keys
from trentclient._credentials._sts import (
    AssumeRoleSource,
    WebIdentitySource,
    parse_xml,
    sts_endpoint,
)
from trentclient._exceptions import (
    CredentialRetrievalError,
    InfiniteLoopConfigError,
    InvalidConfigError,
    PartialCredentialsError,
)

SECRET = "SECRETsentinel/9f8e7d6c5b4a+zz"
TOKEN = "TOKENsentinel/1a2b3c4d5e6f+zz"
WEB_TOKEN = "eyJhbGciOiJSUzI1NiJ9.WEBTOKENsentinel.c2lnbmF0dXJl"
ROLE = "arn:aws:iam::123456789012:role/app"
ROLE2 = "arn:aws:iam::210987654321:role/middle"
REGION = "us-west-2"


class Recorder:
    """Forwards to moto and records; or replays recorded answers in order."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.replay: list[Reply] | None = None
        self.answers: list[Reply] = []
        self._lock = threading.Lock()

    def __call__(self, request: Recorded) -> Reply:
        with self._lock:
            if self.replay is not None:
                if not self.replay:
                    return Reply(
                        500, b"<ErrorResponse><Error><Code>NoReplay</Code></Error></ErrorResponse>"
                    )
                return self.replay.pop(0)
        headers = {
            k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")
        }
        answer = httpx.request(
            request.method, self.target + request.path, headers=headers, content=request.body
        )
        reply = Reply(
            answer.status_code,
            answer.content,
            {"Content-Type": answer.headers.get("content-type", "text/xml")},
        )
        with self._lock:
            self.answers.append(reply)
        return reply


@pytest.fixture
def recorder(sts_server: str) -> Iterator[tuple[Recorder, HandlerServer]]:
    handler = Recorder(sts_server)
    with HandlerServer(handler) as server:
        yield handler, server


def _write(path: Path, text: str | None) -> None:
    if text is not None:
        path.write_text(text, encoding="utf-8")


def _wire(request: Recorded) -> dict[str, Any]:
    """What matters of an STS request, normalized where it may differ by the clock."""
    auth = request.header("Authorization")
    signed: tuple[str, ...] | None = None
    key_scope: tuple[str, ...] | None = None
    if auth:
        match = re.match(
            r"AWS4-HMAC-SHA256 Credential=([^/]+)/\d{8}/([^/]+)/([^/]+)/aws4_request, "
            r"SignedHeaders=([^,]+), Signature=[0-9a-f]{64}$",
            auth,
        )
        assert match, auth
        key_scope = match.group(1, 2, 3)
        signed = tuple(match.group(4).split(";"))
    body = request.body.decode()
    params = [
        (k, re.sub(r"^botocore-session-\d+$", "botocore-session-N", v))
        for k, v in parse_qsl(body, keep_blank_values=True)
    ]
    return {
        "method": request.method,
        "path": request.path,
        "content-type": request.header("Content-Type"),
        "signed": signed,
        "key_scope": key_scope,
        "token": request.header("X-Amz-Security-Token"),
        "params": params,
        "retry-headers": (
            request.header("amz-sdk-invocation-id") is not None,
            request.header("amz-sdk-request"),
        ),
    }


STATIC = (
    f"aws_access_key_id = AKSOURCE\naws_secret_access_key = {SECRET}\naws_session_token = {TOKEN}\n"
)

SCENARIOS: dict[str, dict[str, Any]] = {
    "irsa-env": {
        "env": {"AWS_WEB_IDENTITY_TOKEN_FILE": "{token}", "AWS_ROLE_ARN": ROLE},
    },
    "irsa-env-session-name": {
        "env": {
            "AWS_WEB_IDENTITY_TOKEN_FILE": "{token}",
            "AWS_ROLE_ARN": ROLE,
            "AWS_ROLE_SESSION_NAME": "my-pod",
        },
    },
    "web-identity-profile": {
        "env": {"AWS_PROFILE": "wi"},
        "config": f"[profile wi]\nweb_identity_token_file = {{token}}\nrole_arn = {ROLE}\n"
        "role_session_name = from-profile\n",
    },
    "env-beats-profile-web-identity": {
        "env": {"AWS_WEB_IDENTITY_TOKEN_FILE": "{token}", "AWS_ROLE_ARN": ROLE2},
        "config": f"[default]\nweb_identity_token_file = /nonexistent\nrole_arn = {ROLE}\n",
    },
    "assume-role-static-source": {
        "env": {"AWS_PROFILE": "app"},
        "config": f"[profile app]\nrole_arn = {ROLE}\nsource_profile = base\n"
        "external_id = ext-1234\nduration_seconds = 1800\nrole_session_name = sess\n",
        "credentials": f"[base]\n{STATIC}",
    },
    "assume-role-default-session-name": {
        "env": {"AWS_PROFILE": "app"},
        "config": f"[profile app]\nrole_arn = {ROLE}\nsource_profile = base\n",
        "credentials": f"[base]\n{STATIC}",
    },
    "assume-role-bad-duration-dropped": {
        "env": {"AWS_PROFILE": "app"},
        "config": f"[profile app]\nrole_arn = {ROLE}\nsource_profile = base\nduration_seconds = soon\n",
        "credentials": f"[base]\n{STATIC}",
    },
    "assume-role-chain-of-two": {
        "env": {"AWS_PROFILE": "top"},
        "config": f"[profile top]\nrole_arn = {ROLE}\nsource_profile = middle\n"
        f"[profile middle]\nrole_arn = {ROLE2}\nsource_profile = base\n",
        "credentials": f"[base]\n{STATIC}",
    },
    "assume-role-self-static": {
        "env": {"AWS_PROFILE": "self"},
        "config": f"[profile self]\nrole_arn = {ROLE}\nsource_profile = self\n",
        "credentials": f"[self]\n{STATIC}",
    },
    "assume-role-credential-source-env": {
        "env": {
            "AWS_PROFILE": "envsrc",
            "AWS_ACCESS_KEY_ID": "AKENVSOURCE",
            "AWS_SECRET_ACCESS_KEY": SECRET,
        },
        "config": f"[profile envsrc]\nrole_arn = {ROLE}\ncredential_source = Environment\n",
        # AWS_ACCESS_KEY_ID in the environment would win over the profile in botocore's
        # chain; profile_name= (Session(profile=)) skips the environment step.
        "profile_name": "envsrc",
    },
    "assume-role-source-web-identity": {
        "env": {"AWS_PROFILE": "app"},
        "config": f"[profile app]\nrole_arn = {ROLE}\nsource_profile = wi\n"
        f"[profile wi]\nweb_identity_token_file = {{token}}\nrole_arn = {ROLE2}\n",
    },
    "assume-role-mfa": {
        "env": {"AWS_PROFILE": "mfa"},
        "config": f"[profile mfa]\nrole_arn = {ROLE}\nsource_profile = base\n"
        "mfa_serial = arn:aws:iam::123456789012:mfa/user\n",
        "credentials": f"[base]\n{STATIC}",
        "mfa": "123456",
    },
}


def _setup(
    scenario: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sts_url: str
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(WEB_TOKEN, encoding="utf-8")
    config = tmp_path / "config"
    credentials = tmp_path / "credentials"
    _write(config, scenario.get("config", "").replace("{token}", str(token_file)) or None)
    _write(credentials, scenario.get("credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", sts_url)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    for name, value in scenario.get("env", {}).items():
        monkeypatch.setenv(name, value.replace("{token}", str(token_file)))


def _botocore(scenario: dict[str, Any]) -> tuple[str, str, str, dt.datetime]:
    session = botocore.session.Session(profile=scenario.get("profile_name"))
    if "mfa" in scenario:
        resolver = session.get_component("credential_provider")
        resolver.get_provider("assume-role")._prompter = lambda prompt: scenario["mfa"]
    credentials = session.get_credentials()
    frozen = credentials.get_frozen_credentials()
    return frozen.access_key, frozen.secret_key, frozen.token, credentials._expiry_time


def _ours(scenario: dict[str, Any], kind: str) -> Keys:
    mfa = scenario.get("mfa")
    provider: Any = resolve_credential_provider(
        region_name=REGION,
        profile_name=scenario.get("profile_name"),
        mfa_token_provider=(lambda serial: mfa) if mfa else None,
    )
    if kind == "sync":
        keys: Keys = provider.get_keys()
    else:
        keys = asyncio.run(provider.aget_keys())
    return keys


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_same_requests_and_credentials_as_botocore(
    name: str,
    kind: str,
    recorder: tuple[Recorder, HandlerServer],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scenario = SCENARIOS[name]
    handler, server = recorder
    _setup(scenario, tmp_path, monkeypatch, server.url)

    theirs = _botocore(scenario)
    their_requests = [_wire(r) for r in server.requests]
    assert their_requests, "botocore sent nothing"
    assert all(a.status == 200 for a in handler.answers), [a.body for a in handler.answers]

    server.requests.clear()
    handler.replay = list(handler.answers)
    ours = _ours(scenario, kind)
    our_requests = [_wire(r) for r in server.requests]

    for mine, botos in zip(our_requests, their_requests, strict=True):
        # botocore's first attempt has no "max=": neither has ours.
        assert mine == botos
    assert (ours.access_key, ours.secret_key, ours.token) == theirs[:3]
    assert ours.expiry == theirs[3]


def test_irsa_client_calls_sts_on_first_use_only(
    kind: str, sts_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Construction sends nothing; the first call assumes the role, then signs KMS with it."""
    _setup(SCENARIOS["irsa-env"], tmp_path, monkeypatch, "")
    seen: list[Recorded] = []

    def sts(request: Recorded) -> Reply:
        seen.append(request)
        answer = httpx.post(
            sts_server + "/",
            content=request.body,
            headers={"Content-Type": request.header("Content-Type") or ""},
        )
        return Reply(answer.status_code, answer.content)

    signed: list[httpx.Request] = []

    def kms(request: httpx.Request) -> httpx.Response:
        signed.append(request)
        return httpx.Response(200, json={"Keys": []})

    with HandlerServer(sts) as fake:
        monkeypatch.setenv("AWS_ENDPOINT_URL_STS", fake.url)
        if kind == "sync":
            client = trentclient.Client(
                region_name=REGION, http_client=httpx.Client(transport=httpx.MockTransport(kms))
            )
            assert seen == []
            client.list_keys()
            client.list_keys()
            client.close()
        else:

            async def handler(request: httpx.Request) -> httpx.Response:
                return kms(request)

            async def main() -> None:
                async with trentclient.AsyncClient(
                    region_name=REGION,
                    http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
                ) as client:
                    assert seen == []
                    await asyncio.gather(*(client.list_keys() for _ in range(20)))

            asyncio.run(main())
    assert len(seen) == 1  # single-flight, and cached afterwards
    assert seen[0].header("Authorization") is None  # AssumeRoleWithWebIdentity is unsigned
    params = dict(parse_qsl(seen[0].body.decode()))
    assert params["WebIdentityToken"] == WEB_TOKEN
    assert params["Action"] == "AssumeRoleWithWebIdentity"
    assert all("Credential=ASIA" in r.headers["Authorization"] for r in signed)
    assert all(r.headers["X-Amz-Security-Token"] for r in signed)


def test_token_file_read_again_at_every_refresh(
    sts_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = tmp_path / "token"
    token.write_text("first-token-value", encoding="utf-8")
    ctx = _ctx(monkeypatch, {"AWS_ENDPOINT_URL_STS": sts_server})
    sent: list[str] = []
    source = WebIdentitySource(ctx, profile=None, role_arn=ROLE, token_file=str(token))
    for value in ("first-token-value", "rotated-token-value"):
        token.write_text(value, encoding="utf-8")
        flow = source.flow()
        request = next(flow)  # ReadFile
        request = flow.send(token.read_text())
        sent.append(dict(parse_qsl(request.body.decode()))["WebIdentityToken"])
        flow.close()
    assert sent == ["first-token-value", "rotated-token-value"]


def _ctx(
    monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], region: str | None = REGION
) -> Any:
    from trentclient._credentials._context import SourceContext
    from trentclient._credentials._files import SharedConfig

    return SourceContext(
        environ=environ, config=SharedConfig(), profile_name="default", region=region
    )


ANSWER = (
    b'<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    b"<AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId>"
    b"<SecretAccessKey>"
    + SECRET.encode()
    + b"</SecretAccessKey><SessionToken>"
    + TOKEN.encode()
    + b"</SessionToken><Expiration>2030-07-11T19:55:29.611Z</Expiration></Credentials>"
    b"<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/app/x</Arn></AssumedRoleUser>"
    b"</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>rid</RequestId>"
    b"</ResponseMetadata></AssumeRoleWithWebIdentityResponse>"
)


def _run_web_identity(
    monkeypatch: pytest.MonkeyPatch, answers: list[HttpResponse | Any]
) -> Keys | None:
    ctx = _ctx(monkeypatch, {})
    source = WebIdentitySource(ctx, profile="p", role_arn=ROLE, token_file="/token")
    flow = source.flow()
    effect = next(flow)
    effect = flow.send(WEB_TOKEN)
    try:
        for answer in answers:
            while type(effect).__name__ == "Sleep":
                effect = flow.send(None)
            effect = flow.send(answer)
    except StopIteration as stop:
        result: Keys | None = stop.value
        return result
    raise AssertionError(f"flow wants more: {effect!r}")


def test_answer_parsed() -> None:
    keys = _run_web_identity(pytest.MonkeyPatch(), [HttpResponse(200, {}, ANSWER)])
    assert keys is not None
    assert keys.access_key == "ASIAEXAMPLE"
    assert keys.secret_key == SECRET and keys.token == TOKEN
    assert keys.expiry == dt.datetime(2030, 7, 11, 19, 55, 29, 611000, tzinfo=dt.UTC)
    assert keys.account_id == "123456789012"


ERROR = (
    b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
    b"<Code>{code}</Code><Message>{message}</Message></Error><RequestId>req-1</RequestId></ErrorResponse>"
)


@pytest.mark.parametrize(
    ("answers", "code", "status", "attempts"),
    [
        (
            [
                HttpResponse(
                    403,
                    {},
                    ERROR.replace(b"{code}", b"AccessDenied").replace(
                        b"{message}", b"Not authorized"
                    ),
                )
            ],
            "AccessDenied",
            403,
            1,
        ),
        (
            [
                HttpResponse(
                    400,
                    {},
                    ERROR.replace(b"{code}", b"InvalidIdentityToken").replace(b"{message}", b"bad"),
                )
            ],
            "InvalidIdentityToken",
            400,
            1,
        ),
        (
            [
                HttpResponse(
                    400,
                    {},
                    ERROR.replace(b"{code}", b"IDPCommunicationError").replace(
                        b"{message}", b"idp"
                    ),
                )
            ]
            * 3,
            "IDPCommunicationError",
            400,
            3,
        ),
        ([HttpResponse(503, {}, b"<html>busy</html>")] * 3, None, 503, 3),
        ([HttpResponse(200, {}, b"not xml at all")], None, None, 1),
        ([HttpResponse(200, {}, b"<AssumeRoleWithWebIdentityResponse/>")], None, None, 1),
        (
            [
                HttpResponse(
                    200, {}, b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
                )
            ],
            None,
            None,
            1,
        ),
    ],
)
def test_error_answers_are_typed(
    answers: list[Any], code: str | None, status: int | None, attempts: int
) -> None:
    with pytest.raises(CredentialRetrievalError) as info:
        _run_web_identity(pytest.MonkeyPatch(), answers)
    error = info.value
    assert error.code == code
    assert error.provider == "assume-role-with-web-identity"
    assert error.profile == "p"
    if status is not None:
        assert error.status_code == status
    assert WEB_TOKEN not in str(error) and SECRET not in str(error)


def test_retries_then_success() -> None:
    busy = HttpResponse(500, {}, b"")
    keys = _run_web_identity(pytest.MonkeyPatch(), [busy, busy, HttpResponse(200, {}, ANSWER)])
    assert keys is not None and keys.access_key == "ASIAEXAMPLE"


def test_xml_parser_limits() -> None:
    assert parse_xml(b"<a><b>x</b></a>").find("b").text == "x"  # type: ignore[union-attr]
    assert parse_xml(b"<a>" * 100 + b"</a>" * 100) is None  # too deep
    assert parse_xml(b"<a/><b/>") is None
    assert parse_xml(b"") is None
    assert parse_xml(b'<!DOCTYPE lolz [<!ENTITY lol "lol">]><lolz>&lol;</lolz>') is None


@pytest.mark.parametrize(
    ("environ", "region", "expected"),
    [
        ({}, "us-west-2", ("https://sts.us-west-2.amazonaws.com", "us-west-2")),
        ({}, None, ("https://sts.amazonaws.com", "us-east-1")),
        ({}, "cn-north-1", ("https://sts.cn-north-1.amazonaws.com.cn", "cn-north-1")),
        (
            {"AWS_STS_REGIONAL_ENDPOINTS": "legacy"},
            "eu-west-1",
            ("https://sts.amazonaws.com", "us-east-1"),
        ),
        (
            {"AWS_STS_REGIONAL_ENDPOINTS": "legacy"},
            "af-south-1",
            ("https://sts.af-south-1.amazonaws.com", "af-south-1"),
        ),
        (
            {"AWS_USE_FIPS_ENDPOINT": "true"},
            "us-east-1",
            ("https://sts-fips.us-east-1.amazonaws.com", "us-east-1"),
        ),
        (
            {"AWS_USE_DUALSTACK_ENDPOINT": "true"},
            "eu-west-1",
            ("https://sts.eu-west-1.api.aws", "eu-west-1"),
        ),
        (
            {"AWS_ENDPOINT_URL_STS": "http://127.0.0.1:5000"},
            "us-west-2",
            ("http://127.0.0.1:5000", "us-west-2"),
        ),
        (
            {"AWS_ENDPOINT_URL": "http://127.0.0.1:5001"},
            None,
            ("http://127.0.0.1:5001", "us-east-1"),
        ),
    ],
)
def test_sts_endpoint_matches_botocore(
    environ: dict[str, str],
    region: str | None,
    expected: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert sts_endpoint(_ctx(monkeypatch, environ, region)) == expected
    # botocore's own STS client for the same settings agrees on the URL.
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    client = botocore.session.Session().create_client(
        "sts", region_name=region, aws_access_key_id="AK", aws_secret_access_key="SK"
    )
    assert client.meta.endpoint_url.rstrip("/") == expected[0]


def test_services_section_endpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from trentclient._credentials._context import SourceContext
    from trentclient._credentials._files import SharedConfig, parse_ini

    config = parse_ini(
        "[default]\nservices = local\n[services local]\nsts =\n  endpoint_url = http://127.0.0.1:4566\n"
    )
    ctx = SourceContext(
        environ={}, config=SharedConfig({}, config), profile_name="default", region="eu-west-1"
    )
    assert sts_endpoint(ctx) == ("http://127.0.0.1:4566", "eu-west-1")


# -- chain errors, as botocore ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "error", "match"),
    [
        (
            f"[profile a]\nrole_arn = {ROLE}\nsource_profile = b\n[profile b]\nrole_arn = {ROLE}\nsource_profile = a\n",
            InfiniteLoopConfigError,
            "Infinite loop",
        ),
        (
            f"[profile a]\nrole_arn = {ROLE}\nsource_profile = a\n",
            InfiniteLoopConfigError,
            "Infinite loop",
        ),
        (
            f"[profile a]\nrole_arn = {ROLE}\nsource_profile = ghost\n",
            InvalidConfigError,
            'source_profile "ghost"',
        ),
        (
            f"[profile a]\nrole_arn = {ROLE}\nsource_profile = b\ncredential_source = Environment\n[profile b]\nregion = x\n",
            InvalidConfigError,
            "both source_profile and credential_source",
        ),
        (
            f"[profile a]\nrole_arn = {ROLE}\n",
            PartialCredentialsError,
            "source_profile or credential_source",
        ),
        (
            f"[profile a]\nrole_arn = {ROLE}\ncredential_source = environment\n",
            InvalidConfigError,
            "is not valid",
        ),
        (
            f"[profile a]\nrole_arn = {ROLE}\nsource_profile = b\n[profile b]\nregion = x\n",
            InvalidConfigError,
            "must have credentials",
        ),
        ("[profile a]\nweb_identity_token_file = /t\n", InvalidConfigError, "no role ARN"),
        (
            f"[profile a]\nrole_arn = {ROLE}\nsource_profile = b\nmfa_serial = arn:aws:iam::1:mfa/u\n[profile b]\n{STATIC}",
            InvalidConfigError,
            "mfa_token_provider",
        ),
    ],
)
def test_configuration_errors_like_botocore(
    config: str, error: type[Exception], match: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "config").write_text(config)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    with pytest.raises(error, match=match) as info:
        resolve_credential_provider(profile_name="a", region_name=REGION)
    assert SECRET not in str(info.value)
    if "mfa_serial" in config:
        return  # botocore prompts (getpass) here instead of raising
    # botocore raises the same kind of error for the same configuration.
    with pytest.raises(Exception) as theirs:
        botocore.session.Session(profile="a").get_credentials()
    assert type(theirs.value).__name__ == error.__name__


def test_mfa_provider_asked_at_every_refresh(
    sts_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _setup(SCENARIOS["assume-role-mfa"], tmp_path, monkeypatch, sts_server)
    asked: list[str] = []

    def mfa(serial: str) -> str:
        asked.append(serial)
        return "654321"

    provider: Any = resolve_credential_provider(region_name=REGION, mfa_token_provider=mfa)
    provider.get_keys()
    # An hour-long credential with 5 minutes left: inside the mandatory window.
    now = dt.datetime.now(dt.UTC)
    provider._current = provider._current.with_expiry(now + dt.timedelta(minutes=5))
    provider._current.obtained = now - dt.timedelta(minutes=55)
    provider.get_keys()
    assert asked == ["arn:aws:iam::123456789012:mfa/user"] * 2


def test_async_mfa_provider(
    sts_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _setup(SCENARIOS["assume-role-mfa"], tmp_path, monkeypatch, sts_server)

    async def mfa(serial: str) -> str:
        await asyncio.sleep(0)
        return "111111"

    provider: Any = resolve_credential_provider(region_name=REGION, mfa_token_provider=mfa)
    keys = asyncio.run(provider.aget_keys())
    assert keys.access_key.startswith("ASIA")


def test_no_secret_in_debug_logs(
    kind: str,
    recorder: tuple[Recorder, HandlerServer],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _handler, server = recorder
    _setup(SCENARIOS["assume-role-source-web-identity"], tmp_path, monkeypatch, server.url)
    caplog.set_level(logging.DEBUG)
    keys = _ours(SCENARIOS["assume-role-source-web-identity"], kind)
    text = "\n".join(r.getMessage() for r in caplog.records) + repr(keys)
    assert "Credential source request" in text
    for secret in (WEB_TOKEN, keys.secret_key, keys.token or "-", SECRET, TOKEN):
        assert secret not in text


def test_default_chain_imports_no_botocore(sts_server: str, tmp_path: Path) -> None:
    """IRSA through a whole Client call, in a fresh interpreter: botocore never loads."""
    import subprocess

    token = tmp_path / "token"
    token.write_text(WEB_TOKEN)
    code = (
        "import sys, httpx, trentclient\n"
        "kms = trentclient.Client(region_name='us-west-2', http_client=httpx.Client("
        "transport=httpx.MockTransport(lambda r: httpx.Response(200, json={'Keys': []}))))\n"
        "kms.list_keys()\n"
        "assert 'botocore' not in sys.modules, 'botocore was imported'\n"
        "assert not any(m.split('.')[0] in ('attr', 'attrs') for m in sys.modules), 'attrs'\n"
        "print('ok')\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_WEB_IDENTITY_TOKEN_FILE=str(token),
        AWS_ROLE_ARN=ROLE,
        AWS_ENDPOINT_URL_STS=sts_server,
        AWS_CONFIG_FILE=str(tmp_path / "none"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_assume_role_source_is_asked_each_refresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """The source credentials come through Resolve, and signing uses them."""

    class Source:
        calls = 0

        def get_keys(self) -> Keys:
            Source.calls += 1
            return Keys(f"AKSRC{Source.calls}", SECRET, TOKEN)

        async def aget_keys(self) -> Keys:
            return self.get_keys()

    ctx = _ctx(monkeypatch, {})
    source = AssumeRoleSource(ctx, profile="p", role_arn=ROLE, source=Source())
    for round_ in (1, 2):
        flow = source.flow()
        effect = next(flow)
        assert type(effect).__name__ == "Resolve"
        request = flow.send(effect.provider.get_keys())  # type: ignore[union-attr]
        auth = dict(request.headers)["Authorization"]
        assert f"Credential=AKSRC{round_}/" in auth
        assert "/us-west-2/sts/aws4_request" in auth
        assert dict(request.headers)["X-Amz-Security-Token"] == TOKEN
        flow.close()
