"""The shape of the KMS service model, as the generated operation table fills it.

Generated code (``trentclient/_generated/``) builds these values; the pure core
(validation, serialization, parsing) walks them. Nothing here does I/O. They are plain
slotted classes, not attrs classes: hundreds are built when the table loads, and
``import trentclient`` should stay cheap.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["Operation", "Paginator", "Shape"]


class Shape:
    """One model shape.

    ``min``/``max`` bound the length of strings, blobs, lists and maps, and the value of
    integers and longs. ``members`` (structures) keeps the model's member order.
    ``sensitive`` marks values that must never be logged (``Plaintext`` and friends).
    ``has_special`` is true when the shape or anything under it is a blob or a timestamp,
    so serialization can skip plain trees; ``has_sensitive`` likewise for sensitive values.
    """

    __slots__ = (
        "enum",
        "has_sensitive",
        "has_special",
        "key",
        "max",
        "member",
        "members",
        "min",
        "name",
        "required",
        "sensitive",
        "type",
        "value",
    )

    def __init__(
        self,
        name: str,
        type: str,
        *,
        min: int | None = None,
        max: int | None = None,
        enum: tuple[str, ...] = (),
        sensitive: bool = False,
        members: Mapping[str, Shape] | None = None,
        required: frozenset[str] = frozenset(),
        member: Shape | None = None,
        key: Shape | None = None,
        value: Shape | None = None,
        has_special: bool = False,
        has_sensitive: bool = False,
    ) -> None:
        self.name: str = name
        self.type: str = type
        self.min: int | None = min
        self.max: int | None = max
        self.enum: tuple[str, ...] = enum
        self.sensitive: bool = sensitive
        self.members: Mapping[str, Shape] = members if members is not None else {}
        self.required: frozenset[str] = required
        self.member: Shape | None = member
        self.key: Shape | None = key
        self.value: Shape | None = value
        self.has_special: bool = has_special
        self.has_sensitive: bool = has_sensitive

    def __repr__(self) -> str:
        return f"Shape({self.name!r}, {self.type!r})"


class Paginator:
    """How an operation pages: botocore's ``paginators-1.json`` entry."""

    __slots__ = ("input_token", "limit_key", "more_results", "output_token", "result_key")

    def __init__(
        self,
        input_token: str,
        output_token: str,
        limit_key: str | None,
        more_results: str | None,
        result_key: tuple[str, ...],
    ) -> None:
        self.input_token: str = input_token
        self.output_token: str = output_token
        self.limit_key: str | None = limit_key
        self.more_results: str | None = more_results
        self.result_key: tuple[str, ...] = result_key

    def _key(self) -> tuple[object, ...]:
        return (
            self.input_token,
            self.output_token,
            self.limit_key,
            self.more_results,
            self.result_key,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Paginator):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Paginator(input_token={self.input_token!r}, output_token={self.output_token!r}, "
            f"limit_key={self.limit_key!r}, more_results={self.more_results!r}, "
            f"result_key={self.result_key!r})"
        )


class Operation:
    """One KMS operation: its wire name, shapes and modeled errors."""

    __slots__ = (
        "documentation_url",
        "errors",
        "input",
        "method_name",
        "name",
        "output",
        "paginator",
        "target",
    )

    def __init__(
        self,
        name: str,
        method_name: str,
        input: Shape,
        output: Shape | None,
        errors: tuple[str, ...] = (),
        paginator: Paginator | None = None,
        documentation_url: str = "",
    ) -> None:
        self.name: str = name
        self.method_name: str = method_name
        self.input: Shape = input
        self.output: Shape | None = output
        self.errors: tuple[str, ...] = errors
        self.paginator: Paginator | None = paginator
        self.documentation_url: str = documentation_url
        self.target: str = "TrentService." + name

    def __repr__(self) -> str:
        return f"Operation({self.name!r})"
