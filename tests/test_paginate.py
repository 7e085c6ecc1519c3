"""Pagination (``get_paginator``), for both clients, checked against botocore's paginators.

Canned pages are served to trentclient through an ``httpx.MockTransport`` and to botocore
through its ``before-send`` event, so both walk the very same answers; the pages, the request
bodies (byte for byte), ``resume_token`` and ``build_full_result()`` must agree.
"""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import botocore.awsrequest
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trentclient
from tests.botocore_oracle import botocore_client
from tests.conftest import AK, SK, Driver, mock_http
from trentclient import paginators
from trentclient._generated._shapes import OPERATIONS
from trentclient._localkms import LocalKMS
from trentclient._paginate import PageCursor, PagingPlan, encode_token

ROOT = Path(__file__).resolve().parent.parent
PAGINATED = {
    "describe_custom_key_stores": "CustomKeyStores",
    "list_aliases": "Aliases",
    "list_grants": "Grants",
    "list_key_policies": "PolicyNames",
    "list_key_rotations": "Rotations",
    "list_keys": "Keys",
    "list_resource_tags": "Tags",
    "list_retirable_grants": "Grants",
}


# -- canned pages -----------------------------------------------------------------------------


def chain(
    sizes: list[int],
    *,
    result_key: str = "Keys",
    end: str = "truncated_false",
    first_marker: str | None = None,
) -> dict[str | None, dict[str, Any]]:
    """Pages of ``sizes[i]`` items each, linked by markers ``m1``, ``m2``...: Marker -> body.

    ``end`` is how the last page says so: ``Truncated`` false (no ``NextMarker``), or
    ``Truncated`` true with a missing or an empty ``NextMarker``.
    """
    pages: dict[str | None, dict[str, Any]] = {}
    marker, n = first_marker, 0
    for i, size in enumerate(sizes):
        items = [{"KeyId": f"k{n + j}"} for j in range(size)]
        n += size
        body: dict[str, Any] = {result_key: items}
        if i + 1 < len(sizes):
            body.update(Truncated=True, NextMarker=f"m{i + 1}")
        elif end == "truncated_false":
            body["Truncated"] = False
        elif end == "missing_marker":
            body["Truncated"] = True
        else:
            body.update(Truncated=True, NextMarker="")
        pages[marker] = body
        marker = f"m{i + 1}"
    return pages


class Canned:
    """The KMS answering ``operation`` with ``pages`` (by the request's ``Marker``)."""

    def __init__(self, operation: str, pages: dict[str | None, dict[str, Any]]) -> None:
        self.operation = operation
        self.pages = pages
        self.bodies: list[bytes] = []

    @property
    def sent(self) -> list[dict[str, Any]]:
        return [json.loads(body) for body in self.bodies]

    def body_for(self, request_body: bytes) -> bytes:
        self.bodies.append(request_body)
        return json.dumps(self.pages[json.loads(request_body).get("Marker")]).encode()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["X-Amz-Target"] == f"TrentService.{self.operation}"
        content = self.body_for(request.content)
        headers = {"x-amzn-RequestId": f"req-{len(self.bodies)}"}
        return httpx.Response(200, content=content, headers=headers)


def walk(driver: Driver, page_iterator: Any) -> list[dict[str, Any]]:
    """Every page, with ``for`` (sync) or ``async for`` (async)."""
    if driver.kind == "sync":
        return list(page_iterator)

    async def collect() -> list[dict[str, Any]]:
        return [page async for page in page_iterator]

    result: list[dict[str, Any]] = driver.run(collect())
    return result


def items(pages: list[dict[str, Any]], key: str = "Keys") -> list[str]:
    return [item["KeyId"] for page in pages for item in page[key]]


def token(**fields: Any) -> str:
    return base64.b64encode(json.dumps(fields).encode()).decode()


def without_metadata(pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in page.items() if k != "ResponseMetadata"} for page in pages]


# -- botocore, as the oracle ------------------------------------------------------------------


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


_BOTOCORE: list[Any] = []


def botocore_paginate(
    method: str, pages: dict[str | None, dict[str, Any]], params: dict[str, Any]
) -> dict[str, Any]:
    """botocore's pages, resume token, full result and request bodies over ``pages``."""
    if not _BOTOCORE:
        _BOTOCORE.append(botocore_client("us-east-1"))
    client = _BOTOCORE[0]
    canned = Canned(OPERATIONS[_op(method)].name, pages)

    def send(request: botocore.awsrequest.AWSPreparedRequest, **_: Any) -> Any:
        body = canned.body_for(request.body)
        headers = {"x-amzn-RequestId": "r", "Content-Type": "application/x-amz-json-1.1"}
        return botocore.awsrequest.AWSResponse(request.url, 200, headers, _Raw(body))

    client.meta.events.register("before-send.kms", send)
    try:
        paginator = client.get_paginator(method)
        iterator = paginator.paginate(**json.loads(json.dumps(params)))
        got = list(iterator)
        bodies = list(canned.bodies)
        full = paginator.paginate(**json.loads(json.dumps(params))).build_full_result()
    finally:
        client.meta.events.unregister("before-send.kms", send)
    return {
        "pages": without_metadata(got),
        "resume_token": iterator.resume_token,
        "full": full,
        "bodies": bodies,
    }


def _op(method: str) -> str:
    return next(name for name, op in OPERATIONS.items() if op.method_name == method)


def trent_paginate(
    kind: str, method: str, pages: dict[str | None, dict[str, Any]], params: dict[str, Any]
) -> dict[str, Any]:
    """The same as ``botocore_paginate``, with a fresh trentclient client of ``kind``."""
    canned = Canned(_op(method), pages)
    kwargs: dict[str, Any] = dict(
        region_name="us-east-1",
        aws_access_key_id=AK,
        aws_secret_access_key=SK,
        http_client=mock_http(kind, canned),
    )
    if kind == "sync":
        with trentclient.Client(**kwargs) as kms:
            iterator = kms.get_paginator(method).paginate(**params)  # type: ignore[call-overload]
            got = list(iterator)
            bodies = list(canned.bodies)
            full = kms.get_paginator(method).paginate(**params).build_full_result()  # type: ignore[call-overload]
    else:

        async def run() -> tuple[Any, list[Any], Any]:
            async with trentclient.AsyncClient(**kwargs) as kms:
                iterator = kms.get_paginator(method).paginate(**params)  # type: ignore[call-overload]
                got = [page async for page in iterator]
                bodies.extend(canned.bodies)
                full = await kms.get_paginator(method).paginate(**params).build_full_result()  # type: ignore[call-overload]
                return iterator, got, full

        bodies: list[bytes] = []
        iterator, got, full = asyncio.run(run())
    return {
        "pages": without_metadata(got),
        "resume_token": iterator.resume_token,
        "full": full,
        "bodies": bodies,
    }


# -- names ------------------------------------------------------------------------------------


def test_paginated_operations_are_botocores(make_driver: Callable[..., Driver]) -> None:
    kms = make_driver().client
    boto = botocore_client("us-east-1")
    methods = [op.method_name for op in OPERATIONS.values()]
    assert {m for m in methods if kms.can_paginate(m)} == set(PAGINATED)
    assert {m for m in methods if boto.can_paginate(m)} == set(PAGINATED)
    for method, result_key in PAGINATED.items():
        assert boto.get_paginator(method).result_keys[0].expression == result_key
        iterator = kms.get_paginator(method).paginate(KeyId="k", RetiringPrincipal="p")
        assert iterator.result_keys == (result_key,)
    for name in ("describe_key", "ListKeys", "list-keys", "", "nope"):
        assert kms.can_paginate(name) is False
        with pytest.raises(ValueError, match="cannot be paginated") as info:
            kms.get_paginator(name)
        assert "list_keys, list_resource_tags, list_retirable_grants" in str(info.value)
    assert kms.can_paginate(["list_keys"]) is False


def test_paginator_kinds(make_driver: Callable[..., Driver], kind: str) -> None:
    paginator = make_driver().client.get_paginator("list_keys")
    expected = paginators.Paginator if kind == "sync" else paginators.AsyncPaginator
    assert type(paginator) is expected
    assert repr(paginator).endswith("Paginator('list_keys')")
    pages = paginator.paginate()
    if kind == "sync":
        assert isinstance(pages, paginators.PageIterator)
        assert not hasattr(pages, "__aiter__")
    else:
        assert isinstance(pages, paginators.AsyncPageIterator)
        assert not hasattr(pages, "__iter__")
    assert pages.resume_token is None


def test_public_typed_names_match_the_generated_protocols() -> None:
    """``trentclient.paginators`` lists every typed paginator the generator writes."""
    methods = (ROOT / "trentclient" / "_generated" / "_methods.py").read_text()
    typed = {n for n in paginators.__all__ if n.endswith("Paginator") and n[0] != "P"}
    typed -= {"AsyncPaginator"}
    expected = {
        f"{prefix}{op.name}Paginator"
        for op in OPERATIONS.values()
        if op.paginator is not None
        for prefix in ("", "Async")
    }
    assert typed == expected
    for name in expected:
        assert f"    class {name}(Protocol):" in methods, name
        runtime = paginators.AsyncPaginator if name.startswith("Async") else paginators.Paginator
        assert getattr(paginators, name) is runtime
    assert paginators.__all__ == sorted(paginators.__all__)
    with pytest.raises(AttributeError):
        paginators.ListKeysPaginatorz  # type: ignore[attr-defined]  # noqa: B018


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"result_key": "Page.Items"}, "not a plain member name"),
        ({"result_key": "Missing"}, "'Missing' is not a member"),
        ({"more_results": "Items"}, "more_results 'Items' is a list"),
        ({"limit_key": "Marker"}, "limit_key is a string"),
    ],
)
def test_generator_refuses_paginators_the_runtime_cannot_follow(
    change: dict[str, str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tools import gen_model, output_presence

    # The presence table is KMS's; this made-up model needs one of its own.
    always = output_presence.ALWAYS
    table = {"Out": {"Items": always, "NextMarker": always, "Truncated": always}}
    monkeypatch.setattr(output_presence, "OUTPUT_PRESENCE", table)

    shapes = {
        "In": {"type": "structure", "members": {"Marker": {"shape": "S"}, "Limit": {"shape": "I"}}},
        "Out": {
            "type": "structure",
            "members": {
                "Items": {"shape": "L"},
                "NextMarker": {"shape": "S"},
                "Truncated": {"shape": "B"},
            },
        },
        "S": {"type": "string"},
        "I": {"type": "integer"},
        "B": {"type": "boolean"},
        "L": {"type": "list", "member": {"shape": "S"}},
    }
    paginator = {
        "input_token": "Marker",
        "output_token": "NextMarker",
        "limit_key": "Limit",
        "more_results": "Truncated",
        "result_key": "Items",
    }
    operations = {"Op": {"name": "Op", "input": {"shape": "In"}, "output": {"shape": "Out"}}}
    model = gen_model.Model("0", "2014-11-01", operations, shapes, {"Op": paginator})
    assert "OpPaginator" in gen_model.render(model)["_methods.py"]
    bad = gen_model.Model("0", "2014-11-01", operations, shapes, {"Op": {**paginator, **change}})
    with pytest.raises(gen_model.GeneratorError, match=message):
        gen_model.render(bad)


def test_import_trentclient_leaves_pagination_unloaded() -> None:
    code = (
        "import sys, trentclient\n"
        "assert 'trentclient._paginate' not in sys.modules\n"
        "kms = trentclient.Client('us-east-1', aws_access_key_id='a', aws_secret_access_key='b')\n"
        "kms.get_paginator('list_keys')\n"
        "assert 'trentclient._paginate' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# -- walking the pages ------------------------------------------------------------------------


def test_pages_and_the_markers_sent(make_driver: Callable[..., Driver]) -> None:
    canned = Canned("ListKeys", chain([2, 2, 1]))
    kms = make_driver(handler=canned)
    pages = walk(kms, kms.client.get_paginator("list_keys").paginate())
    assert items(pages) == ["k0", "k1", "k2", "k3", "k4"]
    assert canned.sent == [{}, {"Marker": "m1"}, {"Marker": "m2"}]
    assert [p["ResponseMetadata"]["RequestId"] for p in pages] == ["req-1", "req-2", "req-3"]
    assert [p["ResponseMetadata"]["HTTPStatusCode"] for p in pages] == [200, 200, 200]
    assert [p["Truncated"] for p in pages] == [True, True, False]
    assert [p.get("NextMarker") for p in pages] == ["m1", "m2", None]


def test_page_size_sets_limit_on_every_request(make_driver: Callable[..., Driver]) -> None:
    canned = Canned("ListGrants", chain([2, 2, 1], result_key="Grants"))
    kms = make_driver(handler=canned)
    paginator = kms.client.get_paginator("list_grants")
    pages = walk(kms, paginator.paginate(KeyId="k", PaginationConfig={"PageSize": 2}))
    assert items(pages, "Grants") == ["k0", "k1", "k2", "k3", "k4"]
    # The caller's members first, then Limit, then Marker: botocore's order, byte for byte.
    assert canned.bodies == [
        b'{"KeyId": "k", "Limit": 2}',
        b'{"KeyId": "k", "Limit": 2, "Marker": "m1"}',
        b'{"KeyId": "k", "Limit": 2, "Marker": "m2"}',
    ]


@pytest.mark.parametrize("end", ["truncated_false", "missing_marker", "empty_marker"])
def test_the_last_page_ends_the_walk(make_driver: Callable[..., Driver], end: str) -> None:
    pages = chain([1, 1], end=end)
    canned = Canned("ListKeys", pages)
    kms = make_driver(handler=canned)
    assert items(walk(kms, kms.client.get_paginator("list_keys").paginate())) == ["k0", "k1"]
    assert len(canned.bodies) == 2


def test_truncated_false_wins_over_a_next_marker(make_driver: Callable[..., Driver]) -> None:
    pages = chain([1, 1])
    pages[None]["Truncated"] = False  # a marker, but "not truncated": stop, as botocore
    canned = Canned("ListKeys", pages)
    kms = make_driver(handler=canned)
    assert items(walk(kms, kms.client.get_paginator("list_keys").paginate())) == ["k0"]
    assert len(canned.bodies) == 1


def test_max_items_truncates_then_starting_token_resumes(
    make_driver: Callable[..., Driver],
) -> None:
    canned = Canned("ListKeys", chain([2, 2, 2]))
    kms = make_driver(handler=canned)
    paginator = kms.client.get_paginator("list_keys")
    first = paginator.paginate(PaginationConfig={"MaxItems": 3, "PageSize": 2})
    pages = walk(kms, first)
    assert items(pages) == ["k0", "k1", "k2"]
    assert [len(p["Keys"]) for p in pages] == [2, 1]
    # The second page was cut after 1 item: resume in that page (Marker m1), 1 item in.
    assert first.resume_token == token(Marker="m1", boto_truncate_amount=1)
    assert canned.sent == [{"Limit": 2}, {"Limit": 2, "Marker": "m1"}]

    canned.bodies.clear()
    rest = paginator.paginate(
        PaginationConfig={"StartingToken": first.resume_token, "PageSize": 2, "MaxItems": 2}
    )
    pages = walk(kms, rest)
    assert items(pages) == ["k3", "k4"]
    assert canned.sent == [{"Marker": "m1", "Limit": 2}, {"Marker": "m2", "Limit": 2}]
    assert rest.resume_token == token(Marker="m2", boto_truncate_amount=1)

    last = paginator.paginate(PaginationConfig={"StartingToken": rest.resume_token})
    full = kms.run(last.build_full_result())
    assert full == {"Keys": [{"KeyId": "k5"}]}
    assert last.resume_token is None


def test_max_items_on_a_page_boundary(make_driver: Callable[..., Driver]) -> None:
    canned = Canned("ListKeys", chain([2, 2]))
    kms = make_driver(handler=canned)
    iterator = kms.client.get_paginator("list_keys").paginate(PaginationConfig={"MaxItems": 2})
    assert items(walk(kms, iterator)) == ["k0", "k1"]
    assert len(canned.bodies) == 1  # the next page is not fetched
    assert iterator.resume_token == token(Marker="m1")
    full = kms.run(iterator.build_full_result())
    assert full == {"Keys": [{"KeyId": "k0"}, {"KeyId": "k1"}], "NextToken": token(Marker="m1")}


def test_max_items_reaching_the_end_gives_no_token(make_driver: Callable[..., Driver]) -> None:
    kms = make_driver(handler=Canned("ListKeys", chain([2, 2])))
    iterator = kms.client.get_paginator("list_keys").paginate(PaginationConfig={"MaxItems": 4})
    assert len(items(walk(kms, iterator))) == 4
    assert iterator.resume_token is None


def test_starting_token_may_be_the_services_marker(make_driver: Callable[..., Driver]) -> None:
    canned = Canned("ListKeys", chain([1, 1, 1]))
    kms = make_driver(handler=canned)
    paginator = kms.client.get_paginator("list_keys")
    assert items(walk(kms, paginator.paginate(PaginationConfig={"StartingToken": "m1"}))) == [
        "k1",
        "k2",
    ]
    assert canned.sent[0] == {"Marker": "m1"}
    canned.bodies.clear()
    old_style = paginator.paginate(PaginationConfig={"StartingToken": "None___0"})
    assert items(walk(kms, old_style)) == ["k0", "k1", "k2"]
    assert canned.sent[0] == {}


def test_each_iteration_starts_over(make_driver: Callable[..., Driver]) -> None:
    canned = Canned("ListKeys", chain([1, 1]))
    kms = make_driver(handler=canned)
    iterator = kms.client.get_paginator("list_keys").paginate(PaginationConfig={"PageSize": 1})
    assert items(walk(kms, iterator)) == items(walk(kms, iterator)) == ["k0", "k1"]
    assert canned.sent == [{"Limit": 1}, {"Limit": 1, "Marker": "m1"}] * 2


def test_breaking_out_early_sends_no_more(make_driver: Callable[..., Driver]) -> None:
    canned = Canned("ListKeys", chain([1, 1, 1]))
    kms = make_driver(handler=canned)
    iterator = kms.client.get_paginator("list_keys").paginate()
    first = next(iter(iterator)) if kms.kind == "sync" else kms.run(anext(aiter(iterator)))
    assert first["Keys"] == [{"KeyId": "k0"}]
    assert len(canned.bodies) == 1


@pytest.mark.parametrize(
    ("answers", "requests"),
    [
        (["same", "same"], 2),  # the same marker again: botocore's own check
        (["a", "b", "a"], 3),  # a cycle: botocore would loop forever
    ],
)
def test_a_server_repeating_a_token_is_an_error(
    make_driver: Callable[..., Driver], answers: list[str], requests: int
) -> None:
    sent: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        if len(sent) > 10:  # fail, rather than hang, if the guard ever stops working
            raise AssertionError("the paginator is looping")
        marker = answers[min(len(sent), len(answers)) - 1]
        body = {"Keys": [{"KeyId": f"k{len(sent)}"}], "Truncated": True, "NextMarker": marker}
        return httpx.Response(200, json=body, headers={"x-amzn-RequestId": f"r{len(sent)}"})

    kms = make_driver(handler=handler)
    iterator = kms.client.get_paginator("list_keys").paginate()
    got: list[dict[str, Any]] = []

    async def async_walk() -> None:
        async for page in iterator:
            got.append(page)

    with pytest.raises(trentclient.ResponseParseError, match="already sent") as info:
        if kms.kind == "sync":
            got.extend(iterator)
        else:
            kms.run(async_walk())
    assert len(got) == len(sent) == requests  # every page answered was handed out first
    assert info.value.operation_name == "ListKeys"
    assert info.value.request_id == f"r{requests}"
    assert isinstance(info.value, trentclient.TrentError)
    with pytest.raises(trentclient.ResponseParseError):
        kms.run(iterator.build_full_result())


def test_an_error_page_raises_after_the_good_ones(make_driver: Callable[..., Driver]) -> None:
    pages = chain([1, 1])

    def handler(request: httpx.Request) -> httpx.Response:
        if json.loads(request.content).get("Marker") == "m1":
            error = {"__type": "NotFoundException", "message": "gone"}
            return httpx.Response(400, json=error)
        return httpx.Response(200, json=pages[None])

    kms = make_driver(handler=handler)
    got: list[dict[str, Any]] = []
    iterator = kms.client.get_paginator("list_keys").paginate()

    async def async_walk() -> None:
        async for page in iterator:
            got.append(page)

    with pytest.raises(trentclient.NotFoundException):  # type: ignore[attr-defined]
        if kms.kind == "sync":
            got.extend(iterator)
        else:
            kms.run(async_walk())
    assert items(got) == ["k0"]


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ({"MaxItem": 3}, "unknown key 'MaxItem'"),
        ({"MaxItems": "three"}, "MaxItems: expected an int"),
        ({"MaxItems": -1}, "MaxItems: expected a whole number"),
        ({"PageSize": True}, "PageSize: expected a whole number"),
        ({"PageSize": 2.5}, "PageSize: expected a whole number"),
        ({"StartingToken": 12}, "StartingToken: expected a str"),
        ({"StartingToken": "a___b___c"}, "StartingToken: not a valid token"),
        ({"StartingToken": token(Marker="m1", Extra=1)}, "StartingToken: not a valid token"),
        ({"StartingToken": token(boto_truncate_amount="1")}, "StartingToken: not a valid"),
        ({"StartingToken": token(Marker=1)}, "StartingToken: not a valid token"),
    ],
)
def test_a_bad_pagination_config_is_refused_before_sending(
    make_driver: Callable[..., Driver], config: dict[str, Any], problem: str
) -> None:
    canned = Canned("ListKeys", chain([1]))
    kms = make_driver(handler=canned)
    with pytest.raises(trentclient.ParamValidationError, match=problem) as info:
        kms.client.get_paginator("list_keys").paginate(PaginationConfig=config)
    assert info.value.operation_name == "ListKeys"
    assert canned.bodies == []


def test_botocore_spellings_are_accepted(make_driver: Callable[..., Driver]) -> None:
    canned = Canned("ListKeys", chain([3]))
    kms = make_driver(handler=canned)
    iterator = kms.client.get_paginator("list_keys").paginate(
        PaginationConfig={"MaxItems": "2", "PageSize": "5", "StartingToken": None}
    )
    assert items(walk(kms, iterator)) == ["k0", "k1"]
    assert canned.sent == [{"Limit": 5}]


def test_request_parameters_are_validated_when_sending(
    make_driver: Callable[..., Driver],
) -> None:
    kms = make_driver(handler=Canned("ListGrants", chain([1], result_key="Grants")))
    iterator = kms.client.get_paginator("list_grants").paginate()  # KeyId is required
    with pytest.raises(trentclient.ParamValidationError, match="KeyId"):
        walk(kms, iterator)


# -- against botocore -------------------------------------------------------------------------

CASES: list[tuple[str, list[int], dict[str, Any]]] = [
    ("list_keys", [2, 2, 1], {}),
    ("list_keys", [2, 2, 1], {"PaginationConfig": {"PageSize": 2}}),
    ("list_keys", [2, 2, 1], {"PaginationConfig": {"MaxItems": 3}}),
    ("list_keys", [2, 2, 1], {"PaginationConfig": {"MaxItems": 4, "PageSize": 2}}),
    ("list_keys", [2, 2, 1], {"PaginationConfig": {"MaxItems": 0}}),
    ("list_keys", [0, 0, 3], {"PaginationConfig": {"MaxItems": 1}}),
    (
        "list_keys",
        [3, 3],
        {
            "PaginationConfig": {
                "StartingToken": token(Marker=None, boto_truncate_amount=2),
                "MaxItems": 2,
            }
        },
    ),
    (
        "list_keys",
        [3, 3],
        {"PaginationConfig": {"StartingToken": token(Marker="m1", boto_truncate_amount=1)}},
    ),
    # Resumed inside a page and cut again in that same page: the token counts both.
    (
        "list_keys",
        [4, 2],
        {
            "PaginationConfig": {
                "StartingToken": token(Marker=None, boto_truncate_amount=1),
                "MaxItems": 2,
            }
        },
    ),
    ("list_keys", [3, 3], {"PaginationConfig": {"StartingToken": "m1", "MaxItems": 1}}),
    ("list_keys", [3, 3], {"PaginationConfig": {"StartingToken": "m1___2"}}),
    ("list_aliases", [1, 2], {"KeyId": "k", "PaginationConfig": {"PageSize": 7}}),
    ("list_grants", [1, 2], {"KeyId": "k", "GrantId": "g", "PaginationConfig": {"MaxItems": 2}}),
    ("list_key_policies", [1, 1], {"KeyId": "k"}),
    ("list_key_rotations", [2, 1], {"KeyId": "k", "PaginationConfig": {"MaxItems": 1}}),
    ("list_resource_tags", [1, 1, 1], {"KeyId": "k", "PaginationConfig": {"PageSize": 1}}),
    ("list_retirable_grants", [2], {"RetiringPrincipal": "p"}),
    ("describe_custom_key_stores", [1, 1], {"CustomKeyStoreName": "s"}),
]


def _canned_for(method: str, sizes: list[int], **kwargs: Any) -> dict[str | None, dict[str, Any]]:
    pages = chain(sizes, result_key=PAGINATED[method], **kwargs)
    if method == "list_key_policies":  # a list of strings, not of structures
        for page in pages.values():
            page["PolicyNames"] = [item["KeyId"] for item in page["PolicyNames"]]
    return pages


@pytest.mark.parametrize(("method", "sizes", "params"), CASES)
def test_same_as_botocore(kind: str, method: str, sizes: list[int], params: dict[str, Any]) -> None:
    pages = _canned_for(method, sizes)
    expected = botocore_paginate(method, pages, params)
    assert trent_paginate(kind, method, pages, params) == expected


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_same_as_botocore_for_any_walk(kind: str, data: st.DataObject) -> None:
    sizes = data.draw(st.lists(st.integers(0, 4), min_size=1, max_size=5), label="sizes")
    end = data.draw(st.sampled_from(["truncated_false", "missing_marker", "empty_marker"]))
    total = sum(sizes)
    config: dict[str, Any] = {}
    if data.draw(st.booleans(), label="max_items?"):
        config["MaxItems"] = data.draw(st.integers(0, total + 1), label="MaxItems")
    if data.draw(st.booleans(), label="page_size?"):
        config["PageSize"] = data.draw(st.integers(1, 1000), label="PageSize")
    markers: list[str | None] = [None] + [f"m{i}" for i in range(1, len(sizes))]
    start = data.draw(st.sampled_from(["none", "marker", "token", "old"]), label="start")
    if start != "none":
        marker = data.draw(st.sampled_from(markers), label="start marker")
        skip = data.draw(st.integers(0, 5), label="skip")
        if start == "marker" and marker is not None:
            config["StartingToken"] = marker
        elif start == "old":
            config["StartingToken"] = f"{marker}___{skip}"
        else:
            config["StartingToken"] = encode_token({"Marker": marker, "boto_truncate_amount": skip})
    params = {"PaginationConfig": config} if config else {}
    pages = chain(sizes, end=end)
    assert trent_paginate(kind, "list_keys", pages, params) == botocore_paginate(
        "list_keys", pages, params
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    sizes=st.lists(st.integers(0, 5), min_size=1, max_size=5),
    max_items=st.integers(1, 4),
    page_size=st.none() | st.integers(1, 3),
)
def test_resuming_until_the_end_gives_every_item_once(
    kind: str, sizes: list[int], max_items: int, page_size: int | None
) -> None:
    """Walk ``MaxItems`` at a time, each walk resuming from the last one's token."""
    pages = chain(sizes)
    seen: list[str] = []
    starting: str | None = None
    for _ in range(sum(sizes) + 2):
        config: dict[str, Any] = {"MaxItems": max_items}
        if page_size is not None:
            config["PageSize"] = page_size
        if starting is not None:
            config["StartingToken"] = starting
        params = {"PaginationConfig": config}
        ours = trent_paginate(kind, "list_keys", pages, params)
        assert ours == botocore_paginate("list_keys", pages, params)
        seen += [item["KeyId"] for item in ours["full"].get("Keys", [])]
        starting = ours["resume_token"]
        if starting is None:
            break
    assert seen == [f"k{i}" for i in range(sum(sizes))]


# -- the state machine on its own -------------------------------------------------------------


def test_cursor_is_sans_io() -> None:
    plan = PagingPlan(OPERATIONS["ListKeys"], {"PaginationConfig": {"PageSize": 1, "MaxItems": 2}})
    cursor = PageCursor(plan)
    assert cursor.next_params() == {"Limit": 1}
    page = cursor.receive({"Keys": [{"KeyId": "a"}], "Truncated": True, "NextMarker": "x"})
    assert page["Keys"] == [{"KeyId": "a"}]
    assert cursor.next_params() == {"Limit": 1, "Marker": "x"}
    cursor.receive({"Keys": [{"KeyId": "b"}], "Truncated": True, "NextMarker": "y"})
    assert cursor.next_params() is None
    assert cursor.resume_token == token(Marker="y")
    # The plan is not consumed: a new cursor starts over.
    assert PageCursor(plan).next_params() == {"Limit": 1}


# -- a real peer ------------------------------------------------------------------------------


@pytest.mark.moto
def test_list_key_rotations_against_moto(
    kms_server: LocalKMS, make_driver: Callable[..., Driver]
) -> None:
    creds = kms_server.credentials
    kms = make_driver(
        region_name=kms_server.region,
        endpoint_url=kms_server.endpoint_url,
        aws_access_key_id=creds.access_key,
        aws_secret_access_key=creds.secret_key,
    )
    key_id = kms.call("create_key", Description="pagination")["KeyMetadata"]["KeyId"]
    for _ in range(3):
        kms.call("rotate_key_on_demand", KeyId=key_id)
    paginator = kms.client.get_paginator("list_key_rotations")

    pages = walk(kms, paginator.paginate(KeyId=key_id, PaginationConfig={"PageSize": 1}))
    assert [len(page["Rotations"]) for page in pages] == [1, 1, 1]
    assert [page["Truncated"] for page in pages] == [True, True, False]
    assert all(page["ResponseMetadata"]["RequestId"] for page in pages)
    rotations = [r for page in pages for r in page["Rotations"]]
    assert {r["KeyId"] for r in rotations} == {key_id}
    assert {r["RotationType"] for r in rotations} == {"ON_DEMAND"}

    first = paginator.paginate(KeyId=key_id, PaginationConfig={"PageSize": 1, "MaxItems": 2})
    head = kms.run(first.build_full_result())
    assert len(head["Rotations"]) == 2
    assert head["NextToken"] == first.resume_token
    rest = paginator.paginate(
        KeyId=key_id, PaginationConfig={"PageSize": 1, "StartingToken": head["NextToken"]}
    )
    tail = kms.run(rest.build_full_result())
    assert "NextToken" not in tail
    assert head["Rotations"] + tail["Rotations"] == rotations
