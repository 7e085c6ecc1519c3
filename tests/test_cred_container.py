"""The container credential source (ECS, EKS Pod Identity, Lambda SnapStart): URL rules,
the authorization token, retries, errors, and differential checks against botocore's
``ContainerProvider`` pointed at the same fake endpoint."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import botocore.credentials
import botocore.exceptions
import botocore.utils
import pytest

from tests.credfakes import HandlerServer, Reply, json_reply
from tests.fake_container import FakeContainer, error, error_with_200, invalid_json, keys_for
from trentclient._credentials import _container, _drive
from trentclient._credentials._container import (
    BASE_URL,
    FULL_URI,
    RELATIVE_URI,
    TOKEN,
    TOKEN_FILE,
    ContainerSource,
    check_full_uri,
    container_configured,
)
from trentclient._credentials._context import SourceContext
from trentclient._credentials._files import SharedConfig
from trentclient._credentials._flow import (
    HttpFailure,
    HttpRequest,
    HttpResponse,
    Keys,
    ReadFile,
    Sleep,
)
from trentclient._credentials._refresh import RefreshingProvider
from trentclient._exceptions import CredentialRetrievalError, InvalidConfigError

PATH = "/v1/credentials"
ENV_TOKEN = "lambda-snapstart-authorization-token-0001"


def ctx(environ: dict[str, str]) -> SourceContext:
    return SourceContext(environ=environ, config=SharedConfig(), profile_name="default")


def source(environ: dict[str, str]) -> ContainerSource:
    return ContainerSource(ctx(environ))


def fetch(kind: str, provider: RefreshingProvider) -> Keys:
    if kind == "sync":
        return provider.get_keys()
    return asyncio.run(provider.aget_keys())


def get_keys(kind: str, environ: dict[str, str]) -> Keys:
    return fetch(kind, RefreshingProvider(source(environ)))


def failure(kind: str, environ: dict[str, str]) -> CredentialRetrievalError:
    with pytest.raises(CredentialRetrievalError) as caught:
        get_keys(kind, environ)
    return caught.value


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The drivers' sleeps, recorded instead of slept."""
    delays: list[float] = []

    async def asleep(seconds: float) -> None:
        delays.append(seconds)

    monkeypatch.setattr(_drive, "sleep", delays.append)
    monkeypatch.setattr(_drive, "asleep", asleep)
    return delays


@pytest.fixture
def fake() -> FakeContainer:
    return FakeContainer(PATH, token=ENV_TOKEN)


@pytest.fixture(scope="module")
def shared_server() -> Iterator[tuple[HandlerServer, list[FakeContainer]]]:
    """One server for the module (stopping one takes half a second); each test plugs in
    its own fake."""
    current: list[FakeContainer] = []
    with HandlerServer(lambda request: current[0](request)) as running:
        yield running, current


@pytest.fixture
def server(
    fake: FakeContainer, shared_server: tuple[HandlerServer, list[FakeContainer]]
) -> Iterator[HandlerServer]:
    running, current = shared_server
    current[:] = [fake]
    running.requests.clear()
    yield running
    current.clear()


def full_env(server: HandlerServer, **extra: str) -> dict[str, str]:
    return {FULL_URI: server.url + PATH, **extra}


def by_hand(
    flow: Any, answer: Callable[[Any], Any]
) -> tuple[list[Any], Keys | None, BaseException | None]:
    """Drive a flow without a driver: ``answer(effect)`` is what each effect gives."""
    effects: list[Any] = []
    value: Any = None
    try:
        while True:
            effect = flow.send(value)
            effects.append(effect)
            value = answer(effect)
    except StopIteration as stop:
        return effects, stop.value, None
    except Exception as exc:
        return effects, None, exc


def ok_body(number: int = 1, **changes: Any) -> bytes:
    body: dict[str, Any] = keys_for(number, timedelta(hours=6), "123456789012")
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return json.dumps(body).encode()


def answering(*responses: HttpResponse | HttpFailure) -> Callable[[Any], Any]:
    queue = list(responses)

    def answer(effect: Any) -> Any:
        if isinstance(effect, HttpRequest):
            return queue.pop(0)
        return None

    return answer


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


# -- configuration --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "configured"),
    [
        ({}, False),
        ({"AWS_CONTAINER_AUTHORIZATION_TOKEN": "x"}, False),
        ({RELATIVE_URI: "/v2/credentials/abc"}, True),
        ({FULL_URI: "http://169.254.170.23/v1/credentials"}, True),
        ({RELATIVE_URI: ""}, True),  # presence, as botocore
        ({FULL_URI: ""}, True),
    ],
)
def test_configured_is_presence_as_botocore(environ: dict[str, str], configured: bool) -> None:
    assert container_configured(ctx(environ)) is configured
    botocore_provider = botocore.credentials.ContainerProvider(environ=environ)
    botocore_triggers = RELATIVE_URI in environ or FULL_URI in environ
    assert configured is botocore_triggers
    if not environ.get(RELATIVE_URI) and not environ.get(FULL_URI) and not configured:
        assert botocore_provider.load() is None


def test_relative_uri_targets_the_ecs_agent_without_a_socket() -> None:
    relative = "/v2/credentials/0a1b2c3d-4e5f"
    src = source({RELATIVE_URI: relative, FULL_URI: "http://127.0.0.1:1/ignored"})
    assert src.url == BASE_URL + relative
    assert src.url == botocore.utils.ContainerMetadataFetcher().full_url(relative)
    effects, keys, exc = by_hand(src.flow(), answering(HttpResponse(200, {}, ok_body())))
    assert exc is None and keys is not None
    (request,) = effects
    assert isinstance(request, HttpRequest)
    assert (request.method, request.url) == ("GET", "http://169.254.170.2" + relative)
    assert ("Accept", "application/json") in request.headers
    assert "authorization" not in {name.lower() for name, _ in request.headers}
    assert request.timeout == (2.0, 2.0)
    assert request.trust_env is False
    assert keys.access_key == "ASIACONTAINER000001"
    assert keys.account_id == "123456789012"


def test_empty_relative_uri_is_the_agent_root_as_botocore() -> None:
    src = source({RELATIVE_URI: ""})
    assert (
        src.url == "http://169.254.170.2" == botocore.utils.ContainerMetadataFetcher().full_url("")
    )


@pytest.mark.parametrize("relative", ["v2/credentials", ":8080/v2", "@evil.example/x", "/a b"])
def test_relative_uri_that_would_change_the_host_is_refused(relative: str) -> None:
    with pytest.raises(InvalidConfigError, match=RELATIVE_URI):
        source({RELATIVE_URI: relative})


def test_token_goes_with_relative_uri_too_and_is_a_secret_header(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text("file-token-value")
    src = source({RELATIVE_URI: "/v2/credentials/x", TOKEN_FILE: str(path), TOKEN: "env-one"})

    def answer(effect: Any) -> Any:
        if isinstance(effect, ReadFile):
            return "file-token-value"
        return HttpResponse(200, {}, ok_body())

    effects, keys, exc = by_hand(src.flow(), answer)
    assert exc is None and keys is not None
    assert isinstance(effects[0], ReadFile) and effects[0].path == str(path)
    request = effects[1]
    assert ("Authorization", "file-token-value") in request.headers
    assert "authorization" in request.secret_headers
    assert "file-token-value" not in request.describe()
    assert "file-token-value" not in repr(request)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://example.com/creds", "unsupported host 'example.com'"),
        ("", "set but empty"),
        ("ftp://127.0.0.1/creds", "http:// or https://"),
        ("http://127.0.0.1:99999/creds", "not a valid URL"),
        ("http://[::1/creds", "not a valid URL"),
    ],
)
def test_refused_full_uri_is_a_typed_error_at_construction(url: str, message: str) -> None:
    with pytest.raises(InvalidConfigError, match=FULL_URI) as caught:
        source({FULL_URI: url})
    assert message in str(caught.value)


def test_botocore_lets_a_bare_value_error_escape_for_a_refused_host() -> None:
    """The documented difference: botocore's ValueError is not a credential error."""
    provider = botocore.credentials.ContainerProvider(
        environ={FULL_URI: "http://example.com/creds"}
    )
    with pytest.raises(ValueError, match="Unsupported host") as caught:
        provider.load()
    assert not isinstance(caught.value, botocore.exceptions.BotoCoreError)


def test_user_information_in_the_url_is_not_repeated() -> None:
    with pytest.raises(InvalidConfigError) as caught:
        source({FULL_URI: "http://user:hunter2pass@example.com/creds"})
    assert "hunter2pass" not in str(caught.value)
    assert "hunter2pass" not in repr(source({FULL_URI: "http://user:hunter2pass@127.0.0.1/c"}))


# -- the host rules, against botocore -------------------------------------------------------

HOST_RULES = [
    # (url, allowed)
    ("https://example.com", True),
    ("https://example.com/creds?x=1", True),
    ("HTTPS://Example.COM/creds", True),
    ("https://169.254.169.254/", True),
    ("http://example.com", False),
    ("http://example.com/creds", False),
    ("http://127.0.0.1:8080/creds", True),
    ("http://127.0.0.2/", True),
    ("http://127.255.255.254:1/", True),
    ("http://[::1]:80", True),
    ("http://[::1]/creds", True),
    ("http://localhost/creds", True),
    ("http://LOCALHOST:1234/", True),
    ("http://169.254.170.2/v2/credentials/abc", True),
    ("http://169.254.170.23/v1/credentials", True),
    ("http://[fd00:ec2::23]/v1/credentials", True),
    ("http://[FD00:EC2::23]:80/v1/credentials", True),
    ("http://user@127.0.0.1/creds", True),
    ("http://169.254.169.254/latest/meta-data/", False),
    ("http://169.254.170.3/", False),
    ("http://169.254.170.22/", False),
    ("http://[fd00:ec2::24]/", False),
    ("http://[fd00:ec2:0::23]/", False),  # compared as written, as botocore
    ("http://[::2]/", False),
    # An IPv4-mapped loopback: botocore asks ipaddress, which calls it a loopback address
    # from Python 3.13 on (not before), and so do we.
    ("http://[::ffff:127.0.0.1]/", ipaddress.ip_address("::ffff:127.0.0.1").is_loopback),
    ("http://0.0.0.0/", False),
    ("http://10.0.0.1/", False),
    ("http://127.1/", False),
    ("http://2130706433/", False),
    ("http://localhost./", False),
    ("http://localhost.example.com/", False),
    ("http://127.0.0.1.nip.io/", False),
    ("http://127.0.0.1@evil.example/", False),
    ("http://evil.example#@127.0.0.1/", False),
    ("http://evil.example?@127.0.0.1/", False),
]


def _botocore_allows(url: str) -> bool:
    try:
        botocore.utils.ContainerMetadataFetcher()._validate_allowed_url(url)
    except ValueError:
        return False
    return True


def _we_allow(url: str) -> bool:
    try:
        check_full_uri(url)
    except InvalidConfigError:
        return False
    return True


@pytest.mark.parametrize(("url", "allowed"), HOST_RULES)
def test_host_rules_match_botocore(url: str, allowed: bool) -> None:
    assert _botocore_allows(url) is allowed
    assert _we_allow(url) is allowed
    if allowed:
        assert source({FULL_URI: url}).url == url


@pytest.mark.parametrize(
    "url",
    [
        "ftp://127.0.0.1/creds",  # botocore: any scheme to a loopback host
        "gopher://localhost/",
        "https://",  # botocore: https with no host
        "https:///creds",
        "http://127.0.0.1:99999/creds",  # botocore does not look at the port
        "http://127.0.0.1:port/creds",
        "http://evil.example\t@127.0.0.1/creds",  # urlsplit drops the tab
        "http://127.0.0.1/creds\n",
        " http://127.0.0.1/creds",
    ],
)
def test_urls_botocore_accepts_and_we_refuse(url: str) -> None:
    """The documented differences: each of these would fail (or go elsewhere) when sent."""
    assert _botocore_allows(url) is True
    assert _we_allow(url) is False


# -- fetching from FULL_URI -----------------------------------------------------------------


def test_full_uri_fetch_with_env_token(
    kind: str, fake: FakeContainer, server: HandlerServer, slept: list[float]
) -> None:
    keys = get_keys(kind, full_env(server, **{TOKEN: ENV_TOKEN}))
    (served,) = fake.served
    assert keys.access_key == served["AccessKeyId"]
    assert keys.secret_key == served["SecretAccessKey"]
    assert keys.token == served["Token"]
    assert keys.account_id == "123456789012"
    assert keys.expiry == datetime.strptime(served["Expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=UTC
    )
    (request,) = server.requests
    assert (request.method, request.path) == ("GET", PATH)
    assert request.header("Authorization") == ENV_TOKEN
    assert request.header("Accept") == "application/json"
    assert slept == []


def test_ecs_answer_without_account_id_with_role_arn(
    kind: str, fake: FakeContainer, server: HandlerServer
) -> None:
    fake.account_id = None
    fake.credentials = {
        "AccessKeyId": "ASIAECS",
        "SecretAccessKey": "ecs-secret",
        "Token": "ecs-token",
        "Expiration": "2999-01-01T00:00:00.123Z",
        "RoleArn": "arn:aws:iam::123456789012:role/task",
    }
    keys = get_keys(kind, full_env(server, **{TOKEN: ENV_TOKEN}))
    assert (keys.access_key, keys.account_id) == ("ASIAECS", None)
    assert keys.expiry == datetime(2999, 1, 1, 0, 0, 0, 123000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expiration", "expected"),
    [
        ("2999-01-01T00:00:00Z", datetime(2999, 1, 1, tzinfo=UTC)),
        ("2999-01-01T02:00:00+02:00", datetime(2999, 1, 1, tzinfo=UTC)),
        ("2999-01-01T00:00:00", datetime(2999, 1, 1, tzinfo=UTC)),  # naive: UTC
        ("2999-01-01T00:00:00.123456789Z", datetime(2999, 1, 1, 0, 0, 0, 123456, tzinfo=UTC)),
    ],
)
def test_expiration_forms(expiration: str, expected: datetime) -> None:
    flow = source({RELATIVE_URI: "/x"}).flow()
    _, keys, exc = by_hand(flow, answering(HttpResponse(200, {}, ok_body(Expiration=expiration))))
    assert exc is None and keys is not None
    assert keys.expiry == expected


def test_environment_proxies_are_never_used(
    kind: str, server: HandlerServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, dead)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    keys = get_keys(kind, full_env(server, **{TOKEN: ENV_TOKEN}))
    assert keys.access_key.startswith("ASIACONTAINER")
    assert len(server.requests) == 1


# -- the token --------------------------------------------------------------------------------


def test_token_file_is_read_again_at_every_refresh(
    kind: str, fake: FakeContainer, server: HandlerServer, tmp_path: Path
) -> None:
    fake.lifetime = timedelta(hours=1)
    token_file = tmp_path / "eks-pod-identity-token"
    token_file.write_text("eks-pod-identity-token-1")
    fake.rotate("eks-pod-identity-token-1")
    now = [datetime.now(UTC)]
    provider = RefreshingProvider(
        source(full_env(server, **{TOKEN_FILE: str(token_file), TOKEN: "ignored-env-token"})),
        clock=lambda: now[0],
    )
    first = fetch(kind, provider)
    assert fetch(kind, provider) is first  # fresh: no second request
    fake.rotate("eks-pod-identity-token-2")
    token_file.write_text("eks-pod-identity-token-2")
    now[0] += timedelta(minutes=55)  # inside the mandatory window
    second = fetch(kind, provider)
    assert second.access_key != first.access_key
    assert [r.header("Authorization") for r in server.requests] == [
        "eks-pod-identity-token-1",
        "eks-pod-identity-token-2",
    ]


def test_token_file_not_rotated_gives_the_servers_error(
    kind: str, fake: FakeContainer, server: HandlerServer, tmp_path: Path, slept: list[float]
) -> None:
    token_file = tmp_path / "eks-pod-identity-token"
    token_file.write_text("stale-token-value-0001")
    exc = failure(kind, full_env(server, **{TOKEN_FILE: str(token_file)}))
    assert exc.code == "AccessDeniedException"
    assert exc.status_code == 401
    assert "Invalid service account token" in str(exc)
    assert "stale-token-value-0001" not in str(exc) + repr(exc)
    assert len(server.requests) == 3
    assert [r.header("Authorization") for r in server.requests] == ["stale-token-value-0001"] * 3


@pytest.mark.parametrize(
    ("content", "variable"),
    [
        ("eks-pod-identity-token-1\n", TOKEN_FILE),
        ("eks-pod-identity-token-1\r\n", TOKEN_FILE),
        ("eks-pod-identity-token-1\n", TOKEN),
        ("eks-pod-\ridentity-token-1", TOKEN),
    ],
)
def test_cr_or_lf_in_the_token_is_refused(
    kind: str,
    server: HandlerServer,
    tmp_path: Path,
    content: str,
    variable: str,
) -> None:
    token_file = tmp_path / "token-file"
    token_file.write_bytes(content.encode())
    value = str(token_file) if variable == TOKEN_FILE else content
    exc = failure(kind, full_env(server, **{variable: value}))
    message = str(exc)
    assert variable in message
    assert "trailing newline" in message
    assert "identity-token-1" not in message + repr(exc)
    if variable == TOKEN_FILE:
        assert str(token_file) in message
    assert server.requests == []


def test_botocore_refuses_a_trailing_newline_too(tmp_path: Path) -> None:
    token_file = tmp_path / "token-file"
    token_file.write_text("value\n")
    provider = botocore.credentials.ContainerProvider(
        environ={FULL_URI: "http://127.0.0.1:1/c", TOKEN_FILE: str(token_file)}
    )
    with pytest.raises(ValueError, match="not a legal header value"):
        provider.load()


@pytest.mark.parametrize("name", ["missing-file", ""])
def test_token_file_that_cannot_be_read(
    kind: str, server: HandlerServer, tmp_path: Path, name: str
) -> None:
    path = str(tmp_path / name) if name else ""
    exc = failure(kind, full_env(server, **{TOKEN_FILE: path, TOKEN: ENV_TOKEN}))
    assert TOKEN_FILE in str(exc)
    if name:
        assert path in str(exc)
    assert exc.provider == "container-role"
    assert server.requests == []


def test_token_spaces_are_dropped_other_controls_refused() -> None:
    src = source({RELATIVE_URI: "/x", TOKEN: "  padded-token\t"})
    effects, _, exc = by_hand(src.flow(), answering(HttpResponse(200, {}, ok_body())))
    assert exc is None
    assert ("Authorization", "padded-token") in effects[0].headers
    for bad in ("tok\x00en", "tok\x1ben", "tok\x7fen", "tokén"):
        effects, _, exc = by_hand(source({RELATIVE_URI: "/x", TOKEN: bad}).flow(), answering())
        assert isinstance(exc, CredentialRetrievalError), bad
        assert "control or non-ASCII" in str(exc)
        assert bad not in str(exc)
        assert effects == []


def test_empty_env_token_is_sent_empty_as_botocore(
    kind: str, server: HandlerServer, slept: list[float]
) -> None:
    exc = failure(kind, full_env(server, **{TOKEN: ""}))
    assert exc.status_code == 400 and exc.code == "InvalidParameter"
    assert [r.header("Authorization") for r in server.requests] == [""] * 3


def test_missing_token_hint(kind: str, server: HandlerServer, slept: list[float]) -> None:
    exc = failure(kind, full_env(server))
    assert exc.status_code == 400
    assert "Service account token cannot be empty" in str(exc)
    assert f"no {TOKEN_FILE} or {TOKEN} is set" in str(exc)
    assert all(r.header("Authorization") is None for r in server.requests)


# -- retries and failures ----------------------------------------------------------------


def test_retries_then_success_sleeps_between_attempts(
    kind: str, fake: FakeContainer, server: HandlerServer, slept: list[float]
) -> None:
    fake.script = [error(500, "InternalError", "try again"), invalid_json()]
    keys = get_keys(kind, full_env(server, **{TOKEN: ENV_TOKEN}))
    assert keys.access_key == fake.served[0]["AccessKeyId"]
    assert len(server.requests) == 3
    assert slept == [1.0, 1.0]


@pytest.mark.parametrize("upper", [False, True])
def test_final_failure_carries_the_servers_code(
    kind: str, fake: FakeContainer, server: HandlerServer, slept: list[float], upper: bool
) -> None:
    fake.script = [error(500, "InternalError", f"boom {n}", upper=upper) for n in range(3)]
    exc = failure(kind, full_env(server, **{TOKEN: ENV_TOKEN}))
    assert exc.code == "InternalError"
    assert exc.status_code == 500
    assert "InternalError: boom 2" in str(exc)
    assert "3 attempts" in str(exc)
    assert exc.provider == "container-role"
    assert len(server.requests) == 3
    assert slept == [1.0, 1.0]  # none after the last attempt (botocore sleeps a third time)


def test_non_json_error_body_is_quoted_shortly(
    kind: str, fake: FakeContainer, server: HandlerServer, slept: list[float]
) -> None:
    fake.script = [Reply(503, b"upstream\nunavailable " + b"x" * 1000)] * 3
    exc = failure(kind, full_env(server, **{TOKEN: ENV_TOKEN}))
    assert exc.status_code == 503 and exc.code is None
    assert "upstream unavailable x" in str(exc)
    assert len(str(exc)) < 600


def test_invalid_json_every_time(
    kind: str, fake: FakeContainer, server: HandlerServer, slept: list[float]
) -> None:
    fake.script = [invalid_json(), Reply(200, b"\xff\xfe"), invalid_json()]
    exc = failure(kind, full_env(server, **{TOKEN: ENV_TOKEN}))
    assert "not JSON" in str(exc)
    assert exc.status_code == 200
    assert len(server.requests) == 3
    assert slept == [1.0, 1.0]


def test_json_error_with_200_fails_at_once(
    kind: str, fake: FakeContainer, server: HandlerServer, slept: list[float]
) -> None:
    fake.script = [error_with_200("AssumeRoleUnauthorizedAccess", "role not assumable")]
    exc = failure(kind, full_env(server, **{TOKEN: ENV_TOKEN}))
    assert exc.code == "AssumeRoleUnauthorizedAccess"
    assert "role not assumable" in str(exc)
    assert "without AccessKeyId" in str(exc)
    assert len(server.requests) == 1
    assert slept == []


@pytest.mark.parametrize("missing", ["AccessKeyId", "SecretAccessKey", "Token", "Expiration"])
def test_missing_key_is_a_typed_error(missing: str) -> None:
    flow = source({RELATIVE_URI: "/x"}).flow()
    _, _, exc = by_hand(flow, answering(HttpResponse(200, {}, ok_body(**{missing: None}))))
    assert isinstance(exc, CredentialRetrievalError)
    assert missing in str(exc)
    assert "SECRETsentinel" not in str(exc) and "TOKENsentinel" not in str(exc)


def test_botocore_raises_key_error_for_a_missing_key(
    fake: FakeContainer, server: HandlerServer
) -> None:
    """The documented difference: botocore's KeyError escapes."""
    fake.credentials = json.loads(ok_body(Expiration=None))
    provider = botocore.credentials.ContainerProvider(
        environ=full_env(server, **{TOKEN: ENV_TOKEN}),
        fetcher=botocore.utils.ContainerMetadataFetcher(sleep=lambda s: None),
    )
    with pytest.raises(KeyError):
        provider.load()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[1, 2]", "not an object"),
        (b'"text"', "not an object"),
        (ok_body(AccessKeyId=12), "AccessKeyId in the answer"),
        (ok_body(Token=["x"]), "Token in the answer"),
        (ok_body(AccountId=1234), "AccountId in the answer"),
        (ok_body(Expiration=1700000000), "Expiration in the answer"),
        (ok_body(Expiration="tomorrow"), "not an ISO 8601"),
        (ok_body(SecretAccessKey=""), "unusable keys"),
    ],
)
def test_wrong_shapes_are_typed_errors(body: bytes, message: str) -> None:
    _, _, exc = by_hand(source({RELATIVE_URI: "/x"}).flow(), answering(HttpResponse(200, {}, body)))
    assert isinstance(exc, CredentialRetrievalError)
    assert message in str(exc)


def test_endpoint_down(kind: str, slept: list[float]) -> None:
    exc = failure(kind, {FULL_URI: f"http://127.0.0.1:{free_port()}/creds"})
    assert "3 attempts" in str(exc)
    assert "could not connect" in str(exc)
    assert slept == [1.0, 1.0]


def test_slow_endpoint_times_out(
    kind: str,
    fake: FakeContainer,
    server: HandlerServer,
    slept: list[float],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_container, "TIMEOUT", 0.2)
    fake.script = [Reply(200, ok_body(), delay=0.6)] * 3
    exc = failure(kind, full_env(server, **{TOKEN: ENV_TOKEN}))
    assert "read timeout" in str(exc)
    assert len(server.requests) == 3
    assert slept == [1.0, 1.0]


def test_slow_once_then_answering(
    kind: str,
    fake: FakeContainer,
    server: HandlerServer,
    slept: list[float],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_container, "TIMEOUT", 0.2)
    fake.script = [Reply(200, ok_body(), delay=0.6)]
    keys = get_keys(kind, full_env(server, **{TOKEN: ENV_TOKEN}))
    assert keys.access_key == fake.served[0]["AccessKeyId"]
    assert slept == [1.0]


def test_retry_decisions_by_hand() -> None:
    """Each kind of failure: retried (connect, timeouts, reset) or final at once."""
    for kind_, retried in [
        ("connect", True),
        ("connect-timeout", True),
        ("read-timeout", True),
        ("closed", True),
        ("too-large", False),
        ("other", False),
    ]:
        flow = source({RELATIVE_URI: "/x"}).flow()
        effects, _, exc = by_hand(flow, answering(*[HttpFailure(kind_, f"{kind_} happened")] * 3))
        assert isinstance(exc, CredentialRetrievalError)
        requests = [e for e in effects if isinstance(e, HttpRequest)]
        sleeps = [e.seconds for e in effects if isinstance(e, Sleep)]
        assert len(requests) == (3 if retried else 1), kind_
        assert sleeps == ([1.0, 1.0] if retried else []), kind_
        assert f"{kind_} happened" in str(exc)


# -- differential against botocore ----------------------------------------------------------


def botocore_load(environ: dict[str, str]) -> Any:
    provider = botocore.credentials.ContainerProvider(
        environ=environ,
        fetcher=botocore.utils.ContainerMetadataFetcher(sleep=lambda s: None),
    )
    return provider.load()


@pytest.mark.parametrize("token_source", ["env", "file", "none"])
def test_differential_same_request_same_keys(
    kind: str,
    fake: FakeContainer,
    server: HandlerServer,
    tmp_path: Path,
    slept: list[float],
    token_source: str,
) -> None:
    fake.credentials = json.loads(ok_body(7))
    environ = full_env(server)
    if token_source == "env":
        environ[TOKEN] = ENV_TOKEN
    elif token_source == "file":
        token_file = tmp_path / "token"
        token_file.write_text(ENV_TOKEN)
        environ[TOKEN_FILE] = str(token_file)
    else:
        fake.token = None
    ours = get_keys(kind, environ)
    theirs = botocore_load(environ)
    frozen = theirs.get_frozen_credentials()
    assert (ours.access_key, ours.secret_key, ours.token) == (
        frozen.access_key,
        frozen.secret_key,
        frozen.token,
    )
    assert ours.expiry == theirs._expiry_time
    assert ours.account_id == theirs.account_id == "123456789012"
    assert theirs.method == "container-role" == ContainerSource.method
    mine, botocores = server.requests
    for name in ("Authorization", "Accept"):
        assert mine.header(name) == botocores.header(name), name
    assert (mine.method, mine.path) == (botocores.method, botocores.path) == ("GET", PATH)


def test_differential_retries_same_requests(
    kind: str, fake: FakeContainer, server: HandlerServer, slept: list[float]
) -> None:
    fake.credentials = json.loads(ok_body(3))
    environ = full_env(server, **{TOKEN: ENV_TOKEN})
    fake.script = [error(500, "InternalError", "x"), invalid_json()]
    ours = get_keys(kind, environ)
    fake.script = [error(500, "InternalError", "x"), invalid_json()]
    theirs = botocore_load(environ).get_frozen_credentials()
    assert ours.access_key == theirs.access_key
    assert len(server.requests) == 6


def test_differential_final_failure_same_requests(
    kind: str, fake: FakeContainer, server: HandlerServer, slept: list[float]
) -> None:
    environ = full_env(server, **{TOKEN: "wrong-token-value-0001"})
    with pytest.raises(CredentialRetrievalError):
        get_keys(kind, environ)
    ours = len(server.requests)
    with pytest.raises(botocore.exceptions.CredentialRetrievalError):
        botocore_load(environ)
    assert ours == len(server.requests) - ours == 3


# -- secrets --------------------------------------------------------------------------------


def test_no_secret_in_logs_or_errors(
    kind: str,
    fake: FakeContainer,
    server: HandlerServer,
    tmp_path: Path,
    slept: list[float],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    token_file = tmp_path / "token"
    token_file.write_text(ENV_TOKEN)
    environ = full_env(server, **{TOKEN_FILE: str(token_file)})
    # A server that echoes the token in its error must not get it into the message.
    fake.script = [error(403, "Denied", f"bad token {ENV_TOKEN}")] * 3
    exc = failure(kind, environ)
    assert exc.code == "Denied"
    errors = [exc]
    fake.script = [error(500, "InternalError", "x")]
    keys = get_keys(kind, environ)
    secrets = [ENV_TOKEN, keys.secret_key, keys.token]
    for body in (b"[]", ok_body(Expiration="soon"), ok_body(Expiration=None)):
        fake.script = [json_reply(200, json.loads(body))]
        errors.append(failure(kind, environ))
    token_file.write_text(ENV_TOKEN + "\n")
    errors.append(failure(kind, environ))
    texts = [record.getMessage() for record in caplog.records]
    texts += [str(record.args) for record in caplog.records]
    texts += [str(e) for e in errors] + [repr(e) for e in errors]
    texts += [repr(keys), repr(source(environ))]
    assert any("Container credentials" in text for text in texts)  # there was logging
    for secret in secrets:
        assert secret
        for text in texts:
            assert secret not in text
