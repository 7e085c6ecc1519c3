"""Credentials that expire: fetched on first use, refreshed before they expire, single-flight.

:class:`RefreshingProvider` wraps a *source* (an object whose ``flow()`` yields the effects of
``_flow``), and drives it with the sync driver for ``Client`` and the async one for
``AsyncClient``. The rules, botocore's plus what its users missed:

- nothing happens at construction; the first call fetches (a *deferred* provider, as
  botocore's assume-role, web identity and SSO credentials);
- more than the *advisory* window left (15 minutes): the cached keys are used, no lock;
- inside the advisory window: one caller refreshes (``Client``: the thread that gets the lock
  without waiting; ``AsyncClient``: a background task) while everyone else, that caller too
  on the event loop, goes on with the still-valid keys. If that refresh fails, it is logged
  and not tried again for :data:`ADVISORY_BACKOFF` seconds (botocore tries again on every
  call);
- inside the *mandatory* window (10 minutes), or expired: callers wait for one refresh; its
  failure raises on every waiting call (a source may instead extend keys it already has:
  IMDS's static stability);
- windows are capped for short-lived credentials: keys issued for 15 minutes or less get
  half (advisory) and a quarter (mandatory) of that lifetime, so 15-minute credentials (KIAM,
  ``login``) are not refreshed on every call; longer-lived keys keep botocore's windows;
- keys without an expiry are kept for good.

``RefreshableCredentialProvider(fetch)`` is the same engine over a user's callable (plain or
``async def``): ``credential_provider=fetch``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from trentclient._exceptions import CredentialRetrievalError, NoCredentialsError, TrentError

from ._drive import run_async, run_sync
from ._flow import CallFunction, Flow, Keys, utcnow

if TYPE_CHECKING:
    import asyncio

    from trentclient._credvalue import Credentials

__all__ = ["ADVISORY", "MANDATORY", "RefreshableCredentialProvider", "RefreshingProvider", "Source"]

logger = logging.getLogger("trentclient.credentials")

ADVISORY = timedelta(minutes=15)
MANDATORY = timedelta(minutes=10)
#: Credentials issued for this long or less get windows of half and a quarter of their life.
SHORT_LIVED = timedelta(minutes=15)
#: Seconds without another advisory attempt after one failed.
ADVISORY_BACKOFF = 60.0

Fetch = Callable[[], "Credentials"] | Callable[[], Awaitable["Credentials"]]


class Source(Protocol):
    """What ``RefreshingProvider`` drives. ``method`` is botocore's name for the source."""

    @property
    def method(self) -> str: ...

    def flow(self) -> Flow[Keys | None]:
        """Fetch keys; ``None`` means the source has nothing (the provider then raises
        ``NoCredentialsError`` with :meth:`not_found`)."""
        ...

    def not_found(self) -> str: ...

    def failed(self, error: Exception) -> TrentError:
        """The typed error for an unexpected exception out of the flow."""
        ...


class RefreshingProvider:
    """Keys from a source, fetched on first use and refreshed as the module doc says.

    Thread-safe for ``Client``; single-flight and non-blocking for ``AsyncClient``.
    """

    fixed_keys: ClassVar[bool] = False

    def __init__(
        self,
        source: Source,
        *,
        advisory: timedelta = ADVISORY,
        mandatory: timedelta = MANDATORY,
        clock: Callable[[], datetime] = utcnow,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self.advisory = advisory
        self.mandatory = mandatory
        self._clock = clock
        self._monotonic = monotonic
        self._current: Keys | None = None
        self._lock = threading.Lock()
        self._task: asyncio.Task[Keys] | None = None
        self._task_is_advisory = False
        self._quiet_until = 0.0  # no advisory attempt before this (monotonic seconds)
        #: How many fetches finished with keys (for tests and diagnostics).
        self.refresh_count = 0

    @property
    def method(self) -> str:
        return self.source.method

    def __repr__(self) -> str:
        expiry = self._current.expiry if self._current is not None else None
        return f"{type(self).__name__}(method={self.method!r}, expiry={expiry!r})"

    # -- state -------------------------------------------------------------------------------

    def _windows(self, keys: Keys) -> tuple[timedelta, timedelta]:
        assert keys.expiry is not None
        lifetime = keys.expiry - keys.obtained
        if lifetime > SHORT_LIVED:
            return self.advisory, self.mandatory  # botocore's windows
        return min(self.advisory, lifetime / 2), min(self.mandatory, lifetime / 4)

    def _state(self) -> str:
        current = self._current
        if current is None:
            return "mandatory"
        if current.expiry is None:
            return "fresh"
        advisory, mandatory = self._windows(current)
        left = current.expiry - self._clock()
        if left <= mandatory:
            return "mandatory"
        if left <= advisory:
            return "advisory"
        return "fresh"

    def _accept(self, keys: Keys | None) -> Keys:
        if keys is None:
            raise NoCredentialsError(self.source.not_found())
        if not isinstance(keys, Keys):  # pragma: no cover - a programming error in a source
            raise TypeError(f"a credential source returned {type(keys).__name__}, not Keys")
        if keys.expiry is not None and keys.expiry <= self._clock():
            raise CredentialRetrievalError(
                "the source returned credentials that have already expired "
                f"(expiry {keys.expiry.isoformat()}); check the clock and the source",
                provider=self.method,
            )
        keys.obtained = self._clock()
        self.refresh_count += 1
        self._current = keys
        self._quiet_until = 0.0
        return keys

    def _typed(self, error: Exception) -> TrentError:
        return error if isinstance(error, TrentError) else self.source.failed(error)

    def _advisory_failed(self, error: Exception) -> None:
        self._quiet_until = self._monotonic() + ADVISORY_BACKOFF
        logger.warning(
            "Advisory refresh of %s credentials failed; using the current ones, next try in "
            "%.0f s: %s",
            self.method,
            ADVISORY_BACKOFF,
            self._typed(error),
        )

    def _mandatory_failed(self, error: Exception) -> Keys:
        """Keys to go on with after a failed mandatory refresh, or raise the typed error."""
        extend = getattr(self.source, "extend_after_failure", None)
        current = self._current
        if extend is not None and current is not None:
            extended: Keys | None = extend(current, self._clock())
            if extended is not None:
                self._current = extended
                return extended
        typed = self._typed(error)
        if typed is error:
            raise typed
        raise typed from error

    # -- sync ------------------------------------------------------------------------------

    def get_keys(self) -> Keys:
        """The keys to sign with now (blocking; thread-safe)."""
        state = self._state()
        if state == "fresh":
            assert self._current is not None
            return self._current
        if state == "advisory":
            if self._monotonic() >= self._quiet_until and self._lock.acquire(blocking=False):
                try:
                    if self._state() == "advisory":
                        try:
                            self._accept(run_sync(self.source.flow()))
                        except Exception as exc:
                            self._advisory_failed(exc)
                finally:
                    self._lock.release()
            assert self._current is not None
            return self._current
        with self._lock:
            if self._state() == "mandatory":
                try:
                    return self._accept(run_sync(self.source.flow()))
                except Exception as exc:
                    return self._mandatory_failed(exc)
            assert self._current is not None
            return self._current

    def get_credentials(self) -> Credentials:
        return self.get_keys().credentials

    # -- async -----------------------------------------------------------------------------

    async def _refresh_async(self, advisory: bool) -> Keys:
        try:
            return self._accept(await run_async(self.source.flow()))
        except Exception as exc:
            if advisory:
                self._advisory_failed(exc)
                assert self._current is not None
                return self._current
            return self._mandatory_failed(exc)

    def _running(self) -> asyncio.Task[Keys] | None:
        import asyncio

        task = self._task
        if task is None or task.done() or task.get_loop() is not asyncio.get_running_loop():
            return None
        return task

    def _start(self, advisory: bool) -> asyncio.Task[Keys]:
        import asyncio

        task = self._running()
        if task is None:
            task = asyncio.get_running_loop().create_task(self._refresh_async(advisory))
            task.add_done_callback(_consume)
            self._task = task
            self._task_is_advisory = advisory
        return task

    async def aget_keys(self) -> Keys:
        """Like ``get_keys``, on the event loop: single-flight, never blocking it."""
        import asyncio

        state = self._state()
        if state == "fresh":
            assert self._current is not None
            return self._current
        if state == "advisory":
            assert self._current is not None
            if self._monotonic() >= self._quiet_until:
                self._start(advisory=True)
            return self._current
        running = self._running()
        if running is not None and self._task_is_advisory:
            # A background refresh is under way: its outcome may be enough.
            await asyncio.shield(running)
            if self._state() != "mandatory":
                assert self._current is not None
                return self._current
        return await asyncio.shield(self._start(advisory=False))

    async def aget_credentials(self) -> Credentials:
        return (await self.aget_keys()).credentials


def _consume(task: asyncio.Task[Any]) -> None:
    # A background refresh nobody awaited must not log "exception was never retrieved".
    if not task.cancelled():
        task.exception()


# -- a user's callable ------------------------------------------------------------------------


class _CallableSource:
    method = "credential_provider"

    def __init__(self, fetch: Fetch) -> None:
        self._fetch = fetch

    def flow(self) -> Flow[Keys | None]:
        from trentclient._credvalue import Credentials

        value = yield CallFunction(self._fetch)
        if not isinstance(value, Credentials):
            raise NoCredentialsError(
                f"credential_provider returned {type(value).__name__}, not trentclient.Credentials"
            )
        return Keys.from_credentials(value)

    def not_found(self) -> str:  # pragma: no cover - flow() never returns None
        return "credential_provider returned nothing"

    def failed(self, error: Exception) -> TrentError:
        if isinstance(error, TypeError) and "needs AsyncClient" in str(error):
            return NoCredentialsError(
                "an async credential_provider needs AsyncClient; Client calls it synchronously"
            )
        return NoCredentialsError(f"Refreshing credentials failed: {type(error).__name__}")


class RefreshableCredentialProvider(RefreshingProvider):
    """Credentials from ``fetch()`` (plain or ``async def``), which returns
    ``trentclient.Credentials`` with an ``expiry``; refreshed as the module doc says.
    Credentials without an expiry are kept for good."""

    def __init__(
        self,
        fetch: Fetch,
        *,
        advisory: timedelta = ADVISORY,
        mandatory: timedelta = MANDATORY,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        if not callable(fetch):
            raise TypeError("credential_provider must be callable or have get_credentials()")
        super().__init__(
            _CallableSource(fetch), advisory=advisory, mandatory=mandatory, clock=clock
        )

    def __repr__(self) -> str:
        expiry = self._current.expiry if self._current is not None else None
        return f"RefreshableCredentialProvider(expiry={expiry!r})"
