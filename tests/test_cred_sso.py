"""The IAM Identity Center (SSO) source: cache file, SSO-OIDC refresh, GetRoleCredentials.

Every behaviour that goes through the drivers runs sync and async (``kind``). The fake
(``tests/fake_sso.py``) serves both the portal and SSO-OIDC on 127.0.0.1; the differential
tests point botocore's own ``SSOProvider`` / ``SSOTokenProvider`` at the same fake, with the
same config and cache files, and compare keys, requests and the rewritten cache file.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests import fake_sso
from tests.credfakes import HandlerServer, Reply, json_reply
from tests.fake_sso import FakeSso, error_reply
from trentclient._credentials import _drive, _sso
from trentclient._credentials._context import SourceContext, user_agent
from trentclient._credentials._drive import run_sync
from trentclient._credentials._files import SharedConfig, parse_ini
from trentclient._credentials._flow import (
    HttpRequest,
    HttpResponse,
    Keys,
    ReadFile,
    WriteFile,
)
from trentclient._credentials._refresh import RefreshingProvider
from trentclient._credentials._services import base_url
from trentclient._credentials._sso import SsoSource, cache_key, sso_configured
from trentclient._exceptions import (
    CredentialRetrievalError,
    InvalidConfigError,
    UnauthorizedSSOTokenError,
)

START_URL = "https://example.awsapps.com/start"
SESSION_NAME = "corp"

LEGACY = f"""
[profile dev]
sso_start_url = {START_URL}
sso_region = us-east-1
sso_account_id = {fake_sso.ACCOUNT_ID}
sso_role_name = {fake_sso.ROLE_NAME}
"""

SESSION = f"""
[profile dev]
sso_session = {SESSION_NAME}
sso_account_id = {fake_sso.ACCOUNT_ID}
sso_role_name = {fake_sso.ROLE_NAME}

[sso-session {SESSION_NAME}]
sso_start_url = {START_URL}
sso_region = us-east-1
sso_registration_scopes = sso:account:access
"""

SECRETS = (
    fake_sso.ACCESS_TOKEN,
    fake_sso.REFRESH_TOKEN,
    fake_sso.CLIENT_SECRET,
    fake_sso.ROLE_SECRET_KEY,
    fake_sso.ROLE_SESSION_TOKEN,
)


def stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def token_data(minutes: float, *, refreshable: bool = True, **extra: Any) -> dict[str, Any]:
    """A cache file as ``aws sso login`` writes it, expiring in ``minutes``."""
    now = datetime.now(UTC)
    data: dict[str, Any] = {
        "startUrl": START_URL,
        "region": "us-east-1",
        "accessToken": fake_sso.ACCESS_TOKEN,
        "expiresAt": stamp(now + timedelta(minutes=minutes)),
    }
    if refreshable:
        data.update(
            clientId=fake_sso.CLIENT_ID,
            clientSecret=fake_sso.CLIENT_SECRET,
            registrationExpiresAt=stamp(now + timedelta(days=80)),
            refreshToken=fake_sso.REFRESH_TOKEN,
        )
    data.update(extra)
    return data


class Env:
    """A temporary HOME with a config file and the SSO cache, pointed at the fake."""

    def __init__(self, tmp_path: Path, server: HandlerServer) -> None:
        self.home = tmp_path / "home"
        self.home.mkdir()
        self.config_file = tmp_path / "config"
        self.cache_dir = self.home / ".aws" / "sso" / "cache"
        self.server = server
        self.environ = {
            "HOME": str(self.home),
            "AWS_CONFIG_FILE": str(self.config_file),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
            "AWS_ENDPOINT_URL_SSO": server.url,
            "AWS_ENDPOINT_URL_SSO_OIDC": server.url,
        }
        self.config_text = ""

    def config(self, text: str) -> None:
        self.config_text = text
        self.config_file.write_text(text)

    def cache_path(self, key: str = SESSION_NAME) -> Path:
        return self.cache_dir / (cache_key(key, None) + ".json")

    def write_token(self, data: dict[str, Any] | str, key: str = SESSION_NAME) -> Path:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        path = self.cache_path(key)
        path.write_text(data if isinstance(data, str) else json.dumps(data))
        return path

    def read_token(self, key: str = SESSION_NAME) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.cache_path(key).read_text())
        return value

    def context(self, **environ: str) -> SourceContext:
        config = SharedConfig(None, parse_ini(self.config_text))
        return SourceContext(environ={**self.environ, **environ}, config=config, profile_name="dev")

    def source(self, profile: str = "dev", **environ: str) -> SsoSource:
        return SsoSource(self.context(**environ), profile)


def fetch(kind: str, source: SsoSource) -> Keys:
    provider = RefreshingProvider(source)
    if kind == "sync":
        return provider.get_keys()
    return asyncio.run(provider.aget_keys())


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []

    async def asleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(_drive, "sleep", slept.append)
    monkeypatch.setattr(_drive, "asleep", asleep)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    return slept


@pytest.fixture
def fake() -> FakeSso:
    return FakeSso()


@pytest.fixture(scope="module")
def shared_server() -> Iterator[HandlerServer]:
    # One server per module (stopping one takes half a second); each test gets its own fake.
    with HandlerServer(lambda request: Reply(500)) as running:
        yield running


@pytest.fixture
def server(shared_server: HandlerServer, fake: FakeSso) -> HandlerServer:
    shared_server.handler = fake
    shared_server.requests.clear()
    return shared_server


@pytest.fixture
def env(tmp_path: Path, server: HandlerServer) -> Env:
    return Env(tmp_path, server)


def expected_expiry(fake: FakeSso) -> datetime:
    return datetime.fromtimestamp(fake.expiration_ms // 1000, UTC)


def assert_role_keys(keys: Keys, fake: FakeSso) -> None:
    assert keys.access_key == fake_sso.ROLE_ACCESS_KEY
    assert keys.secret_key == fake_sso.ROLE_SECRET_KEY
    assert keys.token == fake_sso.ROLE_SESSION_TOKEN
    assert keys.expiry == expected_expiry(fake)
    assert keys.account_id == fake_sso.ACCOUNT_ID


def paths(server: HandlerServer) -> list[str]:
    return [f"{r.method} {urlsplit(r.path).path}" for r in server.requests]


# -- the trigger and the configuration ----------------------------------------------------------


def test_sso_configured_is_botocores_trigger() -> None:
    assert sso_configured({"sso_account_id": "1"})
    assert sso_configured({"sso_role_name": ""})
    assert not sso_configured({"sso_session": "corp", "sso_start_url": START_URL})
    assert not sso_configured({})


def test_constructor_does_no_io(env: Env) -> None:
    env.config(SESSION)
    source = env.source()
    assert source.cache_file == str(env.cache_path())
    assert env.server.requests == []
    assert repr(source) == "SsoSource(profile='dev')"


def test_cache_file_is_sha1_of_session_name_or_start_url(env: Env) -> None:
    import hashlib

    env.config(SESSION)
    assert env.source().cache_file == str(
        env.cache_dir / (hashlib.sha1(b"corp").hexdigest() + ".json")
    )
    env.config(LEGACY)
    assert env.source().cache_file == str(
        env.cache_dir / (hashlib.sha1(START_URL.encode()).hexdigest() + ".json")
    )


BAD_CONFIGS = {
    "legacy-missing": (
        "[profile dev]\nsso_account_id = 1\n",
        'The profile "dev" is configured to use SSO but is missing required configuration: '
        "sso_role_name, sso_start_url, sso_region",
    ),
    "session-missing-keys": (
        "[profile dev]\nsso_session = corp\nsso_role_name = R\n"
        f"[sso-session corp]\nsso_start_url = {START_URL}\n",
        'The profile "dev" is configured to use SSO but is missing required configuration: '
        "sso_account_id, sso_region",
    ),
    "no-session-section": (
        "[profile dev]\nsso_session = nope\nsso_role_name = R\nsso_account_id = 1\n",
        'The specified sso-session does not exist: "nope"',
    ),
    "mismatch": (
        "[profile dev]\nsso_session = corp\nsso_role_name = R\nsso_account_id = 1\n"
        "sso_region = us-west-2\n"
        f"[sso-session corp]\nsso_start_url = {START_URL}\nsso_region = us-east-1\n",
        "The value for sso_region is inconsistent between profile (us-west-2) and "
        "sso-session (us-east-1).",
    ),
    "region-only-in-profile": (
        "[profile dev]\nsso_session = corp\nsso_role_name = R\nsso_account_id = 1\n"
        "sso_region = us-east-1\n"
        f"[sso-session corp]\nsso_start_url = {START_URL}\n",
        'The profile "dev" is configured to use the SSO token provider but is missing the '
        "following configuration: ['sso_region'].",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_invalid_config_matches_botocore(
    case: str, env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    text, message = BAD_CONFIGS[case]
    env.config(text)
    with pytest.raises(InvalidConfigError) as caught:
        env.source()
    assert str(caught.value) == message
    # botocore, over the same file, says the same.
    import botocore.exceptions

    session = botocore_session(env, monkeypatch)
    with pytest.raises(botocore.exceptions.InvalidConfigError) as theirs:
        session.get_credentials().get_frozen_credentials()
    assert str(theirs.value) == message
    assert env.server.requests == []


def test_invalid_region_is_refused(env: Env) -> None:
    env.config(LEGACY.replace("sso_region = us-east-1", "sso_region = evil.example/x"))
    with pytest.raises(InvalidConfigError, match="not a valid region name"):
        env.source()


# -- legacy form ---------------------------------------------------------------------------------


def test_legacy_happy_path(kind: str, env: Env, fake: FakeSso) -> None:
    env.config(LEGACY)
    env.write_token(token_data(60, refreshable=False), key=START_URL)
    keys = fetch(kind, env.source())
    assert_role_keys(keys, fake)
    (request,) = env.server.requests
    assert request.method == "GET"
    assert request.path == (
        f"/federation/credentials?role_name={fake_sso.ROLE_NAME}&account_id={fake_sso.ACCOUNT_ID}"
    )
    assert request.header("x-amz-sso_bearer_token") == fake_sso.ACCESS_TOKEN
    assert request.header("User-Agent") == user_agent()
    assert request.header("Authorization") is None


def test_legacy_expired_token_raises_before_any_request(kind: str, env: Env) -> None:
    env.config(LEGACY)
    # Refresh keys are present, but the legacy form never refreshes.
    env.write_token(token_data(-1), key=START_URL)
    with pytest.raises(UnauthorizedSSOTokenError) as caught:
        fetch(kind, env.source())
    assert "aws sso login --profile dev" in str(caught.value)
    assert caught.value.profile == "dev"
    assert caught.value.provider == "sso"
    assert env.server.requests == []


def test_legacy_token_near_expiry_is_used_as_is(kind: str, env: Env, fake: FakeSso) -> None:
    env.config(LEGACY)
    env.write_token(token_data(2), key=START_URL)
    assert_role_keys(fetch(kind, env.source()), fake)
    assert paths(env.server) == ["GET /federation/credentials"]


# -- sso-session form ----------------------------------------------------------------------------


def test_session_happy_path_no_refresh(kind: str, env: Env, fake: FakeSso) -> None:
    env.config(SESSION)
    before = env.write_token(token_data(60)).read_text()
    assert_role_keys(fetch(kind, env.source()), fake)
    assert paths(env.server) == ["GET /federation/credentials"]
    assert env.cache_path().read_text() == before


def test_session_near_expiry_refreshes_and_rewrites_cache(
    kind: str, env: Env, fake: FakeSso
) -> None:
    env.config(SESSION)
    original = token_data(5, extra_key="kept")
    path = env.write_token(original)
    os.chmod(path, 0o644)
    fake.revoke_old = True  # the portal then only takes the refreshed token
    started = datetime.now(UTC).replace(microsecond=0)
    keys = fetch(kind, env.source())
    assert_role_keys(keys, fake)
    assert paths(env.server) == ["POST /token", "GET /federation/credentials"]
    token_request, portal_request = env.server.requests
    assert token_request.header("Content-Type") == "application/json"
    assert token_request.header("x-amz-sso_bearer_token") is None
    assert token_request.header("Authorization") is None
    assert json.loads(token_request.body) == {
        "grantType": "refresh_token",
        "clientId": fake_sso.CLIENT_ID,
        "clientSecret": fake_sso.CLIENT_SECRET,
        "refreshToken": fake_sso.REFRESH_TOKEN,
    }
    assert portal_request.header("x-amz-sso_bearer_token") == "refreshed-access-token-SECRET-0001"
    written = env.read_token()
    assert written == {
        **original,
        "accessToken": "refreshed-access-token-SECRET-0001",
        "refreshToken": "refreshed-refresh-token-SECRET-0001",
        "expiresAt": written["expiresAt"],
    }
    expires = datetime.strptime(written["expiresAt"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert started + timedelta(seconds=fake.expires_in) <= expires
    assert expires <= started + timedelta(seconds=fake.expires_in + 5)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [p.name for p in env.cache_dir.iterdir()] == [path.name]  # no temporary file left


def test_refresh_without_new_refresh_token_keeps_the_old_one(
    kind: str, env: Env, fake: FakeSso
) -> None:
    env.config(SESSION)
    env.write_token(token_data(5))
    fake.return_refresh_token = False
    fetch(kind, env.source())
    written = env.read_token()
    assert written["accessToken"] == "refreshed-access-token-SECRET-0001"
    assert written["refreshToken"] == fake_sso.REFRESH_TOKEN


@pytest.mark.parametrize(
    "reply",
    [
        error_reply(400, "InvalidGrantException"),
        error_reply(500, "InternalServerException"),
        json_reply(200, {"tokenType": "Bearer"}),
        Reply(200, b"not json"),
    ],
    ids=["invalid-grant", "server-error", "no-access-token", "not-json"],
)
def test_refresh_failure_keeps_a_still_valid_token(
    kind: str, env: Env, fake: FakeSso, reply: Reply, caplog: pytest.LogCaptureFixture
) -> None:
    env.config(SESSION)
    before = env.write_token(token_data(5)).read_text()
    fake.oidc_replies = [reply] * 3
    with caplog.at_level(logging.DEBUG, logger="trentclient"):
        keys = fetch(kind, env.source())
    assert_role_keys(keys, fake)
    assert env.server.requests[-1].header("x-amz-sso_bearer_token") == fake_sso.ACCESS_TOKEN
    assert env.cache_path().read_text() == before
    assert "SSO token refresh attempt failed" in caplog.text
    assert_no_secret(caplog)


def test_refresh_failure_with_expired_token_raises(kind: str, env: Env, fake: FakeSso) -> None:
    env.config(SESSION)
    env.write_token(token_data(-5))
    fake.oidc_replies = [error_reply(400, "InvalidGrantException")]
    with pytest.raises(UnauthorizedSSOTokenError) as caught:
        fetch(kind, env.source())
    assert "aws sso login --profile dev" in str(caught.value)
    assert paths(env.server) == ["POST /token"]


@pytest.mark.parametrize(
    "changes",
    [
        {"refreshToken": None},
        {"clientSecret": None},
        {"registrationExpiresAt": "2001-01-01T00:00:00Z"},
        {"registrationExpiresAt": "whenever"},
        {"clientId": 42},
    ],
    ids=["no-refresh-token", "no-client-secret", "registration-expired", "bad-date", "bad-type"],
)
def test_unrefreshable_expired_token_raises_without_requests(
    kind: str, env: Env, changes: dict[str, Any]
) -> None:
    env.config(SESSION)
    data = token_data(-1)
    for key, value in changes.items():
        if value is None:
            del data[key]
        else:
            data[key] = value
    env.write_token(data)
    with pytest.raises(UnauthorizedSSOTokenError, match="--profile dev"):
        fetch(kind, env.source())
    assert env.server.requests == []


def test_refresh_attempts_are_limited_to_one_per_minute(
    env: Env, fake: FakeSso, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(_sso, "monotonic", lambda: clock[0])
    env.config(SESSION)
    env.write_token(token_data(5))
    fake.oidc_replies = [error_reply(400, "InvalidGrantException")] * 10
    source = env.source()

    def token_calls() -> int:
        return paths(env.server).count("POST /token")

    assert run_sync(source.flow()) is not None
    assert token_calls() == 1
    clock[0] += 59
    assert run_sync(source.flow()) is not None  # the cached token, no second attempt
    assert token_calls() == 1
    clock[0] += 2
    assert run_sync(source.flow()) is not None
    assert token_calls() == 2
    # Another source (another client) has its own limit.
    assert run_sync(env.source().flow()) is not None
    assert token_calls() == 3


def test_limit_also_follows_a_successful_refresh(
    env: Env, fake: FakeSso, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_sso, "monotonic", lambda: 500.0)
    env.config(SESSION)
    env.write_token(token_data(5))
    source = env.source()
    run_sync(source.flow())
    env.write_token(token_data(5))  # e.g. another process wrote an old token back
    keys = run_sync(source.flow())
    assert keys is not None
    assert paths(env.server).count("POST /token") == 1
    assert env.server.requests[-1].header("x-amz-sso_bearer_token") == fake_sso.ACCESS_TOKEN


# -- the portal's answers --------------------------------------------------------------------------


def test_portal_401_is_unauthorized(kind: str, env: Env, fake: FakeSso) -> None:
    env.config(SESSION)
    env.write_token(token_data(60))
    fake.valid_access_tokens.clear()
    with pytest.raises(UnauthorizedSSOTokenError) as caught:
        fetch(kind, env.source())
    error = caught.value
    assert error.code == "UnauthorizedException"
    assert error.status_code == 401
    assert error.request_id == "req-UnauthorizedException"
    assert "aws sso login --profile dev" in str(error)
    assert len(env.server.requests) == 1  # not retried


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (403, "ForbiddenException"),
        (404, "ResourceNotFoundException"),
        (400, "InvalidRequestException"),
    ],
)
def test_portal_errors(kind: str, env: Env, fake: FakeSso, status: int, code: str) -> None:
    env.config(LEGACY)
    env.write_token(token_data(60), key=START_URL)
    fake.portal_replies = [error_reply(status, code, "nope")]
    with pytest.raises(CredentialRetrievalError) as caught:
        fetch(kind, env.source())
    error = caught.value
    assert not isinstance(error, UnauthorizedSSOTokenError)
    assert (error.code, error.status_code, error.request_id) == (code, status, f"req-{code}")
    assert f"({code})" in str(error) and "GetRoleCredentials" in str(error)


def test_throttling_and_5xx_are_retried(
    kind: str, env: Env, fake: FakeSso, no_sleep: list[float]
) -> None:
    env.config(LEGACY)
    env.write_token(token_data(60), key=START_URL)
    fake.portal_replies = [
        error_reply(429, "TooManyRequestsException"),
        error_reply(503, "ServiceUnavailable"),
    ]
    assert_role_keys(fetch(kind, env.source()), fake)
    assert len(env.server.requests) == 3
    assert len(no_sleep) == 2 and all(0 <= s <= 2 for s in no_sleep)


def test_retries_stop_after_three_attempts(kind: str, env: Env, fake: FakeSso) -> None:
    env.config(LEGACY)
    env.write_token(token_data(60), key=START_URL)
    fake.portal_replies = [error_reply(500, "InternalServerError")] * 5
    with pytest.raises(CredentialRetrievalError) as caught:
        fetch(kind, env.source())
    assert caught.value.status_code == 500
    assert len(env.server.requests) == 3


def test_unreachable_portal(kind: str, env: Env) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env.config(LEGACY)
    env.write_token(token_data(60), key=START_URL)
    source = env.source(AWS_ENDPOINT_URL_SSO=f"http://127.0.0.1:{port}")
    with pytest.raises(CredentialRetrievalError, match="could not connect"):
        fetch(kind, source)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"roleCredentials": "x"}',
        b'{"roleCredentials": {"accessKeyId": "A", "secretAccessKey": "S"}}',
        b'{"roleCredentials": {"accessKeyId": "A", "secretAccessKey": "S", "sessionToken": "T",'
        b' "expiration": "2030-01-01T00:00:00Z"}}',
        b'{"roleCredentials": {"accessKeyId": "A", "secretAccessKey": "S", "sessionToken": "T",'
        b' "expiration": 1e300}}',
        b'{"roleCredentials": {"accessKeyId": "A\\n", "secretAccessKey": "S", "sessionToken":'
        b' "T", "expiration": 4102444800000}}',
    ],
    ids=["not-json", "array", "not-object", "missing", "string-expiry", "huge-expiry", "newline"],
)
def test_bad_portal_answers_are_typed(kind: str, env: Env, fake: FakeSso, body: bytes) -> None:
    env.config(LEGACY)
    env.write_token(token_data(60), key=START_URL)
    fake.portal_replies = [Reply(200, body, {"Content-Type": "application/json"})]
    with pytest.raises(CredentialRetrievalError, match="GetRoleCredentials answer"):
        fetch(kind, env.source())


def test_oversized_answer_is_refused(kind: str, env: Env, fake: FakeSso) -> None:
    env.config(LEGACY)
    env.write_token(token_data(60), key=START_URL)
    fake.portal_replies = [Reply(200, b" " * (_sso.MAX_BODY + 1))]
    with pytest.raises(CredentialRetrievalError, match="answer over"):
        fetch(kind, env.source())


# -- the cache file ------------------------------------------------------------------------------


def test_missing_cache_file(kind: str, env: Env) -> None:
    env.config(SESSION)
    with pytest.raises(CredentialRetrievalError) as caught:
        fetch(kind, env.source())
    assert not isinstance(caught.value, UnauthorizedSSOTokenError)
    assert str(env.cache_path()) in str(caught.value)
    assert "aws sso login --profile dev" in str(caught.value)
    assert env.server.requests == []


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("{not json", "not a JSON object"),
        ('["a"]', "not a JSON object"),
        (json.dumps({"accessToken": "x"}), "lacks accessToken or expiresAt"),
        (json.dumps({"expiresAt": "2030-01-01T00:00:00Z"}), "lacks accessToken or expiresAt"),
        (json.dumps({"accessToken": 5, "expiresAt": "2030-01-01T00:00:00Z"}), "accessToken"),
        (json.dumps({"accessToken": "a\nb", "expiresAt": "2030-01-01T00:00:00Z"}), "ASCII"),
        (json.dumps({"accessToken": "x", "expiresAt": "soon"}), "expiresAt is not"),
        (json.dumps({"accessToken": "x", "expiresAt": 1234}), "expiresAt is not"),
    ],
)
def test_invalid_cache_file(kind: str, env: Env, content: str, why: str) -> None:
    env.config(SESSION)
    env.write_token(content)
    with pytest.raises(CredentialRetrievalError, match=why) as caught:
        fetch(kind, env.source())
    assert "aws sso login --profile dev" in str(caught.value)
    assert env.server.requests == []


@pytest.mark.parametrize(
    "text",
    [
        "2030-01-02T03:04:05Z",
        "2030-01-02T03:04:05UTC",
        "2030-01-02T03:04:05.123Z",
        "2030-01-02T04:04:05+01:00",
        "2030-01-02T03:04:05",
    ],
)
def test_expires_at_formats(text: str) -> None:
    parsed = _sso.parse_timestamp(text)
    assert parsed is not None
    assert parsed.replace(microsecond=0) == datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_home_comes_from_the_clients_environment(env: Env, tmp_path: Path) -> None:
    env.config(SESSION)
    other = tmp_path / "other-home"
    source = env.source(HOME=str(other))
    assert source.cache_file.startswith(str(other / ".aws" / "sso" / "cache") + os.sep)


# -- the flow by hand (sans I/O) -------------------------------------------------------------------


def test_flow_by_hand_reads_cache_at_every_fetch_and_survives_a_failed_write(env: Env) -> None:
    env.config(SESSION)
    source = env.source()
    for _ in range(2):
        flow = source.flow()
        effect = next(flow)
        assert isinstance(effect, ReadFile) and effect.path == source.cache_file
        effect = flow.send(json.dumps(token_data(5)))
        assert isinstance(effect, HttpRequest) and effect.url.endswith("/token")
        assert effect.trust_env and effect.max_body == _sso.MAX_BODY
        new = {"accessToken": "new-token", "expiresIn": 3600}
        effect = flow.send(HttpResponse(200, {}, json.dumps(new).encode()))
        assert isinstance(effect, WriteFile) and effect.path == source.cache_file
        assert effect.mode == 0o600
        effect = flow.send("PermissionError: denied")
        assert isinstance(effect, HttpRequest) and "/federation/credentials?" in effect.url
        assert ("x-amz-sso_bearer_token", "new-token") in effect.headers
        assert "x-amz-sso_bearer_token" in effect.secret_headers
        assert "new-token" not in effect.describe()
        body = {
            "roleCredentials": {
                "accessKeyId": "AK",
                "secretAccessKey": "SK",
                "sessionToken": "TK",
                "expiration": 4102444800000,
            }
        }
        with pytest.raises(StopIteration) as done:
            flow.send(HttpResponse(200, {}, json.dumps(body).encode()))
        keys = done.value.value
        assert (keys.access_key, keys.expiry) == ("AK", datetime(2100, 1, 1, tzinfo=UTC))
        source._last_attempt = None  # allow the second round's refresh


# -- endpoints --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "settings"),
    [
        ("us-east-1", {}),
        ("eu-west-1", {"AWS_USE_FIPS_ENDPOINT": "true"}),
        ("us-gov-west-1", {"AWS_USE_FIPS_ENDPOINT": "true"}),
        ("us-east-1", {"AWS_USE_DUALSTACK_ENDPOINT": "true"}),
        ("us-east-1", {"AWS_USE_FIPS_ENDPOINT": "true", "AWS_USE_DUALSTACK_ENDPOINT": "true"}),
        ("cn-north-1", {}),
    ],
)
def test_endpoints_match_botocore(
    env: Env, region: str, settings: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    env.config(LEGACY.replace("sso_region = us-east-1", f"sso_region = {region}"))
    environ = {k: v for k, v in env.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    ctx = SourceContext(
        environ={**environ, **settings},
        config=SharedConfig(None, parse_ini(env.config_text)),
        profile_name="dev",
    )
    SsoSource(ctx, "dev")  # the configuration is valid
    ours = (base_url(ctx, "SSO", "portal.sso", region), base_url(ctx, "SSO_OIDC", "oidc", region))
    import botocore.config
    import botocore.session

    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    session = botocore.session.Session()
    theirs = []
    for service, operation, params in (
        ("sso", "get_role_credentials", {"roleName": "R", "accountId": "1", "accessToken": "t"}),
        ("sso-oidc", "create_token", {"clientId": "c", "clientSecret": "s", "grantType": "g"}),
    ):
        client = session.create_client(
            service,
            region_name=region,
            config=botocore.config.Config(signature_version=botocore.UNSIGNED),
        )
        theirs.append(_captured_url(client, operation, params))
    assert ours[0] + "/federation/credentials" == theirs[0].split("?")[0]
    assert ours[1] + "/token" == theirs[1]


def _captured_url(client: Any, operation: str, params: dict[str, Any]) -> str:
    class Captured(Exception):
        pass

    seen: list[str] = []

    def capture(request: Any, **_: Any) -> None:
        seen.append(request.url)
        raise Captured

    client.meta.events.register("before-send", capture)
    with pytest.raises(Captured):
        getattr(client, operation)(**params)
    return seen[0]


def test_custom_endpoint_with_fips_is_refused(kind: str, env: Env) -> None:
    env.config(LEGACY)
    env.write_token(token_data(60), key=START_URL)
    with pytest.raises(InvalidConfigError, match="FIPS and custom endpoint"):
        fetch(kind, env.source(AWS_USE_FIPS_ENDPOINT="true"))


# -- secrets ---------------------------------------------------------------------------------------


def assert_no_secret(caplog: pytest.LogCaptureFixture, *more: str) -> None:
    ours = [r for r in caplog.records if r.name.startswith("trentclient")]
    text = "\n".join(r.getMessage() for r in ours)
    for secret in (*SECRETS, *more):
        assert secret not in text


def test_no_secret_in_logs_errors_or_reprs(
    kind: str, env: Env, fake: FakeSso, caplog: pytest.LogCaptureFixture
) -> None:
    env.config(SESSION)
    env.write_token(token_data(5))
    caplog.set_level(logging.DEBUG)
    source = env.source()
    provider = RefreshingProvider(source)
    keys = provider.get_keys() if kind == "sync" else asyncio.run(provider.aget_keys())
    issued = tuple(fake.issued_secrets)
    assert issued  # a refresh happened
    for shown in (repr(source), repr(provider), repr(keys)):
        for secret in (*SECRETS, *issued):
            assert secret not in shown
    # Errors: a refused token (the message echoes the server's) and a failed refresh.
    fake.valid_access_tokens.clear()
    fake.portal_replies = [
        error_reply(401, "UnauthorizedException", f"bad token {issued[0]}"),
    ]
    with pytest.raises(UnauthorizedSSOTokenError) as caught:
        run_sync(source.flow())
    for shown in (str(caught.value), repr(caught.value)):
        for secret in (*SECRETS, *issued):
            assert secret not in shown
    assert_no_secret(caplog, *issued)
    debug = [r for r in caplog.records if r.name.startswith("trentclient") and r.levelno == 10]
    assert any("/federation/credentials" in r.getMessage() for r in debug)


# -- differential: botocore over the same files and the same fake ------------------------------------


def botocore_session(env: Env, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A botocore session over ``env``'s files, HOME and fake (its cache folder is computed at
    import time, so the class attributes are pointed at the temporary one)."""
    import botocore.credentials
    import botocore.session
    import botocore.tokens

    for name, value in env.environ.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(
        botocore.credentials.SSOProvider, "_SSO_TOKEN_CACHE_DIR", str(env.cache_dir)
    )
    monkeypatch.setattr(
        botocore.tokens.SSOTokenProvider, "_SSO_TOKEN_CACHE_DIR", str(env.cache_dir)
    )
    return botocore.session.Session(profile="dev")


def botocore_keys(env: Env, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, datetime]:
    credentials = botocore_session(env, monkeypatch).get_credentials()
    assert credentials.method == "sso"
    frozen = credentials.get_frozen_credentials()
    return frozen, credentials._expiry_time


def request_shape(server: HandlerServer, start: int = 0) -> list[tuple[Any, ...]]:
    shape = []
    for request in server.requests[start:]:
        shape.append(
            (
                request.method,
                request.path,
                request.header("x-amz-sso_bearer_token"),
                request.header("Authorization"),
                sorted(json.loads(request.body)) if request.body else None,
                (request.header("Content-Type") or "").split(";")[0] if request.body else None,
            )
        )
    return shape


@pytest.mark.parametrize(
    ("config", "key", "minutes"),
    [(LEGACY, START_URL, 60), (SESSION, SESSION_NAME, 60), (SESSION, SESSION_NAME, 5)],
    ids=["legacy", "sso-session", "sso-session-refresh"],
)
def test_differential_against_botocore(
    kind: str,
    env: Env,
    fake: FakeSso,
    monkeypatch: pytest.MonkeyPatch,
    config: str,
    key: str,
    minutes: float,
) -> None:
    env.config(config)
    original = token_data(minutes)
    path = env.write_token(original, key=key)
    ours = fetch(kind, env.source())
    our_file = env.read_token(key)
    our_mode = stat.S_IMODE(os.stat(path).st_mode)
    our_requests = request_shape(env.server)

    env.write_token(original, key=key)
    os.chmod(path, 0o644)
    start = len(env.server.requests)
    frozen, expiry = botocore_keys(env, monkeypatch)
    their_file = env.read_token(key)
    their_requests = request_shape(env.server, start)

    assert (ours.access_key, ours.secret_key, ours.token) == (
        frozen.access_key,
        frozen.secret_key,
        frozen.token,
    )
    assert ours.expiry == expiry
    assert ours.account_id == getattr(frozen, "account_id", fake_sso.ACCOUNT_ID)

    def normalized(shape: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        # The refreshed access tokens differ by the fake's counter only.
        return [(*s[:2], s[2] and s[2].replace("0002", "0001"), *s[3:]) for s in shape]

    assert normalized(our_requests) == normalized(their_requests)
    if minutes < 15:
        assert [(r[0], urlsplit(r[1]).path) for r in our_requests] == [
            ("POST", "/token"),
            ("GET", "/federation/credentials"),
        ]
        assert set(our_file) == set(their_file)
        for name in ("startUrl", "region", "clientId", "clientSecret", "registrationExpiresAt"):
            assert our_file[name] == their_file[name]
        ours_at = datetime.strptime(our_file["expiresAt"], "%Y-%m-%dT%H:%M:%SZ")
        theirs_at = datetime.strptime(their_file["expiresAt"], "%Y-%m-%dT%H:%M:%SZ")
        assert abs((ours_at - theirs_at).total_seconds()) <= 5
        assert our_mode == stat.S_IMODE(os.stat(path).st_mode) == 0o600
    else:
        assert our_file == their_file == original


def test_differential_expired_legacy_token(
    kind: str, env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    import botocore.exceptions

    env.config(LEGACY)
    env.write_token(token_data(-1), key=START_URL)
    with pytest.raises(UnauthorizedSSOTokenError):
        fetch(kind, env.source())
    with pytest.raises(botocore.exceptions.UnauthorizedSSOTokenError):
        botocore_keys(env, monkeypatch)
    assert env.server.requests == []


def test_differential_portal_401(
    kind: str, env: Env, fake: FakeSso, monkeypatch: pytest.MonkeyPatch
) -> None:
    import botocore.exceptions

    env.config(SESSION)
    env.write_token(token_data(60))
    fake.valid_access_tokens.clear()
    with pytest.raises(UnauthorizedSSOTokenError):
        fetch(kind, env.source())
    with pytest.raises(botocore.exceptions.UnauthorizedSSOTokenError):
        botocore_keys(env, monkeypatch)
    assert paths(env.server) == ["GET /federation/credentials"] * 2


def test_differential_refresh_failure_keeps_valid_token(
    kind: str, env: Env, fake: FakeSso, monkeypatch: pytest.MonkeyPatch
) -> None:
    env.config(SESSION)
    before = env.write_token(token_data(5)).read_text()
    fake.valid_refresh_tokens.clear()
    ours = fetch(kind, env.source())
    frozen, _ = botocore_keys(env, monkeypatch)
    assert ours.access_key == frozen.access_key
    assert paths(env.server) == ["POST /token", "GET /federation/credentials"] * 2
    assert env.cache_path().read_text() == before
