"""Credential sources as flows: a generator of effects, driven by one sync and one async driver.

A source never performs I/O itself. Its ``flow()`` is a generator (in the spirit of
``httpx.Auth.auth_flow``) that *yields* what it needs done and *receives* the outcome:

=====================  ===============================================  =====================
effect                 the driver does                                  the flow receives
=====================  ===============================================  =====================
``HttpRequest``        one HTTP exchange (httpx; async: httpx.Async…)   ``HttpResponse`` or
                                                                        ``HttpFailure``
``ReadFile``           read a UTF-8 file (async: in a worker thread)    ``str`` or ``None``
``WriteFile``          write a file atomically with ``mode``            ``None`` or an error
                                                                        text
``RunProcess``         run argv, no shell (async: asyncio subprocess)   ``ProcessResult``
``Resolve``            get keys from another provider (single-flight)   ``Keys``
``CallFunction``       call a user callable (async: awaited, or run     its return value
                       in a worker thread when it is a plain function)
``Sleep``              sleep (async: ``asyncio.sleep``)                 ``None``
=====================  ===============================================  =====================

An exception raised while carrying out ``Resolve`` or ``CallFunction`` is thrown into the
flow at its ``yield``. HTTP failures are values, not exceptions, because sources decide what
a timeout or a refused connection means (IMDS falls back to v1 on a read timeout).

The flow's return value is a :class:`Keys` (or ``None`` where a source finds nothing, as
IMDS without a role). Tests drive a flow by hand: ``flow.send(HttpResponse(...))``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Generator, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, TypeVar

if TYPE_CHECKING:
    import httpx

    from trentclient._credvalue import Credentials

__all__ = [
    "CallFunction",
    "Effect",
    "Flow",
    "HttpFailure",
    "HttpRequest",
    "HttpResponse",
    "Keys",
    "KeysProvider",
    "ProcessResult",
    "ReadFile",
    "Resolve",
    "RunProcess",
    "Sleep",
    "WriteFile",
    "run_async",
    "run_sync",
]

logger = logging.getLogger("trentclient.credentials")

R = TypeVar("R")


def utcnow() -> datetime:
    return datetime.now(UTC)


# -- the value a flow produces ------------------------------------------------------------------


class Keys:
    """An access key pair as a source found it: the signer reads it directly.

    A plain class (no attrs, so a web-identity client costs no more to start than a static
    one); :attr:`credentials` makes the public ``Credentials`` value on demand. ``obtained``
    is when the source produced it (for the refresh windows of short-lived credentials).
    Secrets are left out of ``repr()``.
    """

    __slots__ = (
        "_credentials",
        "access_key",
        "account_id",
        "expiry",
        "obtained",
        "secret_key",
        "token",
    )

    def __init__(
        self,
        access_key: str,
        secret_key: str,
        token: str | None = None,
        *,
        expiry: datetime | None = None,
        account_id: str | None = None,
        obtained: datetime | None = None,
    ) -> None:
        from ._static import check_text

        check_text("access_key", access_key)
        check_text("secret_key", secret_key)
        check_text("token", token, optional=True)
        if expiry is not None and expiry.tzinfo is None:
            raise ValueError("Keys.expiry must be timezone-aware")
        self.access_key = access_key
        self.secret_key = secret_key
        self.token = token or None
        self.expiry = expiry
        self.account_id = account_id
        self.obtained = obtained if obtained is not None else utcnow()
        self._credentials: Credentials | None = None

    @classmethod
    def from_credentials(cls, credentials: Credentials) -> Keys:
        keys = cls(
            credentials.access_key,
            credentials.secret_key,
            credentials.token,
            expiry=credentials.expiry,
        )
        keys._credentials = credentials
        return keys

    @property
    def credentials(self) -> Credentials:
        """The public ``trentclient.Credentials`` value (made on first use)."""
        made = self._credentials
        if made is None:
            from trentclient._credvalue import Credentials

            made = self._credentials = Credentials(
                self.access_key, self.secret_key, self.token, expiry=self.expiry
            )
        return made

    def with_expiry(self, expiry: datetime | None) -> Keys:
        return Keys(
            self.access_key,
            self.secret_key,
            self.token,
            expiry=expiry,
            account_id=self.account_id,
            obtained=self.obtained,
        )

    def __repr__(self) -> str:
        return f"Keys(access_key={self.access_key!r}, expiry={self.expiry!r})"


class KeysProvider(Protocol):
    """A provider a flow can ask for source credentials (``Resolve``)."""

    def get_keys(self) -> Keys: ...

    async def aget_keys(self) -> Keys: ...


# -- effects ---------------------------------------------------------------------------------


class HttpRequest:
    """One HTTP exchange for a credential source.

    ``timeout`` is ``(connect, read)`` seconds. ``trust_env`` lets environment proxies
    apply (STS and SSO, as botocore); metadata endpoints (IMDS, the container endpoint)
    never use them. ``secret_headers`` are header names whose values are never logged.
    ``max_body`` caps the answer: a longer one gives ``HttpFailure("too-large")``.
    """

    __slots__ = (
        "body",
        "headers",
        "max_body",
        "method",
        "secret_headers",
        "timeout",
        "trust_env",
        "url",
    )

    def __init__(
        self,
        method: str,
        url: str,
        headers: Sequence[tuple[str, str]] = (),
        body: bytes = b"",
        *,
        timeout: tuple[float, float] = (1.0, 1.0),
        trust_env: bool = False,
        secret_headers: frozenset[str] = frozenset(),
        max_body: int = 1024 * 1024,
    ) -> None:
        self.method = method
        self.url = url
        self.headers = list(headers)
        self.body = body
        self.timeout = timeout
        self.trust_env = trust_env
        self.secret_headers = frozenset(name.lower() for name in secret_headers)
        self.max_body = max_body

    def __repr__(self) -> str:
        return f"HttpRequest({self.method} {self.url})"

    def describe(self) -> str:
        """Method, URL and headers with secret values hidden (for DEBUG logs)."""
        shown = ", ".join(
            f"{name}: {'***' if name.lower() in self.secret_headers else value}"
            for name, value in self.headers
        )
        return f"{self.method} {self.url} [{shown}] ({len(self.body)} body bytes)"


class HttpResponse:
    """The answer: status, headers (case-insensitive), and the whole body."""

    __slots__ = ("body", "headers", "status")

    def __init__(
        self, status: int, headers: Mapping[str, str] | None = None, body: bytes = b""
    ) -> None:
        import httpx

        self.status = status
        self.headers: httpx.Headers = httpx.Headers(headers or {})
        self.body = body

    def __repr__(self) -> str:
        return f"HttpResponse({self.status}, {len(self.body)} body bytes)"


class HttpFailure:
    """No answer. ``kind``: ``"connect"`` (refused, unreachable, DNS), ``"connect-timeout"``,
    ``"read-timeout"``, ``"closed"`` (reset or closed before a full answer), ``"too-large"``,
    or ``"other"``. ``message`` never holds a secret."""

    __slots__ = ("kind", "message")

    def __init__(self, kind: str, message: str = "") -> None:
        self.kind = kind
        self.message = message or kind

    @property
    def is_timeout(self) -> bool:
        return self.kind in ("connect-timeout", "read-timeout")

    def __repr__(self) -> str:
        return f"HttpFailure({self.kind!r}, {self.message!r})"


class ReadFile:
    """Read a text file (UTF-8); the flow receives its text, or ``None`` if it cannot be read."""

    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        self.path = path

    def __repr__(self) -> str:
        return f"ReadFile({self.path!r})"


class WriteFile:
    """Write ``text`` to ``path`` (parent folders made, atomic replace, ``mode`` bits).

    The flow receives ``None``, or a short description of why it failed."""

    __slots__ = ("mode", "path", "text")

    def __init__(self, path: str, text: str, mode: int = 0o600) -> None:
        self.path = path
        self.text = text
        self.mode = mode

    def __repr__(self) -> str:
        return f"WriteFile({self.path!r})"


class RunProcess:
    """Run ``argv`` (no shell), stdin closed, stdout and stderr captured."""

    __slots__ = ("argv", "timeout")

    def __init__(self, argv: Sequence[str], timeout: float | None = None) -> None:
        self.argv = list(argv)
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"RunProcess({self.argv[:1]!r}...)"


class ProcessResult:
    """``returncode`` (None when it could not start: ``error`` says why), stdout, stderr."""

    __slots__ = ("error", "returncode", "stderr", "stdout")

    def __init__(
        self,
        returncode: int | None,
        stdout: bytes = b"",
        stderr: bytes = b"",
        error: str | None = None,
    ) -> None:
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.error = error


class Resolve:
    """Keys from another provider (assume-role's source credentials)."""

    __slots__ = ("provider",)

    def __init__(self, provider: KeysProvider) -> None:
        self.provider = provider


class CallFunction:
    """Call a user's callable with ``args`` (``mfa_token_provider``, ``credential_provider``)."""

    __slots__ = ("args", "function")

    def __init__(self, function: Callable[..., Any], *args: Any) -> None:
        self.function = function
        self.args = args


class Sleep:
    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


Effect: TypeAlias = HttpRequest | ReadFile | WriteFile | RunProcess | Resolve | CallFunction | Sleep
Flow: TypeAlias = Generator[Effect, Any, R]


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
        return ProcessResult(
            None, error=f"it could not be started ({type(exc).__name__}: {exc.strerror or exc})"
        )
    return ProcessResult(done.returncode, done.stdout, done.stderr)


def _failure(exc: Exception) -> HttpFailure:
    """What went wrong, in words that hold no header value: h11's and httpx's own messages
    for a refused header quote the value, which may be a token, so only connection errors
    (the operating system's words) keep their text."""
    import httpx

    if isinstance(exc, httpx.ConnectTimeout):
        return HttpFailure("connect-timeout", "connect timeout")
    if isinstance(exc, httpx.TimeoutException):
        return HttpFailure("read-timeout", "read timeout")
    if isinstance(exc, httpx.ConnectError):
        return HttpFailure("connect", f"could not connect ({exc or type(exc).__name__})")
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
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


# -- the sync driver -------------------------------------------------------------------------


class _SyncHttp:
    def __init__(self) -> None:
        self._clients: dict[tuple[bool, str], httpx.Client] = {}

    def send(self, request: HttpRequest) -> HttpResponse | HttpFailure:
        import httpx

        _log_request(request)
        https = request.url.lower().startswith("https:")
        key = (request.trust_env, "https" if https else "http")
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = httpx.Client(
                verify=_ssl_for(request.url), trust_env=request.trust_env
            )
        answer: HttpResponse | HttpFailure
        try:
            with client.stream(
                request.method,
                request.url,
                headers=request.headers,
                content=request.body or None,
                timeout=_timeout(request),
            ) as response:
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > request.max_body:
                        answer = HttpFailure("too-large", f"answer over {request.max_body} bytes")
                        break
                    chunks.append(chunk)
                else:
                    answer = HttpResponse(response.status_code, response.headers, b"".join(chunks))
        except httpx.HTTPError as exc:
            answer = _failure(exc)
        except (OSError, ValueError) as exc:  # e.g. an invalid URL or header value
            answer = _failure(exc)
        _log_response(request, answer)
        return answer

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()


def run_sync(flow: Flow[R]) -> R:
    """Drive ``flow`` to its end in the calling thread; returns what it returns."""
    http = _SyncHttp()
    try:
        value: Any = None
        error: BaseException | None = None
        while True:
            try:
                effect = flow.send(value) if error is None else flow.throw(error)
            except StopIteration as stop:
                result: R = stop.value
                return result
            value, error = None, None
            if isinstance(effect, HttpRequest):
                value = http.send(effect)
            elif isinstance(effect, ReadFile):
                value = read_text(effect.path)
            elif isinstance(effect, WriteFile):
                value = write_text(effect.path, effect.text, effect.mode)
            elif isinstance(effect, RunProcess):
                value = run_process(effect.argv, effect.timeout)
            elif isinstance(effect, Sleep):
                sleep(effect.seconds)
            elif isinstance(effect, Resolve | CallFunction):
                try:
                    if isinstance(effect, Resolve):
                        value = keys_of(effect.provider)
                    else:
                        value = effect.function(*effect.args)
                        if hasattr(value, "__await__"):
                            close = getattr(value, "close", None)
                            if close is not None:
                                close()
                            raise TypeError(
                                "an async callable needs AsyncClient; Client calls it synchronously"
                            )
                except Exception as exc:
                    error = exc
            else:  # pragma: no cover - a programming error in a source
                raise TypeError(f"unknown credential flow effect {effect!r}")
    finally:
        flow.close()
        http.close()


# -- the async driver ------------------------------------------------------------------------


class _AsyncHttp:
    def __init__(self) -> None:
        self._clients: dict[tuple[bool, str], httpx.AsyncClient] = {}

    async def send(self, request: HttpRequest) -> HttpResponse | HttpFailure:
        import httpx

        _log_request(request)
        https = request.url.lower().startswith("https:")
        key = (request.trust_env, "https" if https else "http")
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = httpx.AsyncClient(
                verify=_ssl_for(request.url), trust_env=request.trust_env
            )
        answer: HttpResponse | HttpFailure
        try:
            async with client.stream(
                request.method,
                request.url,
                headers=request.headers,
                content=request.body or None,
                timeout=_timeout(request),
            ) as response:
                chunks: list[bytes] = []
                size = 0
                too_large = False
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > request.max_body:
                        too_large = True
                        break
                    chunks.append(chunk)
                if too_large:
                    answer = HttpFailure("too-large", f"answer over {request.max_body} bytes")
                else:
                    answer = HttpResponse(response.status_code, response.headers, b"".join(chunks))
        except httpx.HTTPError as exc:
            answer = _failure(exc)
        except (OSError, ValueError) as exc:
            answer = _failure(exc)
        _log_response(request, answer)
        return answer

    async def close(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()


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
        return ProcessResult(
            None, error=f"it could not be started ({type(exc).__name__}: {exc.strerror or exc})"
        )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        return ProcessResult(None, error=f"it did not finish within {timeout} s")
    return ProcessResult(process.returncode, stdout, stderr)


async def run_async(flow: Flow[R]) -> R:
    """Drive ``flow`` on the running event loop: HTTP through ``httpx.AsyncClient``, files in
    a worker thread, processes through asyncio; nothing blocks the loop."""
    import asyncio
    import inspect

    http = _AsyncHttp()
    try:
        value: Any = None
        error: BaseException | None = None
        while True:
            try:
                effect = flow.send(value) if error is None else flow.throw(error)
            except StopIteration as stop:
                result: R = stop.value
                return result
            value, error = None, None
            if isinstance(effect, HttpRequest):
                value = await http.send(effect)
            elif isinstance(effect, ReadFile):
                value = await asyncio.to_thread(read_text, effect.path)
            elif isinstance(effect, WriteFile):
                value = await asyncio.to_thread(write_text, effect.path, effect.text, effect.mode)
            elif isinstance(effect, RunProcess):
                value = await _run_process_async(effect.argv, effect.timeout)
            elif isinstance(effect, Sleep):
                await asleep(effect.seconds)
            elif isinstance(effect, Resolve | CallFunction):
                try:
                    if isinstance(effect, Resolve):
                        value = await akeys_of(effect.provider)
                    elif _is_async_callable(effect.function):
                        value = await effect.function(*effect.args)
                    else:
                        value = await asyncio.to_thread(effect.function, *effect.args)
                        if inspect.isawaitable(value):
                            value = await value
                except Exception as exc:
                    error = exc
            else:  # pragma: no cover - a programming error in a source
                raise TypeError(f"unknown credential flow effect {effect!r}")
    finally:
        flow.close()
        await http.close()


def _is_async_callable(function: Callable[..., Any]) -> bool:
    import inspect

    return inspect.iscoroutinefunction(function) or inspect.iscoroutinefunction(
        getattr(function, "__call__", None)  # noqa: B004 - an object with an async __call__
    )
