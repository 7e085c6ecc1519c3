"""The shape of the KMS service model, as the generated operation table fills it.

Generated code (``trentclient/_generated/``) describes these values as data, and
:class:`OperationTable` builds an operation's on first use; the pure core
(validation, serialization, parsing) walks them. Nothing here does I/O. They are plain
slotted classes, not attrs classes: hundreds are built when the table loads, and
``import trentclient`` should stay cheap.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["Operation", "OperationTable", "Paginator", "Shape"]


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


class OperationTable(Mapping[str, Operation]):
    """The generated operation table: name -> :class:`Operation`, each built the first time
    it is looked up, with the shapes it reaches (a program calling one operation builds that
    operation's shapes only; a shape reachable from several operations is built once, so
    operations share it as the model does).

    ``operations`` maps each name to ``Operation``'s other arguments, with ``input`` and
    ``output`` naming shapes and ``paginator`` as ``Paginator``'s arguments; ``shapes`` maps
    each shape name to ``Shape``'s arguments, with ``members`` (name -> shape name),
    ``member``, ``key`` and ``value`` naming shapes and ``required`` a tuple. Shapes are not
    recursive in this model (the generator refuses recursion).
    """

    __slots__ = ("_built", "_operations", "_shapes", "_specs")

    def __init__(
        self, operations: Mapping[str, Mapping[str, Any]], shapes: Mapping[str, Mapping[str, Any]]
    ) -> None:
        self._operations = operations
        self._specs = shapes
        self._shapes: dict[str, Shape] = {}
        self._built: dict[str, Operation] = {}

    def __getitem__(self, name: str) -> Operation:
        operation = self._built.get(name)
        if operation is None:
            spec = dict(self._operations[name])
            spec["input"] = self.shape(spec["input"])
            if spec["output"] is not None:
                spec["output"] = self.shape(spec["output"])
            if "paginator" in spec:
                spec["paginator"] = Paginator(**spec["paginator"])
            # setdefault: two threads building the same operation end up sharing the first.
            operation = self._built.setdefault(name, Operation(name, **spec))
        return operation

    def __contains__(self, name: object) -> bool:
        return name in self._operations

    def __iter__(self) -> Iterator[str]:
        return iter(self._operations)

    def __len__(self) -> int:
        return len(self._operations)

    def shape(self, name: str) -> Shape:
        """The shape named ``name`` (built on first use, with the shapes under it)."""
        shape = self._shapes.get(name)
        if shape is None:
            spec = dict(self._specs[name])
            kind = spec.pop("type")
            members = spec.get("members")
            if members is not None:
                spec["members"] = {member: self.shape(of) for member, of in members.items()}
            for part in ("member", "key", "value"):
                if part in spec:
                    spec[part] = self.shape(spec[part])
            if "required" in spec:
                spec["required"] = frozenset(spec["required"])
            shape = self._shapes.setdefault(name, Shape(name, kind, **spec))
        return shape

    def __repr__(self) -> str:
        return f"OperationTable({len(self)} operations, {len(self._built)} built)"
