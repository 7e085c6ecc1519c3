"""The refresh engine (``RefreshingProvider``) and the environment / credential_process sources.

The engine is driven with a fake source whose flow asks a plain function for keys (through
``CallFunction``, so the async driver runs it in a worker thread), a fake clock and a fake
monotonic clock.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import shlex
import sys
import threading
import time
from pathlib import Path
from typing import Any

import botocore.credentials
import botocore.exceptions
import pytest

from trentclient._credentials._env import EnvSource, env_credentials
from trentclient._credentials._flow import CallFunction, Flow, Keys
from trentclient._credentials._process import ProcessSource
from trentclient._credentials._refresh import ADVISORY_BACKOFF, RefreshingProvider
from trentclient._credentials._static import StaticCredentialProvider
from trentclient._exceptions import CredentialRetrievalError, NoCredentialsError, TrentError

UTC = dt.UTC
START = dt.datetime(2030, 1, 1, tzinfo=UTC)
SECRET = "SECRETsentinel/9f8e7d6c5b4a+zz"


class Clock:
    def __init__(self) -> None:
        self.now = START
        self.mono = 1000.0

    def __call__(self) -> dt.datetime:
        return self.now

    def monotonic(self) -> float:
        return self.mono

    def advance(self, **delta: float) -> None:
        step = dt.timedelta(**delta)
        self.now += step
        self.mono += step.total_seconds()


class FakeSource:
    method = "fake"

    def __init__(self, clock: Clock, lifetime: dt.timedelta = dt.timedelta(hours=1)) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self.calls = 0
        self.fail: Exception | None = None
        self.result: str = "keys"  # or "none" or "expired"
        self.delay = 0.0
        self.threads: list[str] = []
        self._lock = threading.Lock()

    def fetch(self) -> Keys | None:
        with self._lock:
            self.calls += 1
            number = self.calls
        self.threads.append(threading.current_thread().name)
        if self.delay:
            time.sleep(self.delay)
        if self.fail is not None:
            raise self.fail
        if self.result == "none":
            return None
        expiry = self.clock() + (
            self.lifetime if self.result == "keys" else -dt.timedelta(seconds=1)
        )
        return Keys(f"AK{number:04d}", SECRET, "token", expiry=expiry)

    def flow(self) -> Flow[Keys | None]:
        keys: Keys | None = yield CallFunction(self.fetch)
        return keys

    def not_found(self) -> str:
        return "the fake source has nothing"

    def failed(self, error: Exception) -> TrentError:
        return CredentialRetrievalError(f"fake failed: {type(error).__name__}", provider="fake")


def make(
    lifetime: dt.timedelta = dt.timedelta(hours=1),
) -> tuple[RefreshingProvider, FakeSource, Clock]:
    clock = Clock()
    source = FakeSource(clock, lifetime)
    provider = RefreshingProvider(source, clock=clock, monotonic=clock.monotonic)
    return provider, source, clock


def get(provider: RefreshingProvider, kind: str) -> Keys:
    if kind == "sync":
        return provider.get_keys()
    return asyncio.run(provider.aget_keys())


# -- windows ---------------------------------------------------------------------------------


def test_deferred_until_first_use() -> None:
    provider, source, _ = make()
    assert source.calls == 0
    assert provider.get_keys().access_key == "AK0001"
    assert source.calls == 1


@pytest.mark.parametrize(
    ("lifetime_min", "fresh_left", "advisory_left", "mandatory_left"),
    [
        (60, 16, 14, 9),  # botocore's 15 / 10 minutes
        (20, 16, 14, 9),  # still botocore's: only credentials of 15 minutes or less are capped
        (15, 8, 7, 3),  # capped: half (7.5) and a quarter (3.75) of the lifetime
        (5, 3, 2, 1),  # 2.5 / 1.25
    ],
)
def test_windows_sync(
    lifetime_min: int, fresh_left: float, advisory_left: float, mandatory_left: float
) -> None:
    provider, source, clock = make(dt.timedelta(minutes=lifetime_min))
    first = provider.get_keys()
    clock.advance(minutes=lifetime_min - fresh_left)
    assert provider.get_keys() is first and source.calls == 1
    clock.advance(minutes=fresh_left - advisory_left)
    second = provider.get_keys()  # advisory: this caller refreshes, gets the new keys
    assert source.calls == 2 and second is not first
    # The new keys are fresh again: no more fetching.
    assert provider.get_keys() is second and source.calls == 2
    clock.advance(minutes=lifetime_min - mandatory_left)
    third = provider.get_keys()
    assert source.calls == 3 and third is not second


def test_short_lived_credentials_are_not_refreshed_on_every_call() -> None:
    # kiam #270: 15-minute credentials and a 15-minute advisory window.
    provider, source, clock = make(dt.timedelta(minutes=15))
    for _ in range(100):
        provider.get_keys()
        clock.advance(seconds=3)  # 5 minutes in all
    assert source.calls == 1


# -- failures --------------------------------------------------------------------------------


def test_advisory_failure_keeps_keys_and_backs_off(caplog: pytest.LogCaptureFixture) -> None:
    provider, source, clock = make()
    first = provider.get_keys()
    clock.advance(minutes=47)  # 13 minutes left: advisory
    source.fail = RuntimeError("sts is down")
    assert provider.get_keys() is first
    assert source.calls == 2
    for _ in range(20):  # within the backoff: no new attempt, however many calls
        clock.advance(seconds=1)
        assert provider.get_keys() is first
    assert source.calls == 2
    clock.advance(seconds=ADVISORY_BACKOFF)
    source.fail = None
    assert provider.get_keys() is not first
    assert source.calls == 3
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings and "Advisory refresh of fake credentials failed" in warnings[0].getMessage()
    assert SECRET not in caplog.text


def test_async_advisory_failure_keeps_keys_and_backs_off() -> None:
    provider, source, clock = make()
    first = provider.get_keys()

    async def settle() -> None:
        for _ in range(200):
            await asyncio.sleep(0.005)
            if provider._task is None or provider._task.done():
                return

    async def main() -> None:
        clock.advance(minutes=47)
        source.fail = RuntimeError("sts is down")
        assert await provider.aget_keys() is first  # starts the background refresh
        await settle()
        assert source.calls == 2
        for _ in range(20):
            clock.advance(seconds=1)
            assert await provider.aget_keys() is first
            await settle()
        assert source.calls == 2  # backing off: no task per call
        clock.advance(seconds=ADVISORY_BACKOFF)
        source.fail = None
        await provider.aget_keys()
        await settle()
        assert source.calls == 3
        assert await provider.aget_keys() is not first

    asyncio.run(main())


def test_mandatory_failure_raises_the_typed_error(kind: str) -> None:
    provider, source, clock = make()
    get(provider, kind)
    clock.advance(minutes=55)
    source.fail = RuntimeError("boom")
    with pytest.raises(CredentialRetrievalError, match="fake failed: RuntimeError"):
        get(provider, kind)
    source.fail = CredentialRetrievalError("typed", provider="fake")
    with pytest.raises(CredentialRetrievalError, match="typed"):
        get(provider, kind)
    source.fail = None
    assert get(provider, kind).access_key == "AK0004"


def test_source_with_nothing(kind: str) -> None:
    provider, source, _ = make()
    source.result = "none"
    with pytest.raises(NoCredentialsError, match="the fake source has nothing"):
        get(provider, kind)


def test_expired_keys_from_a_source_are_refused(kind: str) -> None:
    provider, source, _ = make()
    source.result = "expired"
    with pytest.raises(CredentialRetrievalError, match="already expired"):
        get(provider, kind)


def test_extend_after_failure_is_used(kind: str) -> None:
    provider, source, clock = make()
    first = get(provider, kind)
    extended_to: list[dt.datetime] = []

    def extend(current: Keys, now: dt.datetime) -> Keys:
        extended = current.with_expiry(now + dt.timedelta(minutes=12))
        extended.obtained = now
        extended_to.append(now)
        return extended

    source.extend_after_failure = extend  # type: ignore[attr-defined]
    clock.advance(minutes=55)
    source.fail = RuntimeError("imds timed out")
    keys = get(provider, kind)
    assert keys.access_key == first.access_key
    assert keys.expiry == clock.now + dt.timedelta(minutes=12)
    assert len(extended_to) == 1


# -- single flight ---------------------------------------------------------------------------


def test_threads_wait_for_one_mandatory_refresh() -> None:
    provider, source, clock = make()
    provider.get_keys()
    clock.advance(minutes=55)
    source.delay = 0.05
    barrier = threading.Barrier(16)
    seen: list[str] = []

    def worker() -> None:
        barrier.wait()
        seen.append(provider.get_keys().access_key)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert source.calls == 2
    assert set(seen) == {"AK0002"}


def test_threads_in_advisory_do_not_wait() -> None:
    provider, source, clock = make()
    first = provider.get_keys()
    clock.advance(minutes=47)
    source.delay = 0.3
    results: list[tuple[str, float]] = []

    def worker() -> None:
        start = time.monotonic()
        keys = provider.get_keys()
        results.append((keys.access_key, time.monotonic() - start))

    refresher = threading.Thread(target=worker)
    refresher.start()
    time.sleep(0.05)  # the refresher holds the lock now
    others = [threading.Thread(target=worker) for _ in range(8)]
    for thread in others:
        thread.start()
    for thread in [refresher, *others]:
        thread.join(10)
    quick = [r for r in results if r[0] == first.access_key]
    assert len(quick) == 8 and all(elapsed < 0.2 for _, elapsed in quick)
    assert source.calls == 2


def test_async_mandatory_refresh_is_single_flight_and_off_the_loop() -> None:
    provider, source, clock = make()
    provider.get_keys()
    clock.advance(minutes=55)
    source.delay = 0.05

    async def main() -> tuple[list[Keys], int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.005)

        tick = asyncio.create_task(ticker())
        keys = await asyncio.gather(*(provider.aget_keys() for _ in range(300)))
        tick.cancel()
        return keys, ticks

    keys, ticks = asyncio.run(main())
    assert source.calls == 2
    assert {k.access_key for k in keys} == {"AK0002"}
    assert source.threads[1] != "MainThread"  # the fetch ran in a worker thread
    assert ticks >= 3  # the loop kept running while it did


def test_async_advisory_refresh_runs_in_the_background() -> None:
    provider, source, clock = make()
    first = provider.get_keys()
    clock.advance(minutes=47)
    source.delay = 0.05

    async def main() -> tuple[Keys, float, Keys]:
        start = time.monotonic()
        during = await provider.aget_keys()
        elapsed = time.monotonic() - start
        for _ in range(100):
            await asyncio.sleep(0.01)
            if source.calls == 2 and provider._task is not None and provider._task.done():
                break
        return during, elapsed, await provider.aget_keys()

    during, elapsed, after = asyncio.run(main())
    assert during is first and elapsed < 0.04
    assert after is not first and source.calls == 2


def test_background_failure_is_not_an_unretrieved_task_exception(
    caplog: pytest.LogCaptureFixture,
) -> None:
    provider, source, clock = make()
    provider.get_keys()
    clock.advance(minutes=47)
    source.fail = RuntimeError("down")

    async def main() -> None:
        await provider.aget_keys()
        await asyncio.sleep(0.05)

    asyncio.run(main())
    assert "exception was never retrieved" not in caplog.text
    assert source.calls == 2


# -- the environment with AWS_CREDENTIAL_EXPIRATION ------------------------------------------


def test_env_expiration_is_refreshed_from_the_environment() -> None:
    environ = {
        "AWS_ACCESS_KEY_ID": "AKENV1",
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_SESSION_TOKEN": "t1",
        "AWS_CREDENTIAL_EXPIRATION": "2030-01-01T01:00:00Z",
    }
    found = env_credentials(environ)
    assert isinstance(found, EnvSource)
    clock = Clock()
    provider = RefreshingProvider(found, clock=clock, monotonic=clock.monotonic)
    keys = provider.get_keys()
    assert keys.access_key == "AKENV1" and keys.expiry == dt.datetime(2030, 1, 1, 1, tzinfo=UTC)
    environ.update(
        AWS_ACCESS_KEY_ID="AKENV2", AWS_CREDENTIAL_EXPIRATION="2030-01-01T02:00:00+00:00"
    )
    clock.advance(minutes=55)
    assert provider.get_keys().access_key == "AKENV2"


def test_env_without_expiration_is_static_and_bad_expiration_fails_early() -> None:
    found = env_credentials({"AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": SECRET})
    assert isinstance(found, StaticCredentialProvider)
    with pytest.raises(CredentialRetrievalError, match="AWS_CREDENTIAL_EXPIRATION"):
        env_credentials(
            {
                "AWS_ACCESS_KEY_ID": "AK",
                "AWS_SECRET_ACCESS_KEY": SECRET,
                "AWS_CREDENTIAL_EXPIRATION": "soon",
            }
        )


def test_env_expiration_matches_botocore(monkeypatch: pytest.MonkeyPatch) -> None:
    expiry = "2031-05-06T07:08:09Z"
    values = {
        "AWS_ACCESS_KEY_ID": "AKENV",
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_SECURITY_TOKEN": "security",
        "AWS_SESSION_TOKEN": "session",
        "AWS_CREDENTIAL_EXPIRATION": expiry,
    }
    theirs = botocore.credentials.EnvProvider(environ=values).load()
    found = env_credentials(values)
    assert isinstance(found, EnvSource)
    ours = RefreshingProvider(found).get_keys()
    frozen = theirs.get_frozen_credentials()
    assert (ours.access_key, ours.secret_key, ours.token) == (
        frozen.access_key,
        frozen.secret_key,
        frozen.token,
    )
    assert ours.expiry == theirs._expiry_time


# -- credential_process ----------------------------------------------------------------------


def script(tmp_path: Path, body: str) -> str:
    path = tmp_path / "creds.py"
    path.write_text(body, encoding="utf-8")
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(path))}"


def output(**fields: Any) -> str:
    payload = {"Version": 1, "AccessKeyId": "AKPROC", "SecretAccessKey": SECRET, **fields}
    return f"import json\nprint(json.dumps({payload!r}))\n"


def process_keys(command: str, kind: str, **profile: str) -> Keys:
    source = ProcessSource("p", {"credential_process": command, **profile})
    return get(RefreshingProvider(source), kind)


def test_process_static_and_refreshable(tmp_path: Path, kind: str) -> None:
    keys = process_keys(script(tmp_path, output(SessionToken="tok")), kind)
    assert (keys.access_key, keys.secret_key, keys.token, keys.expiry) == (
        "AKPROC",
        SECRET,
        "tok",
        None,
    )
    keys = process_keys(
        script(tmp_path, output(Expiration="2040-01-01T00:00:00Z", AccountId="1234")), kind
    )
    assert keys.expiry == dt.datetime(2040, 1, 1, tzinfo=UTC) and keys.account_id == "1234"
    keys = process_keys(script(tmp_path, output()), kind, aws_account_id="999")
    assert keys.account_id == "999"


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (
            "import sys\nsys.stderr.write('no such role')\nsys.exit(3)\n",
            "exited with status 3: no such role",
        ),
        ("print('not json')\n", "did not print a JSON object"),
        ("print('[1, 2]')\n", "did not print a JSON object"),
        (output(Version="1"), "Unsupported version '1'"),
        (output(Version=2), "Unsupported version '2'"),
        (
            "import json\nprint(json.dumps({'Version': 1, 'AccessKeyId': 'AK'}))\n",
            "Missing required key in response: 'SecretAccessKey'",
        ),
        (output(Expiration="tomorrow"), "ISO 8601"),
        (output(AccessKeyId=5), "AccessKeyId in the output is not a string"),
    ],
)
def test_process_failures_are_typed(tmp_path: Path, kind: str, body: str, match: str) -> None:
    with pytest.raises(CredentialRetrievalError, match=match) as info:
        process_keys(script(tmp_path, body), kind)
    assert info.value.provider == "custom-process" and info.value.profile == "p"
    assert SECRET not in str(info.value)


def test_process_that_cannot_start(kind: str) -> None:
    with pytest.raises(CredentialRetrievalError, match="could not be started"):
        process_keys("/nonexistent/credential-helper --profile x", kind)


def test_process_refreshes_by_running_again(tmp_path: Path) -> None:
    counter = tmp_path / "count"
    body = (
        "import json, pathlib\n"
        f"p = pathlib.Path({str(counter)!r})\n"
        "n = int(p.read_text()) + 1 if p.exists() else 1\n"
        "p.write_text(str(n))\n"
        f"print(json.dumps({{'Version': 1, 'AccessKeyId': f'AK{{n}}', 'SecretAccessKey': 's', "
        "'Expiration': '2030-01-01T01:00:00Z'}))\n"
    )
    clock = Clock()
    source = ProcessSource("p", {"credential_process": script(tmp_path, body)})
    provider = RefreshingProvider(source, clock=clock, monotonic=clock.monotonic)
    assert provider.get_keys().access_key == "AK1"
    clock.advance(minutes=55)
    assert provider.get_keys().access_key == "AK2"


def test_async_process_does_not_block_the_loop(tmp_path: Path) -> None:
    body = "import time\ntime.sleep(0.3)\n" + output()
    source = ProcessSource("p", {"credential_process": script(tmp_path, body)})
    provider = RefreshingProvider(source)

    async def main() -> int:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.01)

        task = asyncio.create_task(ticker())
        await provider.aget_keys()
        task.cancel()
        return ticks

    assert asyncio.run(main()) >= 10


@pytest.mark.parametrize(
    "body",
    [output(SessionToken="t", Expiration="2040-01-01T00:00:00Z"), output(), output(Version="1")],
)
def test_process_matches_botocore(tmp_path: Path, body: str) -> None:
    command = script(tmp_path, body)
    profile = {"credential_process": command}
    provider = botocore.credentials.ProcessProvider("p", lambda: {"profiles": {"p": profile}})
    try:
        theirs: Any = provider.load()
    except botocore.exceptions.CredentialRetrievalError as exc:
        with pytest.raises(CredentialRetrievalError) as ours:
            process_keys(command, "sync")
        assert str(exc).split(": ", 1)[1] in str(ours.value)
        return
    keys = process_keys(command, "sync")
    frozen = theirs.get_frozen_credentials()
    assert (keys.access_key, keys.secret_key, keys.token) == (
        frozen.access_key,
        frozen.secret_key,
        frozen.token,
    )
    assert keys.expiry == getattr(theirs, "_expiry_time", None)


def test_process_output_with_a_secret_in_json_error_stays_hidden(tmp_path: Path) -> None:
    body = 'print(\'{"Version": 1, "SecretAccessKey": ' + json.dumps(SECRET) + "}')\n"
    with pytest.raises(CredentialRetrievalError) as info:
        process_keys(script(tmp_path, body), "sync")
    assert SECRET not in str(info.value)


def test_async_mandatory_does_not_settle_for_a_failed_background_refresh() -> None:
    provider, source, clock = make()
    provider.get_keys()
    source.delay = 0.05
    source.fail = RuntimeError("down")

    async def main() -> None:
        clock.advance(minutes=47)
        await provider.aget_keys()  # advisory: a background refresh starts
        clock.advance(minutes=10)  # 3 minutes left: mandatory, while it still runs
        with pytest.raises(CredentialRetrievalError):
            await provider.aget_keys()

    asyncio.run(main())
    assert source.calls == 3  # the background one, then a mandatory one
