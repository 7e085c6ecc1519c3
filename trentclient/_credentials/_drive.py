"""The two drivers of credential flows: ``run_sync`` (the calling thread) and ``run_async``
(the running event loop). See ``_flow`` for the effects they carry out.

Both hand every effect to the same plain functions where the work is not I/O-model specific
(files, the answer size cap, error words, logging); only the HTTP exchange, processes and
sleeping differ between the two.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from trentclient._credentials._flow import (
    CallFunction,
    Effect,
    Flow,
    HttpFailure,
    HttpRequest,
    HttpResponse,
    Keys,
    ProcessResult,
    ReadFile,
    Resolve,
    RunProcess,
    Sleep,
    WriteFile,
)

if TYPE_CHECKING:
    import httpx

    from trentclient._credentials._direct import DirectHttp

__all__ = ["akeys_of", "asleep", "keys_of", "run_async", "run_sync", "sleep"]

logger = logging.getLogger("trentclient.credentials")

R = TypeVar("R")


# -- what the drivers share ------------------------------------------------------------------


def read_text(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None


def write_text(path: str, text: str, mode: int) -> str | None:
    """Write atomically: a temporary file beside ``path``, then ``os.replace``."""
    import tempfile

    folder = os.path.dirname(path) or "."
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
        try:
            os.chmod(temp, mode)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(temp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
    except OSError as exc:
        return f"{type(exc).__name__}: {exc.strerror or exc}"
    return None


def run_process(argv: list[str], timeout: float | None) -> ProcessResult:
    import subprocess

    try:
        done = subprocess.run(
            argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return ProcessResult(None, error=f"it did not finish within {timeout} s")
    except OSError as exc:
        return _not_started(exc)
    return ProcessResult(done.returncode, done.stdout, done.stderr)


def _not_started(exc: OSError) -> ProcessResult:
    return ProcessResult(
        None, error=f"it could not be started ({type(exc).__name__}: {exc.strerror or exc})"
    )


def _failure(exc: Exception) -> HttpFailure:
    """What went wrong, in words that hold no header value: h11's and httpx's own messages
    for a refused header quote the value, which may be a token, so only connection errors
    (the operating system's words) keep their text. ``exc`` is httpx's error or httpcore's
    (the direct exchange's), whose classes have the same names and hierarchy."""
    kinds = {
        cls.__name__
        for cls in type(exc).__mro__
        if cls.__module__.partition(".")[0] in ("httpx", "httpcore")
    }
    if "ConnectTimeout" in kinds:
        return HttpFailure("connect-timeout", "connect timeout")
    if "TimeoutException" in kinds:
        return HttpFailure("read-timeout", "read timeout")
    if "ConnectError" in kinds:
        return HttpFailure("connect", f"could not connect ({exc or type(exc).__name__})")
    if kinds & {"RemoteProtocolError", "ReadError", "WriteError"}:
        return HttpFailure("closed", f"connection closed or reset ({type(exc).__name__})")
    return HttpFailure("other", f"the request could not be sent ({type(exc).__name__})")


def _timeout(request: HttpRequest) -> httpx.Timeout:
    import httpx

    connect, read = request.timeout
    return httpx.Timeout(connect=connect, read=read, write=read, pool=read)


def _ssl_for(url: str) -> Any:
    from trentclient._core import plain_http_ssl_context, shared_ssl_context

    return shared_ssl_context() if url.lower().startswith("https:") else plain_http_ssl_context()


def _log_request(request: HttpRequest) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug("Credential source request: %s", request.describe())


def _log_response(request: HttpRequest, answer: HttpResponse | HttpFailure) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        if isinstance(answer, HttpResponse):
            logger.debug(
                "Credential source answer from %s: %d, %d body bytes (body not logged)",
                request.url,
                answer.status,
                len(answer.body),
            )
        else:
            logger.debug("Credential source request to %s failed: %s", request.url, answer.message)


#: Replaced by tests so that container retries do not really wait.
sleep: Callable[[float], None] = time.sleep


async def asleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


def keys_of(provider: Any) -> Keys:
    """``Keys`` from any provider: its ``get_keys()``, else its ``get_credentials()``."""
    get_keys = getattr(provider, "get_keys", None)
    if get_keys is not None:
        keys: Keys = get_keys()
        return keys
    return Keys.from_credentials(provider.get_credentials())


async def akeys_of(provider: Any) -> Keys:
    """``keys_of`` on the event loop: ``aget_keys()``, ``aget_credentials()``, else the sync
    ``get_credentials()`` (static providers do no I/O)."""
    for name in ("aget_keys", "aget_credentials"):
        method = getattr(provider, name, None)
        if method is not None:
            value = await method()
            return value if isinstance(value, Keys) else Keys.from_credentials(value)
    return keys_of(provider)


class _Run:
    """One flow being driven: sends what the last effect gave (or throws what it raised)."""

    __slots__ = ("error", "flow", "result", "value")

    def __init__(self, flow: Flow[Any]) -> None:
        self.flow = flow
        self.value: Any = None
        self.error: Exception | None = None
        self.result: Any = None

    def next(self) -> Effect | None:
        """The next effect, or None when the flow returned (``result`` holds its value)."""
        try:
            if self.error is None:
                effect = self.flow.send(self.value)
            else:
                effect = self.flow.throw(self.error)
        except StopIteration as stop:
            self.result = stop.value
            return None
        self.value = self.error = None
        return effect


class _Body:
    """An answer's body, collected up to the request's cap."""

    __slots__ = ("chunks", "limit", "size")

    def __init__(self, limit: int) -> None:
        self.chunks: list[bytes] = []
        self.size = 0
        self.limit = limit

    def add(self, chunk: bytes) -> bool:
        """False once the body is over the cap."""
        self.size += len(chunk)
        if self.size > self.limit:
            return False
        self.chunks.append(chunk)
        return True

    def answer(
        self, status: int, headers: Mapping[str, str], complete: bool
    ) -> HttpResponse | HttpFailure:
        if not complete:
            return HttpFailure("too-large", f"answer over {self.limit} bytes")
        return HttpResponse(status, headers, b"".join(self.chunks))


_HttpT = TypeVar("_HttpT")


def _client_for(
    clients: dict[tuple[bool, bool], _HttpT], request: HttpRequest, make: Callable[..., _HttpT]
) -> _HttpT:
    """One httpx client per (proxies from the environment or not, https or not) in a run."""
    https = request.url.lower().startswith("https:")
    key = (request.trust_env, https)
    client = clients.get(key)
    if client is None:
        client = clients[key] = make(verify=_ssl_for(request.url), trust_env=request.trust_env)
    return client


def _stream_args(request: HttpRequest) -> dict[str, Any]:
    return {
        "method": request.method,
        "url": request.url,
        "headers": request.headers,
        "content": request.body or None,
        "timeout": _timeout(request),
    }


# -- the sync driver -------------------------------------------------------------------------


class _SyncHttp:
    """The sync driver's HTTP: httpcore's pool directly (``_direct``), else httpx."""

    def __init__(self) -> None:
        self._clients: dict[tuple[bool, bool], httpx.Client] = {}
        self._direct: DirectHttp | None = None

    def send(self, request: HttpRequest) -> HttpResponse | HttpFailure:
        from trentclient._credentials._direct import goes_through_httpx

        _log_request(request)
        answer: HttpResponse | HttpFailure
        bad = _bad_url(request)
        if bad is not None:
            answer = bad
        elif goes_through_httpx(request, asynchronous=False):
            answer = self._send_httpx(request)
        else:
            answer = self._send_direct(request)
        _log_response(request, answer)
        return answer

    def _send_httpx(self, request: HttpRequest) -> HttpResponse | HttpFailure:
        import httpx

        client = _client_for(self._clients, request, httpx.Client)
        try:
            with client.stream(**_stream_args(request)) as response:
                body = _Body(request.max_body)
                complete = all(body.add(chunk) for chunk in response.iter_bytes())
                return body.answer(response.status_code, response.headers, complete)
        except (httpx.HTTPError, OSError, ValueError) as exc:  # ValueError: a bad URL or header
            return _failure(exc)

    def _send_direct(self, request: HttpRequest) -> HttpResponse | HttpFailure:
        from trentclient._credentials._direct import DirectHttp

        direct = self._direct
        if direct is None:
            direct = self._direct = DirectHttp(_ssl_for)
        try:
            status, raw, headers, response = direct.exchange(request)
            try:
                body = _Body(request.max_body)
                complete = all(body.add(chunk) for chunk in response.stream)  # type: ignore[union-attr]
            finally:
                response.close()
        except _direct_errors() as exc:
            return _failure(exc)
        return _direct_answer(request, status, raw, headers, body, complete)

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()
        if self._direct is not None:
            self._direct.close()


def _bad_url(request: HttpRequest) -> HttpFailure | None:
    """A failure for a URL no request can go to, before anything is sent: a port beyond
    65535 (the sync socket would wrap it round to another port, the async one raised an
    ``ExceptionGroup``)."""
    from trentclient._url import EndpointURL

    try:
        port = EndpointURL(request.url).port
    except Exception:  # (httpx.InvalidURL and the like: each way reports its own)
        return None
    if port is not None and not 0 < port <= 65535:
        return HttpFailure("other", f"the request could not be sent (port {port} out of range)")
    return None


def _direct_errors() -> tuple[type[Exception], ...]:
    """What a direct exchange fails with: httpcore's errors, the socket's, and
    ``ValueError`` (a bad URL or header value)."""
    from trentclient._httpcore import ERRORS

    return (*ERRORS, OSError, ValueError)


def _direct_answer(
    request: HttpRequest,
    status: int,
    raw: list[tuple[bytes, bytes]],
    headers: dict[str, str],
    body: _Body,
    complete: bool,
) -> HttpResponse | HttpFailure:
    """The answer of a direct exchange whose body was read into ``body``."""
    if complete and "content-encoding" in headers:
        return _decoded(request, status, raw, b"".join(body.chunks))
    return body.answer(status, headers, complete)


def _decoded(
    request: HttpRequest, status: int, raw: list[tuple[bytes, bytes]], content: bytes
) -> HttpResponse | HttpFailure:
    """An answer with a ``Content-Encoding``, decoded by httpx as its client decodes it."""
    import httpx

    body = _Body(request.max_body)
    try:
        response = httpx.Response(status, headers=raw, content=content)  # (decodes it)
        complete = all(body.add(chunk) for chunk in response.iter_bytes())
    except httpx.HTTPError as exc:
        return _failure(exc)
    return body.answer(status, response.headers, complete)


def _call_sync(function: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    value = function(*args)
    if hasattr(value, "__await__"):
        close = getattr(value, "close", None)
        if close is not None:
            close()  # never awaited: close it so it warns of nothing
        raise TypeError("an async callable needs AsyncClient; Client calls it synchronously")
    return value


def _perform_sync(effect: Effect, http: _SyncHttp) -> Any:
    if isinstance(effect, HttpRequest):
        return http.send(effect)
    if isinstance(effect, ReadFile):
        return read_text(effect.path)
    if isinstance(effect, WriteFile):
        return write_text(effect.path, effect.text, effect.mode)
    if isinstance(effect, RunProcess):
        return run_process(effect.argv, effect.timeout)
    if isinstance(effect, Sleep):
        return sleep(effect.seconds)
    if isinstance(effect, Resolve):
        return keys_of(effect.provider)
    if isinstance(effect, CallFunction):
        return _call_sync(effect.function, effect.args)
    raise TypeError(f"unknown credential flow effect {effect!r}")  # pragma: no cover


def run_sync(flow: Flow[R]) -> R:
    """Drive ``flow`` to its end in the calling thread; returns what it returns.

    An exception raised while carrying out an effect is thrown into the flow at its yield.
    """
    run = _Run(flow)
    http = _SyncHttp()
    try:
        while (effect := run.next()) is not None:
            try:
                run.value = _perform_sync(effect, http)
            except Exception as exc:
                run.error = exc
        result: R = run.result
        return result
    finally:
        flow.close()
        http.close()


# -- the async driver ------------------------------------------------------------------------


class _AsyncHttp:
    """The async driver's HTTP: httpcore's asyncio pool directly (as ``_SyncHttp``),
    else httpx's ``AsyncClient``."""

    def __init__(self) -> None:
        self._clients: dict[tuple[bool, bool], httpx.AsyncClient] = {}
        self._direct: DirectHttp | None = None

    async def send(self, request: HttpRequest) -> HttpResponse | HttpFailure:
        from trentclient._credentials._direct import goes_through_httpx

        _log_request(request)
        answer: HttpResponse | HttpFailure
        bad = _bad_url(request)
        if bad is not None:
            answer = bad
        elif goes_through_httpx(request, asynchronous=True):
            answer = await self._send_httpx(request)
        else:
            answer = await self._send_direct(request)
        _log_response(request, answer)
        return answer

    async def _send_httpx(self, request: HttpRequest) -> HttpResponse | HttpFailure:
        import httpx

        client = _client_for(self._clients, request, httpx.AsyncClient)
        try:
            async with client.stream(**_stream_args(request)) as response:
                body = _Body(request.max_body)
                complete = True
                async for chunk in response.aiter_bytes():
                    if not body.add(chunk):
                        complete = False
                        break
                return body.answer(response.status_code, response.headers, complete)
        except (httpx.HTTPError, OSError, ValueError) as exc:
            return _failure(exc)

    async def _send_direct(self, request: HttpRequest) -> HttpResponse | HttpFailure:
        from trentclient._credentials._direct import DirectHttp

        direct = self._direct
        if direct is None:
            direct = self._direct = DirectHttp(_ssl_for)
        try:
            status, raw, headers, response = await direct.aexchange(request)
            try:
                body = _Body(request.max_body)
                complete = True
                async for chunk in response.stream:  # type: ignore[union-attr]
                    if not body.add(chunk):
                        complete = False
                        break
            finally:
                await response.aclose()
        except _direct_errors() as exc:
            return _failure(exc)
        return _direct_answer(request, status, raw, headers, body, complete)

    async def close(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()
        if self._direct is not None:
            await self._direct.aclose()


async def _run_process_async(argv: list[str], timeout: float | None) -> ProcessResult:
    import asyncio

    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
    except NotImplementedError:
        # A loop without subprocess support (Windows' SelectorEventLoop): a worker thread.
        return await asyncio.to_thread(run_process, argv, timeout)
    except OSError as exc:
        return _not_started(exc)
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        return ProcessResult(None, error=f"it did not finish within {timeout} s")
    return ProcessResult(process.returncode, stdout, stderr)


async def _call_async(function: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    import asyncio
    import inspect

    if _is_async_callable(function):
        return await function(*args)
    value = await asyncio.to_thread(function, *args)  # a plain function may block (a prompt)
    return await value if inspect.isawaitable(value) else value


async def _perform_async(effect: Effect, http: _AsyncHttp) -> Any:
    import asyncio

    if isinstance(effect, HttpRequest):
        return await http.send(effect)
    if isinstance(effect, ReadFile):
        return await asyncio.to_thread(read_text, effect.path)
    if isinstance(effect, WriteFile):
        return await asyncio.to_thread(write_text, effect.path, effect.text, effect.mode)
    if isinstance(effect, RunProcess):
        return await _run_process_async(effect.argv, effect.timeout)
    if isinstance(effect, Sleep):
        return await asleep(effect.seconds)
    if isinstance(effect, Resolve):
        return await akeys_of(effect.provider)
    if isinstance(effect, CallFunction):
        return await _call_async(effect.function, effect.args)
    raise TypeError(f"unknown credential flow effect {effect!r}")  # pragma: no cover


async def run_async(flow: Flow[R]) -> R:
    """Drive ``flow`` on the running event loop: HTTP through ``httpx.AsyncClient``, files in
    a worker thread, processes through asyncio; nothing blocks the loop."""
    run = _Run(flow)
    http = _AsyncHttp()
    try:
        while (effect := run.next()) is not None:
            try:
                run.value = await _perform_async(effect, http)
            except Exception as exc:
                run.error = exc
        result: R = run.result
        return result
    finally:
        flow.close()
        await http.close()


def _is_async_callable(function: Callable[..., Any]) -> bool:
    import inspect

    return inspect.iscoroutinefunction(function) or inspect.iscoroutinefunction(
        getattr(function, "__call__", None)  # noqa: B004 - an object with an async __call__
    )
