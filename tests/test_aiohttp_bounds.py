"""The aiohttp transport's write bounds (``_Bounds``): one timer for every request in
flight instead of one each (issue 14), with ``asyncio.timeout``'s behaviour: each request
past its own deadline, and only those, ends in ``TimeoutError``, in deadline order,
whatever order they started in; a request that ends first is forgotten."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

pytest.importorskip("aiohttp")

from trentclient._aiohttp import _Bounds  # (needs aiohttp)


async def _bounded(bounds: _Bounds, bound: float, work: float, ended: list[Any]) -> None:
    loop = asyncio.get_running_loop()
    start = loop.time()
    try:
        async with asyncio.timeout(None) as deadline:
            bounds.watch(deadline, bound)
            try:
                await asyncio.sleep(work)
            finally:
                bounds.forget(deadline)
    except TimeoutError:
        ended.append(("timeout", bound, loop.time() - start, deadline.expired()))
        return
    ended.append(("done", bound, loop.time() - start, deadline.expired()))


def test_each_request_ends_at_its_own_deadline() -> None:
    async def main() -> tuple[list[Any], int]:
        loop = asyncio.get_running_loop()
        armed = 0
        real_call_at = loop.call_at

        def call_at(when: float, callback: Any, *args: Any, **kwargs: Any) -> Any:
            nonlocal armed
            if getattr(callback, "__self__", None) is bounds:
                armed += 1
            return real_call_at(when, callback, *args, **kwargs)

        loop.call_at = call_at  # type: ignore[method-assign]
        bounds = _Bounds(loop)
        ended: list[Any] = []
        await asyncio.gather(
            _bounded(bounds, 0.30, 10, ended),
            _bounded(bounds, 0.10, 10, ended),
            _bounded(bounds, 0.20, 10, ended),
            _bounded(bounds, 0.15, 0.01, ended),  # ends long before its bound
            *(_bounded(bounds, 5.0, 0.01, ended) for _ in range(50)),  # later: no new timer
        )
        return ended, armed

    ended, armed = asyncio.run(main())
    timeouts = [(kind, bound) for kind, bound, _, _ in ended if kind == "timeout"]
    assert timeouts == [("timeout", 0.10), ("timeout", 0.20), ("timeout", 0.30)]
    for kind, bound, elapsed, expired in ended:
        assert expired is (kind == "timeout")
        if kind == "timeout":
            assert elapsed >= bound  # never before its deadline
    assert sum(1 for kind, *_ in ended if kind == "done") == 51
    # Armed for 0.30, then 0.10 (earlier), then again for what was left after each firing:
    # not once per request.
    assert armed <= 5


def test_a_forgotten_request_is_not_cancelled() -> None:
    async def main() -> list[Any]:
        bounds = _Bounds(asyncio.get_running_loop())
        ended: list[Any] = []
        await _bounded(bounds, 0.05, 0.0, ended)
        await asyncio.sleep(0.1)  # the timer fires with nothing left to cancel
        await _bounded(bounds, 10.0, 0.0, ended)
        return ended

    assert [(kind, bound) for kind, bound, _, _ in asyncio.run(main())] == [
        ("done", 0.05),
        ("done", 10.0),
    ]
