"""A small scriptable HTTP/1.1 server on 127.0.0.1 for fault-injection tests.

``FaultServer(script)`` listens on a free loopback port and answers each incoming request
with the next action of ``script`` (the last action repeats). Actions (see the helpers
below): answer and keep the connection alive, answer with ``Connection: close`` and close,
answer and then drop the idle connection *without* ``Connection: close`` (a stale pooled
connection), reset the connection before any byte, reset it half-way through the body,
or wait before answering (for read timeouts). For chaos tests there are more: cut the body
short and close (``truncate``), hold the connection without answering until the client
gives up (``stall``), write the head a few bytes at a time (``dribble``) and send raw bytes
(``raw``: a malformed head). Instead of a script, ``set_handler(fn)`` picks the action for
each request from the request itself (``fn(recorded) -> Action``), so answers can echo it.

It records every request (method, path, headers in wire order, body; unless
``keep_requests=False``, for long runs that keep their own ledger) and counts the TCP
connections it accepted. Everything runs on daemon threads that poll a stop event, so
``stop()`` returns promptly (joins are bounded) and every socket is closed.

Only plain sockets and threads: no dependency beyond the standard library.
"""

from __future__ import annotations

import contextlib
import dataclasses
import socket
import struct
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType

__all__ = [
    "Action",
    "FaultServer",
    "RecordedRequest",
    "delay",
    "dribble",
    "raw",
    "reset",
    "reset_mid_body",
    "respond",
    "respond_and_close",
    "respond_then_drop",
    "stall",
    "truncate",
    "unused_port",
]

_POLL = 0.02  # how often blocked threads look at the stop event
_MAX_DELAY = 2.0  # upper bound for ``delay`` actions
_MAX_HEAD = 64 * 1024
_MAX_BODY = 1024 * 1024
_JOIN_TIMEOUT = 2.0

_REASONS = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass(frozen=True)
class Action:
    """What to do with one request. Build with the helpers below rather than directly.

    ``kind`` is one of ``respond``, ``reset``, ``reset_mid_body``, ``truncate``, ``stall``,
    ``raw``; ``close`` closes the connection after answering (with ``Connection: close``
    when ``announce_close``); ``delay`` seconds are waited before doing the rest. ``hold``:
    how long a ``stall`` keeps the connection at most; ``partial``: a stall sends the head
    and half the body first. ``write_size`` > 0 writes the head ``write_size`` bytes at a
    time, ``write_pause`` seconds apart, and the rest at once after ``write_budget``
    seconds (0: no limit).
    """

    kind: str = "respond"
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    close: bool = False
    announce_close: bool = False
    delay: float = 0.0
    hold: float = 0.0
    partial: bool = False
    write_size: int = 0
    write_pause: float = 0.0
    write_budget: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"unknown action kind {self.kind!r}")
        for name in ("delay", "hold"):
            value = getattr(self, name)
            if not 0 <= value <= _MAX_DELAY:
                raise ValueError(f"{name} must be between 0 and {_MAX_DELAY} s, got {value!r}")
        if self.write_size < 0 or not 0 <= self.write_pause <= 0.1:
            raise ValueError("write_size must be >= 0 and write_pause between 0 and 0.1 s")
        if not 0 <= self.write_budget <= _MAX_DELAY:
            raise ValueError(f"write_budget must be between 0 and {_MAX_DELAY} s")


_KINDS = ("respond", "reset", "reset_mid_body", "truncate", "stall", "raw")


def _headers(
    headers: dict[str, str] | Sequence[tuple[str, str]] | None,
) -> tuple[tuple[str, str], ...]:
    if headers is None:
        return ()
    items = headers.items() if isinstance(headers, dict) else headers
    return tuple((str(k), str(v)) for k, v in items)


def respond(
    status: int = 200,
    headers: dict[str, str] | Sequence[tuple[str, str]] | None = None,
    body: bytes = b"",
) -> Action:
    """Answer and keep the connection alive."""
    return Action("respond", status, _headers(headers), body)


def respond_and_close(
    status: int = 200,
    headers: dict[str, str] | Sequence[tuple[str, str]] | None = None,
    body: bytes = b"",
) -> Action:
    """Answer with ``Connection: close``, then close the connection."""
    return Action("respond", status, _headers(headers), body, close=True, announce_close=True)


def respond_then_drop(
    status: int = 200,
    headers: dict[str, str] | Sequence[tuple[str, str]] | None = None,
    body: bytes = b"",
) -> Action:
    """Answer as if keeping the connection alive (no ``Connection: close``), then close it:
    the client's pool is left holding a stale connection."""
    return Action("respond", status, _headers(headers), body, close=True)


def reset() -> Action:
    """Read the request, then reset the connection (RST) before sending anything."""
    return Action("reset")


def reset_mid_body(
    status: int = 200,
    headers: dict[str, str] | Sequence[tuple[str, str]] | None = None,
    body: bytes = b"",
) -> Action:
    """Send the status line, the headers (announcing the full ``Content-Length``) and half
    of ``body``, then reset the connection."""
    if len(body) < 2:
        raise ValueError("reset_mid_body needs a body of at least 2 bytes")
    return Action("reset_mid_body", status, _headers(headers), body)


def delay(seconds: float, then: Action | None = None) -> Action:
    """Wait ``seconds`` (at most 2; cut short by ``stop()``), then do ``then`` (a 200)."""
    return dataclasses.replace(then or respond(), delay=seconds)


def truncate(
    status: int = 200,
    headers: dict[str, str] | Sequence[tuple[str, str]] | None = None,
    body: bytes = b"",
) -> Action:
    """Send the head (announcing the full ``Content-Length``) and half of ``body``, then
    close the connection cleanly (a FIN, not a reset): the body is cut short."""
    if len(body) < 2:
        raise ValueError("truncate needs a body of at least 2 bytes")
    return Action("truncate", status, _headers(headers), body)


def stall(seconds: float, partial: Action | None = None) -> Action:
    """Send nothing (or, with ``partial``, its head and half its body), then hold the
    connection until the client closes it or ``seconds`` pass (at most 2), and close it."""
    base = partial or respond()
    return dataclasses.replace(base, kind="stall", hold=seconds, partial=partial is not None)


def dribble(then: Action, size: int = 3, pause: float = 0.002, budget: float = 0.0) -> Action:
    """Do ``then``, writing its head ``size`` bytes per send, ``pause`` seconds apart; after
    ``budget`` seconds (0: no limit) the rest of the head goes at once, so the whole answer
    takes at most about ``budget`` however slowly the server's thread is scheduled."""
    return dataclasses.replace(then, write_size=size, write_pause=pause, write_budget=budget)


def raw(data: bytes) -> Action:
    """Send ``data`` as the whole answer, exactly (a malformed head, say), then close."""
    return Action("raw", body=data, close=True)


@dataclass
class RecordedRequest:
    """One request as the server read it off the wire."""

    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes
    connection: int  # 1-based index of the TCP connection it came on
    received_at: float = field(default_factory=time.monotonic)

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or None."""
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None


class _Stopped(Exception):
    """The server is shutting down."""


class _PeerClosed(Exception):
    """The client closed the connection (cleanly or not) between or inside requests."""


class FaultServer:
    """A scripted HTTP/1.1 server on ``127.0.0.1`` (see the module docstring).

    Use as a context manager or call ``start()`` / ``stop()``. ``url`` is
    ``http://127.0.0.1:<port>``. ``script`` may be replaced between calls with ``set_script``
    (which also rewinds it), or replaced by a handler with ``set_handler``.
    ``keep_requests=False`` leaves ``requests`` empty (long runs keep their own ledger).
    """

    def __init__(
        self, script: Sequence[Action] = (respond(),), *, keep_requests: bool = True
    ) -> None:
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._script: list[Action] = []
        self._next = 0
        self._handler: Callable[[RecordedRequest], Action] | None = None
        self._keep_requests = keep_requests
        self.requests: list[RecordedRequest] = []
        self.connections = 0
        self.closed_by_server = 0
        self.errors: list[BaseException] = []  # unexpected failures in server threads
        self._closed_cond = threading.Condition(self._lock)
        self._threads: list[threading.Thread] = []
        self._conns: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None
        self.port = 0
        self.set_script(script)

    # -- control ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def set_script(self, script: Sequence[Action]) -> None:
        if not script:
            raise ValueError("the script needs at least one action")
        with self._lock:
            self._script = list(script)
            self._next = 0
            self._handler = None

    def set_handler(self, handler: Callable[[RecordedRequest], Action]) -> None:
        """Answer every request with ``handler(recorded)`` from now on (called on the
        connection's thread, outside the server's lock: it must be thread-safe)."""
        with self._lock:
            self._handler = handler

    def start(self) -> FaultServer:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            listener.bind(("127.0.0.1", 0))
            listener.listen(512)  # bursts of hundreds of connects must not overflow it
            listener.settimeout(_POLL)
        except BaseException:
            listener.close()
            raise
        self._listener = listener
        self.port = listener.getsockname()[1]
        self._acceptor = threading.Thread(
            target=self._accept_loop, name=f"faultserver-accept-{self.port}", daemon=True
        )
        self._acceptor.start()
        return self

    def stop(self) -> None:
        """Stop accepting, wake every waiting thread, close every socket; joins are bounded."""
        self._stop.set()
        deadline = time.monotonic() + _JOIN_TIMEOUT
        if self._acceptor is not None:
            self._acceptor.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            leftovers = list(self._conns)
            self._conns.clear()
        for conn in leftovers:  # only if a handler did not finish in time
            _close_quietly(conn)
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def wait_closed_by_server(self, count: int, timeout: float = 2.0) -> bool:
        """Wait until the server itself has closed ``count`` connections in all."""
        with self._closed_cond:
            return self._closed_cond.wait_for(lambda: self.closed_by_server >= count, timeout)

    # -- threads ---------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        listener = self._listener
        assert listener is not None
        while not self._stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError as exc:  # pragma: no cover - only on an unexpected failure
                if not self._stop.is_set():
                    self.errors.append(exc)
                return
            with self._lock:
                if self._stop.is_set():
                    conn.close()
                    return
                self.connections += 1
                number = self.connections
                self._conns.add(conn)
                self._threads = [t for t in self._threads if t.is_alive()]
                thread = threading.Thread(
                    target=self._serve,
                    args=(conn, number),
                    name=f"faultserver-conn-{self.port}-{number}",
                    daemon=True,
                )
                self._threads.append(thread)
            thread.start()
            del conn, thread  # this loop's frame must not keep the last connection alive

    def _serve(self, conn: socket.socket, number: int) -> None:
        conn.settimeout(_POLL)
        buffer = bytearray()
        closed_by_us = False
        try:
            while not self._stop.is_set():
                request = self._read_request(conn, buffer, number)
                with self._lock:
                    if self._keep_requests:
                        self.requests.append(request)
                    handler = self._handler
                    if handler is None:
                        action = self._script[min(self._next, len(self._script) - 1)]
                        self._next += 1
                if handler is not None:
                    action = handler(request)
                if action.delay and self._stop.wait(action.delay):
                    return
                if action.kind == "raw":
                    self._send(conn, action.body)
                    closed_by_us = True
                    return
                if action.kind == "stall":
                    if action.partial:
                        self._send(conn, _response_head(action, len(action.body)))
                        self._send(conn, action.body[: len(action.body) // 2])
                    self._hold(conn, action.hold)
                    closed_by_us = True
                    return
                if action.kind == "reset":
                    _reset(conn)
                    closed_by_us = True
                    return
                if action.kind == "reset_mid_body":
                    head = _response_head(action, len(action.body))
                    self._send(conn, head + action.body[: len(action.body) // 2])
                    # Let the client read the head and start on the body before the reset.
                    self._stop.wait(0.05)
                    _reset(conn)
                    closed_by_us = True
                    return
                head = _response_head(action, len(action.body))
                if action.kind == "truncate":
                    self._send(conn, head + action.body[: len(action.body) // 2])
                    conn.shutdown(socket.SHUT_WR)  # a FIN: the body is simply cut short
                    closed_by_us = True
                    return
                if action.write_size:
                    self._dribble(conn, head, action)
                    self._send(conn, action.body)
                else:
                    self._send(conn, head + action.body)
                if action.close:
                    closed_by_us = True
                    return
        except (_Stopped, _PeerClosed):
            pass
        except OSError:
            pass  # the client went away mid-exchange (reset, broken pipe): not our concern
        except Exception as exc:  # pragma: no cover - a bug in this server or a bad request
            self.errors.append(exc)
        finally:
            with self._lock:
                self._conns.discard(conn)
            _close_quietly(conn)
            if closed_by_us:
                with self._closed_cond:
                    self.closed_by_server += 1
                    self._closed_cond.notify_all()

    def _hold(self, conn: socket.socket, seconds: float) -> None:
        """Keep ``conn`` open without answering until the peer closes it, ``seconds``
        pass, or the server stops."""
        deadline = time.monotonic() + seconds
        while not self._stop.is_set() and time.monotonic() < deadline:
            try:
                if not conn.recv(65536):
                    return  # the client gave up and closed
            except TimeoutError:
                continue

    def _dribble(self, conn: socket.socket, data: bytes, action: Action) -> None:
        """Send ``data`` a few bytes per send (no Nagle coalescing), as ``action`` says."""
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        size, pause, budget = action.write_size, action.write_pause, action.write_budget
        deadline = time.monotonic() + budget if budget else None
        for start in range(0, len(data), size):
            if deadline is not None and time.monotonic() >= deadline:
                self._send(conn, data[start:])
                return
            self._send(conn, data[start : start + size])
            if pause and self._stop.wait(pause):
                raise _Stopped

    def _send(self, conn: socket.socket, data: bytes) -> None:
        """Send all of ``data``, however slowly the client reads.

        Not ``sendall``: under a socket timeout that bounds the *whole* call (Python 3.5+),
        so a 4 MB answer to a client that reads for longer than ``_POLL`` would be cut short
        with a TimeoutError, and the client would see a truncated body that the test never
        asked for. Each ``send`` here waits at most ``_POLL`` and the loop checks the stop
        event between them."""
        view = memoryview(data)
        while view:
            if self._stop.is_set():
                raise _Stopped
            try:
                sent = conn.send(view)
            except TimeoutError:
                continue
            view = view[sent:]

    def _recv(self, conn: socket.socket) -> bytes:
        while True:
            if self._stop.is_set():
                raise _Stopped
            try:
                return conn.recv(65536)
            except TimeoutError:
                continue

    def _read_request(self, conn: socket.socket, buffer: bytearray, number: int) -> RecordedRequest:
        while b"\r\n\r\n" not in buffer:
            if len(buffer) > _MAX_HEAD:
                raise ValueError("request head too large")
            chunk = self._recv(conn)
            if not chunk:
                raise _PeerClosed
            buffer += chunk
        end = buffer.index(b"\r\n\r\n")
        head = bytes(buffer[:end]).decode("latin-1")
        del buffer[: end + 4]
        request_line, *header_lines = head.split("\r\n")
        method, path, _version = request_line.split(" ", 2)
        headers: list[tuple[str, str]] = []
        for line in header_lines:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
        length = 0
        for name, value in headers:
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "transfer-encoding":
                raise ValueError("chunked requests are not supported")
        if length > _MAX_BODY:
            raise ValueError("request body too large")
        while len(buffer) < length:
            chunk = self._recv(conn)
            if not chunk:
                raise _PeerClosed
            buffer += chunk
        body = bytes(buffer[:length])
        del buffer[:length]
        return RecordedRequest(method, path, headers, body, number)


def _response_head(action: Action, length: int) -> bytes:
    reason = _REASONS.get(action.status, "Unknown")
    lines = [f"HTTP/1.1 {action.status} {reason}"]
    names = {name.lower() for name, _ in action.headers}
    lines += [f"{name}: {value}" for name, value in action.headers]
    if "content-length" not in names:
        lines.append(f"Content-Length: {length}")
    if action.announce_close and "connection" not in names:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _reset(conn: socket.socket) -> None:
    """Close with SO_LINGER 0: the peer gets a RST, not a FIN."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def _close_quietly(conn: socket.socket) -> None:
    with contextlib.suppress(OSError):
        conn.close()


def unused_port() -> int:
    """A loopback port with nothing listening on it (bound, read, then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
