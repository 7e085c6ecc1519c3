"""Pagination for both clients, as botocore's paginators do it (``client.get_paginator``).

The logic is sans-I/O and lives here once:

- ``PagingPlan``: what ``paginate(**params)`` was asked for: the request parameters and the
  parsed ``PaginationConfig`` (``MaxItems``, ``PageSize``, ``StartingToken``). Built eagerly, so a
  bad config raises ``ParamValidationError`` at ``paginate()``.
- ``PageCursor``: one walk over the pages. ``next_params()`` gives the parameters of the next
  request (``None`` when done); ``receive(response)`` takes the answer and returns the page to
  hand out (truncated when ``MaxItems`` says so), then works out the next token.
- ``FullResult``: ``build_full_result()``'s merging of the pages' result lists.

The shells only send: ``PageIterator`` calls ``client._invoke`` and ``AsyncPageIterator``
awaits it, once per page. Each ``iter()`` / ``aiter()`` walks the pages afresh, from the start.

Tokens are botocore's: ``resume_token`` (and ``NextToken`` in ``build_full_result()``) is
base64 JSON such as ``{"Marker": "...", "boto_truncate_amount": 2}``, so tokens move freely
between boto3 and trentclient; a ``StartingToken`` may also be the service's own ``NextMarker``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ._exceptions import ParamValidationError, ResponseParseError
from ._model import Operation

if TYPE_CHECKING:
    from ._generated._async_methods import AsyncPagination
    from ._generated._methods import SyncPagination
    from ._model import Paginator as PaginatorModel

__all__ = [
    "AsyncPageIterator",
    "AsyncPaginator",
    "FullResult",
    "PageCursor",
    "PageIterator",
    "Paginator",
    "PagingPlan",
    "can_paginate",
    "decode_token",
    "encode_token",
    "paginated_operations",
]

PageT = TypeVar("PageT", bound=Mapping[str, Any], covariant=True)

#: botocore's key, in a token, for the items of the token's page already handed out.
_TRUNCATE = "boto_truncate_amount"
_CONFIG_KEYS = ("MaxItems", "PageSize", "StartingToken")

_paginated: dict[str, Operation] | None = None


def paginated_operations() -> dict[str, Operation]:
    """Method name (``"list_keys"``) -> operation, for every operation with a paginator."""
    global _paginated
    if _paginated is None:
        from ._generated._shapes import OPERATIONS

        _paginated = {op.method_name: op for op in OPERATIONS.values() if op.paginator is not None}
    return _paginated


def can_paginate(operation_name: str) -> bool:
    """Whether ``operation_name`` (a method name, as boto3's) has a paginator."""
    return isinstance(operation_name, str) and operation_name in paginated_operations()


def _operation(operation_name: str) -> Operation:
    if not can_paginate(operation_name):
        valid = ", ".join(sorted(paginated_operations()))
        raise ValueError(
            f"Operation cannot be paginated: {operation_name!r}. "
            f"The paginated operations (method names, as boto3's) are: {valid}"
        )
    return paginated_operations()[operation_name]


# -- tokens -----------------------------------------------------------------------------------


def encode_token(token: Mapping[str, Any]) -> str:
    """botocore's ``TokenEncoder``: base64 of the JSON (KMS tokens never hold bytes)."""
    return base64.b64encode(json.dumps(token).encode("utf-8")).decode("utf-8")


def decode_token(token: str, input_token: str) -> tuple[dict[str, Any], int]:
    """A ``StartingToken`` -> (``{input_token: marker or None}``, items of its page to skip).

    As botocore: a token made by ``encode_token``; else the older ``"<marker>___<skip>"``
    form; else the service's own marker, as it is.
    """
    problem = f"PaginationConfig.StartingToken: not a valid token: {token!r}"
    try:
        decoded = json.loads(base64.b64decode(token.encode("utf-8")).decode("utf-8"))
    except ValueError:  # binascii.Error, UnicodeDecodeError, JSONDecodeError
        decoded = None
    if isinstance(decoded, dict):
        decoded.pop("boto_encoded_keys", None)
        skip = decoded.pop(_TRUNCATE, 0)
        marker = decoded.pop(input_token, None)
        if decoded or not isinstance(skip, int) or isinstance(skip, bool) or skip < 0:
            raise ParamValidationError([problem])
        if marker is not None and not isinstance(marker, str):
            raise ParamValidationError([problem])
        return {input_token: marker}, skip
    parts = token.split("___")
    skip = 0
    if len(parts) == 2:
        try:
            skip = int(parts.pop())
        except ValueError:
            parts = [token]
    if len(parts) != 1 or skip < 0:
        raise ParamValidationError([problem])
    return {input_token: None if parts[0] == "None" else parts[0]}, skip


# -- the sans-I/O core ------------------------------------------------------------------------


class PagingPlan:
    """``paginate(**params)``: the operation, its parameters and the parsed ``PaginationConfig``."""

    __slots__ = (
        "max_items",
        "operation",
        "page_size",
        "paginator",
        "params",
        "skip",
        "start",
        "starting",
    )

    def __init__(self, operation: Operation, params: Mapping[str, Any]) -> None:
        paginator = operation.paginator
        if paginator is None:  # pragma: no cover  (paginated_operations() has only these)
            raise ValueError(f"{operation.name} has no paginator")
        self.operation: Operation = operation
        self.paginator: PaginatorModel = paginator
        params = dict(params)
        config = params.pop("PaginationConfig", None)
        if config is None:
            config = {}
        if not isinstance(config, Mapping):
            raise ParamValidationError(
                [f"PaginationConfig: expected a dict, got {type(config).__name__}"],
                operation.name,
            )
        problems = [
            f"PaginationConfig: unknown key {key!r} (known: {', '.join(_CONFIG_KEYS)})"
            for key in config
            if key not in _CONFIG_KEYS
        ]
        self.max_items: int | None = _whole_number(config, "MaxItems", problems)
        self.page_size: int | None = _whole_number(config, "PageSize", problems)
        if self.page_size is not None and paginator.limit_key is None:  # pragma: no cover
            problems.append("PaginationConfig.PageSize: this operation has no page size")
        starting_token = config.get("StartingToken")
        #: A StartingToken was given: the first page loses the ``skip`` items handed out already.
        self.starting: bool = starting_token is not None
        self.start: dict[str, Any] = {paginator.input_token: None}
        self.skip: int = 0
        if starting_token is not None:
            if not isinstance(starting_token, str):
                problems.append("PaginationConfig.StartingToken: expected a str")
            else:
                try:
                    self.start, self.skip = decode_token(starting_token, paginator.input_token)
                except ParamValidationError as error:
                    problems += error.problems
        if problems:
            raise ParamValidationError(problems, operation.name)
        self.params: dict[str, Any] = params
        # botocore's order: the starting token, then the page size, after the caller's keys.
        if self.starting:
            _set_token(self.params, self.start)
        if self.page_size is not None and paginator.limit_key is not None:
            self.params[paginator.limit_key] = self.page_size


def _whole_number(config: Mapping[str, Any], key: str, problems: list[str]) -> int | None:
    value = config.get(key)
    if value is None:
        return None
    try:
        number = int(value)  # botocore accepts "10" as well as 10
    except (TypeError, ValueError):
        problems.append(f"PaginationConfig.{key}: expected an int, got {value!r}")
        return None
    if isinstance(value, bool) or number < 0 or (isinstance(value, float) and value != number):
        problems.append(f"PaginationConfig.{key}: expected a whole number >= 0, got {value!r}")
        return None
    return number


def _set_token(params: dict[str, Any], token: Mapping[str, Any]) -> None:
    """botocore's ``_inject_token_into_kwargs``: set the token, or drop it when empty."""
    for name, value in token.items():
        if value is not None and value != "None":
            params[name] = value
        else:
            params.pop(name, None)


class PageCursor:
    """One walk over the pages of a ``PagingPlan``: botocore's ``PageIterator.__iter__``, as a
    state machine that neither sends nor waits.

    ``next_params()`` -> the next request's parameters, or ``None`` when the walk is over;
    ``receive(response)`` -> the page to hand out. ``resume_token`` is set when ``MaxItems``
    stopped the walk before the end. A server that sends back a token already sent makes
    ``next_params()`` raise ``ResponseParseError`` instead of looping forever.
    """

    __slots__ = (
        "_error",
        "_first",
        "_params",
        "_sent",
        "_token",
        "_total",
        "done",
        "operation_name",
        "plan",
        "resume_token",
    )

    def __init__(self, plan: PagingPlan) -> None:
        self.plan = plan
        self.operation_name = plan.operation.name
        self._params = dict(plan.params)
        #: The token the pending (or last) request was sent with.
        self._token: dict[str, Any] = dict(plan.start)
        self._sent = {v for v in self._token.values() if v is not None}
        self._first = True
        self._total = 0
        self._error: ResponseParseError | None = None
        self.done = False
        self.resume_token: str | None = None

    def next_params(self) -> dict[str, Any] | None:
        """The parameters of the next request, or ``None`` when there are no more pages."""
        if self._error is not None:
            error, self._error = self._error, None
            self.done = True
            raise error
        if self.done:
            return None
        return dict(self._params)

    def receive(self, response: dict[str, Any]) -> dict[str, Any]:
        """The page to hand out for ``response`` (the same dict, maybe with fewer items)."""
        pag = self.plan.paginator
        primary = pag.result_key[0]
        skip = 0
        if self._first:
            self._first = False
            if self.plan.starting:
                skip = self.plan.skip
                _drop_head(response, pag.result_key, skip)
        items = response.get(primary)
        count = len(items) if items is not None else 0
        max_items = self.plan.max_items
        if max_items is not None and self._total + count > max_items:
            # Hand out only what MaxItems allows; resume inside this very page next time.
            keep = max_items - self._total
            response[primary] = (items or [])[:keep]
            self.resume_token = encode_token({**self._token, _TRUNCATE: keep + skip})
            self.done = True
            return response
        self._total += count
        token = self._next_token(response)
        if token is None:
            self.done = True
        elif max_items is not None and self._total == max_items:
            self.resume_token = encode_token(token)
            self.done = True
        else:
            marker = token[pag.input_token]
            if marker in self._sent:
                self._error = ResponseParseError(
                    f"{self.operation_name} answered {pag.output_token}={marker!r}, a token "
                    "already sent: the server is repeating itself, so pagination stopped",
                    status_code=_metadata(response, "HTTPStatusCode"),
                    request_id=_metadata(response, "RequestId"),
                    operation_name=self.operation_name,
                )
            self._sent.add(marker)
            _set_token(self._params, token)
            self._token = token
        return response

    def _next_token(self, response: Mapping[str, Any]) -> dict[str, Any] | None:
        """The next request's token; ``None`` when this was the last page."""
        pag = self.plan.paginator
        if pag.more_results is not None and not response.get(pag.more_results):
            return None
        marker = response.get(pag.output_token)
        if not marker:  # missing or empty: the last page
            return None
        return {pag.input_token: marker}


def _drop_head(response: dict[str, Any], result_keys: tuple[str, ...], skip: int) -> None:
    """botocore's ``_handle_first_request``: resuming inside a page, drop what was handed out
    already from the primary result, and empty the other result keys."""
    head = response.get(result_keys[0])
    response[result_keys[0]] = head[skip:] if isinstance(head, (list, str)) else None
    for key in result_keys[1:]:
        sample = response.get(key)
        if isinstance(sample, list):
            response[key] = []
        elif isinstance(sample, str):
            response[key] = ""
        elif not isinstance(sample, (int, float)):
            response[key] = None


def _metadata(response: Mapping[str, Any], key: str) -> Any:
    meta = response.get("ResponseMetadata")
    return meta.get(key) if isinstance(meta, Mapping) else None


class FullResult:
    """botocore's ``build_full_result``: the result keys of all pages, merged, plus
    ``NextToken`` when ``MaxItems`` cut the walk short. Other keys (``Truncated``,
    ``NextMarker``, ``ResponseMetadata``) are left out, as botocore does."""

    __slots__ = ("_result", "_result_keys")

    def __init__(self, result_keys: tuple[str, ...]) -> None:
        self._result_keys = result_keys
        self._result: dict[str, Any] = {}

    def add(self, page: Mapping[str, Any]) -> None:
        result = self._result
        for key in self._result_keys:
            value = page.get(key)
            if value is None:
                continue
            existing = result.get(key)
            if existing is None:
                result[key] = list(value) if isinstance(value, list) else value
            elif isinstance(value, list):
                existing.extend(value)
            elif isinstance(value, (int, float, str)):
                result[key] = existing + value

    def build(self, resume_token: str | None) -> dict[str, Any]:
        result = self._result
        if resume_token is not None:
            result["NextToken"] = resume_token
        return result


# -- the shells: they only call _invoke -------------------------------------------------------


class Paginator:
    """``client.get_paginator(name)`` on ``Client``: ``paginate(**params)`` -> the pages.

    Type checkers see one typed paginator per operation instead (``ListKeysPaginator``...,
    in ``trentclient.paginators``).
    """

    __slots__ = ("_client", "_operation")

    def __init__(self, client: SyncPagination, operation_name: str) -> None:
        self._client = client
        self._operation = _operation(operation_name)

    def paginate(self, **kwargs: Any) -> PageIterator[Any]:
        """The pages of the operation for ``kwargs``; nothing is sent until iterated.

        Args:
            **kwargs: the request, less the token and limit members, plus
                ``PaginationConfig`` (``MaxItems``, ``PageSize``, ``StartingToken``).

        Returns:
            A ``PageIterator`` over the response pages.

        Raises:
            ParamValidationError: a bad ``PaginationConfig`` (nothing is sent). Iterating
                raises what the operation raises, and ``ResponseParseError`` when the
                server repeats a token.
        """
        return PageIterator(self._client, PagingPlan(self._operation, kwargs))

    def __repr__(self) -> str:
        return f"Paginator({self._operation.method_name!r})"


class AsyncPaginator:
    """``client.get_paginator(name)`` on ``AsyncClient``: ``paginate(**params)`` -> an async
    iterable of the pages."""

    __slots__ = ("_client", "_operation")

    def __init__(self, client: AsyncPagination, operation_name: str) -> None:
        self._client = client
        self._operation = _operation(operation_name)

    def paginate(self, **kwargs: Any) -> AsyncPageIterator[Any]:
        """The pages of the operation for ``kwargs``; nothing is sent until iterated.

        Args:
            **kwargs: as ``Paginator.paginate``.

        Returns:
            An ``AsyncPageIterator`` over the response pages.

        Raises:
            ParamValidationError: a bad ``PaginationConfig`` (nothing is sent). Iterating
                raises what the operation raises, and ``ResponseParseError`` when the
                server repeats a token.
        """
        return AsyncPageIterator(self._client, PagingPlan(self._operation, kwargs))

    def __repr__(self) -> str:
        return f"AsyncPaginator({self._operation.method_name!r})"


class _PageIteratorBase:
    __slots__ = ("_cursor", "_plan")

    def __init__(self, plan: PagingPlan) -> None:
        self._plan = plan
        self._cursor: PageCursor | None = None

    @property
    def result_keys(self) -> tuple[str, ...]:
        """The members holding the results (``("Keys",)``), merged by ``build_full_result``."""
        return self._plan.paginator.result_key

    @property
    def resume_token(self) -> str | None:
        """Where the last walk stopped when ``MaxItems`` cut it short, as a ``StartingToken``."""
        return self._cursor.resume_token if self._cursor is not None else None

    def _start(self) -> PageCursor:
        self._cursor = PageCursor(self._plan)
        return self._cursor


class PageIterator(_PageIteratorBase, Generic[PageT]):
    """The pages (response dicts, ``ResponseMetadata`` included); iterable, not an iterator:
    each ``iter()`` starts from the first page again, as botocore's ``PageIterator``."""

    __slots__ = ("_client",)

    def __init__(self, client: SyncPagination, plan: PagingPlan) -> None:
        super().__init__(plan)
        self._client = client

    def __iter__(self) -> Iterator[PageT]:
        return _Pages(self._start(), self._client)

    def build_full_result(self) -> dict[str, Any]:
        """Every page's results in one dict: ``{"Keys": [...], "NextToken": ...}``.

        Returns:
            The result keys' items of every page, and ``NextToken`` when ``MaxItems``
            stopped before the last page.

        Raises:
            ServiceError: what the operation raises (and the transport errors).
            ResponseParseError: the server repeated a token.
        """
        result = FullResult(self._plan.paginator.result_key)
        for page in self:
            result.add(page)
        return result.build(self.resume_token)


class AsyncPageIterator(_PageIteratorBase, Generic[PageT]):
    """The pages, for ``async for``; each ``aiter()`` starts from the first page again."""

    __slots__ = ("_client",)

    def __init__(self, client: AsyncPagination, plan: PagingPlan) -> None:
        super().__init__(plan)
        self._client = client

    def __aiter__(self) -> AsyncIterator[PageT]:
        return _AsyncPages(self._start(), self._client)

    async def build_full_result(self) -> dict[str, Any]:
        """Every page's results in one dict: ``{"Keys": [...], "NextToken": ...}``.

        Returns:
            As ``PageIterator.build_full_result``.

        Raises:
            ServiceError: what the operation raises (and the transport errors).
            ResponseParseError: the server repeated a token.
        """
        result = FullResult(self._plan.paginator.result_key)
        async for page in self:
            result.add(page)
        return result.build(self.resume_token)


class _Pages(Iterator[Any]):
    __slots__ = ("_client", "_cursor")

    def __init__(self, cursor: PageCursor, client: SyncPagination) -> None:
        self._cursor = cursor
        self._client = client

    def __next__(self) -> Any:
        params = self._cursor.next_params()
        if params is None:
            raise StopIteration
        return self._cursor.receive(self._client._invoke(self._cursor.operation_name, params))


class _AsyncPages(AsyncIterator[Any]):
    __slots__ = ("_client", "_cursor")

    def __init__(self, cursor: PageCursor, client: AsyncPagination) -> None:
        self._cursor = cursor
        self._client = client

    async def __anext__(self) -> Any:
        params = self._cursor.next_params()
        if params is None:
            raise StopAsyncIteration
        response = await self._client._invoke(self._cursor.operation_name, params)
        return self._cursor.receive(response)
