"""Python values to KMS wire JSON and back, driven by the model's shapes.

``serialize`` validates every constraint the model states (required members, types,
length and value bounds on both sides, unknown members) at every depth, collecting all
problems into one ``ParamValidationError``, and turns blobs into base64 and timestamps
into integer epoch seconds, as botocore does. Member order follows the caller's dicts.

``deserialize`` turns a parsed JSON answer into Python values for the output shape:
base64 to ``bytes``, epoch seconds to tz-aware UTC ``datetime``; members the model does
not know are dropped (as botocore drops them); a value of the wrong JSON type raises
``ResponseParseError``. Sensitive values are never echoed in messages.
"""

from __future__ import annotations

import base64
import binascii
import math
from datetime import UTC, datetime, timedelta
from typing import Any

from ._exceptions import ParamValidationError, ResponseParseError
from ._model import Shape

__all__ = ["deserialize", "serialize", "serialize_unchecked"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)
_TYPE_NAMES = {
    "string": "str",
    "integer": "int",
    "long": "int",
    "boolean": "bool",
    "double": "float",
    "float": "float",
    "blob": "bytes, bytearray, memoryview or str",
    "timestamp": "datetime, int, float or ISO 8601 str",
    "list": "list or tuple",
    "map": "dict",
    "structure": "dict",
}


def _show(value: Any, shape: Shape) -> str:
    if shape.sensitive:
        return "<sensitive>"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def serialize(shape: Shape, params: Any, operation_name: str = "") -> dict[str, Any]:
    """Validate ``params`` against the input ``shape``; return the wire-ready dict.

    Raises ``ParamValidationError`` listing every problem. Nothing is sent before this.
    """
    problems: list[str] = []
    if not isinstance(params, dict):
        raise ParamValidationError(
            [f"Invalid type for the input, type: {type(params).__name__}, valid types: dict"],
            operation_name,
        )
    out: dict[str, Any] = _structure(shape, params, "", problems)
    if problems:
        raise ParamValidationError(problems, operation_name)
    return out


def serialize_unchecked(shape: Shape, params: Any, operation_name: str = "") -> Any:
    """``Config(parameter_validation=False)``: no constraint is checked (as botocore's switch),
    but blobs and timestamps still become base64 and epoch seconds where the model has them.

    Members the model does not know are sent as given. Raises ``ParamValidationError`` only
    for what cannot be put on the wire at all (the input is not a dict, a blob that is
    not bytes or text, a timestamp that cannot be read).
    """
    if not isinstance(params, dict):
        raise ParamValidationError(
            [f"Invalid type for the input, type: {type(params).__name__}, valid types: dict"],
            operation_name,
        )
    problems: list[str] = []
    out = _loose(shape, params, "", problems)
    if problems:
        raise ParamValidationError(problems, operation_name)
    return out


def _loose(shape: Shape, value: Any, path: str, problems: list[str]) -> Any:
    if not shape.has_special:
        return value
    kind = shape.type
    if kind == "blob":
        if isinstance(value, str):
            return base64.b64encode(value.encode("utf-8")).decode("ascii")
        if isinstance(value, (bytes, bytearray, memoryview)):
            return base64.b64encode(bytes(value)).decode("ascii")
        problems.append(_type_error(path, value, shape))
        return None
    if kind == "timestamp":
        return _timestamp(shape, value, path, problems)
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        out = {}
        for name, item in value.items():
            member = members.get(name)
            out[name] = (
                item if member is None else _loose(member, item, _join(path, name), problems)
            )
        return out
    if kind == "list" and isinstance(value, (list, tuple)) and shape.member is not None:
        member = shape.member
        return [_loose(member, item, f"{path}[{i}]", problems) for i, item in enumerate(value)]
    if kind == "map" and isinstance(value, dict) and shape.value is not None:
        value_shape = shape.value
        return {k: _loose(value_shape, v, f"{path}.{k}", problems) for k, v in value.items()}
    return value


def _type_error(path: str, value: Any, shape: Shape) -> str:
    return (
        f"Invalid type for parameter {path or 'input'}, value: {_show(value, shape)}, "
        f"type: {type(value).__name__}, valid types: {_TYPE_NAMES.get(shape.type, shape.type)}"
    )


def _check_length(path: str, length: int, shape: Shape, problems: list[str]) -> None:
    if shape.min is not None and length < shape.min:  # botocore's words: value is the length
        problems.append(
            f"Invalid length for parameter {path}, value: {length}, valid min length: {shape.min}"
        )
    if shape.max is not None and length > shape.max:
        problems.append(
            f"Invalid length for parameter {path}, length: {length}, valid max length: {shape.max}"
        )


def _structure(shape: Shape, value: dict[str, Any], path: str, problems: list[str]) -> Any:
    members = shape.members
    for name in shape.required:
        if name not in value:
            problems.append(f'Missing required parameter in {path or "input"}: "{name}"')
    special = shape.has_special
    out: dict[str, Any] | None = {} if special else None
    for name, item in value.items():
        member = members.get(name)
        if member is None:
            known = ", ".join(members) or "(none)"
            problems.append(
                f'Unknown parameter in {path or "input"}: "{name}", must be one of: {known}'
            )
            continue
        converted = _value(member, item, _join(path, name), problems)
        if out is not None:
            out[name] = converted
    return value if out is None else out


def _value(shape: Shape, value: Any, path: str, problems: list[str]) -> Any:
    kind = shape.type
    if kind == "string":
        if not isinstance(value, str):
            problems.append(_type_error(path, value, shape))
        elif shape.min is not None or shape.max is not None:
            _check_length(path, len(value), shape, problems)
        return value
    if kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(_type_error(path, value, shape))
            return value
        if shape.min is not None and value < shape.min:
            problems.append(
                f"Invalid value for parameter {path}, value: {_show(value, shape)}, "
                f"valid min value: {shape.min}"
            )
        if shape.max is not None and value > shape.max:
            problems.append(
                f"Invalid value for parameter {path}, value: {_show(value, shape)}, "
                f"valid max value: {shape.max}"
            )
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            problems.append(_type_error(path, value, shape))
        return value
    if kind in ("double", "float"):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            problems.append(_type_error(path, value, shape))
        elif isinstance(value, float) and not math.isfinite(value):
            problems.append(f"Invalid value for parameter {path}: must be a finite number")
        return value
    if kind == "blob":
        return _blob(shape, value, path, problems)
    if kind == "timestamp":
        return _timestamp(shape, value, path, problems)
    if kind == "structure":
        if not isinstance(value, dict):
            problems.append(_type_error(path, value, shape))
            return value
        return _structure(shape, value, path, problems)
    if kind == "list":
        if not isinstance(value, (list, tuple)):
            problems.append(_type_error(path, value, shape))
            return value
        _check_length(path, len(value), shape, problems)
        member = shape.member
        assert member is not None
        items = [_value(member, item, f"{path}[{i}]", problems) for i, item in enumerate(value)]
        return items if shape.has_special else value
    if kind == "map":
        if not isinstance(value, dict):
            problems.append(_type_error(path, value, shape))
            return value
        _check_length(path, len(value), shape, problems)
        key_shape, value_shape = shape.key, shape.value
        assert key_shape is not None and value_shape is not None
        out = {}
        for k, v in value.items():
            _value(key_shape, k, f"{path} (key: {k})", problems)
            out[k] = _value(value_shape, v, f"{path}.{k}", problems)
        return out if shape.has_special else value
    raise AssertionError(f"unknown shape type {kind!r}")  # pragma: no cover - model drift


def _blob(shape: Shape, value: Any, path: str, problems: list[str]) -> Any:
    if isinstance(value, str):
        data = value.encode("utf-8")
    elif isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
    else:
        problems.append(_type_error(path, value, shape))
        return None
    _check_length(path, len(data), shape, problems)
    return base64.b64encode(data).decode("ascii")


def _timestamp(shape: Shape, value: Any, path: str, problems: list[str]) -> Any:
    # botocore's order and arithmetic (``parse_to_aware_datetime`` then ``timegm``): a
    # number, or a string that ``float()`` reads, is epoch seconds (rounded to the
    # microsecond as ``datetime.fromtimestamp`` does); other strings are ISO 8601; naive
    # means UTC; the result is floored to whole seconds (not truncated toward zero).
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return (moment - _EPOCH) // _SECOND
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):  # (isfinite(10**400) raises)
            problems.append(f"Invalid timestamp for parameter {path}: must be a finite number")
            return None
        moment_or_none = _from_epoch(value)
        if moment_or_none is None:
            problems.append(
                f"Invalid timestamp for parameter {path}, value: {_show(value, shape)}: "
                "out of range"
            )
            return None
        return (moment_or_none - _EPOCH) // _SECOND
    if isinstance(value, str):
        moment_or_none = _parse_timestamp_text(value)
        if moment_or_none is None:
            problems.append(
                f"Invalid timestamp for parameter {path}, value: {_show(value, shape)}: "
                "expected ISO 8601 (2030-01-02T03:04:05Z) or epoch seconds"
            )
            return None
        return (moment_or_none - _EPOCH) // _SECOND
    problems.append(_type_error(path, value, shape))
    return None


def _from_epoch(value: float) -> datetime | None:
    """UTC ``datetime`` for epoch seconds, or None when no ``datetime`` can hold it."""
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError):
        pass  # the platform's time_t is too small; botocore falls back the same way
    except ValueError:
        return None
    try:
        return _EPOCH + timedelta(seconds=value)
    except (OverflowError, ValueError):
        return None


def _parse_timestamp_text(text: str) -> datetime | None:
    """An aware ``datetime`` for epoch seconds or ISO 8601 text, else None.

    Like botocore, text that ``float()`` reads is epoch seconds first (``"20300102"`` is
    a number of seconds, not the 2nd of January 2030), then ISO 8601; naive means UTC.
    """
    try:
        number = float(text)
    except ValueError:
        pass
    else:
        if math.isfinite(number):
            moment = _from_epoch(number)
            if moment is not None:
                return moment
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# -- responses --------------------------------------------------------------------------------


class _Bad(Exception):
    """A value of the wrong type (or out of range): the message names its path and type,
    never the value itself (it may be sensitive, or huge)."""

    def __init__(self, path: str, shape: Shape, value: Any, why: str = "") -> None:
        self.text = (
            f"{path or 'response'} should be {_TYPE_NAMES.get(shape.type, shape.type)} "
            f"({shape.type}), got {type(value).__name__}{f' ({why})' if why else ''}"
        )


_KEY_SHOWN = 40


def _key(key: str) -> str:
    """A map key as an error path shows it: as is when short and printable; else escaped
    and clipped (a key is server text of any length)."""
    if len(key) <= _KEY_SHOWN and key.isprintable():
        return key
    shown = repr(key[:_KEY_SHOWN])
    return shown if len(key) <= _KEY_SHOWN else f"{shown}...({len(key)} characters)"


def deserialize(shape: Shape, data: Any) -> dict[str, Any]:
    """Python values for the answer ``data`` (parsed JSON) of output ``shape``.

    Raises ``ResponseParseError`` (without status; the caller adds it) when a value has
    the wrong JSON type.
    """
    try:
        result = _out(shape, data, "")
    except _Bad as bad:
        raise ResponseParseError(f"Unexpected response shape: {bad.text}") from None
    assert isinstance(result, dict)
    return result


def _out(shape: Shape, value: Any, path: str) -> Any:
    kind = shape.type
    if kind == "structure":
        if not isinstance(value, dict):
            raise _Bad(path, shape, value)
        members = shape.members
        result: dict[str, Any] = {}
        for name, item in value.items():
            member = members.get(name)
            if member is None or item is None:
                continue
            result[name] = _out(member, item, _join(path, name))
        return result
    if kind == "string":
        if not isinstance(value, str):
            raise _Bad(path, shape, value)
        return value
    if kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            raise _Bad(path, shape, value)
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _Bad(path, shape, value)
        return value
    if kind in ("double", "float"):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise _Bad(path, shape, value)
        try:
            return float(value)
        except OverflowError:  # an int beyond float's range (10**400)
            raise _Bad(path, shape, value, "out of range") from None
    if kind == "blob":
        if not isinstance(value, str):
            raise _Bad(path, shape, value)
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise _Bad(path, shape, value) from None
    if kind == "timestamp":
        return _out_timestamp(shape, value, path)
    if kind == "list":
        if not isinstance(value, list):
            raise _Bad(path, shape, value)
        member = shape.member
        assert member is not None
        return [_out(member, item, f"{path}[{i}]") for i, item in enumerate(value)]
    if kind == "map":
        if not isinstance(value, dict):
            raise _Bad(path, shape, value)
        value_shape = shape.value
        assert value_shape is not None
        return {k: _out(value_shape, v, f"{path}.{_key(k)}") for k, v in value.items()}
    raise AssertionError(f"unknown shape type {kind!r}")  # pragma: no cover - model drift


def _out_timestamp(shape: Shape, value: Any, path: str) -> datetime:
    moment: datetime | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not (isinstance(value, float) and not math.isfinite(value)):
            moment = _from_epoch(value)
    elif isinstance(value, str):
        moment = _parse_timestamp_text(value)
    if moment is None:
        raise _Bad(path, shape, value)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # ISO 8601 text with an offset, past datetime's range in UTC
        raise _Bad(path, shape, value, "out of range") from None
