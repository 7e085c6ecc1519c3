"""One measurement round for one contender, in its own process: ``python -m benchmarks.worker SPEC``.

``SPEC`` is JSON. ``{"task": "client", "contender": ..., ...}`` times construction after
import, then sequential calls (sync contenders) or calls at 1, 8 and 64 in flight (async
ones). ``{"task": "signing", ...}`` times the signers alone. The result is one JSON line.

Wall time is ``time.perf_counter``; CPU time is ``time.process_time`` of this process only
(the fake KMS runs in another process, so its CPU is not counted). The fake KMS's own CPU
over each run comes from its ``/__stats`` and is reported as how busy it was.
"""

from __future__ import annotations

import asyncio
import gc
import json
import statistics
import sys
import time
import timeit
from typing import Any

from benchmarks import contenders as c
from benchmarks.fakekms import server_stats

__all__ = ["main"]


def _timed_each(fn: Any, count: int) -> list[float]:
    out = []
    for _ in range(count):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def _run_stats(
    url: str, calls: int, wall: float, cpu: float, before: dict[str, Any]
) -> dict[str, Any]:
    after = server_stats(url)
    served = after["requests"] - before["requests"]
    server_cpu = after["cpu_seconds"] - before["cpu_seconds"]
    return {
        "calls": calls,
        "wall_s": wall,
        "cpu_s": cpu,
        "wall_us_per_call": wall / calls * 1e6,
        "cpu_us_per_call": cpu / calls * 1e6,
        "calls_per_s": calls / wall,
        "server_requests": served,
        "server_busy": server_cpu / wall,
    }


def _sync_client(spec: dict[str, Any]) -> dict[str, Any]:
    name, url, pre = spec["contender"], spec["url"], spec["presigned"]
    out: dict[str, Any] = {}
    if spec.get("construct"):
        build = c.construct_once(name, url)  # imports the library, outside the timer
        first = _timed_each(build, 1)[0]
        rest = _timed_each(build, spec["construct"])
        out["construct"] = {"first_s": first, "repeat_s": statistics.median(rest)}
    call, close = c.make_sync(name, url, pre)
    try:
        for _ in range(spec["warmup"]):
            call()
        n = spec["seq_calls"]
        gc.collect()
        before = server_stats(url)
        w0, p0 = time.perf_counter(), time.process_time()
        for _ in range(n):
            call()
        wall, cpu = time.perf_counter() - w0, time.process_time() - p0
        out["sequential"] = _run_stats(url, n, wall, cpu, before)
        if spec.get("thread_calls"):
            out["threads"] = _threads(call, url, spec["threads"], spec["thread_calls"])
    finally:
        close()
    return out


def _threads(call: Any, url: str, threads: int, total: int) -> dict[str, Any]:
    """``threads`` threads sharing the one client, each calling ``total // threads`` times
    in a loop (after one warm-up call each, so every thread's connection exists)."""
    import threading

    per_thread = max(1, total // threads)
    start = threading.Barrier(threads + 1)
    failures: list[BaseException] = []

    def work(count: int) -> None:
        try:
            call()
            start.wait()
            start.wait()
            for _ in range(count):
                call()
        except BaseException as exc:  # reported, and the run fails
            failures.append(exc)
            start.abort()

    pool = [threading.Thread(target=work, args=(per_thread,)) for _ in range(threads)]
    for thread in pool:
        thread.start()
    try:
        start.wait()  # every thread warmed up
        gc.collect()
        before = server_stats(url)
        w0, p0 = time.perf_counter(), time.process_time()
        start.wait()  # go
    except threading.BrokenBarrierError:
        before, w0, p0 = {}, 0.0, 0.0  # a thread failed: reported below
    for thread in pool:
        thread.join()
    wall, cpu = time.perf_counter() - w0, time.process_time() - p0
    if failures or not before:
        first = failures[0] if failures else None
        raise RuntimeError(f"a thread failed: {first!r}") from first
    return _run_stats(url, per_thread * threads, wall, cpu, before)


async def _async_client(spec: dict[str, Any]) -> dict[str, Any]:
    name, url, pre = spec["contender"], spec["url"], spec["presigned"]
    out: dict[str, Any] = {}
    if spec.get("construct"):
        if name in ("aiobotocore", "raw aiohttp"):
            abuild = await c.construct_once_async(name, url)
            times = []
            for _ in range(1 + spec["construct"]):
                t0 = time.perf_counter()
                await abuild()
                times.append(time.perf_counter() - t0)
        else:
            times = _timed_each(c.construct_once(name, url), 1 + spec["construct"])
        out["construct"] = {"first_s": times[0], "repeat_s": statistics.median(times[1:])}
    levels: dict[str, Any] = {}
    for level_text, total in spec["async_levels"].items():
        level = int(level_text)
        call, aclose = await c.make_async(name, url, pre, level)
        try:
            per_worker = max(1, total // level)

            async def worker(count: int, call: Any = call) -> None:
                for _ in range(count):
                    await call()

            await asyncio.gather(*(worker(max(2, spec["warmup"] // level)) for _ in range(level)))
            gc.collect()
            before = server_stats(url)
            w0, p0 = time.perf_counter(), time.process_time()
            await asyncio.gather(*(worker(per_worker) for _ in range(level)))
            wall, cpu = time.perf_counter() - w0, time.process_time() - p0
            levels[level_text] = _run_stats(url, per_worker * level, wall, cpu, before)
        finally:
            await aclose()
    out["async"] = levels
    return out


def _signing(spec: dict[str, Any]) -> dict[str, Any]:
    import hashlib
    from datetime import UTC, datetime

    import httpx

    import trentclient
    from trentclient import _sigv4

    url = spec["url"] + "/"
    number, repeat = spec["number"], spec["repeat"]
    client = trentclient.Client(
        region_name=c.REGION,
        endpoint_url=spec["url"],
        aws_access_key_id=c.AK,
        aws_secret_access_key=c.SK,
    )
    built = client.build_request("EnableKeyRotation", c.PARAMS)
    body = built.content
    base_headers = [
        ("X-Amz-Target", built.headers["X-Amz-Target"]),
        ("Content-Type", built.headers["Content-Type"]),
        ("User-Agent", built.headers["User-Agent"]),
    ]
    results: dict[str, Any] = {}

    def per_call(fn: Any) -> dict[str, float]:
        fn()  # warm
        runs = timeit.Timer(fn).repeat(repeat=repeat, number=number)
        return {"us": statistics.median(runs) / number * 1e6, "best_us": min(runs) / number * 1e6}

    auth = trentclient.SigV4Auth(trentclient.Credentials(c.AK, c.SK), c.REGION, "kms")
    request = httpx.Request("POST", url, headers=base_headers, content=body)
    results["trentclient SigV4Auth.sign"] = per_call(lambda: auth.sign(request))

    amz = _sigv4.amz_date(datetime.now(UTC))
    payload_hash = hashlib.sha256(body).hexdigest()
    signed = [
        ("content-type", "application/x-amz-json-1.1"),
        ("host", request.url.netloc.decode()),
        ("x-amz-date", amz),
        ("x-amz-target", "TrentService.EnableKeyRotation"),
    ]

    def core() -> object:
        return _sigv4.sign(
            access_key=c.AK,
            secret_key=c.SK,
            region=c.REGION,
            service="kms",
            method="POST",
            path="/",
            query="",
            headers=signed,
            payload_hash=payload_hash,
            amz_datetime=amz,
        )

    results["trentclient _sigv4.sign (core)"] = per_call(core)
    results["trentclient build_request (validate+serialize+build+sign)"] = per_call(
        lambda: client.build_request("EnableKeyRotation", c.PARAMS)
    )
    client.close()
    if not c.missing_modules(("botocore",)):
        from botocore.auth import SigV4Auth as BotoSigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials as BotoCredentials

        boto_request = AWSRequest(method="POST", url=url, data=body, headers=dict(base_headers))
        signer = BotoSigV4Auth(BotoCredentials(c.AK, c.SK), "kms", c.REGION)
        results["botocore SigV4Auth.add_auth"] = per_call(lambda: signer.add_auth(boto_request))
    return {"signing": results}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    spec = json.loads(args[0])
    if spec["task"] == "signing":
        result = _signing(spec)
    elif spec["kind"] == "sync":
        result = _sync_client(spec)
    else:
        result = asyncio.run(_async_client(spec))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
