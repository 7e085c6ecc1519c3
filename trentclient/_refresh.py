"""Credentials that expire: refreshed before they do, without blocking an event loop.

``RefreshableCredentialProvider(fetch)`` wraps a callable that returns ``Credentials`` with an
``expiry`` (a plain function, or an ``async def`` one for ``AsyncClient``). Like botocore:

- more than 15 minutes left: the cached credentials are used;
- under 15 minutes (advisory): one caller refreshes; if that fails, the old ones are kept;
- under 10 minutes, or expired (mandatory): callers wait for a refresh, and a failure raises
  ``NoCredentialsError``.

``get_credentials()`` is thread-safe for ``Client``. ``aget_credentials()`` is single-flight for
``AsyncClient``: however many calls are in flight, one refresh runs; an advisory refresh runs in
the background while callers go on with the still-valid credentials, and a blocking ``fetch``
runs in a worker thread, never on the event loop.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ._exceptions import NoCredentialsError

if TYPE_CHECKING:
    import asyncio

    from ._credvalue import Credentials

__all__ = ["RefreshableCredentialProvider"]

ADVISORY = timedelta(minutes=15)
MANDATORY = timedelta(minutes=10)

Fetch = Callable[[], "Credentials"] | Callable[[], Awaitable["Credentials"]]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class RefreshableCredentialProvider:
    """Credentials from ``fetch()``, refreshed 15 minutes (advisory) / 10 minutes (mandatory)
    before their ``expiry``. Credentials without an expiry are kept for good."""

    def __init__(
        self,
        fetch: Fetch,
        *,
        advisory: timedelta = ADVISORY,
        mandatory: timedelta = MANDATORY,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        if not callable(fetch):
            raise TypeError("credential_provider must be callable or have get_credentials()")
        self._fetch = fetch
        self._is_async = inspect.iscoroutinefunction(fetch) or inspect.iscoroutinefunction(
            getattr(fetch, "__call__", None)  # noqa: B004 - an object with an async __call__
        )
        self.advisory = advisory
        self.mandatory = mandatory
        self._clock = clock
        self._current: Credentials | None = None
        self._lock = threading.Lock()
        self._task: asyncio.Task[Credentials] | None = None
        #: How many times ``fetch`` was called (for tests and diagnostics).
        self.refresh_count = 0

    def __repr__(self) -> str:
        expiry = self._current.expiry if self._current is not None else None
        return f"RefreshableCredentialProvider(expiry={expiry!r})"

    def _state(self) -> str:
        current = self._current
        if current is None:
            return "mandatory"
        if current.expiry is None:
            return "fresh"
        left = current.expiry - self._clock()
        if left <= self.mandatory:
            return "mandatory"
        if left <= self.advisory:
            return "advisory"
        return "fresh"

    def _accept(self, value: Any) -> Credentials:
        from ._credvalue import Credentials

        if not isinstance(value, Credentials):
            raise NoCredentialsError(
                f"credential_provider returned {type(value).__name__}, not trentclient.Credentials"
            )
        self.refresh_count += 1
        self._current = value
        return value

    # -- sync ------------------------------------------------------------------------------

    def _fetch_sync(self) -> Credentials:
        if self._is_async:
            raise NoCredentialsError(
                "an async credential_provider needs AsyncClient; Client calls it synchronously"
            )
        return self._accept(self._fetch())

    def get_credentials(self) -> Credentials:
        """The credentials to sign with now; refreshes as described in the module doc."""
        state = self._state()
        if state == "fresh":
            assert self._current is not None
            return self._current
        if state == "advisory":
            assert self._current is not None
            if self._lock.acquire(blocking=False):
                try:
                    if self._state() == "advisory":
                        self._fetch_sync()
                except Exception:  # advisory: keep the still-valid credentials
                    pass
                finally:
                    self._lock.release()
            return self._current
        with self._lock:
            if self._state() == "mandatory":
                try:
                    self._fetch_sync()
                except NoCredentialsError:
                    raise
                except Exception as exc:
                    raise NoCredentialsError(
                        f"Refreshing credentials failed: {type(exc).__name__}"
                    ) from exc
            assert self._current is not None
            return self._current

    # -- async -----------------------------------------------------------------------------

    async def _fetch_async(self) -> Credentials:
        import asyncio

        if self._is_async:
            value = await self._fetch()  # type: ignore[misc]
        else:
            value = await asyncio.to_thread(self._fetch)
        return self._accept(value)

    def _start(self) -> asyncio.Task[Credentials]:
        import asyncio

        task = self._task
        if task is None or task.done():
            task = asyncio.get_running_loop().create_task(self._fetch_async())
            task.add_done_callback(_consume)
            self._task = task
        return task

    async def aget_credentials(self) -> Credentials:
        """Like ``get_credentials``, for the event loop: single-flight, never blocking."""
        import asyncio

        state = self._state()
        if state == "fresh":
            assert self._current is not None
            return self._current
        if state == "advisory":
            assert self._current is not None
            self._start()
            return self._current
        task = self._start()
        try:
            return await asyncio.shield(task)
        except NoCredentialsError:
            raise
        except Exception as exc:
            raise NoCredentialsError(
                f"Refreshing credentials failed: {type(exc).__name__}"
            ) from exc


def _consume(task: asyncio.Task[Any]) -> None:
    # An advisory refresh nobody awaited must not log "exception was never retrieved".
    if not task.cancelled():
        task.exception()
