"""Shared fixtures: a clean AWS environment, a local moto KMS, and one driver for both clients."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import httpx
import pytest

import trentclient
from trentclient._localkms import LocalKMS, local_kms

AK = "AKIDEXAMPLE"
SK = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


@pytest.fixture(autouse=True)
def clean_aws_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No test sees the developer's AWS settings, files or instance metadata."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    empty = tmp_path_factory.getbasetemp() / "no-aws-files"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(scope="session")
def kms_server() -> Iterator[LocalKMS]:
    """moto's KMS on 127.0.0.1 with SigV4 checking on, for the whole session."""
    with local_kms() as server:
        yield server


class Driver:
    """Calls either client the same way, so one test covers both.

    ``call("enable_key_rotation", KeyId=...)`` returns the result or raises what the client
    raised. The async client runs on one event loop for the whole test.
    """

    def __init__(self, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        self._loop: asyncio.AbstractEventLoop | None = None
        self._http = kwargs.get("http_client")
        if kind == "sync":
            self.client: Any = trentclient.Client(**kwargs)
        else:
            self._loop = asyncio.new_event_loop()
            self.client = trentclient.AsyncClient(**kwargs)

    def call(self, method: str, /, **params: Any) -> Any:
        result = getattr(self.client, method)(**params)
        if self._loop is not None:
            return self._loop.run_until_complete(result)
        return result

    def run(self, value: Any) -> Any:
        """Await ``value`` on the driver's loop when async; return it as is when sync."""
        if self._loop is not None:
            return self._loop.run_until_complete(value)
        return value

    def close(self) -> None:
        if self._loop is not None:
            self._loop.run_until_complete(self.client.aclose())
            if self._http is not None:
                self._loop.run_until_complete(self._http.aclose())
            self._loop.close()
            self._loop = None
        elif self.kind == "sync":
            self.client.close()
            if self._http is not None:
                self._http.close()


def mock_http(kind: str, handler: Callable[[httpx.Request], httpx.Response]) -> Any:
    """An httpx client of the right kind whose transport is ``handler``."""
    if kind == "sync":
        return httpx.Client(transport=httpx.MockTransport(handler))

    async def ahandler(request: httpx.Request) -> httpx.Response:
        return handler(request)

    return httpx.AsyncClient(transport=httpx.MockTransport(ahandler))


#: ``"async"`` is ``AsyncClient`` with its default transport (aiohttp's pool when aiohttp is
#: installed); ``"async-httpx"`` forces httpx's own pool (``Config(async_http="httpx")``).
KINDS = ["sync", "async", "async-httpx"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``kind``: every kind for tests that build clients through ``make_driver``
    (it applies ``async-httpx``'s config); only ``sync`` and ``async`` for tests that use
    ``kind`` directly, which know no ``async-httpx``."""
    if "kind" in metafunc.fixturenames:
        kinds = KINDS if "make_driver" in metafunc.fixturenames else KINDS[:2]
        metafunc.parametrize("kind", kinds, indirect=True)


@pytest.fixture
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_driver(kind: str) -> Iterator[Callable[..., Driver]]:
    """Build a ``Driver`` for the parametrized client kind; closed at the end of the test.

    ``handler=`` routes requests to an in-memory ``httpx.MockTransport``. For
    ``"async-httpx"``, ``async_http="httpx"`` is set on the test's ``config=`` (or a default
    ``Config``).
    """
    drivers: list[Driver] = []

    def make(
        handler: Callable[[httpx.Request], httpx.Response] | None = None, **kwargs: Any
    ) -> Driver:
        kwargs.setdefault("region_name", "us-east-1")
        if "credential_provider" not in kwargs:
            kwargs.setdefault("aws_access_key_id", AK)
            kwargs.setdefault("aws_secret_access_key", SK)
        if handler is not None:
            kwargs["http_client"] = mock_http(kind, handler)
        if kind == "async-httpx":
            config = kwargs.get("config") or trentclient.Config()
            kwargs["config"] = attrs.evolve(config, async_http="httpx")
        driver = Driver(kind, **kwargs)
        driver.client._sleep = _no_sleep(kind)
        drivers.append(driver)
        return driver

    yield make
    for driver in drivers:
        driver.close()


def _no_sleep(kind: str) -> Any:
    """Tests never really sleep: record the delays instead."""
    slept: list[float] = []
    if kind == "sync":

        def sleep(delay: float) -> None:
            slept.append(delay)

        sleep.slept = slept  # type: ignore[attr-defined]
        return sleep

    async def asleep(delay: float) -> None:
        slept.append(delay)

    asleep.slept = slept  # type: ignore[attr-defined]
    return asleep


@pytest.fixture(scope="session")
def sts_server() -> Iterator[str]:
    """moto's server in its own process on 127.0.0.1 (its STS, with moto's auth checks off:
    the KMS server above turns them on for every moto server in this process). Yields its
    URL; stopped at the end of the session."""
    import subprocess
    import sys
    import time

    from tests.faultserver import unused_port

    port = unused_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(url + "/moto-api/", timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("moto's server did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- options and hooks for tests/test_chaos.py -----------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("trentclient chaos suite (tests/test_chaos.py)")
    group.addoption(
        "--chaos-seed",
        type=int,
        default=None,
        help="seed of the chaos suite's fault mix (default: a new random one, printed)",
    )
    group.addoption(
        "--chaos-soak",
        type=float,
        default=None,
        metavar="SECONDS",
        help="run chaos rounds for this long (also TRENTCLIENT_CHAOS_SOAK); off by default",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("chaos_seed", None) is None and hasattr(config.option, "chaos_seed"):
        config.option.chaos_seed = int.from_bytes(os.urandom(4), "big")


def _chaos_line(config: pytest.Config) -> str:
    seed = config.getoption("chaos_seed")
    return f"trentclient chaos seed: {seed} (reproduce with --chaos-seed={seed})"


def pytest_collection_finish(session: pytest.Session) -> None:
    if any(item.nodeid.startswith("tests/test_chaos.py") for item in session.items):
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.ensure_newline()
            reporter.write_line(_chaos_line(session.config))


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    ran = any(
        getattr(report, "nodeid", "").startswith("tests/test_chaos.py")
        for reports in terminalreporter.stats.values()
        for report in reports
    )
    if ran:
        terminalreporter.write_line(_chaos_line(config))
