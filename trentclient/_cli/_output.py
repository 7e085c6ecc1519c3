"""What a command prints: the response as the AWS CLI shows it, in four formats.

- The response loses ``ResponseMetadata``; its keys come in the model's order, as botocore
  parses them (keys the model does not know, such as a merged result's ``NextToken``, after
  them). Blobs are base64 text; timestamps are ISO 8601 in the local time zone
  (``cli_timestamp_format = iso8601``, AWS CLI v2's default) or the epoch seconds KMS sent
  (``wire``, or v1's ``none``).
- ``--query`` (JMESPath) is applied to that value; ``jmespath`` is imported only when a
  query is given.
- ``json``: indented by 4, non-ASCII kept; nothing for an empty object. ``text``:
  tab-separated, the AWS CLI's rules (``format_text``). ``table``: ``_table``. ``yaml``:
  AWS CLI v2's, through the library it uses (ruamel.yaml, ``pip install 'trentclient[cli]'``)
  set as it sets it: YAML 1.2, block style, keys sorted; a lone scalar (a ``--query``
  result, say) is printed as JSON, as v2 prints it.
- An output skeleton's timestamps are naive ``datetime`` values, as the AWS CLI's sample
  answer holds them: json prints ``1970-01-01T00:00:00``, text and table
  ``1970-01-01 00:00:00``, yaml a YAML timestamp.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._errors import EXIT_USAGE, CLIError

if TYPE_CHECKING:
    from trentclient._model import Shape

__all__ = [
    "OUTPUTS",
    "TIMESTAMP_FORMATS",
    "compile_query",
    "format_text",
    "json_default",
    "plain",
    "render",
]

OUTPUTS = ("json", "text", "table", "yaml")
#: ``none`` is AWS CLI v1's name for v2's ``wire``.
TIMESTAMP_FORMATS = ("iso8601", "wire", "none")


def compile_query(expression: str) -> Any:
    """A compiled JMESPath expression; a bad one is a command-line error (252)."""
    try:
        import jmespath
        from jmespath.exceptions import JMESPathError
    except ImportError:
        raise CLIError(
            "--query needs the jmespath package: pip install jmespath "
            "(it is installed with trentclient unless --no-deps was used)"
        ) from None
    try:
        return jmespath.compile(expression)
    except JMESPathError as error:
        raise CLIError(f"Bad value for --query {expression}: {error}", EXIT_USAGE) from None


def plain(shape: Shape | None, value: Any, timestamps: str = "iso8601") -> Any:
    """A response value as JSON holds it, in the model's key order."""
    if isinstance(value, dict):
        if shape is not None and shape.type == "structure":
            members = shape.members
            ordered = {
                key: plain(members[key], value[key], timestamps)
                for key in members
                if key in value and key != "ResponseMetadata"
            }
            for key, item in value.items():
                if key not in members and key != "ResponseMetadata":
                    ordered[key] = plain(None, item, timestamps)
            return ordered
        inner = shape.value if shape is not None and shape.type == "map" else None
        return {key: plain(inner, item, timestamps) for key, item in value.items()}
    if isinstance(value, list):
        member = shape.member if shape is not None and shape.type == "list" else None
        return [plain(member, item, timestamps) for item in value]
    if isinstance(value, bytes):
        import base64

        return base64.b64encode(value).decode("ascii")
    if hasattr(value, "isoformat") and hasattr(value, "astimezone"):
        if value.tzinfo is None:  # a skeleton's sample: each format prints it its own way
            return value
        if timestamps in ("wire", "none"):
            return value.timestamp()
        return value.astimezone().isoformat()
    return value


# -- text ------------------------------------------------------------------------------------


def format_text(data: Any) -> str:
    """The AWS CLI's ``--output text``: an object's scalars on one tab-separated line (sorted
    by key, after the upper-cased name of the list or object they came from), its lists and
    objects on the lines below; a list of objects gives one line each, with the columns of
    every scalar key any of them has."""
    lines: list[str] = []
    _text_item(data, lines, None, None)
    return "".join(line + "\n" for line in lines)


def _text_item(item: Any, lines: list[str], label: str | None, keys: list[str] | None) -> None:
    if isinstance(item, dict):
        _text_dict(item, lines, label, keys)
    elif isinstance(item, list):
        _text_list(item, lines, label)
    else:
        lines.append(str(item))


def _text_list(items: list[Any], lines: list[str], label: str | None) -> None:
    if not items:
        return
    if any(isinstance(item, dict) for item in items):
        keys = sorted(
            {
                k
                for item in items
                if isinstance(item, dict)
                for k, v in item.items()
                if not isinstance(v, (dict, list))
            }
        )
        for item in items:
            _text_item(item, lines, label, keys)
        return
    scalars = [item for item in items if not isinstance(item, list)]
    nested = [item for item in items if isinstance(item, list)]
    if scalars:
        if label is None:
            lines.append("\t".join(str(item) for item in scalars))
        else:
            lines.extend(f"{label.upper()}\t{item}" for item in scalars)
    for item in nested:
        _text_item(item, lines, label, None)


def _text_dict(
    item: Mapping[str, Any], lines: list[str], label: str | None, keys: list[str] | None
) -> None:
    scalars: list[str] = []
    nested: list[tuple[str, Any]] = []
    if keys is None:
        for key, value in sorted(item.items()):
            if isinstance(value, (dict, list)):
                nested.append((key, value))
            else:
                scalars.append(str(value))
    else:
        scalars = [str(item.get(key, "")) for key in keys]
        nested = [(key, item[key]) for key in sorted(set(item) - set(keys))]
    if scalars:
        lines.append("\t".join([label.upper(), *scalars] if label is not None else scalars))
    for key, value in nested:
        _text_item(value, lines, key, None)


# -- the formats -------------------------------------------------------------------------------


def json_default(value: Any) -> str:
    """``json.dumps``'s ``default``: a skeleton's naive timestamp in ISO 8601."""
    if hasattr(value, "isoformat"):
        text: str = value.isoformat()
        return text
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _yaml(data: Any) -> str:
    """AWS CLI v2's ``--output yaml``: ruamel.yaml's safe dumper in block style (YAML 1.2,
    keys sorted, its line breaks); ``null``, numbers, booleans and strings alone as JSON,
    where YAML would end the document with ``...``."""
    import json

    if data is None or isinstance(data, (str, int, float, bool)) or hasattr(data, "isoformat"):
        return json.dumps(data, ensure_ascii=False, default=json_default) + "\n"
    try:
        from ruamel.yaml import YAML
    except ImportError:
        raise CLIError(
            "--output yaml needs ruamel.yaml (what AWS CLI v2 prints YAML with): "
            "pip install 'trentclient[cli]' (or pip install ruamel.yaml)"
        ) from None
    import io

    dumper = YAML(typ="safe")
    dumper.encoding = None  # type: ignore[assignment]  # a text stream: no encoding (as v2)
    dumper.representer.default_flow_style = False
    stream = io.StringIO()
    dumper.dump(data, stream)
    return stream.getvalue()


def _terminal() -> tuple[int, bool]:
    """The terminal's width (80 when stdout is no terminal) and whether it is one."""
    import os
    import sys

    try:
        fileno = sys.stdout.fileno()
        return os.get_terminal_size(fileno).columns, os.isatty(fileno)
    except (AttributeError, OSError, ValueError):
        return 80, False


def render(title: str, data: Any, output: str, *, color: str = "auto") -> str:
    """``data`` (already plain and queried) in the ``output`` format; ``title`` is the
    operation's name, a table's title."""
    if output == "text":
        return format_text(data)
    if output == "table":
        from ._table import format_table

        width, tty = _terminal()
        return format_table(
            title, data, terminal_width=width, color=color == "on" or (color == "auto" and tty)
        )
    if isinstance(data, dict) and not data:  # as the AWS CLI: nothing for an empty answer
        return ""
    if output == "yaml":
        return _yaml(data)
    import json

    return json.dumps(data, indent=4, ensure_ascii=False, default=json_default) + "\n"
