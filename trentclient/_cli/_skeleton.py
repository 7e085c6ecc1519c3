"""``--generate-cli-skeleton [input|output]``: a sample of an operation's input or output.

As the AWS CLI: ``input`` (the default) prints a JSON object with every input member, ready
for ``--cli-input-json``: strings ``""`` (an enum's first value), numbers 0, booleans true,
lists of one sample item, maps ``{"KeyName": ...}``, timestamps ``1970-01-01T00:00:00``, blobs
null. ``output`` checks the parameters as a call would, then prints the output through the
chosen ``--output`` and ``--query``, with member names as string values.

Timestamps are the AWS CLI's sample, a naive ``datetime(1970, 1, 1)``, so each format prints
it as the AWS CLI does: ``1970-01-01T00:00:00`` in JSON, ``1970-01-01 00:00:00`` in text and
table output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trentclient._model import Shape

__all__ = ["skeleton"]


def skeleton(
    shape: Shape, *, names: bool = False, name: str = "", seen: tuple[str, ...] = ()
) -> Any:
    """A sample value of ``shape``; ``names``: strings are their member's name (output)."""
    kind = shape.type
    if kind == "structure":
        if shape.name in seen:  # a recursive shape ends in an empty object
            return {}
        inner = (*seen, shape.name)
        return {
            member_name: skeleton(member, names=names, name=member_name, seen=inner)
            for member_name, member in shape.members.items()
        }
    if kind == "list":
        assert shape.member is not None
        member_name = shape.member.name if names else ""
        return [skeleton(shape.member, names=names, name=member_name, seen=seen)]
    if kind == "map":
        assert shape.value is not None
        return {"KeyName": skeleton(shape.value, names=names, seen=seen)}
    if kind == "string":
        if names:
            return name
        return shape.enum[0] if shape.enum else ""
    if kind in ("integer", "long"):
        return 0
    if kind in ("float", "double"):
        return 0.0
    if kind == "boolean":
        return True
    if kind == "timestamp":
        from datetime import datetime

        return datetime(1970, 1, 1)  # naive, as the AWS CLI's sample is
    return None
