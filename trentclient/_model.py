"""The shape of the KMS service model, as the generated operation table fills it.

Generated code (``trentclient/_generated/``) builds these values; the pure core
(validation, serialization, parsing) walks them. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

__all__ = ["Operation", "Paginator", "Shape"]

#: Shape type names as the AWS model spells them.
SCALAR_TYPES = frozenset(
    {"string", "integer", "long", "boolean", "blob", "timestamp", "double", "float"}
)


@attrs.frozen(slots=True, eq=False)
class Shape:
    """One model shape.

    ``min``/``max`` bound the length of strings, blobs, lists and maps, and the value of
    integers and longs. ``members`` (structures) keeps the model's member order.
    ``sensitive`` marks values that must never be logged (``Plaintext`` and friends).
    ``has_special`` is true when the shape or anything under it is a blob or a timestamp,
    so serialization can skip plain trees.
    """

    name: str
    type: str
    min: int | None = None
    max: int | None = None
    enum: tuple[str, ...] = ()
    sensitive: bool = False
    # structure
    members: Mapping[str, Shape] = attrs.field(factory=dict)
    required: frozenset[str] = frozenset()
    # list
    member: Shape | None = None
    # map
    key: Shape | None = None
    value: Shape | None = None
    has_special: bool = False
    has_sensitive: bool = False

    def __repr__(self) -> str:
        return f"Shape({self.name!r}, {self.type!r})"


@attrs.frozen(slots=True)
class Paginator:
    """How an operation pages: botocore's ``paginators-1.json`` entry."""

    input_token: str
    output_token: str
    limit_key: str | None
    more_results: str | None
    result_key: tuple[str, ...]


@attrs.frozen(slots=True, eq=False)
class Operation:
    """One KMS operation: its wire name, shapes and modeled errors."""

    name: str
    method_name: str
    input: Shape
    output: Shape | None
    errors: tuple[str, ...] = ()
    paginator: Paginator | None = None
    documentation_url: str = ""
    target: str = attrs.field(init=False)

    @target.default
    def _target(self) -> str:
        return "TrentService." + self.name

    def __repr__(self) -> str:
        return f"Operation({self.name!r})"
