"""The whole default credential chain, against botocore's, over real fake servers.

1. A scenario table (``tests/chain_scenarios.py``): for each row, botocore's
   ``Session(profile=...).get_credentials()`` and trentclient's
   ``resolve_credential_provider(region_name=...)`` (sync and async) run over the same
   environment, files and fake servers (IMDS, container endpoint, SSO, moto's STS behind a
   recorder), and must pick the same source and give the same keys (or, where moto mints
   new keys per call, valid keys from an ``AssumeRole`` signed with the same source key).
2. Building ``Client`` / ``AsyncClient`` reads the environment and the files only: no
   request reaches any fake and no ``credential_process`` runs until the first call.
3. Faults through real client calls: endpoints down, slow, answering 401/500/not JSON give
   typed errors in bounded time; credentials expiring during a burst of concurrent calls are
   refreshed once and no call is signed with the old keys afterwards; rotated token files are
   read again; a failed advisory refresh keeps the keys and backs off for 60 s.
4. No secret in any log record (DEBUG), repr or error message along the way.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import re
import shlex
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

import trentclient
from tests import chain_scenarios as table
from tests.chain_scenarios import ERROR_SCENARIOS, REGION, SCENARIOS, Scenario
from tests.conftest import Driver
from tests.credfakes import HandlerServer, Recorded, Reply
from tests.fake_container import FakeContainer, keys_for
from tests.fake_imds import FakeImds, make_credentials
from tests.fake_sso import FakeSso
from tests.faultserver import unused_port
from trentclient._credentials import _container, _sso, _sts, resolve_credential_provider
from trentclient._exceptions import (
    CredentialRetrievalError,
    NoCredentialsError,
    TrentError,
    UnauthorizedSSOTokenError,
)

try:  # the drivers moved out of _flow; patch wherever the sleeps live
    from trentclient._credentials import _drive as _drivers
except ImportError:  # pragma: no cover
    from trentclient._credentials import _flow as _drivers  # type: ignore[no-redef]

CONTAINER_PATH = "/v1/credentials"
EXPIRATION_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy")
CREDENTIAL = re.compile(r"Credential=([^/]+)/")


# -- fakes shared by the module ------------------------------------------------------------


class StsRecorder:
    """In front of moto's STS: forwards every request and keeps moto's answer, unless a
    ``script`` of replies is queued (served first, one per request)."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.script: list[Reply] = []
        self.minted: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, request: Recorded) -> Reply:
        with self._lock:
            if self.script:
                return self.script.pop(0)
        headers = {
            k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")
        }
        answer = httpx.request(
            request.method, self.target + request.path, headers=headers, content=request.body
        )
        for name in ("SecretAccessKey", "SessionToken"):
            for value in re.findall(rf"<{name}>([^<]+)</{name}>", answer.text):
                with self._lock:
                    self.minted.append(value)
        return Reply(
            answer.status_code,
            answer.content,
            {"Content-Type": answer.headers.get("content-type", "text/xml")},
        )


@dataclass
class Servers:
    imds: HandlerServer
    container: HandlerServer
    sso: HandlerServer
    sts: HandlerServer
    fault: HandlerServer

    def all(self) -> dict[str, HandlerServer]:
        return {
            "imds": self.imds,
            "container": self.container,
            "sso": self.sso,
            "sts": self.sts,
        }


@pytest.fixture(scope="module")
def servers(sts_server: str) -> Iterator[Servers]:
    """One server per fake for the whole module (stopping one costs ~50 ms); each test
    plugs in fresh handlers."""
    running = [
        HandlerServer(FakeImds()),
        HandlerServer(FakeContainer()),
        HandlerServer(FakeSso()),
        HandlerServer(StsRecorder(sts_server)),
        HandlerServer(lambda request: Reply(500)),
    ]
    for server in running:
        server.start()
    try:
        yield Servers(*running)
    finally:
        for server in running:
            server.stop()


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The drivers' sleeps (container and STS/SSO retry pauses), recorded, not slept."""
    slept: list[float] = []

    async def asleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(_drivers, "sleep", slept.append)
    monkeypatch.setattr(_drivers, "asleep", asleep)
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return slept


class World:
    """One test's environment, files and fakes (the module's servers, fresh handlers)."""

    def __init__(
        self, servers: Servers, sts_target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        self.servers = servers
        self.tmp = tmp_path
        self.monkeypatch = monkeypatch
        self.home = tmp_path / "home"
        self.home.mkdir()
        self.config_file = tmp_path / "config"
        self.credentials_file = tmp_path / "credentials"
        self.marker = tmp_path / "process-ran"
        self.token_file = tmp_path / "web-identity-token"
        self.token_file.write_text(table.WEB_TOKEN, encoding="utf-8")
        self.container_token_file = tmp_path / "container-token"
        self.container_token_file.write_text(table.CONTAINER_AUTH, encoding="utf-8")
        self.sso_cache = self.home / ".aws" / "sso" / "cache"

        self.imds = FakeImds()
        self.imds.credentials = make_credentials(
            AccessKeyId=table.IMDS_KEYS[0],
            SecretAccessKey=table.IMDS_KEYS[1],
            Token=table.IMDS_KEYS[2],
        )
        self.container = FakeContainer(CONTAINER_PATH, token=table.CONTAINER_AUTH)
        self.container.credentials = {
            "AccessKeyId": table.CONTAINER_KEYS[0],
            "SecretAccessKey": table.CONTAINER_KEYS[1],
            "Token": table.CONTAINER_KEYS[2],
            "Expiration": stamp(datetime.now(UTC) + timedelta(hours=6)),
            "AccountId": "123456789012",
        }
        self.sso = FakeSso()
        self.sts = StsRecorder(sts_target)
        servers.imds.handler = self.imds
        servers.container.handler = self.container
        servers.sso.handler = self.sso
        servers.sts.handler = self.sts
        self.reset()

        self.process_expiry = stamp(datetime.now(UTC) + timedelta(hours=2))
        self.commands = {
            "process": self._script("process", table.PROCESS_KEYS, None),
            "process_source": self._script("process_source", table.PROCESS_SOURCE_KEYS, None),
            "process_expiring": self._script(
                "process_expiring", table.PROCESS_KEYS, self.process_expiry
            ),
            "process_failing": self._script("process_failing", None, None),
        }
        self._base_env()

    # -- setup ----------------------------------------------------------------------------

    def _script(self, name: str, keys: table.Triple | None, expiration: str | None) -> str:
        """A credential_process command line printing ``keys`` (None: it fails, exit 3)."""
        script = self.tmp / f"{name}.py"
        marker = (
            "import json, sys\n"
            f"with open({str(self.marker)!r}, 'a') as marker:\n"
            f"    marker.write({name!r} + '\\n')\n"
        )
        if keys is None:
            script.write_text(
                marker + "sys.stderr.write('the vault is sealed')\nsys.exit(3)\n", encoding="utf-8"
            )
            return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"
        output: dict[str, Any] = {
            "Version": 1,
            "AccessKeyId": keys[0],
            "SecretAccessKey": keys[1],
        }
        if keys[2]:
            output["SessionToken"] = keys[2]
        if expiration:
            output["Expiration"] = expiration
        script.write_text(marker + f"sys.stdout.write(json.dumps({output!r}))\n", encoding="utf-8")
        return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"

    def _base_env(self) -> None:
        setenv = self.monkeypatch.setenv
        setenv("HOME", str(self.home))
        setenv("AWS_CONFIG_FILE", str(self.config_file))
        setenv("AWS_SHARED_CREDENTIALS_FILE", str(self.credentials_file))
        setenv("AWS_ENDPOINT_URL_STS", self.servers.sts.url)
        setenv("AWS_ENDPOINT_URL_SSO", self.servers.sso.url)
        setenv("AWS_ENDPOINT_URL_SSO_OIDC", self.servers.sso.url)
        setenv("AWS_DEFAULT_REGION", REGION)
        # botocore computes its SSO cache folder at import time: point it at this HOME's.
        import botocore.credentials
        import botocore.tokens

        for cls in (botocore.credentials.SSOProvider, botocore.tokens.SSOTokenProvider):
            self.monkeypatch.setattr(cls, "_SSO_TOKEN_CACHE_DIR", str(self.sso_cache))

    def fill(self, text: str) -> str:
        for name, command in self.commands.items():
            text = text.replace("{" + name + "}", command)
        return text.replace("{token_file}", str(self.token_file))

    def setup(self, scenario: Scenario) -> None:
        config = self.fill(scenario.config)
        if scenario.sso:
            config += table.SSO_SECTION
            self.write_sso_token()
        if config:
            self.config_file.write_text(config, encoding="utf-8")
        if scenario.credentials:
            self.credentials_file.write_text(self.fill(scenario.credentials), encoding="utf-8")
        for name, value in scenario.env.items():
            self.monkeypatch.setenv(name, self.fill(value))
        if scenario.imds:
            self.enable_imds(self.servers.imds.url)
            if scenario.imds == "no-role":
                self.imds.role_replies = [Reply(404, b"Not Found")] * 10
        if scenario.container:
            self.enable_container(self.servers.container.url, scenario.container)

    def enable_imds(self, url: str) -> None:
        self.monkeypatch.delenv("AWS_EC2_METADATA_DISABLED", raising=False)
        self.monkeypatch.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url)

    def enable_container(self, url: str, how: str = "env-token") -> None:
        self.monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url + CONTAINER_PATH)
        if how == "token-file":
            self.monkeypatch.setenv(
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", str(self.container_token_file)
            )
        else:
            self.monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", table.CONTAINER_AUTH)

    def enable_web_identity(self, sts_url: str) -> None:
        self.monkeypatch.setenv("AWS_WEB_IDENTITY_TOKEN_FILE", str(self.token_file))
        self.monkeypatch.setenv("AWS_ROLE_ARN", table.ROLE)
        self.monkeypatch.setenv("AWS_ENDPOINT_URL_STS", sts_url)

    def enable_sso(self, url: str) -> None:
        self.config_file.write_text(
            f"[default]\n{table.SSO_PROFILE}{table.SSO_SECTION}", encoding="utf-8"
        )
        self.write_sso_token()
        self.monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", url)
        self.monkeypatch.setenv("AWS_ENDPOINT_URL_SSO_OIDC", url)

    def write_sso_token(self) -> None:
        import hashlib

        self.sso_cache.mkdir(parents=True, exist_ok=True)
        name = hashlib.sha1(table.SSO_SESSION.encode()).hexdigest() + ".json"
        (self.sso_cache / name).write_text(
            json.dumps(
                {
                    "startUrl": table.SSO_START_URL,
                    "region": "us-east-1",
                    "accessToken": FakeSso().valid_access_tokens.pop(),
                    "expiresAt": stamp(datetime.now(UTC) + timedelta(hours=8)),
                }
            ),
            encoding="utf-8",
        )

    # -- observation ----------------------------------------------------------------------

    def reset(self) -> None:
        for server in self.servers.all().values():
            server.requests.clear()
        self.marker.unlink(missing_ok=True)

    def hits(self) -> set[str]:
        found = {name for name, server in self.servers.all().items() if server.requests}
        if self.marker.exists() and self.marker.read_text():
            found.add("process")
        return found

    def sts_signers(self) -> list[str]:
        """Per STS request: the access key it was signed with, or UNSIGNED."""
        signers = []
        for request in self.servers.sts.requests:
            auth = request.header("Authorization")
            match = CREDENTIAL.search(auth or "")
            signers.append(match.group(1) if match else table.UNSIGNED)
        return signers

    def secrets(self, *extra: str | None) -> list[str]:
        values = [*table.SECRETS, *self.imds.secrets(), *self.sso.issued_secrets, *self.sts.minted]
        values += [str(v) for v in extra if v]
        return [v for v in values if len(v) >= 8]


@pytest.fixture
def world(
    servers: Servers, sts_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> World:
    return World(servers, sts_server, tmp_path, monkeypatch)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(EXPIRATION_FORMAT)


def assert_no_secret(texts: list[str], secrets: list[str]) -> None:
    for text in texts:
        for secret in secrets:
            assert secret not in text, f"a secret ({secret[:6]}...) leaked into: {text[:300]}"


def error_texts(error: BaseException) -> list[str]:
    """The error's str and repr, and those of everything it was raised from."""
    texts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts += [str(current), repr(current), repr(getattr(current, "__dict__", {}))]
        current = current.__cause__ or current.__context__
    return texts


def log_texts(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [caplog.text] + [
        f"{record.getMessage()} {record.args!r} {record.exc_text or ''}"
        for record in caplog.records
    ]


# -- 1. the scenario table against botocore ------------------------------------------------


@dataclass
class Found:
    method: str
    access_key: str
    secret_key: str
    token: str | None
    expiry: datetime | None


def botocore_credentials(scenario: Scenario) -> Found | None:
    import botocore.session

    session = botocore.session.Session(profile=scenario.profile_name)
    credentials = session.get_credentials()
    if credentials is None:
        return None
    frozen = credentials.get_frozen_credentials()
    return Found(
        credentials.method,
        frozen.access_key,
        frozen.secret_key,
        frozen.token,
        getattr(credentials, "_expiry_time", None),
    )


def our_keys(provider: Any, kind: str) -> Any:
    """``get_keys()`` / ``aget_keys()``; static providers have ``get_credentials()`` only."""
    if kind == "sync":
        getter = getattr(provider, "get_keys", None) or provider.get_credentials
        return getter()
    getter = getattr(provider, "aget_keys", None)
    if getter is None:
        return provider.get_credentials()
    return asyncio.run(getter())


def assert_minted(found: Any) -> None:
    """Valid keys that moto's STS just minted."""
    assert re.fullmatch(r"ASIA[A-Z0-9]{12,}", found.access_key), found.access_key
    assert len(found.secret_key) >= 20
    assert found.token
    assert found.expiry is not None and found.expiry > datetime.now(UTC)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_chain_picks_what_botocore_picks(
    scenario: Scenario, kind: str, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.setup(scenario)
    theirs = botocore_credentials(scenario)
    their_hits, their_signers = world.hits(), world.sts_signers()
    world.reset()

    caplog.clear()
    caplog.set_level(logging.DEBUG)
    provider: Any = resolve_credential_provider(
        region_name=REGION, profile_name=scenario.profile_name
    )
    assert world.hits() == set(), "resolving the chain must send nothing and run nothing"

    secrets = world.secrets()
    if scenario.expect is None:
        assert theirs is None
        with pytest.raises(NoCredentialsError) as caught:
            our_keys(provider, kind)
        message = str(caught.value)
        for place in (
            "AWS_ACCESS_KEY_ID",
            "profile 'default'",
            "AWS_CONTAINER_CREDENTIALS",
            "IMDS",
        ):
            assert place in message, (place, message)
        assert_no_secret(error_texts(caught.value), secrets)
    else:
        ours = our_keys(provider, kind)
        assert theirs is not None, "botocore found nothing"
        assert theirs.method == scenario.expect
        assert provider.method == theirs.method
        if scenario.keys is not None:
            assert (ours.access_key, ours.secret_key, ours.token) == scenario.keys
            assert (theirs.access_key, theirs.secret_key, theirs.token) == scenario.keys
        else:  # minted per call by moto
            assert_minted(ours)
            assert_minted(theirs)
        if scenario.expiry:
            assert ours.expiry is not None
            assert ours.expiry == theirs.expiry
        secrets = world.secrets(ours.secret_key, ours.token, theirs.secret_key, theirs.token)
    assert world.hits() == their_hits == set(scenario.hits)
    expected_signers = [scenario.signed_with] if scenario.signed_with else []
    assert world.sts_signers() == their_signers == expected_signers
    assert_no_secret([*log_texts(caplog), repr(provider), str(provider)], secrets)
    if scenario.hits - {"process"}:  # the requests were logged, and the check above saw them
        assert any(r.levelno == logging.DEBUG for r in caplog.records)


def _params(scenarios: tuple[Scenario, ...]) -> list[Any]:
    return [
        pytest.param(
            s,
            id=s.name,
            marks=[pytest.mark.xfail(strict=True, reason=s.xfail)] if s.xfail else [],
        )
        for s in scenarios
    ]


@pytest.mark.parametrize("scenario", _params(ERROR_SCENARIOS))
def test_configuration_errors_match_botocore(
    scenario: Scenario, kind: str, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """Where botocore raises (eagerly, mostly), trentclient raises the matching class, at
    resolution or on first use."""
    import botocore.exceptions

    assert scenario.error is not None
    world.setup(scenario)
    with pytest.raises(botocore.exceptions.BotoCoreError) as theirs:
        botocore_credentials(scenario)
    assert type(theirs.value).__name__ == scenario.error[0], repr(theirs.value)
    their_hits = world.hits()
    world.reset()
    caplog.clear()
    caplog.set_level(logging.DEBUG)
    with pytest.raises(TrentError) as ours:
        provider = resolve_credential_provider(
            region_name=REGION, profile_name=scenario.profile_name
        )
        assert world.hits() == set()
        our_keys(provider, kind)
    assert type(ours.value).__name__ == scenario.error[1], repr(ours.value)
    assert world.hits() == their_hits == set(scenario.hits)
    assert world.sts_signers() == []
    assert_no_secret([*error_texts(ours.value), *log_texts(caplog)], world.secrets())


# -- 2. construction reads the environment and the files only ------------------------------


class Kms:
    """A MockTransport KMS: answers ListKeys, records what each request was signed with."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self._lock = threading.Lock()
        self.on_request: Callable[[int], None] | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests.append(request)
            number = len(self.requests)
        if self.on_request is not None:
            self.on_request(number)
        return httpx.Response(200, json={"Keys": [], "Truncated": False})

    def signers(self) -> list[str]:
        found = []
        for request in self.requests:
            match = CREDENTIAL.search(request.headers.get("Authorization", ""))
            assert match, request.headers
            found.append(match.group(1))
        return found

    def http(self, kind: str) -> Any:
        if kind == "sync":
            return httpx.Client(transport=httpx.MockTransport(self))

        async def handler(request: httpx.Request) -> httpx.Response:
            return self(request)

        return httpx.AsyncClient(transport=httpx.MockTransport(handler))


@pytest.fixture
def kms() -> Kms:
    return Kms()


@pytest.fixture
def drivers() -> Iterator[list[Driver]]:
    made: list[Driver] = []
    yield made
    for driver in made:
        driver.close()


def client(kind: str, kms: Kms, drivers: list[Driver], **kwargs: Any) -> Driver:
    """A Client or AsyncClient (``Driver`` runs the async one on its own loop) whose KMS is
    ``kms``, credentials from the default chain."""
    driver = Driver(kind, region_name=REGION, http_client=kms.http(kind), **kwargs)
    drivers.append(driver)
    return driver


def provider_of(driver: Driver) -> Any:
    return driver.client._core.credentials


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_client_construction_sends_nothing_until_the_first_call(
    scenario: Scenario, kind: str, world: World, kms: Kms, drivers: list[Driver]
) -> None:
    world.setup(scenario)
    driver = client(kind, kms, drivers, profile_name=scenario.profile_name)
    assert world.hits() == set(), "building the client must send nothing and run nothing"
    assert not world.marker.exists()
    provider = provider_of(driver)
    reprs = [repr(driver.client), repr(provider), str(provider)]

    if scenario.expect is None:
        with pytest.raises(NoCredentialsError) as caught:
            driver.call("list_keys")
        assert kms.requests == []
        assert_no_secret(error_texts(caught.value), world.secrets())
    else:
        driver.call("list_keys")
        assert world.hits() == set(scenario.hits)
        driver.call("list_keys")  # cached: nothing more is fetched or run
        assert world.hits() == set(scenario.hits)
        if "process" in scenario.hits:
            assert len(world.marker.read_text().splitlines()) == 1
        signers = kms.signers()
        assert len(signers) == 2 and signers[0] == signers[1]
        if scenario.keys is not None:
            assert signers[0] == scenario.keys[0]
        else:
            assert signers[0].startswith("ASIA")
        assert provider.method == scenario.expect
    reprs += [repr(driver.client), repr(provider), repr(getattr(provider, "source", None))]
    reprs += [repr(getattr(provider, "_current", None))]
    assert_no_secret(reprs, world.secrets())


def test_nothing_found_lists_every_place(world: World) -> None:
    """botocore's ``None`` is a NoCredentialsError naming what was looked at, on use."""
    provider: Any = resolve_credential_provider(region_name=REGION)
    assert provider.method == "none"
    with pytest.raises(NoCredentialsError) as caught:
        provider.get_credentials()
    message = str(caught.value)
    assert message.startswith("Unable to locate credentials")
    for place in (
        "explicit access_key/secret_key",
        "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: not set",
        "profile 'default'",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "disabled by AWS_EC2_METADATA_DISABLED",
    ):
        assert place in message


# -- 3. faults through real client calls ----------------------------------------------------

FAULT_SOURCES = ("imds", "container", "sso", "web-identity")
FAULTS = ("down", "slow", "401", "500", "invalid-json")
#: Timeouts are lowered to this (seconds) so that "slow" stays cheap; replies wait longer.
TIMEOUT = 0.25
SLOW = 1.0

#: The error each (source, fault) gives. IMDS finds "no credentials" where the endpoint does
#: not answer usefully (botocore's chain does the same), and raises for an answer that is
#: not JSON (botocore: None; trentclient's documented difference).
EXPECTED_ERROR: dict[tuple[str, str], type[Exception]] = {
    **{("imds", fault): NoCredentialsError for fault in FAULTS},
    ("imds", "invalid-json"): CredentialRetrievalError,
    **{
        (source, fault): CredentialRetrievalError
        for source in FAULT_SOURCES[1:]
        for fault in FAULTS
    },
    # A refused SSO token: botocore's UnauthorizedSSOTokenError (not a CredentialRetrievalError).
    ("sso", "401"): UnauthorizedSSOTokenError,
}


def fault_reply(fault: str) -> Reply:
    json_type = {"Content-Type": "application/json"}
    if fault == "401":
        return Reply(401, b'{"message": "Unauthorized"}', json_type)
    if fault == "500":
        return Reply(500, b'{"message": "Internal error"}', json_type)
    if fault == "invalid-json":
        return Reply(200, b"<html>not json, not xml</html>", {"Content-Type": "text/html"})
    return Reply(200, b"too late", delay=SLOW)


def install_fault(world: World, source: str, fault: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point ``source`` at the module's fault server (or at a closed port) misbehaving as
    ``fault``; timeouts lowered to TIMEOUT."""
    server = world.servers.fault
    server.requests.clear()
    url = f"http://127.0.0.1:{unused_port()}" if fault == "down" else server.url
    reply = fault_reply(fault)
    if fault in ("down", "slow"):
        server.handler = lambda request: reply
    elif source == "imds":
        fake = FakeImds()
        fake.creds_replies = [reply] * 6
        server.handler = fake
    elif source == "container":
        fake_container = FakeContainer(CONTAINER_PATH, token=table.CONTAINER_AUTH)
        fake_container.script = [reply] * 6
        server.handler = fake_container
    elif source == "sso":
        fake_sso = FakeSso()
        fake_sso.portal_replies = [reply] * 6
        server.handler = fake_sso
    else:
        server.handler = lambda request: reply

    if source == "imds":
        world.enable_imds(url)
        monkeypatch.setenv("AWS_METADATA_SERVICE_TIMEOUT", str(TIMEOUT))
    elif source == "container":
        world.enable_container(url)
        monkeypatch.setattr(_container, "TIMEOUT", TIMEOUT)
    elif source == "sso":
        world.enable_sso(url)
        monkeypatch.setattr(_sso, "TIMEOUT", (TIMEOUT, TIMEOUT))
    else:
        world.enable_web_identity(url)
        monkeypatch.setattr(_sts, "_TIMEOUT", (TIMEOUT, TIMEOUT))


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("source", FAULT_SOURCES)
def test_faults_give_typed_errors_in_bounded_time(
    source: str,
    fault: str,
    kind: str,
    world: World,
    kms: Kms,
    drivers: list[Driver],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    install_fault(world, source, fault, monkeypatch)
    caplog.set_level(logging.DEBUG)
    driver = client(kind, kms, drivers)
    assert world.servers.fault.requests == []
    started = time.monotonic()
    with pytest.raises(
        (CredentialRetrievalError, NoCredentialsError, UnauthorizedSSOTokenError)
    ) as caught:
        driver.call("list_keys")
    elapsed = time.monotonic() - started
    assert isinstance(caught.value, EXPECTED_ERROR[source, fault]), repr(caught.value)
    assert elapsed < 4 * SLOW, f"{elapsed:.2f} s"
    assert kms.requests == [], "nothing may be signed without credentials"
    if fault != "down":
        assert world.servers.fault.requests, "the fault server was never asked"
    assert_no_secret([*error_texts(caught.value), *log_texts(caplog)], world.secrets())


# -- 3b. credentials expiring during a burst of concurrent calls ---------------------------


class Clock:
    """A wall clock the test moves; shared by the provider and the client's signer."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


class Monotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def container_world(world: World, how: str = "env-token") -> FakeContainer:
    """The container source alone, minting new keys (ASIACONTAINER000001, ...) per fetch."""
    world.container.credentials = None
    world.enable_container(world.servers.container.url, how)
    return world.container


def jump_target(jump: str, expiry: datetime) -> datetime:
    return expiry - timedelta(minutes=5) if jump == "mandatory" else expiry + timedelta(minutes=1)


def amz_date(request: httpx.Request) -> datetime:
    return datetime.strptime(request.headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


BEGAN_AFTER_JUMP: contextvars.ContextVar[bool] = contextvars.ContextVar("began", default=False)


@pytest.mark.parametrize("jump", ["mandatory", "expired"])
def test_async_burst_refreshes_once_and_never_signs_with_old_keys(jump: str, world: World) -> None:
    fake = container_world(world)
    clock = Clock()
    records: list[tuple[str, datetime, bool]] = []
    state: dict[str, Any] = {"count": 0, "jumped": False, "target": None}

    async def kms_handler(request: httpx.Request) -> httpx.Response:
        match = CREDENTIAL.search(request.headers["Authorization"])
        assert match
        records.append((match.group(1), amz_date(request), BEGAN_AFTER_JUMP.get()))
        state["count"] += 1
        if state["count"] == 50:  # the 49th call of the burst: time moves
            clock.now = state["target"]
            state["jumped"] = True
        await asyncio.sleep(0)  # let the other calls interleave
        return httpx.Response(200, json={"Keys": [], "Truncated": False})

    async def main() -> None:
        async with (
            httpx.AsyncClient(transport=httpx.MockTransport(kms_handler)) as http,
            trentclient.AsyncClient(region_name=REGION, http_client=http) as client,
        ):
            provider: Any = client._core.credentials
            provider._clock = clock
            client._core.clock = clock
            await client.list_keys()
            first = provider._current
            state["target"] = jump_target(jump, first.expiry)
            fake.lifetime = timedelta(hours=12)  # the refreshed keys are fresh after the jump

            async def one() -> None:
                BEGAN_AFTER_JUMP.set(state["jumped"])
                await client.list_keys()

            await asyncio.gather(*(one() for _ in range(200)))
            assert provider.refresh_count == 2

    asyncio.run(main())
    first_key, second_key = keys_for(1, fake.lifetime, None), keys_for(2, fake.lifetime, None)
    assert len(world.servers.container.requests) == 2, "exactly one refresh fetch"
    assert len(records) == 201
    used = {key for key, _, _ in records}
    assert used == {first_key["AccessKeyId"], second_key["AccessKeyId"]}
    target = state["target"]
    for key, signed_at, began_after in records:
        if began_after or signed_at >= target:
            assert key == second_key["AccessKeyId"], (signed_at, target, began_after)
    assert sum(began for _, _, began in records) > 100


@pytest.mark.parametrize("jump", ["mandatory", "expired"])
def test_threads_burst_refreshes_once_and_never_signs_with_old_keys(
    jump: str, world: World, kms: Kms, drivers: list[Driver]
) -> None:
    fake = container_world(world)
    clock = Clock()
    driver = client("sync", kms, drivers)
    provider = provider_of(driver)
    provider._clock = clock
    driver.client._core.clock = clock
    driver.call("list_keys")
    expiry = provider._current.expiry
    target = jump_target(jump, expiry)
    fake.lifetime = timedelta(hours=12)
    jumped = threading.Event()
    local = threading.local()
    began: dict[int, bool] = {}

    def on_request(number: int) -> None:
        began[number] = getattr(local, "after", False)
        if number == 50:
            clock.now = target
            jumped.set()

    kms.on_request = on_request
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait(5)
            for _ in range(25):
                local.after = jumped.is_set()
                driver.client.list_keys()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert len(world.servers.container.requests) == 2, "exactly one refresh fetch"
    assert provider.refresh_count == 2
    signers = kms.signers()
    assert len(signers) == 201
    first_key = keys_for(1, fake.lifetime, None)["AccessKeyId"]
    second_key = keys_for(2, fake.lifetime, None)["AccessKeyId"]
    assert set(signers) == {first_key, second_key}
    after = [signers[n - 1] for n, was_after in began.items() if was_after]
    assert after and set(after) == {second_key}


# -- 3c. rotated token files ---------------------------------------------------------------


def test_web_identity_token_file_rotated_between_refreshes(
    kind: str, world: World, kms: Kms, drivers: list[Driver]
) -> None:
    world.enable_web_identity(world.servers.sts.url)
    driver = client(kind, kms, drivers)
    provider = provider_of(driver)
    clock = Clock()
    provider._clock = clock
    driver.call("list_keys")
    world.token_file.write_text("eyJ.ROTATED-web-identity-token-SECRET.sig", encoding="utf-8")
    clock.now = provider._current.expiry - timedelta(minutes=5)  # the mandatory window
    driver.call("list_keys")
    sent = [
        dict(parse_qsl(request.body.decode()))["WebIdentityToken"]
        for request in world.servers.sts.requests
    ]
    assert sent == [table.WEB_TOKEN, "eyJ.ROTATED-web-identity-token-SECRET.sig"]
    first, second = kms.signers()
    assert first != second and second.startswith("ASIA")


def test_container_token_file_rotated_between_refreshes(
    kind: str, world: World, kms: Kms, drivers: list[Driver]
) -> None:
    fake = container_world(world, "token-file")
    driver = client(kind, kms, drivers)
    provider = provider_of(driver)
    clock = Clock()
    provider._clock = clock
    driver.call("list_keys")
    rotated = "container-auth-token-ROTATED-SECRET-2"
    world.container_token_file.write_text(rotated, encoding="utf-8")
    fake.rotate(rotated)  # the old token is refused from now on
    clock.now = provider._current.expiry - timedelta(minutes=5)
    driver.call("list_keys")
    sent = [request.header("Authorization") for request in world.servers.container.requests]
    assert sent == [table.CONTAINER_AUTH, rotated]
    assert kms.signers() == ["ASIACONTAINER000001", "ASIACONTAINER000002"]


# -- 3d. a failed advisory refresh keeps the keys and backs off -----------------------------


def test_advisory_refresh_failure_keeps_keys_and_backs_off(
    kind: str,
    world: World,
    kms: Kms,
    drivers: list[Driver],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from tests.fake_container import error

    fake = container_world(world)
    monkeypatch.setattr(_container, "ATTEMPTS", 1)
    driver = client(kind, kms, drivers)
    provider = provider_of(driver)
    clock, monotonic = Clock(), Monotonic()
    provider._clock, provider._monotonic = clock, monotonic
    requests = world.servers.container.requests

    def call() -> None:
        driver.call("list_keys")
        task = getattr(provider, "_task", None)
        if kind != "sync" and task is not None and not task.done():
            driver.run(asyncio.wait([task]))  # the background refresh, to its end

    call()
    assert len(requests) == 1
    clock.now = provider._current.expiry - timedelta(minutes=12)  # advisory, not mandatory
    fake.script = [error(500, "InternalError", "agent restarting")] * 2
    caplog.set_level(logging.WARNING, logger="trentclient.credentials")
    call()
    assert len(requests) == 2, "one advisory attempt"
    for _ in range(5):
        call()
    monotonic.now += 59
    call()
    assert len(requests) == 2, "no second attempt within 60 s"
    monotonic.now += 2
    call()
    assert len(requests) == 3, "tried again after 60 s (and failed again)"
    call()
    assert len(requests) == 3
    assert set(kms.signers()) == {"ASIACONTAINER000001"}, "the current keys were kept"
    warnings = [r for r in caplog.records if "Advisory refresh" in r.getMessage()]
    assert len(warnings) == 2
    monotonic.now += 61
    call()  # now the agent answers: fresh keys
    call()
    assert len(requests) == 4
    assert kms.signers()[-1] == "ASIACONTAINER000002"
    assert_no_secret(log_texts(caplog), world.secrets())


def test_expired_while_an_advisory_refresh_fails_is_not_signed_with_old_keys(
    kind: str, world: World, kms: Kms, drivers: list[Driver], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An advisory refresh is in flight (a background task; a thread holding the lock) when
    the keys expire; it then fails. The call that waited for it must not go out with the
    expired keys: it refreshes for real (or raises)."""
    fake = container_world(world)
    monkeypatch.setattr(_container, "ATTEMPTS", 1)
    driver = client(kind, kms, drivers)
    provider = provider_of(driver)
    clock = Clock()
    provider._clock = clock
    driver.client._core.clock = clock
    driver.call("list_keys")
    expiry = provider._current.expiry
    clock.now = expiry - timedelta(minutes=12)  # advisory
    fake.script = [Reply(500, b'{"code": "Busy", "message": "later"}', delay=0.3)]
    fake.lifetime = timedelta(hours=12)
    callers: dict[int, str] = {}
    kms.on_request = lambda number: callers.__setitem__(number, threading.current_thread().name)
    waiter = threading.current_thread().name

    if kind == "sync":
        advisory = threading.Thread(target=driver.client.list_keys, name="advisory")
        advisory.start()
        deadline = time.monotonic() + 5
        while len(world.servers.container.requests) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        clock.now = expiry + timedelta(minutes=1)  # expired while the refresh is in flight
        driver.call("list_keys")
        advisory.join(5)
    else:

        async def advisory_then_expired() -> None:
            await driver.client.list_keys()  # starts the background refresh, signs with key 1
            clock.now = expiry + timedelta(minutes=1)  # expired while it is in flight
            await driver.client.list_keys()

        driver.run(advisory_then_expired())
    assert len(world.servers.container.requests) == 3  # first, failed advisory, mandatory
    signers = kms.signers()
    assert len(signers) == 3
    waited = [signers[n - 1] for n, name in callers.items() if name == waiter]
    assert waited[-1] == "ASIACONTAINER000002", "signed with expired keys"
