"""Help text from the model: an option's type and limits, the model's documentation.

The documentation module (``trentclient._generated._docs``) is imported only to show a
help page, never to run a command.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ._values import TIMESTAMP_HELP

if TYPE_CHECKING:
    from trentclient._model import Operation, Shape

__all__ = ["add_docs", "metavar", "option_help", "summary"]

_BLOB_HELP = (
    "base64 text (or the text itself with --cli-binary-format raw-in-base64-out), "
    "fileb://PATH (raw bytes from a file) or file://PATH (the value in a file)"
)


def _bounds(shape: Shape, unit: str) -> str:
    """`` (1-2048 chars)``, `` (at most 10 items)``, `` (90-2560)``, or nothing."""
    low, high = shape.min, shape.max
    if low is None and high is None:
        return ""
    if low is not None and high is not None:
        text = f"{low}-{high}" if low != high else f"exactly {low}"
    else:
        text = f"at least {low}" if low is not None else f"at most {high}"
    return f" ({text}{unit})"


def _describe(shape: Shape, depth: int = 0) -> str:
    """A short description of a shape's type and constraints, from the model."""
    kind = shape.type
    if kind == "string":
        text = "string" + _bounds(shape, " chars")
        if shape.enum:
            text += ", one of: " + ", ".join(shape.enum)
    elif kind in ("integer", "long"):
        text = kind + _bounds(shape, "")
    elif kind == "blob":
        text = "blob" + _bounds(shape, " bytes")
    elif kind == "list" and shape.member is not None:
        text = "list" + _bounds(shape, " items") + " of " + _describe(shape.member, depth + 1)
    elif kind == "map" and shape.key is not None and shape.value is not None:
        text = f"map of {_describe(shape.key, depth + 1)} to {_describe(shape.value, depth + 1)}"
    elif kind == "structure" and shape.members and depth < 2:
        parts = [
            f"{name}: {_describe(member, depth + 1)}{', required' if name in shape.required else ''}"
            for name, member in shape.members.items()
        ]
        text = "object {" + "; ".join(parts) + "}"
    else:
        text = "object" if kind == "structure" else kind
    if shape.sensitive:
        text += ", sensitive"
    return text


def option_help(
    operation: Operation,
    name: str,
    shape: Shape,
    docs: Mapping[tuple[str, str], str] | None = None,
) -> str:
    """An option's help: with ``docs`` (``_docs.MEMBER_DOCS``), the member's documentation,
    then its API name, type and limits, then the documentation of a JSON object's members."""
    kind = shape.type
    text = _describe(shape)
    if name in operation.input.required:
        text = "Required. " + text
    if kind == "blob":
        text += f". Give {_BLOB_HELP}"
    elif kind == "timestamp":
        text += f". Give {TIMESTAMP_HELP}"
    elif kind == "list" and shape.member is not None and shape.member.type == "string":
        text += ". Give VALUE [VALUE ...] or a JSON list"
    elif kind in ("list", "map", "structure"):
        text += ". Give shorthand (Key=value,Other=value) or JSON text, or file://PATH"
        if shape.has_special:
            text += " (blobs inside as base64)"
    elif kind == "string" and not shape.enum:
        text += ". file://PATH reads the value from a file"
    text = f"[{name}] {text}"
    if docs is not None:
        doc = docs.get((operation.input.name, name))
        if doc:
            text = f"{doc} {text}"
        structure = _structure_in(shape)
        if structure is not None:
            inner = [
                f"{member}: {docs[structure.name, member]}"
                for member in structure.members
                if (structure.name, member) in docs
            ]
            if inner:
                text += ". Members: " + " ".join(inner)
    return text.replace("%", "%%")


def _structure_in(shape: Shape) -> Shape | None:
    """The structure a JSON option holds: the shape itself, or a list's or map's elements."""
    inner = shape.member if shape.type == "list" else shape.value if shape.type == "map" else shape
    return inner if inner is not None and inner.type == "structure" else None


def add_docs(parser: argparse.ArgumentParser, *, operation: Operation) -> None:
    """Put the model's documentation in a command's help: the operation's first paragraph
    before its documentation URL, a sentence in each option's help. The documentation
    module is imported here only, when the help is shown."""
    from trentclient._generated._docs import MEMBER_DOCS, OPERATION_DOCS

    paragraphs = [OPERATION_DOCS.get(operation.name), operation.documentation_url]
    parser.description = "\n\n".join(p for p in paragraphs if p) or operation.name
    members = operation.input.members
    for action in parser._actions:
        if action.dest.startswith("member_") and hasattr(action, "member"):
            member = action.member
            action.help = option_help(operation, member, members[member], MEMBER_DOCS)


def metavar(shape: Shape) -> str:
    kind = shape.type
    if kind in ("list", "map", "structure"):
        if kind == "list" and shape.member is not None and shape.member.type == "string":
            return "STRING"
        return "JSON"
    return {"integer": "INTEGER", "long": "INTEGER"}.get(kind, kind.upper())


def summary(operation_name: str, docs: Mapping[str, str]) -> str:
    """The first sentence of an operation's documentation: its line in the command list."""
    text = docs.get(operation_name, "")
    end = text.find(". ")
    return (text[: end + 1] if end >= 0 else text).strip() or operation_name
