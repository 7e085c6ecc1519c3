"""``config=`` as botocore reads it: retries (forms, environment, profile), a
``botocore.config.Config`` taken as is, proxies, ``parameter_validation=False``, and the
rest of botocore's options. botocore itself is the oracle wherever it can count or choose."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.config
import botocore.session
import botocore.utils
import pytest

import trentclient
from tests.conftest import AK, SK
from tests.credfakes import HandlerServer, Recorded, Reply, json_reply
from trentclient._proxies import proxy_for
from trentclient._settings import UNSUPPORTED

INTERNAL = json_reply(500, {"__type": "KMSInternalException", "message": "try again"})


@pytest.fixture
def failing_server() -> Iterator[HandlerServer]:
    """A KMS endpoint that answers every request with a retryable 500."""
    with HandlerServer(lambda request: INTERNAL) as server:
        yield server


def _botocore_requests(
    server: HandlerServer, config: botocore.config.Config | None, monkeypatch: pytest.MonkeyPatch
) -> int:
    monkeypatch.setattr("botocore.endpoint.time.sleep", lambda seconds: None)
    before = len(server.requests)
    client = botocore.session.Session().create_client(
        "kms",
        region_name="us-east-1",
        endpoint_url=server.url,
        aws_access_key_id=AK,
        aws_secret_access_key=SK,
        config=config,
    )
    with pytest.raises(client.exceptions.KMSInternalException):
        client.list_keys()
    client.close()
    return len(server.requests) - before


def _trentclient_requests(
    server: HandlerServer, config: Any, kind: str = "sync"
) -> tuple[int, trentclient.Config]:
    before = len(server.requests)
    kwargs: dict[str, Any] = {
        "region_name": "us-east-1",
        "endpoint_url": server.url,
        "aws_access_key_id": AK,
        "aws_secret_access_key": SK,
        "config": config,
    }
    if kind == "sync":
        with trentclient.Client(**kwargs) as client:
            client._sleep = lambda seconds: None  # type: ignore[method-assign]
            with pytest.raises(trentclient.KMSInternalException):  # type: ignore[attr-defined]
                client.list_keys()
            resolved = client.config
    else:

        async def main() -> trentclient.Config:
            async with trentclient.AsyncClient(**kwargs) as client:

                async def no_sleep(seconds: float) -> None:
                    return None

                client._sleep = no_sleep  # type: ignore[method-assign]
                with pytest.raises(trentclient.KMSInternalException):  # type: ignore[attr-defined]
                    await client.list_keys()
                return client.config

        resolved = asyncio.run(main())
    return len(server.requests) - before, resolved


# -- retries: how many requests each form sends, counted against botocore ----------------------

RETRY_FORMS: list[tuple[str, dict[str, Any] | None, dict[str, str], str]] = [
    # (id, retries dict, environment, profile text)
    ("max_attempts=0", {"max_attempts": 0, "mode": "standard"}, {}, ""),
    ("max_attempts=2", {"max_attempts": 2, "mode": "standard"}, {}, ""),
    ("max_attempts=4", {"max_attempts": 4, "mode": "standard"}, {}, ""),
    ("total=1", {"total_max_attempts": 1, "mode": "standard"}, {}, ""),
    ("total=4", {"total_max_attempts": 4, "mode": "standard"}, {}, ""),
    ("total wins", {"total_max_attempts": 2, "max_attempts": 5, "mode": "standard"}, {}, ""),
    ("env attempts", {"mode": "standard"}, {"AWS_MAX_ATTEMPTS": "5"}, ""),
    ("env attempts=1", {"mode": "standard"}, {"AWS_MAX_ATTEMPTS": "1"}, ""),
    ("env mode", None, {"AWS_RETRY_MODE": "standard", "AWS_MAX_ATTEMPTS": "2"}, ""),
    ("env legacy", None, {"AWS_RETRY_MODE": "legacy"}, ""),
    ("env adaptive", None, {"AWS_RETRY_MODE": "adaptive", "AWS_MAX_ATTEMPTS": "3"}, ""),
    ("config over env", {"max_attempts": 1, "mode": "standard"}, {"AWS_MAX_ATTEMPTS": "6"}, ""),
    (
        "profile",
        None,
        {},
        "[default]\nmax_attempts = 4\nretry_mode = standard\n",
    ),
    (
        "env over profile",
        None,
        {"AWS_MAX_ATTEMPTS": "2"},
        "[default]\nmax_attempts = 6\nretry_mode = standard\n",
    ),
    (
        "named profile",
        {"mode": "standard"},
        {"AWS_PROFILE": "ci"},
        "[default]\nmax_attempts = 6\n[profile ci]\nmax_attempts = 2\n",
    ),
]


@pytest.mark.parametrize(
    ("retries", "environ", "profile"),
    [form[1:] for form in RETRY_FORMS],
    ids=[form[0] for form in RETRY_FORMS],
)
@pytest.mark.parametrize("client_kind", ["sync", "async"])
def test_requests_sent_match_botocore(
    retries: dict[str, Any] | None,
    environ: dict[str, str],
    profile: str,
    client_kind: str,
    failing_server: HandlerServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    config_file = tmp_path / "config"
    config_file.write_text(profile)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config_file))
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    expected = _botocore_requests(
        failing_server,
        None if retries is None else botocore.config.Config(retries=dict(retries)),
        monkeypatch,
    )
    ours = None if retries is None else trentclient.Config(retries=retries)
    sent, resolved = _trentclient_requests(failing_server, ours, client_kind)
    assert sent == expected
    assert resolved.retries.total_max_attempts == expected


def test_default_is_three_attempts_in_standard_mode(failing_server: HandlerServer) -> None:
    """botocore's default mode is legacy (5 attempts); trentclient's is standard (3)."""
    sent, resolved = _trentclient_requests(failing_server, None)
    assert sent == 3
    assert resolved.retries == trentclient.RetryConfig(total_max_attempts=3, mode="standard")


@pytest.mark.parametrize(
    ("variable", "value"),
    [("AWS_MAX_ATTEMPTS", "three"), ("AWS_RETRY_MODE", "turbo"), ("AWS_MAX_ATTEMPTS", "2.5")],
)
def test_bad_retry_settings_in_the_environment_are_named(
    variable: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(trentclient.InvalidConfigError, match=variable):
        trentclient.Client("us-east-1", aws_access_key_id=AK, aws_secret_access_key=SK)


def test_bad_retry_settings_in_the_profile_are_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config_file = tmp_path / "config"
    config_file.write_text("[default]\nretry_mode = fast\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config_file))
    with pytest.raises(trentclient.InvalidConfigError, match="retry_mode"):
        trentclient.Client("us-east-1", aws_access_key_id=AK, aws_secret_access_key=SK)


def test_the_user_agent_says_the_resolved_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_RETRY_MODE", "adaptive")
    client = trentclient.Client("us-east-1", aws_access_key_id=AK, aws_secret_access_key=SK)
    assert " cfg/retry-mode#adaptive" in client._core.user_agent
    assert client._core.rate_limiter is not None
    client.close()


# -- a botocore Config, taken as it is ---------------------------------------------------------


def test_a_botocore_config_is_read_through_its_attributes() -> None:
    given = botocore.config.Config(
        region_name="eu-west-1",
        connect_timeout=4,
        read_timeout=9,
        retries={"max_attempts": 1, "mode": "adaptive"},
        max_pool_connections=3,
        user_agent_extra="extra/1",
        user_agent_appid="my-app",
        use_fips_endpoint=True,
        parameter_validation=False,
        tcp_keepalive=True,
        proxies={"https": "proxy.example:3128"},
        proxies_config={"proxy_ca_bundle": None},
    )
    client = trentclient.Client(aws_access_key_id=AK, aws_secret_access_key=SK, config=given)
    config = client.config
    assert client.region_name == "eu-west-1"
    assert client.endpoint_url == "https://kms-fips.eu-west-1.amazonaws.com"
    assert (config.connect_timeout, config.read_timeout) == (4, 9)
    assert config.retries == trentclient.RetryConfig(total_max_attempts=2, mode="adaptive")
    assert config.max_pool_connections == 3
    assert config.parameter_validation is False and config.tcp_keepalive is True
    assert config.proxies == {"https": "proxy.example:3128"}
    assert client._core.proxy() == "http://proxy.example:3128"
    agent = client._core.user_agent
    assert agent.endswith(" cfg/retry-mode#adaptive app/my-app extra/1")
    client.close()


def test_the_user_agent_puts_the_app_id_where_botocore_does() -> None:
    """botocore's order: ... cfg/retry-mode#... app/<id> <user_agent_extra>."""
    from tests.botocore_oracle import botocore_request

    session = botocore.session.get_session()
    theirs = session.create_client(
        "kms",
        region_name="us-east-1",
        aws_access_key_id=AK,
        aws_secret_access_key=SK,
        config=botocore.config.Config(
            user_agent_appid="app id!", user_agent_extra="extra/2", retries={"mode": "standard"}
        ),
    )
    their_agent = botocore_request(theirs, "list_keys", {}).headers["User-Agent"].decode()
    client = trentclient.Client(
        "us-east-1",
        aws_access_key_id=AK,
        aws_secret_access_key=SK,
        config=trentclient.Config(user_agent_appid="app id!", user_agent_extra="extra/2"),
    )
    ours = client._core.user_agent
    assert (
        their_agent.split(" cfg/retry-mode#")[1]
        .split(" ", 1)[1]
        .endswith(ours.split(" cfg/retry-mode#")[1].split(" ", 1)[1])
    )
    assert " app/app-id! extra/2" in ours  # the space became "-", as botocore sanitizes
    client.close()


@pytest.mark.parametrize("option", sorted(UNSUPPORTED))
def test_botocore_options_with_no_meaning_here_are_named(option: str) -> None:
    values: dict[str, Any] = {
        "signature_version": "s3",
        "user_agent": "mine/1.0",
        "s3": {"addressing_style": "path"},
        "s3_disable_express_session_auth": True,
        "inject_host_prefix": False,
        "endpoint_discovery_enabled": True,
        "defaults_mode": "in-region",
        "request_min_compression_size_bytes": 100,
        "disable_request_compression": True,
        "client_context_params": {"a": 1},
        "sigv4a_signing_region_set": "*",
        "request_checksum_calculation": "when_required",
        "response_checksum_validation": "when_required",
        "account_id_endpoint_mode": "disabled",
        "auth_scheme_preference": "sigv4",
    }
    given = botocore.config.Config(**{option: values[option]})
    with pytest.raises(trentclient.InvalidConfigError, match=option):
        trentclient.Client(
            "us-east-1", aws_access_key_id=AK, aws_secret_access_key=SK, config=given
        )


def test_every_botocore_option_is_mapped_or_refused() -> None:
    """A botocore upgrade that adds a Config option fails here until someone decides."""
    from trentclient._settings import _SAME_NAME

    known = set(_SAME_NAME) | set(UNSUPPORTED) | {"retries"}
    assert set(botocore.config.Config.OPTION_DEFAULTS) == known


def test_a_botocore_config_with_defaults_only_changes_nothing() -> None:
    client = trentclient.Client(
        "us-east-1",
        aws_access_key_id=AK,
        aws_secret_access_key=SK,
        config=botocore.config.Config(signature_version="v4"),
    )
    assert client.config == trentclient.Config(
        retries={"total_max_attempts": 3, "mode": "standard"}
    )
    client.close()


def test_a_subclass_of_botocore_config_is_one_too() -> None:
    class Tuned(botocore.config.Config):
        pass

    client = trentclient.Client(
        "us-east-1",
        aws_access_key_id=AK,
        aws_secret_access_key=SK,
        config=Tuned(connect_timeout=3),
    )
    assert client.config.connect_timeout == 3
    client.close()


def test_anything_else_as_config_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"botocore\.config\.Config"):
        trentclient.Client("us-east-1", config={"retries": {}})  # type: ignore[arg-type]


# -- proxies -------------------------------------------------------------------------------

PROXY_CASES: list[tuple[str, dict[str, str] | None, dict[str, str]]] = [
    ("https://kms.us-east-1.amazonaws.com", {"https": "p:1"}, {}),
    ("https://kms.us-east-1.amazonaws.com", {"http": "p:1"}, {}),
    ("https://kms.us-east-1.amazonaws.com", {"all": "//p:2"}, {}),
    ("https://kms.us-east-1.amazonaws.com", {"https://kms.us-east-1.amazonaws.com": "h:1"}, {}),
    (
        "https://kms.us-east-1.amazonaws.com",
        {"all://kms.us-east-1.amazonaws.com": "a:1", "all": "b:2"},
        {},
    ),
    ("https://kms.us-east-1.amazonaws.com", None, {"HTTPS_PROXY": "http://env:3128"}),
    ("https://kms.us-east-1.amazonaws.com", None, {"https_proxy": "low:1", "HTTPS_PROXY": "up:2"}),
    ("https://kms.us-east-1.amazonaws.com", None, {"HTTP_PROXY": "http://env:3128"}),
    ("http://127.0.0.1:9", None, {"HTTP_PROXY": "http://env:3128", "NO_PROXY": "127.0.0.1"}),
    (
        "https://kms.us-east-1.amazonaws.com",
        None,
        {"ALL_PROXY": "all:1", "NO_PROXY": ".amazonaws.com"},
    ),
    ("https://kms.us-east-1.amazonaws.com", None, {"HTTPS_PROXY": "e:1", "no_proxy": "*"}),
    ("https://kms.us-east-1.amazonaws.com", None, {"HTTPS_PROXY": "e:1", "NO_PROXY": "other.com"}),
    # explicit proxies win over the environment, and NO_PROXY does not apply to them
    (
        "https://kms.us-east-1.amazonaws.com",
        {"https": "c:1"},
        {"HTTPS_PROXY": "e:1", "NO_PROXY": "*"},
    ),
    # an empty mapping is botocore's "none given": the environment applies
    ("https://kms.us-east-1.amazonaws.com", {}, {"HTTPS_PROXY": "e:1"}),
    ("https://kms.us-east-1.amazonaws.com", {"http": "c:1"}, {"HTTPS_PROXY": "e:1"}),
]


@pytest.mark.parametrize(("url", "proxies", "environ"), PROXY_CASES)
def test_the_proxy_is_the_one_botocore_picks(
    url: str,
    proxies: dict[str, str] | None,
    environ: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    # botocore: EndpointCreator (proxies or get_environ_proxies(url)), then URLLib3Session's
    # ProxyConfiguration picks the proxy per request.
    from botocore.httpsession import ProxyConfiguration

    chosen = proxies or botocore.utils.get_environ_proxies(url)
    expected = ProxyConfiguration(proxies=chosen).proxy_url_for(url)
    import os

    assert proxy_for(url, proxies, os.environ) == expected
    assert proxy_for(url, proxies, dict(os.environ)) == expected  # a given environment too


class _ForwardingProxy:
    """An HTTP proxy on 127.0.0.1 that answers for the target itself and records the
    absolute request line it was given."""

    def __init__(self) -> None:
        self.server = HandlerServer(self._answer)
        self.targets: list[str] = []

    def _answer(self, request: Recorded) -> Reply:
        self.targets.append(request.path)
        return json_reply(200, {"Keys": [], "Truncated": False})


@pytest.mark.parametrize("source", ["config", "environment"])
@pytest.mark.parametrize("client_kind", ["sync", "async"])
def test_requests_go_through_the_proxy(
    source: str, client_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = _ForwardingProxy()
    target = "http://kms.invalid:8080"
    with proxy.server:
        config = None
        if source == "config":
            config = trentclient.Config(proxies={"http": proxy.server.url})
        else:
            monkeypatch.setenv("HTTP_PROXY", proxy.server.url)
        kwargs: dict[str, Any] = {
            "region_name": "us-east-1",
            "endpoint_url": target,
            "aws_access_key_id": AK,
            "aws_secret_access_key": SK,
            "config": config,
        }
        if client_kind == "sync":
            with trentclient.Client(**kwargs) as client:
                assert client.list_keys()["Keys"] == []
        else:

            async def main() -> None:
                async with trentclient.AsyncClient(**kwargs) as client:
                    assert (await client.list_keys())["Keys"] == []

            asyncio.run(main())
    assert proxy.targets == [target + "/"]


def test_no_proxy_sends_direct(monkeypatch: pytest.MonkeyPatch) -> None:
    with HandlerServer(lambda r: json_reply(200, {"Keys": []})) as kms:
        monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        with trentclient.Client(
            "us-east-1", endpoint_url=kms.url, aws_access_key_id=AK, aws_secret_access_key=SK
        ) as client:
            assert client.list_keys()["Keys"] == []
        assert len(kms.requests) == 1


def test_proxy_passwords_stay_out_of_reprs() -> None:
    config = trentclient.Config(proxies={"https": "http://user:s3cret@proxy:3128"})
    assert "s3cret" not in repr(config)
    assert "user:***@proxy:3128" in repr(config)
    assert config.proxies == {"https": "http://user:s3cret@proxy:3128"}


def test_forwarding_https_through_a_proxy_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="proxy_use_forwarding_for_https"):
        trentclient.Config(proxies_config={"proxy_use_forwarding_for_https": True})
    with pytest.raises(ValueError, match="unknown proxies_config"):
        trentclient.Config(proxies_config={"proxy_ca": "x"})


def test_async_http_aiohttp_with_a_proxy_says_what_to_do() -> None:
    pytest.importorskip("aiohttp")
    with pytest.raises(ValueError, match="async_http='auto' or 'httpx'"):
        trentclient.AsyncClient(
            "us-east-1",
            aws_access_key_id=AK,
            aws_secret_access_key=SK,
            config=trentclient.Config(async_http="aiohttp", proxies={"https": "p:1"}),
        )


# -- tcp_keepalive, client_cert, ignore_configured_endpoint_urls -------------------------------


def test_tcp_keepalive_sets_botocore_socket_option() -> None:
    client = trentclient.Client(
        "us-east-1",
        aws_access_key_id=AK,
        aws_secret_access_key=SK,
        config=trentclient.Config(tcp_keepalive=True),
    )
    assert client._core.transport_options()["socket_options"] == [
        (socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    ]
    client.close()
    plain = trentclient.Client("us-east-1", aws_access_key_id=AK, aws_secret_access_key=SK)
    assert "socket_options" not in plain._core.transport_options()
    plain.close()


def test_tcp_keepalive_on_aiohttp_sockets() -> None:
    pytest.importorskip("aiohttp")
    from trentclient._aiohttp import _socket_factory

    make = _socket_factory([(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)])
    info = socket.getaddrinfo("127.0.0.1", 80, type=socket.SOCK_STREAM)[0]
    sock = make(info)
    try:
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
    finally:
        sock.close()


def test_keepalive_client_still_talks(monkeypatch: pytest.MonkeyPatch) -> None:
    with HandlerServer(lambda r: json_reply(200, {"Keys": []})) as kms:
        config = trentclient.Config(tcp_keepalive=True)

        async def main() -> None:
            async with trentclient.AsyncClient(
                "us-east-1",
                endpoint_url=kms.url,
                aws_access_key_id=AK,
                aws_secret_access_key=SK,
                config=config,
            ) as client:
                assert (await client.list_keys())["Keys"] == []

        asyncio.run(main())
        with trentclient.Client(
            "us-east-1",
            endpoint_url=kms.url,
            aws_access_key_id=AK,
            aws_secret_access_key=SK,
            config=config,
        ) as client:
            assert client.list_keys()["Keys"] == []
        assert len(kms.requests) == 2


def test_ignore_configured_endpoint_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_KMS", "http://127.0.0.1:9")
    kwargs: dict[str, Any] = {"aws_access_key_id": AK, "aws_secret_access_key": SK}
    assert trentclient.Client("us-east-1", **kwargs).endpoint_url == "http://127.0.0.1:9"
    ignoring = trentclient.Client(
        "us-east-1", config=trentclient.Config(ignore_configured_endpoint_urls=True), **kwargs
    )
    assert ignoring.endpoint_url == "https://kms.us-east-1.amazonaws.com"


def test_region_from_the_config_when_no_argument_gives_one() -> None:
    kwargs: dict[str, Any] = {"aws_access_key_id": AK, "aws_secret_access_key": SK}
    config = trentclient.Config(region_name="ap-south-1")
    assert trentclient.Client(config=config, **kwargs).region_name == "ap-south-1"
    assert trentclient.Client("eu-west-3", config=config, **kwargs).region_name == "eu-west-3"


# -- parameter_validation=False: the server's own answer, as through boto3 -----------------------

INVALID_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("describe_key", {"KeyId": ""}),  # below the minimum length
    ("create_alias", {"AliasName": "x" * 300, "TargetKeyId": "k"}),  # over the maximum
    ("generate_random", {"NumberOfBytes": 2000}),  # over the maximum value
    ("describe_key", {}),  # a required member missing
]


@pytest.mark.parametrize(("method", "params"), INVALID_CALLS)
def test_without_validation_the_server_answers_as_it_does_to_botocore(
    method: str, params: dict[str, Any], kms_server: Any
) -> None:
    creds = kms_server.credentials
    theirs = botocore.session.Session().create_client(
        "kms",
        region_name=kms_server.region,
        endpoint_url=kms_server.endpoint_url,
        aws_access_key_id=creds.access_key,
        aws_secret_access_key=creds.secret_key,
        config=botocore.config.Config(parameter_validation=False, retries={"max_attempts": 0}),
    )
    with pytest.raises(theirs.exceptions.ClientError) as their_error:
        getattr(theirs, method)(**params)
    theirs.close()
    with trentclient.Client(
        kms_server.region,
        endpoint_url=kms_server.endpoint_url,
        aws_access_key_id=creds.access_key,
        aws_secret_access_key=creds.secret_key,
        config=trentclient.Config(parameter_validation=False, retries={"max_attempts": 0}),
    ) as client:
        with pytest.raises(trentclient.ServiceError) as our_error:
            getattr(client, method)(**params)
        with pytest.raises(trentclient.ParamValidationError):
            getattr(
                trentclient.Client(
                    kms_server.region, aws_access_key_id="a", aws_secret_access_key="b"
                ),
                method,
            )(**params)
    assert our_error.value.response["Error"] == their_error.value.response["Error"]
    assert (
        our_error.value.status_code
        == their_error.value.response["ResponseMetadata"]["HTTPStatusCode"]
    )


def test_without_validation_blobs_and_timestamps_still_serialize() -> None:
    import datetime as dt

    from tests.botocore_oracle import botocore_request

    session = botocore.session.get_session()
    theirs = session.create_client(
        "kms",
        region_name="us-east-1",
        aws_access_key_id=AK,
        aws_secret_access_key=SK,
        config=botocore.config.Config(parameter_validation=False),
    )
    params: dict[str, Any] = {
        "KeyId": "",
        "Plaintext": b"\x00" * 5000,  # over the 4096 maximum
        "EncryptionContext": {"a": "b"},
    }
    their_body = botocore_request(theirs, "encrypt", params).body
    client = trentclient.Client(
        "us-east-1",
        aws_access_key_id=AK,
        aws_secret_access_key=SK,
        config=trentclient.Config(parameter_validation=False),
    )
    assert client.build_request("encrypt", params).content == their_body
    when = dt.datetime(2030, 1, 2, tzinfo=dt.UTC)
    grants = client.build_request(
        "list_key_rotations", {"KeyId": "k", "Limit": 0, "Unknown": when.isoformat()}
    )
    assert json.loads(grants.content) == {"KeyId": "k", "Limit": 0, "Unknown": when.isoformat()}
    with pytest.raises(trentclient.ParamValidationError, match="Plaintext"):
        client.build_request("encrypt", {"KeyId": "k", "Plaintext": 5})
    with pytest.raises(trentclient.ParamValidationError, match="JSON"):
        client.build_request("describe_key", {"KeyId": {1, 2}})
    client.close()


# -- the bounds trentclient checks and botocore does not (docs/configuration.md lists them) ----

STRICTER: list[tuple[str, str, dict[str, Any]]] = [
    ("string max length", "create_alias", {"AliasName": "a" * 257, "TargetKeyId": "k"}),
    ("list max length", "encrypt", {"KeyId": "k", "Plaintext": b"x", "GrantTokens": ["t"] * 11}),
    ("blob max length", "encrypt", {"KeyId": "k", "Plaintext": b"x" * 4097}),
    ("blob min length", "encrypt", {"KeyId": "k", "Plaintext": b""}),
    ("integer max value", "generate_random", {"NumberOfBytes": 1025}),
    ("bool as an integer", "list_keys", {"Limit": True}),
]


@pytest.mark.parametrize(("bound", "method", "params"), STRICTER, ids=[s[0] for s in STRICTER])
def test_each_stricter_bound_is_one_botocore_lets_through(
    bound: str, method: str, params: dict[str, Any]
) -> None:
    import botocore.validate

    from trentclient._generated._shapes import METHOD_TO_OPERATION

    model = botocore.session.get_session().get_service_model("kms")
    input_shape = model.operation_model(METHOD_TO_OPERATION[method]).input_shape
    report = botocore.validate.ParamValidator().validate(params, input_shape)
    assert not report.has_errors(), report.generate_report()  # botocore would send it
    kwargs: dict[str, Any] = {"aws_access_key_id": AK, "aws_secret_access_key": SK}
    strict = trentclient.Client("us-east-1", **kwargs)
    with pytest.raises(trentclient.ParamValidationError):
        strict.build_request(method, params)
    lax = trentclient.Client(
        "us-east-1", config=trentclient.Config(parameter_validation=False), **kwargs
    )
    assert lax.build_request(method, params).content  # and with the switch off, so do we
