"""A fast fake KMS on 127.0.0.1: HTTP/1.1 keep-alive, ``200 {}`` for every POST.

Run it as its own process (``python -m benchmarks.fakekms --parent-pid PID``): it binds a
free loopback port, prints ``READY <port>`` and serves until its parent goes away, it gets
SIGTERM/SIGINT, or ``--max-seconds`` pass, whichever comes first.

Every POST gets ``200``, ``Content-Type: application/x-amz-json-1.1``, an
``x-amzn-RequestId`` and the body ``{}`` (what KMS answers ``EnableKeyRotation`` with).
Requests are parsed minimally (request line, ``Content-Length``), pipelining works, and
nothing is checked: signatures are not verified. ``GET /__stats`` answers
``{"requests": n, "cpu_seconds": s}`` (the server's own CPU), so a benchmark can show the
server was not the bottleneck.

``python -m benchmarks.fakekms --load URL`` is a raw-socket load generator (no HTTP
library) used to measure the server's own ceiling.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

__all__ = ["fake_kms", "hold", "load", "serve", "server_stats", "spawn_server"]

HOST = "127.0.0.1"
MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 1024 * 1024

_OK_HEAD = (
    b"HTTP/1.1 200 OK\r\n"
    b"Content-Type: application/x-amz-json-1.1\r\n"
    b"Content-Length: 2\r\n"
    b"x-amzn-RequestId: "
)


class _Stats:
    requests = 0


def _response(counter: int) -> bytes:
    # A request id shaped like KMS's (a UUID), unique per answer, cheap to make.
    rid = f"{counter:08x}-0000-4000-8000-00000000beef".encode()
    return _OK_HEAD + rid + b"\r\n\r\n{}"


def _simple(status: bytes, body: bytes, content_type: bytes = b"text/plain") -> bytes:
    return (
        b"HTTP/1.1 " + status + b"\r\nContent-Type: " + content_type + b"\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )


class _KMSProtocol(asyncio.Protocol):
    """One connection: parse as many complete requests as arrived, answer them in one write."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        buf = self._buf
        buf += data
        out: list[bytes] = []
        close = False
        while True:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                if len(buf) > MAX_HEADER_BYTES:
                    out.append(_simple(b"431 Request Header Fields Too Large", b""))
                    close = True
                break
            head = bytes(buf[:end]).lower()
            length = 0
            pos = head.find(b"\r\ncontent-length:")
            if pos >= 0:
                stop = head.find(b"\r\n", pos + 2)
                try:
                    length = int(head[pos + 17 : stop if stop >= 0 else None])
                except ValueError:
                    out.append(_simple(b"400 Bad Request", b""))
                    close = True
                    break
            if b"\r\ntransfer-encoding:" in head or not 0 <= length <= MAX_BODY_BYTES:
                out.append(_simple(b"411 Length Required", b""))
                close = True
                break
            total = end + 4 + length
            if len(buf) < total:
                break
            del buf[:total]
            if head.startswith(b"post "):
                _Stats.requests += 1
                out.append(_response(_Stats.requests))
            elif head.startswith(b"get /__stats"):
                body = json.dumps(
                    {"requests": _Stats.requests, "cpu_seconds": time.process_time()}
                ).encode()
                out.append(_simple(b"200 OK", body, b"application/json"))
            else:
                out.append(_simple(b"405 Method Not Allowed", b""))
            if b"\r\nconnection: close" in head:
                close = True
                break
        transport = self._transport
        if transport is None:
            return
        if out:
            transport.write(b"".join(out))
        if close:
            transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None


def _parent_alive(parent_pid: int | None) -> bool:
    if parent_pid is None:
        return True
    if os.getppid() != parent_pid:
        return False
    try:
        os.kill(parent_pid, 0)
    except OSError:
        return False
    return True


async def serve(
    port: int = 0, *, parent_pid: int | None = None, max_seconds: float = 1800.0
) -> None:
    """Serve until the parent dies, a signal comes, or ``max_seconds`` pass."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_KMSProtocol, HOST, port, backlog=1024, reuse_address=True)
    await hold(server, parent_pid=parent_pid, max_seconds=max_seconds)


async def hold(
    server: asyncio.AbstractServer,
    *,
    parent_pid: int | None,
    max_seconds: float,
    on_stop: Callable[[], None] | None = None,
) -> None:
    """Print ``READY <port>``, then keep ``server`` open until the parent dies, a signal
    comes, or ``max_seconds`` pass (also used by ``benchmarks.fakests``). ``on_stop`` runs
    before the server closes (to close connections ``wait_closed`` would wait for)."""
    loop = asyncio.get_running_loop()
    bound = server.sockets[0].getsockname()[1]
    print(f"READY {bound}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    deadline = time.monotonic() + max_seconds
    async with server:
        while not stop.is_set() and time.monotonic() < deadline and _parent_alive(parent_pid):
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=0.5)
        if on_stop is not None:
            on_stop()


@contextmanager
def fake_kms(
    *, max_seconds: float = 1800.0, python: str | None = None
) -> Iterator[tuple[str, int]]:
    """Start the fake KMS in its own process; yield ``(endpoint_url, pid)``; stop it on exit."""
    with spawn_server("benchmarks.fakekms", max_seconds=max_seconds, python=python) as started:
        yield started


@contextmanager
def spawn_server(
    module: str, *, max_seconds: float = 1800.0, python: str | None = None
) -> Iterator[tuple[str, int]]:
    """Run ``python -m MODULE --parent-pid ME --max-seconds N`` (a server that prints
    ``READY <port>``); yield ``(url, pid)``; stop it on exit."""
    import subprocess

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ)
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.Popen(
        [
            python or sys.executable,
            "-m",
            module,
            "--parent-pid",
            str(os.getpid()),
            "--max-seconds",
            str(max_seconds),
        ],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # bounded: the child prints READY or exits
        if not line.startswith("READY "):
            raise RuntimeError(f"{module} did not start (said {line!r}, exit {proc.poll()})")
        port = int(line.split()[1])
        yield f"http://{HOST}:{port}", proc.pid
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        if proc.stdout is not None:
            proc.stdout.close()


def server_stats(url: str) -> dict[str, Any]:
    """``{"requests": n, "cpu_seconds": s, ...}`` from the fake KMS (or STS) at ``url``."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or HOST, parts.port, timeout=10)
    try:
        conn.request("GET", "/__stats")
        data: dict[str, Any] = json.loads(conn.getresponse().read())
        return data
    finally:
        conn.close()


# -- raw-socket load generator: the server's own ceiling --------------------------------------

_LOAD_BODY = b'{"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"}'
_LOAD_REQUEST = (
    b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Content-Type: application/x-amz-json-1.1\r\n"
    b"X-Amz-Target: TrentService.EnableKeyRotation\r\n"
    b"Content-Length: " + str(len(_LOAD_BODY)).encode() + b"\r\n\r\n" + _LOAD_BODY
)


async def _load_connection(port: int, count: int, depth: int) -> int:
    reader, writer = await asyncio.open_connection(HOST, port)
    done = 0
    try:
        while done < count:
            batch = min(depth, count - done)
            writer.write(_LOAD_REQUEST * batch)
            for _ in range(batch):
                head = await reader.readuntil(b"\r\n\r\n")
                pos = head.lower().find(b"content-length:")
                length = int(head[pos + 15 : head.find(b"\r\n", pos)]) if pos >= 0 else 0
                await reader.readexactly(length)
            done += batch
    finally:
        writer.close()
    return done


async def load(url: str, *, connections: int, requests: int, depth: int = 1) -> dict[str, float]:
    """Send ``requests`` POSTs over ``connections`` keep-alive sockets, ``depth`` pipelined."""
    from urllib.parse import urlsplit

    port = urlsplit(url).port or 80
    per = max(1, requests // connections)
    before = server_stats(url)
    t0 = time.perf_counter()
    counts = await asyncio.gather(*(_load_connection(port, per, depth) for _ in range(connections)))
    wall = time.perf_counter() - t0
    after = server_stats(url)
    total = sum(counts)
    server_cpu = after["cpu_seconds"] - before["cpu_seconds"]
    return {
        "requests": total,
        "wall_s": wall,
        "rps": total / wall,
        "server_cpu_us_per_request": server_cpu / total * 1e6,
        "server_busy": server_cpu / wall,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--parent-pid", type=int, default=None)
    parser.add_argument("--max-seconds", type=float, default=1800.0)
    parser.add_argument("--load", metavar="URL", help="run the raw load generator instead")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--depth", type=int, default=1, help="requests pipelined per write")
    args = parser.parse_args(argv)
    if args.load:
        result = asyncio.run(
            load(args.load, connections=args.connections, requests=args.requests, depth=args.depth)
        )
        print(json.dumps(result))
        return 0
    asyncio.run(serve(args.port, parent_pid=args.parent_pid, max_seconds=args.max_seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
