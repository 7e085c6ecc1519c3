"""The contenders: how each one is imported, built, called and closed.

Every contender sends the same call, ``EnableKeyRotation(KeyId=..., RotationPeriodInDays=180)``,
to the fake KMS. The raw ones (httpx, aiohttp) resend request bytes pre-signed once by
``trentclient.SigV4Auth``: they are the floor of what a client over that library can cost.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "AK",
    "ASYNC",
    "CONTENDERS",
    "IMPORTS",
    "IRSA",
    "KEY_ID",
    "PARAMS",
    "REGION",
    "SK",
    "SYNC",
    "Contender",
    "missing_modules",
]

REGION = "us-east-1"
AK = "AKIDEXAMPLE"
SK = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
PARAMS: dict[str, Any] = {"KeyId": KEY_ID, "RotationPeriodInDays": 180}

SyncCall = Callable[[], Any]
AsyncCall = Callable[[], Awaitable[Any]]


@dataclass(frozen=True)
class Contender:
    """One client under test.

    ``kind`` is "sync" or "async". ``needs`` are the import names that must be installed.
    ``cold_*`` are the statement blocks a fresh interpreter runs for "import + construct +
    first call" (``URL``, ``PRESIGNED``, ``STS_AK`` and ``sys`` are defined for them); the
    three parts are timed apart.
    """

    name: str
    kind: str
    needs: tuple[str, ...]
    cold_import: str
    cold_construct: str
    cold_call: str
    experiment: bool = False  # an alternative transport, not a target contender
    label: str = field(default="")
    #: Run after the timed parts, before the result is printed: asserts what the figure
    #: claims (an ``AssertionError`` makes the child fail, and the run report an error).
    cold_check: str = ""

    @property
    def title(self) -> str:
        return self.label or self.name


def missing_modules(needs: tuple[str, ...]) -> list[str]:
    """The names in ``needs`` that cannot be imported here (checked without importing).

    ``TRENT_BENCH_HIDE=mod1,mod2`` makes installed modules count as missing (for tests).
    """
    hidden = {h.strip() for h in os.environ.get("TRENT_BENCH_HIDE", "").split(",") if h.strip()}
    missing = []
    for name in needs:
        if name in hidden:
            missing.append(name)
            continue
        try:
            if importlib.util.find_spec(name) is None:
                missing.append(name)
        except (ImportError, ValueError):
            missing.append(name)
    return missing


_KW = "region_name=REGION, endpoint_url=URL, aws_access_key_id=AK, aws_secret_access_key=SK"

CONTENDERS: list[Contender] = [
    Contender(
        name="trentclient.Client",
        kind="sync",
        needs=("httpx", "attrs"),
        cold_import="import trentclient",
        cold_construct=f"c = trentclient.Client({_KW})",
        cold_call="c.enable_key_rotation(**PARAMS)",
    ),
    Contender(
        name="boto3",
        kind="sync",
        needs=("boto3",),
        cold_import="import boto3",
        cold_construct=f'c = boto3.client("kms", {_KW})',
        cold_call="c.enable_key_rotation(**PARAMS)",
    ),
    Contender(
        name="raw httpx (sync)",
        kind="sync",
        needs=("httpx",),
        cold_import="import httpx",
        cold_construct="c = httpx.Client()",
        cold_call="c.post(URL + '/', content=PRESIGNED['body'], headers=PRESIGNED['headers']).read()",
    ),
    Contender(
        name="trentclient.AsyncClient",
        kind="async",
        needs=("httpx", "attrs"),
        cold_import="import asyncio, trentclient",
        cold_construct=f"c = trentclient.AsyncClient({_KW})",
        cold_call="asyncio.run(c.enable_key_rotation(**PARAMS))",
    ),
    Contender(
        name="aiobotocore",
        kind="async",
        needs=("aiobotocore", "aiohttp"),
        cold_import="import asyncio, aiobotocore.session",
        cold_construct=(
            "s = aiobotocore.session.get_session()\n"
            "async def first():\n"
            f'    async with s.create_client("kms", {_KW}) as c:\n'
            "        return await c.enable_key_rotation(**PARAMS)"
        ),
        # aiobotocore's client only exists inside a running loop: its construction is
        # timed together with the first call here (see RESULTS.md).
        cold_call="asyncio.run(first())",
    ),
    Contender(
        name="raw httpx (async)",
        kind="async",
        needs=("httpx",),
        cold_import="import asyncio, httpx",
        cold_construct="c = httpx.AsyncClient()",
        cold_call=(
            "async def first():\n"
            "    r = await c.post(URL + '/', content=PRESIGNED['body'], headers=PRESIGNED['headers'])\n"
            "    await r.aread()\n"
            "asyncio.run(first())"
        ),
    ),
    Contender(
        name="raw aiohttp",
        kind="async",
        needs=("aiohttp",),
        cold_import="import asyncio, aiohttp",
        cold_construct=(
            "async def first():\n"
            "    async with aiohttp.ClientSession() as c:\n"
            "        async with c.post(URL + '/', data=PRESIGNED['body'], headers=PRESIGNED['headers']) as r:\n"
            "            await r.read()"
        ),
        cold_call="asyncio.run(first())",
    ),
    Contender(
        name="trentclient.AsyncClient + httpx-aiohttp",
        kind="async",
        needs=("httpx", "attrs", "aiohttp", "httpx_aiohttp"),
        cold_import="",
        cold_construct="",
        cold_call="",
        experiment=True,
    ),
    Contender(
        name="trentclient.AsyncClient + bench aiohttp transport",
        kind="async",
        needs=("httpx", "attrs", "aiohttp"),
        cold_import="",
        cold_construct="",
        cold_call="",
        experiment=True,
    ),
]

#: The IRSA (EKS web identity) cold start: no keys given; the environment has
#: ``AWS_WEB_IDENTITY_TOKEN_FILE``, ``AWS_ROLE_ARN`` and ``AWS_ENDPOINT_URL_STS`` (the fake
#: STS), so the first call first sends STS ``AssumeRoleWithWebIdentity``.
IRSA: list[Contender] = [
    Contender(
        name="trentclient.Client",
        kind="sync",
        needs=("httpx", "attrs"),
        cold_import="import trentclient",
        cold_construct="c = trentclient.Client(region_name=REGION, endpoint_url=URL)",
        cold_call="c.enable_key_rotation(**PARAMS)",
        cold_check=(
            "assert 'botocore' not in sys.modules, 'the IRSA path imported botocore'\n"
            "_p = c._core.credentials\n"
            "assert _p.method == 'assume-role-with-web-identity', _p.method\n"
            "assert _p.get_keys().access_key == STS_AK, 'not the fake STS credentials'"
        ),
    ),
    Contender(
        name="boto3",
        kind="sync",
        needs=("boto3",),
        cold_import="import boto3",
        cold_construct='c = boto3.client("kms", region_name=REGION, endpoint_url=URL)',
        cold_call="c.enable_key_rotation(**PARAMS)",
        cold_check=(
            "_k = c._request_signer._credentials\n"
            "assert _k.method == 'assume-role-with-web-identity', _k.method\n"
            "assert _k.access_key == STS_AK, 'not the fake STS credentials'"
        ),
    ),
]

SYNC = [c for c in CONTENDERS if c.kind == "sync"]
ASYNC = [c for c in CONTENDERS if c.kind == "async"]

#: What "import time" imports, with the names that must be installed.
IMPORTS: list[tuple[str, str, tuple[str, ...]]] = [
    ("trentclient", "import trentclient", ("httpx", "attrs")),
    ("boto3", "import boto3", ("boto3",)),
    ("httpx", "import httpx", ("httpx",)),
    ("aiobotocore", "import aiobotocore.session", ("aiobotocore",)),
    ("aiohttp", "import aiohttp", ("aiohttp",)),
]


# -- builders used by the worker (imports happen here, outside any timed region) -------------


def presigned(url: str) -> dict[str, Any]:
    """The request trentclient would send, signed once: ``{"body": bytes-as-str, "headers"}``.

    Host and Content-Length are left out: every HTTP library adds its own, with the same values.
    """
    import trentclient

    client = trentclient.Client(
        region_name=REGION, endpoint_url=url, aws_access_key_id=AK, aws_secret_access_key=SK
    )
    try:
        request = client.build_request("EnableKeyRotation", PARAMS)
    finally:
        client.close()
    headers = [
        (k, v) for k, v in request.headers.items() if k.lower() not in ("host", "content-length")
    ]
    return {"body": request.content.decode("latin-1"), "headers": headers}


def make_sync(name: str, url: str, pre: dict[str, Any]) -> tuple[SyncCall, Callable[[], None]]:
    """``(call, close)`` for a sync contender."""
    if name == "trentclient.Client":
        import trentclient

        tc = trentclient.Client(
            region_name=REGION, endpoint_url=url, aws_access_key_id=AK, aws_secret_access_key=SK
        )
        return (lambda: tc.enable_key_rotation(**PARAMS)), tc.close
    if name == "boto3":
        import boto3

        bc = boto3.client(
            "kms",
            region_name=REGION,
            endpoint_url=url,
            aws_access_key_id=AK,
            aws_secret_access_key=SK,
        )
        return (lambda: bc.enable_key_rotation(**PARAMS)), bc.close
    if name == "raw httpx (sync)":
        import httpx

        hc = httpx.Client()
        body = pre["body"].encode("latin-1")
        headers = pre["headers"]
        target = url + "/"

        def call() -> bytes:
            response = hc.post(target, content=body, headers=headers)
            return response.content

        return call, hc.close
    raise KeyError(name)


async def make_async(
    name: str, url: str, pre: dict[str, Any], concurrency: int
) -> tuple[AsyncCall, Callable[[], Awaitable[None]]]:
    """``(call, aclose)`` for an async contender, its pool sized to ``concurrency``."""
    if name.startswith("trentclient.AsyncClient"):
        import httpx

        import trentclient

        config = trentclient.Config(max_pool_connections=max(concurrency, 1))
        http_client: httpx.AsyncClient | None = None
        if name.endswith("httpx-aiohttp"):
            from httpx_aiohttp import AiohttpTransport

            limits = httpx.Limits(
                max_connections=concurrency, max_keepalive_connections=concurrency
            )
            http_client = httpx.AsyncClient(transport=AiohttpTransport(limits=limits))
        elif name.endswith("bench aiohttp transport"):
            from benchmarks.aiohttp_transport import AiohttpTransport as BenchTransport

            http_client = httpx.AsyncClient(transport=BenchTransport(limit=concurrency))
        tac = trentclient.AsyncClient(
            region_name=REGION,
            endpoint_url=url,
            aws_access_key_id=AK,
            aws_secret_access_key=SK,
            config=config,
            http_client=http_client,
        )

        async def aclose() -> None:
            await tac.aclose()
            if http_client is not None:
                await http_client.aclose()

        return (lambda: tac.enable_key_rotation(**PARAMS)), aclose
    if name == "aiobotocore":
        from aiobotocore.config import AioConfig
        from aiobotocore.session import get_session

        ctx = get_session().create_client(
            "kms",
            region_name=REGION,
            endpoint_url=url,
            aws_access_key_id=AK,
            aws_secret_access_key=SK,
            config=AioConfig(max_pool_connections=concurrency),
        )
        abc = await ctx.__aenter__()

        async def aclose_abc() -> None:
            await ctx.__aexit__(None, None, None)

        return (lambda: abc.enable_key_rotation(**PARAMS)), aclose_abc
    body = pre["body"].encode("latin-1")
    headers = pre["headers"]
    target = url + "/"
    if name == "raw httpx (async)":
        import httpx

        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        hac = httpx.AsyncClient(limits=limits)

        async def hcall() -> bytes:
            response = await hac.post(target, content=body, headers=headers)
            return response.content

        return hcall, hac.aclose
    if name == "raw aiohttp":
        import aiohttp

        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency))

        async def acall() -> bytes:
            async with session.post(target, data=body, headers=headers) as response:
                return await response.read()

        return acall, session.close
    raise KeyError(name)


def construct_once(name: str, url: str) -> Callable[[], Any]:
    """A callable that builds (and closes) one client, for construction timing."""
    if name == "trentclient.Client":
        import trentclient

        def build_tc() -> None:
            trentclient.Client(
                region_name=REGION,
                endpoint_url=url,
                aws_access_key_id=AK,
                aws_secret_access_key=SK,
            ).close()

        return build_tc
    if name == "trentclient.AsyncClient":
        import trentclient

        def build_tac() -> None:
            trentclient.AsyncClient(
                region_name=REGION,
                endpoint_url=url,
                aws_access_key_id=AK,
                aws_secret_access_key=SK,
            )  # nothing opened yet: no connection before the first call

        return build_tac
    if name == "boto3":
        import boto3

        def build_boto3() -> None:
            boto3.client(
                "kms",
                region_name=REGION,
                endpoint_url=url,
                aws_access_key_id=AK,
                aws_secret_access_key=SK,
            ).close()

        return build_boto3
    if name == "raw httpx (sync)":
        import httpx

        return lambda: httpx.Client().close()
    if name == "raw httpx (async)":
        import httpx

        return lambda: httpx.AsyncClient()
    raise KeyError(name)


async def construct_once_async(name: str, url: str) -> Callable[[], Awaitable[None]]:
    """Async construction (enter and exit the client's context) for the async-only clients."""
    if name == "aiobotocore":
        from aiobotocore.session import get_session

        session = get_session()

        async def build_abc() -> None:
            async with session.create_client(
                "kms",
                region_name=REGION,
                endpoint_url=url,
                aws_access_key_id=AK,
                aws_secret_access_key=SK,
            ):
                pass

        return build_abc
    if name == "raw aiohttp":
        import aiohttp

        async def build_session() -> None:
            async with aiohttp.ClientSession():
                pass

        return build_session
    raise KeyError(name)
