"""Automatic pagination, as the AWS CLI does it for the 8 paginated KMS operations.

A paginated command pages through every result and prints them merged into one
(``Keys``, ``Aliases``...; botocore's ``build_full_result``), unless:

- ``--no-paginate``: one call, the first page as KMS returns it (``NextMarker``,
  ``Truncated`` included);
- the command line (or, as in AWS CLI v2, ``--cli-input-json``) gives the operation's own
  paging members (``--marker``, ``--limit``): then it is one call with them.

``--max-items N`` stops after N items and adds ``NextToken``, botocore's token (base64 JSON
such as ``{"Marker": "...", "boto_truncate_amount": 2}``), which ``--starting-token`` takes
back; tokens move freely between trentclient, the AWS CLI and boto3. ``--page-size`` sets
the limit member of each call. ``--output text`` prints each page as it comes, ``--query``
applied to each page, then ``NextToken`` (also through the query), as the AWS CLI does.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ._errors import EXIT_OTHER, CLIError

if TYPE_CHECKING:
    from trentclient._model import Operation

__all__ = ["Paging", "paginate", "paging_for", "text_pages"]

_OPTIONS = (
    ("starting_token", "StartingToken"),
    ("page_size", "PageSize"),
    ("max_items", "MaxItems"),
)


class Paging:
    """What a command asked for: whether to page, and the ``PaginationConfig``."""

    __slots__ = ("config", "enabled")

    def __init__(self, enabled: bool, config: dict[str, Any]) -> None:
        self.enabled = enabled
        self.config = config


def _manual_members(operation: Operation) -> tuple[str, ...]:
    paginator = operation.paginator
    assert paginator is not None
    members = [paginator.input_token]
    if paginator.limit_key:
        members.append(paginator.limit_key)
    return tuple(members)


def paging_for(operation: Operation, args: argparse.Namespace, params: Mapping[str, Any]) -> Paging:
    """The paging of one command. Raises ``CLIError`` (255, as botocore's
    ``PaginationError``) for ``--no-paginate`` with paging options."""
    if operation.paginator is None:
        return Paging(False, {})
    config = {
        key: getattr(args, dest) for dest, key in _OPTIONS if getattr(args, dest, None) is not None
    }
    enabled = bool(getattr(args, "paginate", True))
    if any(member in params for member in _manual_members(operation)):
        enabled = False  # the user pages by hand
    if not enabled and config:
        given = ", ".join("--" + dest.replace("_", "-") for dest, key in _OPTIONS if key in config)
        raise CLIError(
            "Error during pagination: Cannot specify --no-paginate along with pagination "
            f"arguments: {given}",
            EXIT_OTHER,
        )
    if "MaxItems" in config and config["MaxItems"] <= 0:
        import sys

        sys.stderr.write(
            "warning: Non-positive values for --max-items may result in undefined behavior.\n"
        )
    return Paging(enabled, config)


def paginate(client: Any, operation: Operation, params: Mapping[str, Any], paging: Paging) -> Any:
    """The page iterator (``PageIterator``) for the command; nothing is sent yet."""
    paginator = client.get_paginator(operation.method_name)
    kwargs = dict(params)
    if paging.config:
        kwargs["PaginationConfig"] = dict(paging.config)
    return paginator.paginate(**kwargs)


def text_pages(pages: Any, show: Callable[[dict[str, Any]], None]) -> None:
    """``--output text``: each page's result keys shown as they come, then the token."""
    for page in pages:
        show({key: page.get(key) for key in pages.result_keys})
    token = pages.resume_token
    if token:
        show({"NextToken": {"NextToken": token}})
