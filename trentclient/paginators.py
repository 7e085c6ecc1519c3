"""Paginators, as boto3's: ``client.get_paginator("list_keys").paginate(...)``.

>>> pages = kms.get_paginator("list_keys").paginate(PaginationConfig={"PageSize": 100})  # doctest: +SKIP
>>> for page in pages:  # doctest: +SKIP
...     print([key["KeyId"] for key in page["Keys"]])

Type checkers see one paginator per operation, typed with its request and its response
(``ListKeysPaginator``, ``AsyncListKeysPaginator``, ...; ``paginate`` takes the
``<Request>Paginate`` TypedDict of ``trentclient.type_defs``). Use these names in annotations.
At run time they are the generic :class:`Paginator` (sync) and :class:`AsyncPaginator`
(async), so ``isinstance`` cannot tell two operations' paginators apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._paginate import AsyncPageIterator, AsyncPaginator, PageIterator, Paginator

if TYPE_CHECKING:
    from ._generated._methods import (
        AsyncDescribeCustomKeyStoresPaginator,
        AsyncListAliasesPaginator,
        AsyncListGrantsPaginator,
        AsyncListKeyPoliciesPaginator,
        AsyncListKeyRotationsPaginator,
        AsyncListKeysPaginator,
        AsyncListResourceTagsPaginator,
        AsyncListRetirableGrantsPaginator,
        DescribeCustomKeyStoresPaginator,
        ListAliasesPaginator,
        ListGrantsPaginator,
        ListKeyPoliciesPaginator,
        ListKeyRotationsPaginator,
        ListKeysPaginator,
        ListResourceTagsPaginator,
        ListRetirableGrantsPaginator,
    )
else:

    def __getattr__(name: str) -> type:
        """The typed names, at run time: the generic class of their kind."""
        from ._paginate import paginated_operations

        for op in paginated_operations().values():
            if name == f"{op.name}Paginator":
                return Paginator
            if name == f"Async{op.name}Paginator":
                return AsyncPaginator
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AsyncDescribeCustomKeyStoresPaginator",
    "AsyncListAliasesPaginator",
    "AsyncListGrantsPaginator",
    "AsyncListKeyPoliciesPaginator",
    "AsyncListKeyRotationsPaginator",
    "AsyncListKeysPaginator",
    "AsyncListResourceTagsPaginator",
    "AsyncListRetirableGrantsPaginator",
    "AsyncPageIterator",
    "AsyncPaginator",
    "DescribeCustomKeyStoresPaginator",
    "ListAliasesPaginator",
    "ListGrantsPaginator",
    "ListKeyPoliciesPaginator",
    "ListKeyRotationsPaginator",
    "ListKeysPaginator",
    "ListResourceTagsPaginator",
    "ListRetirableGrantsPaginator",
    "PageIterator",
    "Paginator",
]
