"""Option values as the client takes them, by model type, in the AWS CLI's rules.

- string: the text, or ``file://PATH`` for a file's text (a key policy, say);
- integer/long/float/double: a number; boolean: ``--flag`` / ``--no-flag``;
- blob: by ``--cli-binary-format`` (AWS CLI v2's setting): ``base64`` (the default) takes
  base64 text, ``raw-in-base64-out`` the text's own UTF-8 bytes; ``fileb://PATH`` is always
  the file's raw bytes, ``file://PATH`` the file's text read as the value;
- timestamp: ISO 8601 (``2030-01-02T03:04:05Z``, no zone means UTC) or epoch seconds;
- list of strings: ``--grant-tokens A B C`` or one JSON list ``'["A", "B"]'``;
- structures, maps and lists of them: shorthand (``--tags TagKey=a,TagValue=b``, see
  ``_shorthand``) or JSON text (or ``file://PATH``); blobs inside follow the binary format.

Values are converted after the command line is parsed, so a bad one is reported as the
AWS CLI reports it: ``Error parsing parameter '--policy': Unable to load paramfile ...``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._errors import CLIError, ParamError

if TYPE_CHECKING:
    from trentclient._model import Operation, Shape

__all__ = [
    "BASE64",
    "RAW",
    "TIMESTAMP_HELP",
    "convert_member",
    "from_json",
    "load_input",
    "load_paramfile",
]

BASE64 = "base64"
RAW = "raw-in-base64-out"
TIMESTAMP_HELP = "ISO 8601 (2030-01-02T03:04:05Z; no zone means UTC) or epoch seconds"
_PREFIXES = ("file://", "fileb://")


class _FileError(Exception):
    pass


def load_paramfile(value: str) -> str | bytes | None:
    """The contents behind ``file://PATH`` (text) or ``fileb://PATH`` (bytes), or None when
    ``value`` is no file reference. Raises ``_FileError`` with the AWS CLI's message."""
    import os

    for prefix in _PREFIXES:
        if value.startswith(prefix):
            path = os.path.expandvars(os.path.expanduser(value[len(prefix) :]))
            binary = prefix == "fileb://"
            try:
                with open(path, "rb" if binary else "r", encoding=None if binary else "utf-8") as f:
                    data: str | bytes = f.read()
            except UnicodeDecodeError:
                raise _FileError(
                    f"Unable to load paramfile ({path}), text contents could not be decoded.  "
                    "If this is a binary file, please use the fileb:// prefix instead of the "
                    "file:// prefix."
                ) from None
            except OSError as error:
                raise _FileError(f"Unable to load paramfile {value}: {error}") from None
            return data
    return None


def _loaded(value: str, option: str) -> str | bytes:
    try:
        data = load_paramfile(value)
    except _FileError as error:
        raise ParamError(option, str(error)) from None
    return value if data is None else data


def _text(value: str, option: str) -> str:
    data = _loaded(value, option)
    if isinstance(data, bytes):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise ParamError(option, f"{value} is not UTF-8 text") from None
    return data


def _base64(text: str, option: str, where: str = "") -> bytes:
    import base64
    import binascii

    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        at = f" at {where}" if where else ""
        raise ParamError(
            option,
            f"Invalid base64{at}: blobs are base64 text with --cli-binary-format base64 (the "
            "default); use fileb://PATH for a file's raw bytes, or --cli-binary-format "
            "raw-in-base64-out to send the text itself",
        ) from None


def _blob(value: str, option: str, binary_format: str) -> bytes:
    data = _loaded(value, option)
    if isinstance(data, bytes):
        return data
    return data.encode("utf-8") if binary_format == RAW else _base64(data, option)


def _number(value: str, option: str, kind: str) -> int | float:
    text = _text(value, option).strip()
    try:
        return int(text) if kind in ("integer", "long") else float(text)
    except ValueError:
        article = "an integer" if kind in ("integer", "long") else "a number"
        raise ParamError(option, f"expected {article}, received: {text!r}") from None


def _timestamp(value: str, option: str) -> Any:
    from datetime import UTC, datetime

    text = _text(value, option).strip()
    for number in (int, float):
        try:
            return number(text)
        except ValueError:
            pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ParamError(option, f"Invalid timestamp {text!r}: expected {TIMESTAMP_HELP}") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _json(text: str, option: str) -> Any:
    import json

    try:
        return json.loads(text)
    except ValueError as error:
        raise ParamError(option, f"Invalid JSON: {error}\nJSON received: {text}") from None


def from_json(shape: Shape, value: Any, option: str, binary_format: str, path: str = "") -> Any:
    """A JSON (or shorthand, or YAML) value as the client takes it: blobs at any depth
    decoded by the binary format. Wrong types are left for the library to report."""
    kind = shape.type
    if kind == "blob":
        if not isinstance(value, str):
            return value
        return value.encode("utf-8") if binary_format == RAW else _base64(value, option, path)
    if not shape.has_special:
        return value
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        return {
            key: from_json(members[key], item, option, binary_format, _join(path, key))
            if key in members
            else item
            for key, item in value.items()
        }
    if kind == "list" and isinstance(value, list) and shape.member is not None:
        return [
            from_json(shape.member, item, option, binary_format, f"{path}[{i}]")
            for i, item in enumerate(value)
        ]
    if kind == "map" and isinstance(value, dict) and shape.value is not None:
        return {
            key: from_json(shape.value, item, option, binary_format, _join(path, key))
            for key, item in value.items()
        }
    return value  # timestamps and wrong types: the client checks and reports them


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _shorthand(shape: Shape, text: str, option: str, binary_format: str) -> Any:
    from ._shorthand import ShorthandError, coerce, parse_shorthand

    def load(value: str) -> str | None:
        data = _loaded(value, option)
        if isinstance(data, bytes):
            import base64

            return base64.b64encode(data).decode("ascii")
        return None if data is value else data

    try:
        parsed = parse_shorthand(text, load)
    except ShorthandError as error:
        raise ParamError(option, str(error)) from None
    return from_json(shape, coerce(shape, parsed), option, binary_format)


def _complex(shape: Shape, value: str, option: str, binary_format: str) -> Any:
    """A structure or map: JSON (``{...}``, maybe from ``file://``) or shorthand."""
    from ._shorthand import wants_shorthand

    text = _text(value, option)
    if wants_shorthand(shape, text):
        return _shorthand(shape, text, option, binary_format)
    if not text.lstrip().startswith("{"):
        raise ParamError(option, f"Invalid JSON:\n{text}")
    return from_json(shape, _json(text, option), option, binary_format)


def _list(shape: Shape, values: Sequence[str], option: str, binary_format: str) -> Any:
    member = shape.member
    assert member is not None
    if len(values) == 1:
        text = _text(values[0], option)
        if text.lstrip().startswith("["):
            return from_json(shape, _json(text, option), option, binary_format)
        values = [text]
    if member.type in ("structure", "map", "list"):
        from ._shorthand import wants_shorthand

        if wants_shorthand(shape, list(values)):
            return [_shorthand(member, _text(v, option), option, binary_format) for v in values]
        return [
            from_json(member, _json(_text(v, option), option), option, binary_format)
            for v in values
        ]
    return [_scalar(member, v, option, binary_format) for v in values]


def _scalar(shape: Shape, value: str, option: str, binary_format: str) -> Any:
    kind = shape.type
    if kind in ("integer", "long", "float", "double"):
        return _number(value, option, kind)
    if kind == "blob":
        return _blob(value, option, binary_format)
    if kind == "timestamp":
        return _timestamp(value, option)
    if kind == "boolean":
        text = _text(value, option).strip().lower()
        if text in ("true", "false"):
            return text == "true"
        raise ParamError(option, f"expected true or false, received: {value!r}")
    return _text(value, option)


def convert_member(shape: Shape, raw: Any, option: str, binary_format: str) -> Any:
    """One option's value (the text, or the list of texts, argparse kept) for the client."""
    kind = shape.type
    if kind == "boolean" and isinstance(raw, bool):
        return raw
    if kind == "list":
        return _list(shape, raw if isinstance(raw, list) else [raw], option, binary_format)
    if kind in ("structure", "map"):
        return _complex(shape, raw, option, binary_format)
    return _scalar(shape, raw, option, binary_format)


def load_input(operation: Operation, value: str, option: str, binary_format: str) -> dict[str, Any]:
    """``--cli-input-json`` / ``--cli-input-yaml``: the parameters by their API names."""
    text = _text(value, option)
    if option == "--cli-input-yaml":
        try:
            from ruamel.yaml import YAML
            from ruamel.yaml.error import YAMLError
        except ImportError:
            raise CLIError(
                "--cli-input-yaml needs ruamel.yaml (what AWS CLI v2 reads YAML with): "
                "pip install 'trentclient[cli]' (or pip install ruamel.yaml)"
            ) from None
        try:  # YAML 1.2, as AWS CLI v2 reads it: ``yes`` and ``on`` are strings
            data = YAML(typ="safe", pure=True).load(text)
        except YAMLError as error:
            raise ParamError(option, f"Invalid YAML: {error}") from None
    else:
        data = _json(text, option)
    if data is None and option == "--cli-input-yaml":
        data = {}
    if not isinstance(data, dict):
        kind = "YAML mapping" if option == "--cli-input-yaml" else "JSON object"
        raise ParamError(option, f"Invalid {kind}: the parameters must be one {kind}")
    converted: dict[str, Any] = from_json(operation.input, data, option, binary_format)
    return converted
