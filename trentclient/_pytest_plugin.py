"""pytest fixtures for testing code that uses trentclient: ``kms_stub`` and ``async_kms_stub``.

Installing trentclient registers this plugin (the ``pytest11`` entry point ``trentclient``);
disable it with ``-p no:trentclient``. Where the entry point is not installed (or plugin
autoloading is off), load it with ``-p trentclient._pytest_plugin`` or
``pytest_plugins = ["trentclient._pytest_plugin"]`` in your top-level ``conftest.py``; not
both ways at once (pytest refuses to register one plugin twice: add ``-p no:trentclient``).

Each fixture yields an activated ``trentclient.testing.Stubber`` around a fresh
``stubbed_client()`` (region ``us-east-1``, fixed fake credentials, nothing looked up,
nothing sent to the network); the client is ``stub.client``. At teardown the stubber is
deactivated and, if the test passed, every queued response must have been used::

    def test_rotation_is_enabled(kms_stub):
        kms_stub.add_response("enable_key_rotation", {}, expected_params={"KeyId": "k"})
        enable_rotation(kms_stub.client, "k")  # the code under test

``async_kms_stub`` is the same for ``AsyncClient``. The fixture itself is synchronous and
the stubbed transport is bound to no event loop, so the test may run the client on any
loop: ``asyncio.run(...)`` inside a plain test, or an ``async def`` test under
pytest-asyncio or anyio::

    def test_async_describe(async_kms_stub):
        async_kms_stub.add_response("describe_key", {"KeyMetadata": {"KeyId": "k"}})
        result = asyncio.run(async_kms_stub.client.describe_key(KeyId="k"))
        assert result["KeyMetadata"]["KeyId"] == "k"

Importing this module loads nothing beyond pytest and ``import trentclient``; the test
kit is imported when a fixture is first used.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from trentclient import AsyncClient, Client
    from trentclient.testing import Stubber

__all__ = ["async_kms_stub", "kms_stub"]

_TEST_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember a failed setup or call, so teardown does not pile a second error on it."""
    report = yield
    if report.failed and report.when in ("setup", "call"):
        item.stash[_TEST_FAILED] = True
    return report


def _finish(stub: Stubber[Client] | Stubber[AsyncClient], request: pytest.FixtureRequest) -> None:
    try:
        if not request.node.stash.get(_TEST_FAILED, False):
            stub.assert_no_pending_responses()
    finally:
        stub.deactivate()


@pytest.fixture
def kms_stub(request: pytest.FixtureRequest) -> Iterator[Stubber[Client]]:
    """An active ``Stubber`` around a sync ``stubbed_client()`` (``kms_stub.client``).

    At teardown it is deactivated and, if the test passed, must have no pending responses.

    Raises:
        StubResponseError: at teardown of a test that passed, responses remain queued.
    """
    from trentclient.testing import Stubber, stubbed_client

    client = stubbed_client()
    stub = Stubber(client)
    stub.activate()
    try:
        yield stub
        _finish(stub, request)
    finally:
        stub.deactivate()
        client.close()


@pytest.fixture
def async_kms_stub(request: pytest.FixtureRequest) -> Iterator[Stubber[AsyncClient]]:
    """An active ``Stubber`` around an async ``stubbed_client(async_=True)``.

    The fixture is synchronous; await the client's calls on any event loop (for example
    ``asyncio.run(...)`` in the test). Teardown is as for ``kms_stub``; the client holds
    no connections, so it needs no ``aclose()``.

    Raises:
        StubResponseError: at teardown of a test that passed, responses remain queued.
    """
    from trentclient.testing import Stubber, stubbed_client

    client = stubbed_client(async_=True)
    stub = Stubber(client)
    stub.activate()
    try:
        yield stub
        _finish(stub, request)
    finally:
        stub.deactivate()
