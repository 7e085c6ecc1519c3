"""Where trentclient's time goes: ``python -m benchmarks.profiling [--calls N] [--top K]``.

Starts the fake KMS, then prints:

1. a per-stage CPU breakdown of one ``enable_key_rotation`` (timeit, µs): validate and
   serialize, build the ``httpx.Request``, sign, parse the answer, and the httpx round trip;
2. cProfile of N sequential ``Client`` calls and of N ``AsyncClient`` calls at 64 in flight
   (over httpx's own pool, and over the aiohttp transport when aiohttp is installed), sorted
   by own time, with µs per call;
3. cProfile of the first ``Client(...)`` construction after import (a fresh interpreter).

cProfile adds its own cost per Python call, so read its figures as shares, not absolutes.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import statistics
import subprocess
import sys
import time
import timeit
from typing import Any

import httpx

import trentclient
from benchmarks import contenders as c
from benchmarks.fakekms import fake_kms

__all__ = ["main"]


def _us(fn: Any, number: int = 2000, repeat: int = 5) -> float:
    fn()
    return statistics.median(timeit.Timer(fn).repeat(repeat=repeat, number=number)) / number * 1e6


def _client(url: str, **kwargs: Any) -> trentclient.Client:
    return trentclient.Client(
        region_name=c.REGION,
        endpoint_url=url,
        aws_access_key_id=c.AK,
        aws_secret_access_key=c.SK,
        **kwargs,
    )


def breakdown(url: str) -> list[tuple[str, float]]:
    """CPU µs of each stage of one sync call, measured apart."""
    import uuid

    from trentclient._protocol import CONTENT_TYPE, parse_response, serialize_body

    kms = _client(url)
    core = kms._core
    rows: list[tuple[str, float]] = []
    rows.append(
        (
            "core.start: look up, validate, serialize, uuid4",
            _us(lambda: core.start("EnableKeyRotation", c.PARAMS)),
        )
    )
    call = core.start("EnableKeyRotation", c.PARAMS)
    op = call.operation
    rows.append(
        ("  serialize_body (validate + json.dumps)", _us(lambda: serialize_body(op, c.PARAMS)))
    )
    rows.append(("  uuid4 invocation id", _us(lambda: str(uuid.uuid4()))))
    timeout = kms._timeout
    rows.append(
        (
            "call.next_request: build + sign + sdk headers",
            _us(lambda: call.next_request(timeout=timeout)),
        )
    )
    body = call.body
    rows.append(
        (
            "  httpx.Request(...) alone",
            _us(
                lambda: httpx.Request(
                    "POST",
                    core.url,
                    headers=[
                        ("X-Amz-Target", op.target),
                        ("Content-Type", CONTENT_TYPE),
                        ("User-Agent", core.user_agent),
                    ],
                    content=body,
                )
            ),
        )
    )
    request = call.next_request(timeout=timeout)
    auth = trentclient.SigV4Auth(core.credentials, core.signing_region)  # (as core.auth signs)
    rows.append(("  SigV4Auth.sign alone", _us(lambda: auth.sign(request))))
    rows.append(("  core.now() (clock)", _us(core.now)))
    http = kms._http
    response = http.send(request)
    headers, status, content = response.headers, response.status_code, response.content
    rows.append(
        (
            "parse_response (json + ResponseMetadata)",
            _us(lambda: parse_response(op, status, headers, content)),
        )
    )

    def roundtrip() -> None:
        r = http.send(request, stream=True, auth=None, follow_redirects=False)
        for _ in r.iter_bytes():
            pass
        r.close()

    rows.append(("httpx send + read + close (wall, includes the server)", _us(roundtrip, 500)))
    p0 = time.process_time()
    for _ in range(1000):
        roundtrip()
    rows.append(("httpx send + read + close (CPU)", (time.process_time() - p0) / 1000 * 1e6))
    p0 = time.process_time()
    for _ in range(1000):
        kms.enable_key_rotation(**c.PARAMS)
    rows.append(("whole enable_key_rotation (CPU)", (time.process_time() - p0) / 1000 * 1e6))
    kms.close()
    return rows


def _stats_text(profile: cProfile.Profile, calls: int, top: int, sort: str) -> str:
    stream = io.StringIO()
    stats = pstats.Stats(profile, stream=stream)
    stats.sort_stats(sort)
    stats.print_stats(top)
    text = stream.getvalue()
    total = stats.total_tt  # type: ignore[attr-defined]
    return f"total {total / calls * 1e6:.0f} µs per call under cProfile ({calls} calls)\n" + text


def profile_sync(url: str, calls: int, top: int) -> str:
    kms = _client(url)
    for _ in range(200):
        kms.enable_key_rotation(**c.PARAMS)
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(calls):
        kms.enable_key_rotation(**c.PARAMS)
    profile.disable()
    kms.close()
    return _stats_text(profile, calls, top, "tottime")


def profile_async(url: str, calls: int, top: int, transport: str) -> str:
    async def run() -> cProfile.Profile:
        http: httpx.AsyncClient | None = None
        if transport == "aiohttp":
            from benchmarks.aiohttp_transport import AiohttpTransport

            http = httpx.AsyncClient(transport=AiohttpTransport(limit=64))
        kms = trentclient.AsyncClient(
            region_name=c.REGION,
            endpoint_url=url,
            aws_access_key_id=c.AK,
            aws_secret_access_key=c.SK,
            config=trentclient.Config(max_pool_connections=64),
            http_client=http,
        )

        async def worker(n: int) -> None:
            for _ in range(n):
                await kms.enable_key_rotation(**c.PARAMS)

        await asyncio.gather(*(worker(2) for _ in range(64)))
        profile = cProfile.Profile()
        profile.enable()
        await asyncio.gather(*(worker(max(1, calls // 64)) for _ in range(64)))
        profile.disable()
        await kms.aclose()
        if http is not None:
            await http.aclose()
        return profile

    profile = asyncio.run(run())
    return _stats_text(profile, max(1, calls // 64) * 64, top, "tottime")


def profile_first_construction(url: str, top: int) -> str:
    code = (
        "import cProfile, pstats, io, trentclient\n"
        "p = cProfile.Profile(); p.enable()\n"
        f"k = trentclient.Client(region_name={c.REGION!r}, endpoint_url={url!r}, "
        f"aws_access_key_id={c.AK!r}, aws_secret_access_key={c.SK!r})\n"
        "p.disable(); s = io.StringIO(); st = pstats.Stats(p, stream=s)\n"
        f"st.sort_stats('cumulative').print_stats({top}); print(s.getvalue())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    return out.stdout + out.stderr[-2000:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    with fake_kms(max_seconds=600) as (url, _pid):
        print("== per-stage CPU of one sync EnableKeyRotation (µs, timeit medians)")
        for label, value in breakdown(url):
            print(f"{value:9.1f}  {label}")
        print("\n== cProfile: trentclient.Client, sequential")
        print(profile_sync(url, args.calls, args.top))
        print("\n== cProfile: trentclient.AsyncClient, 64 in flight, httpx's pool")
        print(profile_async(url, min(args.calls, 1280), args.top, "httpx"))
        if not c.missing_modules(("aiohttp",)):
            print("\n== cProfile: trentclient.AsyncClient, 64 in flight, aiohttp transport")
            print(profile_async(url, args.calls, args.top, "aiohttp"))
        print("\n== cProfile: first Client(...) after import (fresh interpreter)")
        print(profile_first_construction(url, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
