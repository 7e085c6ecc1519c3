"""Inputs and answers synthesized from the model's shapes, for the differential tests.

Every value here is valid for its shape: lengths and ranges inside ``min``/``max``, the
first enum value, and, where botocore's model gives a ``pattern`` (which neither botocore
nor trentclient enforces, but KMS does), a value that matches it. Elsewhere strings carry
non-ASCII text. ``Path`` tuples (``("Tags", 1, "TagKey")``) address a value inside a
parameter tree; ``render`` spells them as the validators do (``Tags[1].TagKey``).
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import functools
import json
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import botocore.session

from trentclient._generated._shapes import OPERATIONS
from trentclient._model import Shape

Path = tuple[str | int, ...]

TEXT = "caf\u00e9 \u2603"  # "café ☃"
BLOB = b"\x00\xffhello"
BLOB_TEXT = "caf\u00e9 \u2603 blob"

#: Values for the shapes botocore's model gives a ``pattern`` (checked against it in a test).
#: Each also satisfies the shape's min/max.
PATTERNED: dict[str, str] = {
    "AccountIdType": "111122223333",
    "AliasNameType": "alias/example-key_1",
    "BackingKeyIdResponseType": "0123456789abcdef" * 4,
    "BackingKeyIdType": "0123456789abcdef" * 4,
    "CloudHsmClusterIdType": "cluster-234abcdefgh",
    "GrantNameType": "grant_name-1",
    "KeyMaterialDescriptionType": "material v1.0",
    "MarkerType": "caf\u00e9-marker",  # U+0020..U+00FF: é yes, ☃ no
    "PolicyNameType": "default",
    "PolicyType": '{"Version": "2012-10-17", "Statement": [], "Sid": "caf\u00e9"}',
    "PrincipalIdType": "arn:aws:iam::111122223333:role/Example",
    "RegionType": "us-west-2",
    "XksKeyIdType": "xks-key_1.0",
    "XksProxyAuthenticationAccessKeyIdType": "ABCDEFGHIJKLMNOPQRST",
    "XksProxyAuthenticationRawSecretAccessKeyType": "K3y/S3cr3t+" + "a" * 32 + "==",
    "XksProxyUriEndpointType": "https://myproxy.example.com",
    "XksProxyUriPathType": "/kms/xks/v1",
    "XksProxyVpcEndpointServiceNameType": "com.amazonaws.vpce.us-east-1.vpce-svc-example12",
}


def render(path: Path) -> str:
    """``("Tags", 1, "TagKey")`` -> ``Tags[1].TagKey`` (map entries are ``.key`` too)."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text = f"{text}.{part}" if text else part
    return text


def _fit(text: str, shape: Shape, pad: str = "x") -> str:
    low, high = shape.min or 0, shape.max
    if len(text) < low:
        text += pad * (low - len(text))
    if high is not None and len(text) > high:
        text = text[:high]
    return text


def string_value(shape: Shape, *, minimal: bool = False, salt: str = "") -> str:
    if shape.enum:
        return shape.enum[0]
    if shape.name in PATTERNED:
        return PATTERNED[shape.name]
    if minimal:
        return _fit("k", shape)
    return _fit(TEXT + salt, shape)


def integer_value(shape: Shape) -> int:
    if shape.max is not None:
        return shape.max  # the inclusive upper bound, which botocore never checks
    if shape.min is not None:
        return shape.min
    return 42


def _blob_bytes(shape: Shape, data: bytes) -> bytes:
    low, high = shape.min or 0, shape.max
    if len(data) < low:
        data += b"\x01" * (low - len(data))
    return data if high is None else data[:high]


class Style(NamedTuple):
    """How blobs and the timestamp are given in one synthesized input."""

    blob: str  # bytes | str | bytearray | memoryview
    timestamp: str  # aware | naive | int | float | iso


STYLES = [
    Style("bytes", "aware"),
    Style("str", "naive"),
    Style("bytearray", "int"),
    Style("memoryview", "float"),
    Style("bytes", "iso"),
]

TIMESTAMPS: dict[str, Any] = {
    "aware": dt.datetime(
        2030, 1, 2, 3, 4, 5, 678901, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))
    ),
    "naive": dt.datetime(2030, 1, 2, 3, 4, 5, 999999),
    "int": 1893553445,
    "float": 1893553445.75,
    "iso": "2030-01-02T03:04:05.678901Z",
}


def blob_value(shape: Shape, style: str) -> Any:
    if style == "str":
        assert len(BLOB_TEXT.encode()) >= (shape.min or 0)
        return BLOB_TEXT
    data = _blob_bytes(shape, BLOB)
    if style == "bytearray":
        return bytearray(data)
    if style == "memoryview":
        return memoryview(data)
    return data


def input_value(shape: Shape, style: Style, *, minimal: bool, salt: str = "") -> Any:
    """A valid value for ``shape``: every member (or, ``minimal``, only required ones)."""
    kind = shape.type
    if kind == "structure":
        names = [n for n in shape.members if n in shape.required] if minimal else shape.members
        return {
            name: input_value(shape.members[name], style, minimal=minimal, salt=salt)
            for name in names
        }
    if kind == "list":
        assert shape.member is not None
        count = max(shape.min or 0, 1) if minimal else 2
        if shape.max is not None:
            count = min(count, shape.max)
        return [
            input_value(shape.member, style, minimal=minimal, salt=f" {i}") for i in range(count)
        ]
    if kind == "map":
        assert shape.key is not None and shape.value is not None
        keys = ["purpose", TEXT + " key"] if not minimal else ["k"]
        return {
            string_value(shape.key, salt=key) if shape.key.enum else key: input_value(
                shape.value, style, minimal=minimal, salt=f" {i}"
            )
            for i, key in enumerate(keys)
        }
    if kind == "string":
        return string_value(shape, minimal=minimal, salt=salt)
    if kind in ("integer", "long"):
        return integer_value(shape)
    if kind == "boolean":
        return True
    if kind == "blob":
        return blob_value(shape, style.blob)
    if kind == "timestamp":
        return TIMESTAMPS[style.timestamp]
    raise AssertionError(kind)


def full_input(shape: Shape, style: Style = STYLES[0]) -> dict[str, Any]:
    value = input_value(shape, style, minimal=False)
    assert isinstance(value, dict)
    return value


def minimal_input(shape: Shape) -> dict[str, Any]:
    value = input_value(shape, STYLES[0], minimal=True)
    assert isinstance(value, dict)
    return value


def scalar_kinds(shape: Shape, seen: frozenset[str] = frozenset()) -> set[str]:
    """The scalar types anywhere under ``shape``."""
    if shape.name in seen:
        return set()
    seen = seen | {shape.name}
    if shape.type not in ("structure", "list", "map"):
        return {shape.type}
    children = [*shape.members.values(), shape.member, shape.key, shape.value]
    return set().union(*(scalar_kinds(c, seen) for c in children if c is not None))


def style_label(shape: Shape, style: Style) -> str:
    """``full-bytes-blob-aware-ts``, naming only what ``shape`` has."""
    kinds = scalar_kinds(shape)
    parts = ["full"]
    if "blob" in kinds:
        parts.append(f"{style.blob}-blob")
    if "timestamp" in kinds:
        parts.append(f"{style.timestamp}-ts")
    return "-".join(parts)


def for_botocore(value: Any) -> Any:
    """A fresh copy botocore may consume: ``memoryview`` (which botocore refuses) as bytes."""
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, dict):
        return {k: for_botocore(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [for_botocore(v) for v in value]
    if isinstance(value, bytearray):
        return bytearray(value)
    return value


# -- walking and editing parameter trees ------------------------------------------------------


def walk(shape: Shape, value: Any, path: Path = ()) -> Iterator[tuple[Path, Shape]]:
    """Every value under ``value`` (not ``value`` itself) with its path and shape."""
    if shape.type == "structure" and isinstance(value, dict):
        for name, item in value.items():
            member = shape.members[name]
            yield (*path, name), member
            yield from walk(member, item, (*path, name))
    elif shape.type == "list" and isinstance(value, list):
        assert shape.member is not None
        for i, item in enumerate(value):
            yield (*path, i), shape.member
            yield from walk(shape.member, item, (*path, i))
    elif shape.type == "map" and isinstance(value, dict):
        assert shape.value is not None
        for key, item in value.items():
            yield (*path, key), shape.value
            yield from walk(shape.value, item, (*path, key))


def structures(shape: Shape, value: Any) -> Iterator[tuple[Path, Shape]]:
    """The root and every structure under it."""
    yield (), shape
    for path, member in walk(shape, value):
        if member.type == "structure":
            yield path, member


def edit(value: Any, path: Path, change: Callable[[Any, str | int], None]) -> Any:
    """A deep copy of ``value`` with ``change(container, last_key)`` applied at ``path``."""
    result = copy.deepcopy(value)
    container = result
    for part in path[:-1]:
        container = container[part]
    change(container, path[-1])
    return result


def replaced(value: Any, path: Path, new: Any) -> Any:
    def put(container: Any, key: str | int) -> None:
        container[key] = new

    return edit(value, path, put)


def deleted(value: Any, path: Path) -> Any:
    def drop(container: Any, key: str | int) -> None:
        del container[key]

    return edit(value, path, drop)


def added(value: Any, path: Path, name: str, new: Any) -> Any:
    """``value`` with member ``name`` added to the structure at ``path`` (``()``: the root)."""
    result = copy.deepcopy(value)
    container = result
    for part in path:
        container = container[part]
    container[name] = new
    return result


def wrong_type(shape: Shape) -> Any:
    """A value of the wrong Python type for ``shape`` that both validators refuse."""
    return {
        "string": 5,
        "integer": "5",
        "long": "5",
        "boolean": "true",
        "blob": 5,
        "timestamp": "not a date",
        "list": "not a list",
        "map": ["not", "a", "map"],
        "structure": "not a structure",
    }[shape.type]


# -- answers ----------------------------------------------------------------------------------


class _Counter:
    def __init__(self) -> None:
        self.n = 0

    def next(self) -> int:
        self.n += 1
        return self.n


def output_value(shape: Shape, *, int_timestamps: bool, unknown: bool, counter: _Counter) -> Any:
    """Wire JSON for ``shape`` with every member filled (and, ``unknown``, extra members)."""
    kind = shape.type
    if kind == "structure":
        result: dict[str, Any] = {
            name: output_value(
                member, int_timestamps=int_timestamps, unknown=unknown, counter=counter
            )
            for name, member in shape.members.items()
        }
        if unknown:
            result["UnmodeledMember"] = {"Nested": [1, {"Deeper": "x"}], "Blob": "AAE="}
        return result
    if kind == "list":
        assert shape.member is not None
        return [
            output_value(
                shape.member, int_timestamps=int_timestamps, unknown=unknown, counter=counter
            )
            for _ in range(2)
        ]
    if kind == "map":
        assert shape.value is not None
        return {
            key: output_value(
                shape.value, int_timestamps=int_timestamps, unknown=unknown, counter=counter
            )
            for key in ("purpose", TEXT + " key")
        }
    if kind == "string":
        return string_value(shape)
    if kind in ("integer", "long"):
        return integer_value(shape)
    if kind == "boolean":
        return True
    if kind == "blob":
        return base64.b64encode(_blob_bytes(shape, BLOB)).decode()
    if kind == "timestamp":
        n = counter.next()
        return 1_600_000_000 + n if int_timestamps else 1.6e9 + n + 0.123456
    raise AssertionError(kind)


def full_output(shape: Shape, *, int_timestamps: bool = False, unknown: bool = False) -> Any:
    return output_value(shape, int_timestamps=int_timestamps, unknown=unknown, counter=_Counter())


# -- botocore's examples ----------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def botocore_examples() -> dict[str, list[dict[str, Any]]]:
    """``examples-1.json`` for KMS, per operation."""
    loader = botocore.session.get_session().get_component("data_loader")
    examples: dict[str, list[dict[str, Any]]] = loader.load_service_model("kms", "examples-1")[
        "examples"
    ]
    return examples


def example_inputs() -> list[tuple[str, str, dict[str, Any]]]:
    """``(operation, id, params)`` for every example.

    Every example input passes both validators as published (its ``"<binary data>"``
    placeholders are valid ``str`` blobs), so none needs a fix; a test checks that.
    """
    cases = []
    for operation, examples in sorted(botocore_examples().items()):
        for i, example in enumerate(examples):
            cases.append((operation, f"{operation}-example{i}", example.get("input") or {}))
    return cases


# Example answers are documentation, not captures: fix what no service would send.
_EXAMPLE_TIMESTAMP_FIXES = {
    # An hour written with three digits: neither parser reads it.
    "2021-09-02T016:15:21-09:00": "2021-09-02T16:15:21-09:00",
}


def _fix_example_output(shape: Shape, value: Any) -> Any:
    kind = shape.type
    if kind == "structure" and isinstance(value, dict):
        return {
            k: _fix_example_output(shape.members[k], v) if k in shape.members else v
            for k, v in value.items()
        }
    if kind == "list" and isinstance(value, list):
        assert shape.member is not None
        return [_fix_example_output(shape.member, v) for v in value]
    if kind == "map" and isinstance(value, dict):
        assert shape.value is not None
        return {k: _fix_example_output(shape.value, v) for k, v in value.items()}
    if kind == "blob" and isinstance(value, str):
        # Blobs are shown as placeholders ("<binary data>"), not base64: encode the text.
        return base64.b64encode(value.encode()).decode()
    if kind == "timestamp" and isinstance(value, str):
        return _EXAMPLE_TIMESTAMP_FIXES.get(value, value)
    return value


def example_outputs() -> list[tuple[str, str, bytes]]:
    """``(operation, id, body)`` for every example with an answer, placeholders fixed."""
    cases = []
    for operation, examples in sorted(botocore_examples().items()):
        output = OPERATIONS[operation].output
        for i, example in enumerate(examples):
            if "output" not in example or output is None:
                continue
            fixed = _fix_example_output(output, example["output"])
            cases.append((operation, f"{operation}-example{i}", json.dumps(fixed).encode()))
    return cases
