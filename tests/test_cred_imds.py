"""The EC2 instance metadata source (``iam-role``): IMDSv2 against a strict fake, moto's lax
IMDS, flows driven by hand, and botocore's own fetcher as the oracle."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.credfakes import HandlerServer, Reply, json_reply
from tests.fake_imds import TOKEN_HEADER, TTL_HEADER, FakeImds, iso, make_credentials
from trentclient._credentials import _drive
from trentclient._credentials._context import SourceContext
from trentclient._credentials._drive import run_async, run_sync
from trentclient._credentials._files import SharedConfig
from trentclient._credentials._flow import (
    HttpFailure,
    HttpRequest,
    HttpResponse,
    Keys,
)
from trentclient._credentials._imds import (
    BASE_URL_IPV4,
    BASE_URL_IPV6,
    ImdsSource,
    imds_disabled,
    parse_expiration,
)
from trentclient._credentials._refresh import RefreshingProvider
from trentclient._exceptions import CredentialRetrievalError, InvalidConfigError, NoCredentialsError

ROLE = "/latest/meta-data/iam/security-credentials/"
TOKEN = "/latest/api/token"


# -- fixtures and helpers ------------------------------------------------------------------


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    """IMDS never sleeps between attempts (botocore does not either)."""

    def sleep(seconds: float) -> None:
        raise AssertionError(f"IMDS slept {seconds} s")

    async def asleep(seconds: float) -> None:
        raise AssertionError(f"IMDS slept {seconds} s")

    monkeypatch.setattr(_drive, "sleep", sleep)
    monkeypatch.setattr(_drive, "asleep", asleep)


@pytest.fixture
def fake() -> FakeImds:
    return FakeImds()


@pytest.fixture(scope="module")
def shared_server() -> Iterator[HandlerServer]:
    # One server for the module: stopping one costs serve_forever's 0.5 s poll interval.
    with HandlerServer(FakeImds()) as running:
        yield running


@pytest.fixture
def server(shared_server: HandlerServer, fake: FakeImds) -> HandlerServer:
    """The module's server, answering with this test's fake, with no requests recorded."""
    shared_server.handler = fake
    shared_server.requests.clear()
    return shared_server


def make_ctx(env: dict[str, str] | None = None, **config: str) -> SourceContext:
    sections = {"default": dict(config)} if config else {}
    return SourceContext(
        environ=dict(env or {}),
        config=SharedConfig(config_sections=sections),
        profile_name="default",
    )


def source_for(server: HandlerServer, **env: str) -> ImdsSource:
    return ImdsSource(make_ctx({"AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url, **env}))


def get(provider: RefreshingProvider, kind: str) -> Keys:
    if kind == "sync":
        return provider.get_keys()
    return asyncio.run(provider.aget_keys())


def run(source: ImdsSource, kind: str) -> Keys | None:
    if kind == "sync":
        return run_sync(source.flow())
    return asyncio.run(run_async(source.flow()))


class Clock:
    """A wall clock for RefreshingProvider that tests move forward."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def calls(server: HandlerServer) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in server.requests]


def shape(server: HandlerServer) -> list[tuple[str, str, bool, str | None]]:
    """What botocore and trentclient must agree on: method, path, token sent, TTL asked."""
    return [
        (r.method, r.path, r.header(TOKEN_HEADER) is not None, r.header(TTL_HEADER))
        for r in server.requests
    ]


HAPPY = [("PUT", TOKEN), ("GET", ROLE), ("GET", ROLE + "my-instance-role")]
V1 = [("GET", ROLE), ("GET", ROLE + "my-instance-role")]


def assert_keys(keys: Keys | None, fake: FakeImds) -> None:
    assert keys is not None
    creds = fake.credentials
    assert keys.access_key == creds["AccessKeyId"]
    assert keys.secret_key == creds["SecretAccessKey"]
    assert keys.token == creds["Token"]
    assert keys.expiry == parse_expiration(creds["Expiration"])
    assert keys.account_id is None


# -- settings ----------------------------------------------------------------------------


def test_imds_disabled_reads_the_environment_any_case() -> None:
    assert imds_disabled(make_ctx({"AWS_EC2_METADATA_DISABLED": "TRUE"}))
    assert imds_disabled(make_ctx({"AWS_EC2_METADATA_DISABLED": "true"}))
    assert not imds_disabled(make_ctx({"AWS_EC2_METADATA_DISABLED": "false"}))
    assert not imds_disabled(make_ctx({"AWS_EC2_METADATA_DISABLED": "1"}))
    assert not imds_disabled(make_ctx({}))


def test_defaults() -> None:
    source = ImdsSource(make_ctx())
    assert source.method == "iam-role"
    assert source.base_url == BASE_URL_IPV4 == "http://169.254.169.254/"
    assert (source.timeout, source.attempts, source.v1_disabled) == (1.0, 1, False)


@pytest.mark.parametrize(
    ("env", "config", "base"),
    [
        ({"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv6"}, {}, BASE_URL_IPV6),
        ({"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "ipv4"}, {}, BASE_URL_IPV4),
        ({}, {"ec2_metadata_service_endpoint_mode": "ipv6"}, BASE_URL_IPV6),
        ({"AWS_IMDS_USE_IPV6": "True"}, {}, BASE_URL_IPV6),
        ({}, {"imds_use_ipv6": "true"}, BASE_URL_IPV6),
        # the mode wins over the legacy switch
        (
            {"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "ipv4", "AWS_IMDS_USE_IPV6": "true"},
            {},
            BASE_URL_IPV4,
        ),
        # the environment wins over the file
        (
            {"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "ipv4"},
            {"ec2_metadata_service_endpoint_mode": "ipv6"},
            BASE_URL_IPV4,
        ),
        ({}, {"ec2_metadata_service_endpoint": "http://10.0.0.1:8080"}, "http://10.0.0.1:8080"),
        ({"AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://[::1]:81/"}, {}, "http://[::1]:81/"),
    ],
)
def test_base_url(env: dict[str, str], config: dict[str, str], base: str) -> None:
    assert ImdsSource(make_ctx(env, **config)).base_url == base


def test_endpoint_wins_over_ipv6_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    env = {
        "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:9/",
        "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "ipv6",
    }
    with caplog.at_level(logging.WARNING):
        assert ImdsSource(make_ctx(env)).base_url == "http://127.0.0.1:9/"
    assert "using the endpoint" in caplog.text


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        (
            {"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "ipv5"},
            "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
        ),
        ({"AWS_EC2_METADATA_SERVICE_ENDPOINT": "not a url"}, "AWS_EC2_METADATA_SERVICE_ENDPOINT"),
        ({"AWS_EC2_METADATA_SERVICE_ENDPOINT": "169.254.169.254"}, "not a valid"),
        ({"AWS_EC2_METADATA_SERVICE_ENDPOINT": "ftp://169.254.169.254/"}, "not a valid"),
        ({"AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://host:99999/"}, "not a valid"),
        ({"AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://bad_host/"}, "not a valid"),
        ({"AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://[fd00:zz::1]/"}, "not a valid"),
        ({"AWS_METADATA_SERVICE_TIMEOUT": "soon"}, "AWS_METADATA_SERVICE_TIMEOUT"),
        ({"AWS_METADATA_SERVICE_TIMEOUT": "0"}, "metadata_service_timeout"),
        ({"AWS_METADATA_SERVICE_TIMEOUT": "nan"}, "metadata_service_timeout"),
        ({"AWS_METADATA_SERVICE_NUM_ATTEMPTS": "1.5"}, "AWS_METADATA_SERVICE_NUM_ATTEMPTS"),
        ({"AWS_METADATA_SERVICE_NUM_ATTEMPTS": "0"}, "metadata_service_num_attempts"),
    ],
)
def test_invalid_settings_fail_at_construction(env: dict[str, str], needle: str) -> None:
    with pytest.raises(InvalidConfigError, match=needle):
        ImdsSource(make_ctx(env))


def test_endpoint_user_information_is_not_shown() -> None:
    env = {"AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://user:hunter2@bad_host/"}
    with pytest.raises(InvalidConfigError) as caught:
        ImdsSource(make_ctx(env))
    assert "hunter2" not in str(caught.value)
    source = ImdsSource(
        make_ctx({"AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://u:hunter2@127.0.0.1:9/"})
    )
    assert "hunter2" not in repr(source) and "hunter2" not in source.not_found()


def test_settings_from_the_config_file() -> None:
    source = ImdsSource(
        make_ctx(
            {},
            metadata_service_timeout="2.5",
            metadata_service_num_attempts="3",
            ec2_metadata_v1_disabled="TRUE",
        )
    )
    assert (source.timeout, source.attempts, source.v1_disabled) == (2.5, 3, True)
    env = {"AWS_METADATA_SERVICE_TIMEOUT": "4", "AWS_METADATA_SERVICE_NUM_ATTEMPTS": "2"}
    source = ImdsSource(
        make_ctx(env, metadata_service_timeout="9", ec2_metadata_v1_disabled="false")
    )
    assert (source.timeout, source.attempts, source.v1_disabled) == (4.0, 2, False)


def test_not_found_message_is_used_when_given() -> None:
    source = ImdsSource(make_ctx({"AWS_EC2_METADATA_DISABLED": "true"}), not_found_message="custom")
    assert run_sync(source.flow()) is None
    assert source.not_found() == "custom"
    source = ImdsSource(make_ctx({"AWS_EC2_METADATA_DISABLED": "true"}), profile="dev")
    assert run_sync(source.flow()) is None
    assert "AWS_EC2_METADATA_DISABLED" in source.not_found()
    assert source.profile == "dev"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-01T00:00:00Z", datetime(2026, 1, 1, tzinfo=UTC)),
        ("2026-01-01T00:00:00.123Z", datetime(2026, 1, 1, 0, 0, 0, 123000, tzinfo=UTC)),
        ("2026-01-01T02:00:00+02:00", datetime(2026, 1, 1, tzinfo=UTC)),
        ("2026-01-01T00:00:00", datetime(2026, 1, 1, tzinfo=UTC)),
    ],
)
def test_parse_expiration(text: str, expected: datetime) -> None:
    assert parse_expiration(text) == expected


# -- the happy path and the token cache ---------------------------------------------------


def test_happy_path_then_refresh_reuses_the_token(
    server: HandlerServer, fake: FakeImds, kind: str
) -> None:
    clock = Clock()
    provider = RefreshingProvider(source_for(server), clock=clock)
    keys = get(provider, kind)
    assert_keys(keys, fake)
    assert calls(server) == HAPPY
    put, role, creds = server.requests
    assert put.header(TTL_HEADER) == "21600"
    assert put.header(TOKEN_HEADER) is None
    assert (put.header("User-Agent") or "").startswith("trentclient")
    assert role.header(TOKEN_HEADER) == creds.header(TOKEN_HEADER) == fake.issued[0]
    assert role.header("User-Agent") == put.header("User-Agent")

    # Five minutes before expiry: a mandatory refresh, with the cached token: two GETs.
    fake.credentials = make_credentials()
    clock.advance(timedelta(hours=5, minutes=55))
    keys = get(provider, kind)
    assert_keys(keys, fake)
    assert calls(server) == HAPPY + V1
    assert [r.header(TOKEN_HEADER) for r in server.requests[3:]] == [fake.issued[0]] * 2
    assert len(fake.issued) == 1


def test_token_ttl_is_read_from_the_answer(server: HandlerServer, fake: FakeImds) -> None:
    fake.granted_ttl = 300  # cached for 300 - 120 s
    source = source_for(server)
    now = [1000.0]
    source.monotonic = lambda: now[0]
    assert run_sync(source.flow()) is not None
    now[0] += 170
    assert run_sync(source.flow()) is not None
    assert [m for m, _ in calls(server)] == ["PUT", "GET", "GET", "GET", "GET"]
    now[0] += 20  # 190 s: past the margin
    assert run_sync(source.flow()) is not None
    assert [m for m, _ in calls(server)][5:] == ["PUT", "GET", "GET"]
    assert len(fake.issued) == 2


def test_short_token_ttl_keeps_half(server: HandlerServer, fake: FakeImds) -> None:
    fake.granted_ttl = 60  # cached for 30 s
    source = source_for(server)
    now = [0.0]
    source.monotonic = lambda: now[0]
    run_sync(source.flow())
    now[0] = 29
    run_sync(source.flow())
    now[0] = 31
    run_sync(source.flow())
    assert [m for m, _ in calls(server)].count("PUT") == 2


def test_missing_ttl_header_means_the_ttl_asked(server: HandlerServer, fake: FakeImds) -> None:
    fake.send_ttl_header = False
    source = source_for(server)
    now = [0.0]
    source.monotonic = lambda: now[0]
    run_sync(source.flow())
    now[0] = 21600 - 121
    run_sync(source.flow())
    assert [m for m, _ in calls(server)].count("PUT") == 1
    now[0] = 21600 - 119
    run_sync(source.flow())
    assert [m for m, _ in calls(server)].count("PUT") == 2


def test_stale_token_is_renewed_once(server: HandlerServer, fake: FakeImds, kind: str) -> None:
    clock = Clock()
    provider = RefreshingProvider(source_for(server), clock=clock)
    get(provider, kind)
    fake.expire_tokens()  # the instance restarted: the cached token is dead
    clock.advance(timedelta(hours=5, minutes=55))
    assert_keys(get(provider, kind), fake)
    assert calls(server)[3:] == [("GET", ROLE), *HAPPY]
    statuses = [r.header(TOKEN_HEADER) for r in server.requests[3:]]
    assert statuses == [fake.issued[0], None, fake.issued[1], fake.issued[1]]


def test_a_second_401_is_an_ordinary_failure(
    server: HandlerServer, fake: FakeImds, kind: str
) -> None:
    fake.role_replies = [Reply(401), Reply(401)]
    provider = RefreshingProvider(source_for(server))
    with pytest.raises(NoCredentialsError, match="status 401"):
        get(provider, kind)
    assert calls(server) == [("PUT", TOKEN), ("GET", ROLE), ("PUT", TOKEN), ("GET", ROLE)]


def test_401_on_the_credentials_renews_the_token(server: HandlerServer, fake: FakeImds) -> None:
    fake.creds_replies = [Reply(401)]
    assert_keys(run_sync(source_for(server).flow()), fake)
    assert calls(server) == [*HAPPY, ("PUT", TOKEN), ("GET", ROLE + "my-instance-role")]


# -- the token request: botocore's outcome table ------------------------------------------


@pytest.mark.parametrize("status", [403, 404, 405])
def test_v1_fallback(server: HandlerServer, fake: FakeImds, kind: str, status: int) -> None:
    fake.allow_v1 = True
    fake.token_replies = [Reply(status)]
    keys = get(RefreshingProvider(source_for(server, AWS_METADATA_SERVICE_NUM_ATTEMPTS="3")), kind)
    assert_keys(keys, fake)
    assert calls(server) == HAPPY  # one PUT: no retry
    assert [r.header(TOKEN_HEADER) for r in server.requests] == [None, None, None]


def test_v1_fallback_on_put_timeout_takes_one_timeout(
    server: HandlerServer, fake: FakeImds, kind: str
) -> None:
    fake.allow_v1 = True
    fake.token_replies = [Reply(200, b"late", delay=3.0)]  # the hop-limit=1 case
    source = source_for(
        server, AWS_METADATA_SERVICE_TIMEOUT="0.4", AWS_METADATA_SERVICE_NUM_ATTEMPTS="3"
    )
    started = time.monotonic()
    keys = get(RefreshingProvider(source), kind)
    elapsed = time.monotonic() - started
    assert_keys(keys, fake)
    assert calls(server) == HAPPY
    assert 0.4 <= elapsed < 0.8, elapsed  # one timeout, not three


def test_token_server_errors_are_retried_then_v1(
    server: HandlerServer, fake: FakeImds, kind: str
) -> None:
    fake.allow_v1 = True
    fake.token_replies = [Reply(500), Reply(401)]
    source = source_for(server, AWS_METADATA_SERVICE_NUM_ATTEMPTS="2")
    assert_keys(get(RefreshingProvider(source), kind), fake)
    assert calls(server) == [("PUT", TOKEN), *HAPPY]
    assert server.requests[2].header(TOKEN_HEADER) is None


def test_token_server_error_then_token(server: HandlerServer, fake: FakeImds) -> None:
    fake.token_replies = [Reply(503)]
    source = source_for(server, AWS_METADATA_SERVICE_NUM_ATTEMPTS="2")
    assert_keys(run_sync(source.flow()), fake)
    assert calls(server) == [("PUT", TOKEN), *HAPPY]
    assert server.requests[2].header(TOKEN_HEADER) == fake.issued[0]


def test_400_on_the_token_means_no_credentials(
    server: HandlerServer, fake: FakeImds, kind: str
) -> None:
    fake.allow_v1 = True
    fake.token_replies = [Reply(400)]
    provider = RefreshingProvider(source_for(server, AWS_METADATA_SERVICE_NUM_ATTEMPTS="3"))
    with pytest.raises(NoCredentialsError, match=r"rejected the token request.*400"):
        get(provider, kind)
    assert calls(server) == [("PUT", TOKEN)]


@pytest.mark.parametrize("failure", ["403", "timeout"])
def test_v1_disabled_without_a_token(
    server: HandlerServer, fake: FakeImds, kind: str, failure: str
) -> None:
    fake.allow_v1 = True
    fake.token_replies = [Reply(403) if failure == "403" else Reply(200, b"x", delay=2.0)]
    source = source_for(
        server, AWS_EC2_METADATA_V1_DISABLED="true", AWS_METADATA_SERVICE_TIMEOUT="0.3"
    )
    with pytest.raises(NoCredentialsError, match="IMDSv1 is disabled") as caught:
        get(RefreshingProvider(source), kind)
    assert "AWS_EC2_METADATA_V1_DISABLED" in str(caught.value)
    assert calls(server) == [("PUT", TOKEN)]


def test_v1_disabled_with_a_token_works(server: HandlerServer, fake: FakeImds, kind: str) -> None:
    source = source_for(server, AWS_EC2_METADATA_V1_DISABLED="true")
    assert_keys(get(RefreshingProvider(source), kind), fake)
    assert calls(server) == HAPPY


def test_v1_disabled_and_a_stale_token_without_a_new_one(
    server: HandlerServer, fake: FakeImds
) -> None:
    source = source_for(server, AWS_EC2_METADATA_V1_DISABLED="true")
    run_sync(source.flow())
    fake.expire_tokens()
    fake.token_replies = [Reply(403)]
    assert run_sync(source.flow()) is None
    assert "IMDSv1 is disabled" in source.not_found()
    assert calls(server)[3:] == [("GET", ROLE), ("PUT", TOKEN)]


def test_disabled_sends_nothing(server: HandlerServer, kind: str) -> None:
    source = source_for(server, AWS_EC2_METADATA_DISABLED="True")
    with pytest.raises(NoCredentialsError, match="AWS_EC2_METADATA_DISABLED"):
        get(RefreshingProvider(source), kind)
    assert run(source, kind) is None
    assert server.requests == []


# -- the GETs: retries and bad answers ----------------------------------------------------


@pytest.mark.parametrize("step", ["role", "creds"])
def test_500_then_success_with_two_attempts(
    server: HandlerServer, fake: FakeImds, kind: str, step: str
) -> None:
    (fake.role_replies if step == "role" else fake.creds_replies).append(Reply(500))
    source = source_for(server, AWS_METADATA_SERVICE_NUM_ATTEMPTS="2")
    assert_keys(get(RefreshingProvider(source), kind), fake)
    assert len(server.requests) == 4


def test_500_with_one_attempt_means_no_credentials(
    server: HandlerServer, fake: FakeImds, kind: str
) -> None:
    fake.role_replies = [Reply(500)]
    with pytest.raises(NoCredentialsError, match=r"1 attempt.*status 500"):
        get(RefreshingProvider(source_for(server)), kind)
    assert calls(server) == HAPPY[:2]


def test_empty_role_is_retried(server: HandlerServer, fake: FakeImds) -> None:
    fake.role_replies = [Reply(200, b"")]
    source = source_for(server, AWS_METADATA_SERVICE_NUM_ATTEMPTS="2")
    assert_keys(run_sync(source.flow()), fake)
    fake.role_replies = [Reply(200, b"")]
    source = source_for(server)
    assert run_sync(source.flow()) is None
    assert "an empty answer" in source.not_found()


def test_invalid_json_is_retried(server: HandlerServer, fake: FakeImds, kind: str) -> None:
    fake.creds_replies = [Reply(200, b"{not json")]
    source = source_for(server, AWS_METADATA_SERVICE_NUM_ATTEMPTS="2")
    assert_keys(get(RefreshingProvider(source), kind), fake)
    assert calls(server) == [*HAPPY, HAPPY[2]]


def test_invalid_json_on_the_last_attempt_is_an_error(
    server: HandlerServer, fake: FakeImds, kind: str
) -> None:
    fake.creds_replies = [Reply(200, b"{not json")]
    with pytest.raises(CredentialRetrievalError, match="did not answer with JSON") as caught:
        get(RefreshingProvider(source_for(server)), kind)
    assert caught.value.provider == "iam-role"


@pytest.mark.parametrize(
    ("credentials", "needle"),
    [
        (
            {
                "Code": "Success",
                "AccessKeyId": "AKID",
                "Token": "st-only-token-0123",
                "Expiration": "2030-01-01T00:00:00Z",
            },
            "lack SecretAccessKey",
        ),
        ({"Code": "Success"}, "lack AccessKeyId, SecretAccessKey, Token, Expiration"),
        (make_credentials(Expiration="tomorrow"), "Expiration .* not an ISO 8601"),
        (make_credentials(Expiration="2030-13-01T00:00:00Z"), "Expiration .* not an ISO 8601"),
        (make_credentials(Expiration=1893456000), "Expiration .* not a non-empty string"),
        (make_credentials(AccessKeyId=""), "AccessKeyId .* not a non-empty string"),
        (make_credentials(Token=None), "Token .* not a non-empty string"),
        (make_credentials(SecretAccessKey="bad\nsecret"), "control character"),
        (["AccessKeyId"], "not an object"),
        ("just a string", "not an object"),
        (None, "not an object"),
    ],
)
def test_bad_credentials_are_typed_errors(
    server: HandlerServer, fake: FakeImds, kind: str, credentials: Any, needle: str
) -> None:
    fake.credentials = credentials
    with pytest.raises(CredentialRetrievalError, match=needle) as caught:
        get(RefreshingProvider(source_for(server)), kind)
    assert caught.value.provider == "iam-role"
    if isinstance(credentials, dict):
        for name in ("SecretAccessKey", "Token"):
            value = credentials.get(name)
            if isinstance(value, str) and value:
                assert value not in str(caught.value) and value not in repr(caught.value)


def test_json_error_code_is_a_typed_error(server: HandlerServer, fake: FakeImds, kind: str) -> None:
    fake.credentials = {
        "Code": "AssumeRoleUnauthorizedAccess",
        "Message": "EC2 cannot assume the role my-instance-role.",
        "LastUpdated": iso(datetime.now(UTC)),
    }
    with pytest.raises(CredentialRetrievalError) as caught:
        get(RefreshingProvider(source_for(server)), kind)
    error = caught.value
    assert error.code == "AssumeRoleUnauthorizedAccess"
    assert "AssumeRoleUnauthorizedAccess" in str(error)
    assert "EC2 cannot assume the role my-instance-role." in str(error)


def test_success_code_in_any_case(server: HandlerServer, fake: FakeImds) -> None:
    fake.credentials = make_credentials(Code="success")
    assert_keys(run_sync(source_for(server).flow()), fake)
    fake.credentials = {k: v for k, v in make_credentials().items() if k != "Code"}
    assert_keys(run_sync(source_for(server).flow()), fake)


def test_role_name_is_used_verbatim(server: HandlerServer, fake: FakeImds) -> None:
    fake.role_replies = [Reply(200, b" my-instance-role")]
    source = source_for(server)
    assert run_sync(source.flow()) is None  # botocore would not strip it either: 404
    assert server.requests[-1].path == ROLE + "%20my-instance-role"
    fake.role_replies = [Reply(200, b"my-instance-role\n")]
    with pytest.raises(CredentialRetrievalError, match="control character"):
        run_sync(source.flow())


# -- static stability ---------------------------------------------------------------------


def test_expired_credentials_are_extended(
    server: HandlerServer, fake: FakeImds, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    fake.credentials = make_credentials(expires_in=-timedelta(hours=1))
    before = datetime.now(UTC)
    with caplog.at_level(logging.DEBUG):
        keys = get(RefreshingProvider(source_for(server)), kind)
    after = datetime.now(UTC)
    assert keys.access_key == fake.credentials["AccessKeyId"]
    assert keys.expiry is not None
    assert before + timedelta(minutes=10) <= keys.expiry <= after + timedelta(minutes=15)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "static stability" in warnings[0].getMessage()
    assert_no_secret_in_logs(caplog, fake)


def test_jitter_is_0_to_300_seconds(server: HandlerServer, fake: FakeImds) -> None:
    fake.credentials = make_credentials(expires_in=-timedelta(seconds=1))
    source = source_for(server)
    moment = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=3650)
    source.clock = lambda: moment
    fake.credentials = make_credentials(Expiration=iso(moment - timedelta(seconds=5)))
    for jitter, minutes in ((0, 10), (300, 15)):
        source.jitter = lambda jitter=jitter: jitter  # type: ignore[misc]
        keys = run_sync(source.flow())
        assert keys is not None and keys.expiry == moment + timedelta(minutes=minutes)


def test_failed_refresh_keeps_working_credentials(
    server: HandlerServer, fake: FakeImds, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    source = source_for(server)
    provider = RefreshingProvider(source, clock=clock)
    first = get(provider, kind)
    assert_keys(first, fake)

    fake.role_replies = [Reply(500)]
    clock.advance(timedelta(hours=5, minutes=55))  # mandatory refresh, and IMDS fails
    with caplog.at_level(logging.WARNING):
        kept = get(provider, kind)
    assert (kept.access_key, kept.secret_key, kept.token) == (
        first.access_key,
        first.secret_key,
        first.token,
    )
    assert kept.expiry is not None
    assert clock.now + timedelta(minutes=10) <= kept.expiry <= clock.now + timedelta(minutes=15)
    assert "static stability" in caplog.text
    assert_no_secret_in_logs(caplog, fake)

    # Fresh for a while: no request until the (scaled) refresh windows are reached.
    count = len(server.requests)
    assert get(provider, kind) is kept
    assert len(server.requests) == count

    # A second failure extends again (the extended keys are this source's too).
    fake.role_replies = [Reply(500)]
    clock.now = kept.expiry - timedelta(seconds=30)
    again = get(provider, kind)
    assert again.access_key == first.access_key
    assert again.expiry is not None and again.expiry >= clock.now + timedelta(minutes=10)

    # IMDS is back: new keys.
    fake.credentials = make_credentials(Expiration=iso(clock.now + timedelta(hours=6)))
    clock.now = again.expiry - timedelta(seconds=30)
    assert_keys(get(provider, kind), fake)


def test_extend_after_failure_only_for_its_own_keys(server: HandlerServer) -> None:
    source = source_for(server)
    now = datetime.now(UTC)
    stranger = Keys("AKID", "secret", "token", expiry=now + timedelta(minutes=5))
    assert source.extend_after_failure(stranger, now) is None
    keys = run_sync(source.flow())
    assert keys is not None
    extended = source.extend_after_failure(keys, now)
    assert extended is not None and extended.secret_key == keys.secret_key
    assert extended.obtained == now
    assert source.extend_after_failure(keys, now) is None  # superseded by ``extended``
    assert source.extend_after_failure(extended, now) is not None


def test_without_extension_a_failed_mandatory_refresh_raises(
    server: HandlerServer, fake: FakeImds, kind: str
) -> None:
    # Keys that are not the source's (a provider primed by someone else) are not extended.
    clock = Clock()
    source = source_for(server)
    provider = RefreshingProvider(source, clock=clock)
    get(provider, kind)
    source._issued = None
    fake.role_replies = [Reply(500)]
    clock.advance(timedelta(hours=5, minutes=55))
    with pytest.raises(NoCredentialsError):
        get(provider, kind)


# -- flows driven by hand -----------------------------------------------------------------


def ok(body: bytes, **headers: str) -> HttpResponse:
    return HttpResponse(200, headers, body)


def creds_body() -> bytes:
    import json

    return json.dumps(make_credentials(AccessKeyId="AKIDFLOW")).encode()


@pytest.mark.parametrize(
    ("env", "base"),
    [
        ({"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPV6"}, "http://[fd00:ec2::254]/"),
        ({}, "http://169.254.169.254/"),
        (
            {"AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://10.1.2.3:1338/prefix"},
            "http://10.1.2.3:1338/prefix/",
        ),
    ],
)
def test_flow_by_hand(env: dict[str, str], base: str) -> None:
    flow = ImdsSource(make_ctx({**env, "AWS_METADATA_SERVICE_TIMEOUT": "2"})).flow()
    put = next(flow)
    assert isinstance(put, HttpRequest)
    assert (put.method, put.url) == ("PUT", base + "latest/api/token")
    assert dict(put.headers)[TTL_HEADER] == "21600"
    assert put.timeout == (2.0, 2.0) and put.trust_env is False
    role = flow.send(ok(b"tok-123", **{TTL_HEADER: "21600"}))
    assert (role.method, role.url) == ("GET", base + "latest/meta-data/iam/security-credentials/")
    assert dict(role.headers)[TOKEN_HEADER] == "tok-123"
    assert TOKEN_HEADER in role.secret_headers and "tok-123" not in role.describe()
    creds = flow.send(ok(b"the-role"))
    assert creds.url == base + "latest/meta-data/iam/security-credentials/the-role"
    with pytest.raises(StopIteration) as stop:
        flow.send(ok(creds_body()))
    assert stop.value.value.access_key == "AKIDFLOW"


def test_flow_connect_failures_are_retried_then_v1() -> None:
    flow = ImdsSource(make_ctx({"AWS_METADATA_SERVICE_NUM_ATTEMPTS": "3"})).flow()
    assert next(flow).method == "PUT"
    assert flow.send(HttpFailure("connect")).method == "PUT"
    assert flow.send(HttpFailure("connect-timeout")).method == "PUT"
    role = flow.send(HttpFailure("closed"))
    assert role.method == "GET" and TOKEN_HEADER not in dict(role.headers)
    assert flow.send(HttpFailure("read-timeout")).method == "GET"  # retried on a GET
    assert flow.send(HttpFailure("connect")).method == "GET"
    with pytest.raises(StopIteration) as stop:
        flow.send(HttpFailure("connect", "could not connect (refused)"))
    assert stop.value.value is None


def test_flow_read_timeout_on_put_is_immediate_v1() -> None:
    flow = ImdsSource(make_ctx({"AWS_METADATA_SERVICE_NUM_ATTEMPTS": "3"})).flow()
    next(flow)
    assert flow.send(HttpFailure("read-timeout")).method == "GET"


@pytest.mark.parametrize("kind_", ["other", "too-large"])
def test_flow_unexpected_transport_failure_is_typed(kind_: str) -> None:
    flow = ImdsSource(make_ctx()).flow()
    next(flow)
    with pytest.raises(CredentialRetrievalError, match="token request"):
        flow.send(HttpFailure(kind_, "LocalProtocolError"))
    flow = ImdsSource(make_ctx()).flow()
    next(flow)
    flow.send(ok(b"tok"))
    with pytest.raises(CredentialRetrievalError, match="security-credentials"):
        flow.send(HttpFailure(kind_))


def test_flow_empty_token_body_is_v1() -> None:
    flow = ImdsSource(make_ctx()).flow()
    next(flow)
    assert TOKEN_HEADER not in dict(flow.send(ok(b"")).headers)


def test_flow_unprintable_token_is_an_error() -> None:
    flow = ImdsSource(make_ctx()).flow()
    next(flow)
    with pytest.raises(CredentialRetrievalError, match="not printable ASCII") as caught:
        flow.send(ok(b"tok\r\nX-Evil: 1"))
    assert "Evil" not in str(caught.value)


# -- moto's lax IMDS ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    pytest.importorskip("moto.server")
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server: Any = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.mark.moto
def test_moto_imds(moto_url: str, kind: str) -> None:
    source = ImdsSource(make_ctx({"AWS_EC2_METADATA_SERVICE_ENDPOINT": moto_url}))
    keys = get(RefreshingProvider(source), kind)
    assert (keys.access_key, keys.secret_key, keys.token) == (
        "test-key",
        "test-secret-key",
        "test-session-token",
    )
    assert keys.expiry is not None
    assert timedelta(hours=23) < keys.expiry - datetime.now(UTC) <= timedelta(days=1)


# -- botocore as the oracle ---------------------------------------------------------------


def botocore_fetch(
    url: str, *, timeout: float = 1.0, attempts: int = 1, v1_disabled: bool = False
) -> Any:
    from botocore.credentials import InstanceMetadataProvider
    from botocore.utils import InstanceMetadataFetcher

    fetcher = InstanceMetadataFetcher(
        timeout=timeout,
        num_attempts=attempts,
        env={},
        user_agent="botocore-oracle",
        config={
            "ec2_metadata_service_endpoint": url,
            "ec2_metadata_v1_disabled": v1_disabled,
            "ec2_credential_refresh_window": 15 * 60,
        },
    )
    return InstanceMetadataProvider(iam_role_fetcher=fetcher).load()


SCENARIOS: dict[str, tuple[Callable[[FakeImds], None], dict[str, str]]] = {
    "happy": (lambda f: None, {}),
    "token-403": (lambda f: f.token_replies.append(Reply(403)), {}),
    "token-404": (lambda f: f.token_replies.append(Reply(404)), {}),
    "token-405": (lambda f: f.token_replies.append(Reply(405)), {}),
    "token-timeout": (
        lambda f: f.token_replies.append(Reply(200, b"x", delay=2.0)),
        {"AWS_METADATA_SERVICE_TIMEOUT": "0.3", "AWS_METADATA_SERVICE_NUM_ATTEMPTS": "2"},
    ),
    "token-500-twice": (
        lambda f: f.token_replies.extend([Reply(500), Reply(502)]),
        {"AWS_METADATA_SERVICE_NUM_ATTEMPTS": "2"},
    ),
    "token-500-then-ok": (
        lambda f: f.token_replies.append(Reply(500)),
        {"AWS_METADATA_SERVICE_NUM_ATTEMPTS": "2"},
    ),
    "token-400": (
        lambda f: f.token_replies.append(Reply(400)),
        {"AWS_METADATA_SERVICE_NUM_ATTEMPTS": "3"},
    ),
    "role-500-then-ok": (
        lambda f: f.role_replies.append(Reply(500)),
        {"AWS_METADATA_SERVICE_NUM_ATTEMPTS": "2"},
    ),
    "role-empty-then-ok": (
        lambda f: f.role_replies.append(Reply(200, b"")),
        {"AWS_METADATA_SERVICE_NUM_ATTEMPTS": "2"},
    ),
    "role-500-exhausted": (
        lambda f: f.role_replies.extend([Reply(500)] * 3),
        {"AWS_METADATA_SERVICE_NUM_ATTEMPTS": "3"},
    ),
    "creds-invalid-json-then-ok": (
        lambda f: f.creds_replies.append(Reply(200, b"{nope")),
        {"AWS_METADATA_SERVICE_NUM_ATTEMPTS": "2"},
    ),
    "creds-404-then-ok": (
        lambda f: f.creds_replies.append(Reply(404)),
        {"AWS_METADATA_SERVICE_NUM_ATTEMPTS": "2"},
    ),
    "v1-disabled-with-token": (lambda f: None, {"AWS_EC2_METADATA_V1_DISABLED": "true"}),
}


@pytest.fixture
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's IMDS session honours HTTP_PROXY: keep the developer's out of the oracle."""
    for name in (
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")


@pytest.mark.usefixtures("no_proxies")
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_differential_against_botocore(server: HandlerServer, name: str) -> None:
    script, env = SCENARIOS[name]
    v1 = (name.startswith("token-4") and name != "token-400") or name in (
        "token-timeout",
        "token-500-twice",
    )

    def fresh() -> FakeImds:
        fake = FakeImds(allow_v1=v1)
        script(fake)
        server.handler = fake
        server.requests.clear()
        return fake

    fake = fresh()
    theirs = botocore_fetch(
        server.url,
        timeout=float(env.get("AWS_METADATA_SERVICE_TIMEOUT", "1")),
        attempts=int(env.get("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "1")),
        v1_disabled=env.get("AWS_EC2_METADATA_V1_DISABLED") == "true",
    )
    their_requests = shape(server)
    their_credentials = fake.credentials

    fake = fresh()
    fake.credentials = their_credentials  # the same keys for both
    ours = run_sync(source_for(server, **env).flow())
    assert shape(server) == their_requests

    if theirs is None:
        assert ours is None
        return
    assert ours is not None
    frozen = theirs.get_frozen_credentials()
    assert (ours.access_key, ours.secret_key, ours.token) == (
        frozen.access_key,
        frozen.secret_key,
        frozen.token,
    )
    assert ours.expiry == theirs._expiry_time
    assert theirs.method == ImdsSource.method


@pytest.mark.usefixtures("no_proxies")
@pytest.mark.parametrize("failure", ["403", "timeout"])
def test_differential_v1_disabled_without_token(server: HandlerServer, failure: str) -> None:
    """botocore lets MetadataRetrievalError escape; trentclient finds no credentials. Both
    stop after the PUT."""
    from botocore.exceptions import MetadataRetrievalError

    def fresh() -> None:
        fake = FakeImds(allow_v1=True)
        fake.token_replies = [Reply(403) if failure == "403" else Reply(200, b"x", delay=2.0)]
        server.handler = fake
        server.requests.clear()

    fresh()
    with pytest.raises(MetadataRetrievalError):
        botocore_fetch(server.url, timeout=0.3, v1_disabled=True)
    theirs = shape(server)
    fresh()
    source = source_for(
        server, AWS_EC2_METADATA_V1_DISABLED="true", AWS_METADATA_SERVICE_TIMEOUT="0.3"
    )
    assert run_sync(source.flow()) is None
    assert shape(server) == theirs == [("PUT", TOKEN, False, "21600")]


@pytest.mark.usefixtures("no_proxies")
def test_differential_json_error_and_missing_keys(server: HandlerServer) -> None:
    """Where botocore logs and finds nothing, trentclient raises a typed error; both send the
    same three requests."""
    for body in (
        {"Code": "AssumeRoleUnauthorizedAccess", "Message": "EC2 cannot assume the role."},
        {k: v for k, v in make_credentials().items() if k != "Token"},
    ):
        fake = FakeImds()
        fake.credentials = body
        server.handler = fake
        server.requests.clear()
        assert botocore_fetch(server.url) is None
        theirs = shape(server)
        server.handler = fake = FakeImds()
        fake.credentials = body
        server.requests.clear()
        with pytest.raises(CredentialRetrievalError):
            run_sync(source_for(server).flow())
        assert shape(server) == theirs


@pytest.mark.usefixtures("no_proxies")
def test_differential_expired_credentials(server: HandlerServer) -> None:
    """Both extend credentials IMDS returns already expired (botocore by its window rule)."""
    fake = FakeImds()
    fake.credentials = make_credentials(expires_in=-timedelta(minutes=5))
    server.handler = fake
    theirs = botocore_fetch(server.url)
    ours = run_sync(source_for(server).flow())
    assert ours is not None and ours.expiry is not None
    now = datetime.now(UTC)
    assert theirs._expiry_time > now + timedelta(minutes=9)
    assert ours.expiry > now + timedelta(minutes=9)


# -- secrets ------------------------------------------------------------------------------


def assert_no_secret_in_logs(caplog: pytest.LogCaptureFixture, fake: FakeImds) -> None:
    text = "\n".join(
        f"{record.getMessage()} {record.args!r} {record.exc_text or ''}"
        for record in caplog.records
    )
    for secret in fake.secrets():
        assert secret not in text


LEAKY: dict[str, Callable[[FakeImds], None]] = {
    "missing-expiration": lambda f: f.credentials.pop("Expiration"),
    "bad-expiration": lambda f: f.credentials.update(Expiration="soon"),
    "error-code": lambda f: f.credentials.update(Code="Failure", Message="no"),
    "invalid-json": lambda f: f.creds_replies.append(
        Reply(200, b"{" + f.credentials["SecretAccessKey"].encode())
    ),
    "non-200-with-secret-body": lambda f: f.creds_replies.append(json_reply(500, f.credentials)),
    "control-char-token": lambda f: f.credentials.update(Token=f.credentials["Token"] + "\n"),
}


@pytest.mark.parametrize("name", sorted(LEAKY))
def test_no_secret_in_logs_or_errors(
    server: HandlerServer, fake: FakeImds, kind: str, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    LEAKY[name](fake)
    source = source_for(server)
    caplog.set_level(logging.DEBUG)
    with pytest.raises((CredentialRetrievalError, NoCredentialsError)) as caught:
        get(RefreshingProvider(source), kind)
    error = caught.value
    secrets = [*fake.secrets(), fake.credentials.get("Token", "").strip()]
    for secret in filter(None, secrets):
        assert secret not in str(error)
        assert secret not in repr(error)
        assert secret not in repr(error.args)
    assert_no_secret_in_logs(caplog, fake)


def test_no_secret_in_debug_logs_of_a_full_fetch(
    server: HandlerServer, fake: FakeImds, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    clock = Clock()
    source = source_for(server)
    provider = RefreshingProvider(source, clock=clock)
    keys = get(provider, kind)
    fake.expire_tokens()
    clock.advance(timedelta(hours=5, minutes=55))
    get(provider, kind)
    assert len(fake.issued) == 2
    assert any("security-credentials" in r.getMessage() for r in caplog.records)
    assert_no_secret_in_logs(caplog, fake)
    for secret in fake.secrets():
        assert (
            secret not in repr(keys) and secret not in repr(source) and secret not in repr(provider)
        )
