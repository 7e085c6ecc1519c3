"""Generate trentclient's KMS operation table, errors, typed methods, TypedDicts and enums.

The generator reads botocore's installed KMS model (``service-2`` and ``paginators-1``, through
botocore's data loader) and renders, under ``trentclient/_generated/``:

``__init__.py``
    a docstring only.
``_shapes.py``
    the arguments of one :class:`trentclient._model.Shape` per shape reachable from an
    operation, in dependency order, and of each :class:`~trentclient._model.Operation`, as
    data; ``OPERATIONS`` (CamelCase name -> ``Operation``, an
    :class:`~trentclient._model.OperationTable` that builds each on first use) and
    ``METHOD_TO_OPERATION`` (snake_case -> CamelCase).
``_errors.py``
    one class per modeled error, ``MODELED_ERRORS``, ``ERROR_CLASSES`` and ``ClientExceptions``.
``_error_names.py``
    the modeled errors' names only (its ``__all__``): ``trentclient`` exports them from it and
    imports ``_errors`` on the first use of one, so that a client that meets no error never
    builds the classes.
``_methods.py`` / ``_async_methods.py``
    ``SyncOperations`` / ``AsyncOperations`` (one module each, so that a client loads its own
    half only): one typed method per operation, on top of
    ``SyncPagination`` / ``AsyncPagination``: ``can_paginate`` and ``get_paginator``, with one
    ``@overload`` per paginated operation returning its typed paginator (``ListKeysPaginator``,
    ``AsyncListKeysPaginator``...: protocols defined for type checkers only; at run time every
    paginator is a :class:`trentclient._paginate.Paginator` or ``AsyncPaginator``).
``type_defs.py``
    the public TypedDicts (naming scheme documented in the rendered file's docstring), including
    ``PaginationConfig`` and each paginated operation's ``<Request>Paginate``.
``enums.py``
    the known values of every enum string shape, as ``Final`` constants.
``_docs.py``
    ``OPERATION_DOCS`` (each operation's first documentation paragraph) and ``MEMBER_DOCS``
    (the first sentence of each input structure member's documentation), as plain text for
    the command line's help; only the CLI imports it, when it shows a command's help.

:func:`render` returns ``{file name: text}`` and writes nothing; ``python -m tools.generate``
writes every generated file (``--check`` compares instead). The output is deterministic: it
depends only on the botocore model, on ``tools/output_presence.py`` (which response members
KMS always returns: the TypedDicts' ``Required`` members and the ``Recipient`` overloads) and on
``trentclient/_exceptions.py`` and ``_common_errors.py`` (read for the hand-written error
names).

Anything in the model this generator does not understand (an unknown shape or member trait,
recursion between shapes, an error code that differs from its shape name, a name clash among
the generated names...) stops it with :class:`GeneratorError` rather than rendering something
subtly wrong after a botocore upgrade.
"""

from __future__ import annotations

import html.parser
import importlib
import importlib.util
import keyword
import re
import sys
import textwrap
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from tools import output_presence
from tools.output_presence import Presence

__all__ = ["GeneratorError", "header", "load_model", "render"]

ROOT = Path(__file__).resolve().parent.parent
SERVICE = "kms"
DOC_URL = "https://docs.aws.amazon.com/kms/latest/APIReference/API_{}.html"
#: ruff's line length: the layout below keeps code lines within it.
LINE = 100
#: Docstrings are wrapped at this column.
DOC_WIDTH = 96
#: A member's help text (``_docs.py``) is cut to about this many characters.
SUMMARY_WIDTH = 200

_SCALARS = {
    "string": "str",
    "integer": "int",
    "long": "int",
    "boolean": "bool",
    "double": "float",
    "float": "float",
}
_REQUEST_BLOB = "bytes | bytearray | memoryview | str"
_RESPONSE_BLOB = "bytes"
_REQUEST_TIMESTAMP = "datetime | int | float | str"
_RESPONSE_TIMESTAMP = "datetime"

# Every trait this generator knows what to do with; anything else stops it.
_SHAPE_KEYS = frozenset(
    {
        "type",
        "members",
        "required",
        "member",
        "key",
        "value",
        "min",
        "max",
        "enum",
        "sensitive",
        "pattern",  # ignored: botocore does not validate it either
        "documentation",
        "deprecated",
        "deprecatedMessage",
        "exception",
        "fault",
        "error",
    }
)
_MEMBER_KEYS = frozenset({"shape", "documentation", "deprecated", "deprecatedMessage"})
_PAGINATOR_KEYS = frozenset(
    {"input_token", "output_token", "limit_key", "more_results", "result_key"}
)
_OPERATION_KEYS = frozenset(
    {"name", "http", "input", "output", "errors", "documentation", "documentationUrl"}
)
_KNOWN_TYPES = frozenset(_SCALARS) | {"blob", "timestamp", "structure", "list", "map"}


class GeneratorError(Exception):
    """The model holds something this generator cannot render faithfully."""


# -- the model ------------------------------------------------------------------------------


@dataclass
class Model:
    """botocore's KMS model, as raw JSON-like dicts."""

    botocore_version: str
    api_version: str
    operations: Mapping[str, Any]
    shapes: Mapping[str, Any]
    paginators: Mapping[str, Any]


def load_model() -> Model:
    """Load the KMS model from the installed botocore (never from anywhere else)."""
    import botocore  # type: ignore[import-untyped]
    import botocore.session  # type: ignore[import-untyped]

    loader = botocore.session.get_session().get_component("data_loader")
    service = loader.load_service_model(SERVICE, "service-2")
    paginators = loader.load_service_model(SERVICE, "paginators-1")
    return Model(
        botocore_version=botocore.__version__,
        api_version=service["metadata"]["apiVersion"],
        operations=service["operations"],
        shapes=service["shapes"],
        paginators=paginators.get("pagination", {}),
    )


def header(model: Model) -> str:
    """The first line of every file this generator writes."""
    return (
        f"# Code generated by tools/gen_model.py from botocore {model.botocore_version} "
        f"({SERVICE} {model.api_version}). DO NOT EDIT."
    )


def _load_exceptions() -> ModuleType:
    """``trentclient/_exceptions.py`` and ``_common_errors.py``, loaded on their own: the
    first, with the second's names (``UNMODELED_ERRORS``, ``CODE_ALIASES``, the classes) set
    on it and its ``__all__`` extended by the second's.

    Importing ``trentclient._exceptions`` would run ``trentclient/__init__.py``, which names
    the generated files: a stale generated file must never stop the generator that fixes it.
    So both load under a stand-in ``trentclient`` package, which is then taken away again.
    """

    def ours() -> list[str]:
        return [n for n in sys.modules if n == "trentclient" or n.startswith("trentclient.")]

    saved = {name: sys.modules.pop(name) for name in ours()}
    stand_in = ModuleType("trentclient")
    stand_in.__path__ = [str(ROOT / "trentclient")]
    sys.modules["trentclient"] = stand_in
    try:
        exceptions = importlib.import_module("trentclient._exceptions")
        common = importlib.import_module("trentclient._common_errors")
    finally:
        for name in ours():
            del sys.modules[name]
        sys.modules.update(saved)
    merged = ModuleType("_trentclient_errors_for_codegen")
    merged.__dict__.update(vars(exceptions))
    merged.__dict__.update({name: getattr(common, name) for name in common.__all__})
    merged.__all__ = [*exceptions.__all__, *common.__all__]  # type: ignore[attr-defined]
    return merged


# -- analysis -------------------------------------------------------------------------------


def _children(shape: Mapping[str, Any]) -> Iterator[str]:
    for member in shape.get("members", {}).values():
        yield member["shape"]
    for key in ("member", "key", "value"):
        if key in shape:
            yield shape[key]["shape"]


@dataclass(frozen=True)
class Variants:
    """The TypedDicts of an operation whose answer depends on request parameter ``param``."""

    param: str
    #: The request without ``param`` (the member left out) and with it (made required).
    request_without: str
    request_with: str
    #: The answers to each: ``<Output>`` and ``<Output>With<param>``.
    response_without: str
    response_with: str


@dataclass
class Analysis:
    """What the renderers need, computed once from the model."""

    model: Model
    #: Reachable non-exception shapes, each after everything it refers to.
    order: list[str] = field(default_factory=list)
    input_side: set[str] = field(default_factory=set)
    output_side: set[str] = field(default_factory=set)
    #: Shapes some structure, list or map refers to (as opposed to top-level only).
    nested: set[str] = field(default_factory=set)
    has_special: dict[str, bool] = field(default_factory=dict)
    has_sensitive: dict[str, bool] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    #: Structures reachable from inputs and outputs whose Python types differ between the two.
    dual: set[str] = field(default_factory=set)
    #: Operation name -> the TypedDict its method returns.
    response_names: dict[str, str] = field(default_factory=dict)
    #: Paginated operation name -> the TypedDict its paginator's ``paginate`` takes.
    paginate_names: dict[str, str] = field(default_factory=dict)
    #: Output structure -> member -> presence (``tools/output_presence.py``, checked).
    presence: dict[str, dict[str, Presence]] = field(default_factory=dict)
    #: Operation name -> its overload variants, for operations whose answer depends on
    #: whether the request has a parameter (``Recipient``).
    variants: dict[str, Variants] = field(default_factory=dict)

    @property
    def shapes(self) -> Mapping[str, Any]:
        return self.model.shapes

    def shape(self, name: str) -> Mapping[str, Any]:
        try:
            return self.shapes[name]  # type: ignore[no-any-return]
        except KeyError:
            raise GeneratorError(f"shape {name!r} is referenced but not defined") from None


def analyze(model: Model) -> Analysis:
    """Check the model for anything unsupported, then compute orders, sides and flags."""
    a = Analysis(model)
    _check_traits(model)

    visiting: list[str] = []
    done: set[str] = set()

    def visit(name: str, side: set[str]) -> None:
        side.add(name)
        if name in visiting:
            cycle = " -> ".join([*visiting[visiting.index(name) :], name])
            raise GeneratorError(f"recursive shapes are not supported: {cycle}")
        shape = a.shape(name)
        if shape.get("exception"):
            raise GeneratorError(f"exception shape {name!r} is used as data")
        visiting.append(name)
        for child in _children(shape):
            a.nested.add(child)
            visit(child, side)
        visiting.pop()
        if name not in done:
            done.add(name)
            a.order.append(name)
            kids = list(_children(shape))
            a.has_special[name] = shape["type"] in ("blob", "timestamp") or any(
                a.has_special[c] for c in kids
            )
            a.has_sensitive[name] = bool(shape.get("sensitive")) or any(
                a.has_sensitive[c] for c in kids
            )

    errors: set[str] = set()
    for op_name, op in model.operations.items():
        if "input" not in op:
            raise GeneratorError(f"{op_name} has no input shape")
        visit(op["input"]["shape"], a.input_side)
        if "output" in op:
            visit(op["output"]["shape"], a.output_side)
        for error in op.get("errors", ()):
            errors.add(error["shape"])
    for name in errors:
        shape = a.shape(name)
        if not shape.get("exception"):
            raise GeneratorError(f"error {name!r} is not an exception shape")
        code = shape.get("error", {}).get("code", name)
        if code != name:
            raise GeneratorError(f"error {name!r} is sent as code {code!r}: not supported")
    a.errors = sorted(errors)
    for name in a.order:
        shape = a.shape(name)
        if (
            shape["type"] == "structure"
            and name in a.input_side
            and name in a.output_side
            and _member_types(a, name, "input") != _member_types(a, name, "output")
        ):
            a.dual.add(name)
    _check_presence(a)
    return a


def _check_presence(a: Analysis) -> None:
    """Take ``OUTPUT_PRESENCE`` for every output structure; refuse a table that does not
    list exactly the model's members, or conditions the model cannot carry."""
    structures = {n for n in a.output_side if a.shape(n)["type"] == "structure"}
    table = output_presence.OUTPUT_PRESENCE
    missing = sorted(structures - set(table))
    stale = sorted(set(table) - structures)
    if missing or stale:
        raise GeneratorError(
            f"tools/output_presence.py: output structures missing {missing}, unknown {stale}"
        )
    for name in sorted(structures):
        members = list(a.shape(name)["members"])
        entry = table[name]
        if sorted(entry) != sorted(members):
            raise GeneratorError(
                f"tools/output_presence.py: {name} lists {sorted(entry)}, the model has "
                f"{sorted(members)}: decide the presence of each member"
            )
        a.presence[name] = {m: entry[m] for m in members}
        model_required = set(a.shape(name).get("required", ()))
        if name in a.input_side and name not in a.dual:
            # One TypedDict serves requests too: the table cannot change it.
            always = {m for m, p in entry.items() if isinstance(p, output_presence.Always)}
            if always != model_required:
                raise GeneratorError(
                    f"tools/output_presence.py: {name} is also a request structure; its "
                    f"required members must stay the model's {sorted(model_required)}"
                )
        elif not model_required <= {
            m for m, p in entry.items() if isinstance(p, output_presence.Always)
        }:
            raise GeneratorError(f"tools/output_presence.py: {name} must keep {model_required}")
    outputs = {
        op["output"]["shape"]: op_name
        for op_name, op in a.model.operations.items()
        if "output" in op
    }
    for name, entry in a.presence.items():
        params = {
            p.param
            for p in entry.values()
            if isinstance(p, output_presence.UnlessParam | output_presence.OnlyWithParam)
        }
        if not params:
            continue
        op_name = outputs.get(name)
        if op_name is None or name in a.nested or len(params) != 1:
            raise GeneratorError(
                f"tools/output_presence.py: {name}: a condition on a request parameter needs "
                "an operation's own output shape, and one parameter"
            )
        (param,) = params
        op = a.model.operations[op_name]
        request = op["input"]["shape"]
        request_shape = a.shape(request)
        if param not in request_shape["members"] or param in request_shape.get("required", ()):
            raise GeneratorError(f"{op_name}: {param} is not an optional request member")
        if request in a.nested or request in a.output_side:
            raise GeneratorError(f"{op_name}: its request shape is used elsewhere")
        a.variants[op_name] = Variants(
            param=param,
            request_without=f"{request}Without{param}",
            request_with=f"{request}With{param}",
            response_without=name,
            response_with=f"{name}With{param}",
        )


def _output_required(a: Analysis, name: str, given: frozenset[str] = frozenset()) -> set[str]:
    """The members of output structure ``name`` that KMS returns on every success to a
    request that has the parameters ``given`` (``tools/output_presence.py``)."""
    if name not in a.presence:
        raise GeneratorError(f"{name} is not an output structure")  # pragma: no cover
    return output_presence.required_members(name, given)


def _check_traits(model: Model) -> None:
    for name, shape in model.shapes.items():
        unknown = set(shape) - _SHAPE_KEYS
        if unknown:
            raise GeneratorError(f"shape {name!r} has unsupported traits {sorted(unknown)}")
        if shape["type"] not in _KNOWN_TYPES:
            raise GeneratorError(f"shape {name!r} has unsupported type {shape['type']!r}")
        if shape["type"] == "map" and model.shapes[shape["key"]["shape"]]["type"] != "string":
            raise GeneratorError(f"map {name!r} has non-string keys")
        for member_name, member in shape.get("members", {}).items():
            unknown = set(member) - _MEMBER_KEYS
            if unknown:
                raise GeneratorError(
                    f"member {name}.{member_name} has unsupported traits {sorted(unknown)}"
                )
            if not member_name.isidentifier() or keyword.iskeyword(member_name):
                raise GeneratorError(f"member {name}.{member_name} is not a Python identifier")
            if member_name in ("self", "ResponseMetadata"):
                raise GeneratorError(f"member {name}.{member_name} clashes with a generated name")
        for required in shape.get("required", ()):
            if required not in shape.get("members", {}):
                raise GeneratorError(f"{name} requires unknown member {required!r}")
    for op_name, op in model.operations.items():
        unknown = set(op) - _OPERATION_KEYS
        if unknown:
            raise GeneratorError(f"operation {op_name} has unsupported traits {sorted(unknown)}")
    for op_name, pag in model.paginators.items():
        if op_name not in model.operations:
            raise GeneratorError(f"paginator for unknown operation {op_name}")
        unknown = set(pag) - _PAGINATOR_KEYS
        if unknown:
            raise GeneratorError(f"paginator {op_name} has unsupported keys {sorted(unknown)}")
        for key in ("input_token", "output_token"):
            if not isinstance(pag.get(key), str):
                raise GeneratorError(f"paginator {op_name}: {key} must be one string")
        _check_paginator(model, op_name, pag)


def _check_paginator(model: Model, op_name: str, pag: Mapping[str, Any]) -> None:
    """The runtime (``trentclient/_paginate.py``) reads plain top-level members, not JMESPath:
    refuse anything else, and members the operation's shapes do not have."""
    result_key = pag.get("result_key")
    if result_key is None:
        raise GeneratorError(f"paginator {op_name} has no result_key")
    result_keys = [result_key] if isinstance(result_key, str) else list(result_key)
    op = model.operations[op_name]
    if "output" not in op:
        raise GeneratorError(f"paginator {op_name}: the operation has no output")
    in_shape = model.shapes[op["input"]["shape"]]
    out_shape = model.shapes[op["output"]["shape"]]
    wanted: list[tuple[str, Mapping[str, Any], str | None]] = [
        ("input_token", in_shape, "string"),
        ("limit_key", in_shape, None),
        ("output_token", out_shape, "string"),
        ("more_results", out_shape, "boolean"),
    ]
    members: list[tuple[str, str, Mapping[str, Any], str | None]] = [
        (key, pag[key], shape, kind) for key, shape, kind in wanted if key in pag
    ]
    members += [("result_key", k, out_shape, "list") for k in result_keys]
    for key, member, shape, kind in members:
        if not isinstance(member, str) or not member.isidentifier():
            raise GeneratorError(
                f"paginator {op_name}: {key} {member!r} is not a plain member name"
            )
        if member not in shape.get("members", {}):
            raise GeneratorError(f"paginator {op_name}: {key} {member!r} is not a member")
        actual = model.shapes[shape["members"][member]["shape"]]["type"]
        if kind is not None and actual != kind:
            raise GeneratorError(f"paginator {op_name}: {key} {member!r} is a {actual}")
    if "limit_key" in pag:
        limit_type = model.shapes[in_shape["members"][pag["limit_key"]]["shape"]]["type"]
        if limit_type not in ("integer", "long"):
            raise GeneratorError(f"paginator {op_name}: limit_key is a {limit_type}")
    if "PaginationConfig" in in_shape["members"]:
        raise GeneratorError(f"{op_name} has a PaginationConfig member: it would clash")


# -- Python types for the TypedDicts ----------------------------------------------------------


def _td_class_name(a: Analysis, name: str, side: str) -> str:
    """The TypedDict class for structure ``name`` on ``side`` ('input' or 'output')."""
    return name + "Input" if side == "input" and name in a.dual else name


def _py_type(a: Analysis, name: str, side: str) -> str:
    shape = a.shape(name)
    kind = shape["type"]
    request = side == "input"
    if kind in _SCALARS:
        return _SCALARS[kind]
    if kind == "blob":
        return _REQUEST_BLOB if request else _RESPONSE_BLOB
    if kind == "timestamp":
        return _REQUEST_TIMESTAMP if request else _RESPONSE_TIMESTAMP
    if kind == "list":
        inner = _py_type(a, shape["member"]["shape"], side)
        return f"Sequence[{inner}]" if request else f"list[{inner}]"
    if kind == "map":
        inner = _py_type(a, shape["value"]["shape"], side)
        return f"Mapping[str, {inner}]" if request else f"dict[str, {inner}]"
    if kind == "structure":
        if request and name in a.dual:
            # A request also accepts the response variant, so values read from a response
            # (list_grants -> Constraints) can be sent back as they are.
            return f"{name}Input | {name}"
        return name
    raise GeneratorError(f"unsupported type {kind!r}")  # pragma: no cover


def _member_types(a: Analysis, name: str, side: str) -> list[tuple[str, str]]:
    shape = a.shape(name)
    return [(m, _py_type(a, spec["shape"], side)) for m, spec in shape["members"].items()]


def _enum_of(a: Analysis, name: str) -> str | None:
    """The enum shape behind a member (directly, or as the element of a list/map)."""
    shape = a.shape(name)
    if "enum" in shape:
        return name
    if shape["type"] == "list":
        return _enum_of(a, shape["member"]["shape"])
    if shape["type"] == "map":
        return _enum_of(a, shape["value"]["shape"])
    return None


# -- documentation ----------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    {
        "p",
        "li",
        "ul",
        "ol",
        "note",
        "important",
        "dl",
        "dt",
        "dd",
        "div",
        "br",
        "table",
        "tr",
        "td",
        "th",
        "h1",
        "h2",
        "h3",
        "h4",
        "pre",
    }
)
_ASCII = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": " - ",
    "\u00a0": " ",
    "\u2026": "...",
    "\u03bc": "mu",
}
_ABBREVIATIONS = ("e.g", "i.e", "etc", "vs", "approx")


class _Blocks(html.parser.HTMLParser):
    """Split model HTML into plain-text blocks: ('p', text) or ('li', text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []
        self._buffer: list[str] = []
        self._li_depth = 0

    def _flush(self) -> None:
        text = _clean("".join(self._buffer))
        self._buffer = []
        if text:
            self.blocks.append(("li" if self._li_depth else "p", text))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self._flush()
        if tag == "li":
            self._li_depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self._flush()
        if tag == "li":
            self._li_depth = max(0, self._li_depth - 1)

    def handle_data(self, data: str) -> None:
        self._buffer.append(data)


def _clean(text: str) -> str:
    for char, replacement in _ASCII.items():
        text = text.replace(char, replacement)
    text = " ".join(text.split())
    text = re.sub(r" +([.,;:!?)])", r"\1", text)
    return re.sub(r"\( +", "(", text)


def doc_blocks(documentation: str) -> list[tuple[str, str]]:
    """The model's HTML documentation as plain-text blocks."""
    parser = _Blocks()
    parser.feed(documentation)
    parser.close()
    parser._flush()
    return parser.blocks


def first_paragraph(documentation: str) -> list[str]:
    """The first paragraph, plus the list right after it when the paragraph ends with ':'."""
    blocks = doc_blocks(documentation)
    if not blocks:
        return []
    kind, text = blocks[0]
    paragraphs = [text if kind == "p" else "- " + text]
    if text.endswith(":"):
        for kind, item in blocks[1:]:
            if kind != "li":
                break
            paragraphs.append("- " + item)
    return paragraphs


def first_sentence(documentation: str) -> list[str]:
    """The first sentence, plus the list right after it when the sentence ends with ':'."""
    blocks = doc_blocks(documentation)
    if not blocks:
        return []
    text = blocks[0][1]
    for match in re.finditer(r"[.!?](?=\s|$)", text):
        before = text[: match.start()]
        if before.lower().endswith(_ABBREVIATIONS):
            continue
        return [text[: match.end()]]
    return first_paragraph(documentation)


def summary(documentation: str, width: int = SUMMARY_WIDTH) -> str:
    """The first sentence as one line of plain text; longer than ``width`` characters, it is
    cut at a word boundary and ends with "…"."""
    text = " ".join(first_sentence(documentation))
    if len(text) <= width:
        return text
    head = text[: width + 1]
    cut = head.rsplit(" ", 1)[0] if " " in head else text[:width]
    return cut.rstrip(" ,;:-") + "\u2026"


def _escape_doc(text: str) -> str:
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return text + " " if text.endswith('"') else text


#: What every operation can raise besides its modeled errors, for the API reference.
_COMMON_RAISES = (
    ("ParamValidationError", "the parameters break the model's constraints; nothing was sent."),
    ("NoCredentialsError", "no credentials were found (looked up on the first call)."),
    ("ServiceError", "any other error answer (``ClientError`` is the same class)."),
    ("TransportError", "the HTTP exchange failed after the retries allowed."),
)


def _method_sections(
    a: Analysis, op: Mapping[str, Any], variants: Variants | None, response: str
) -> list[str]:
    """``Keyword Args:``, ``Returns:`` and ``Raises:`` for one operation's method, from the
    model: each input member (required or not, its first sentence), the response type, and
    the operation's modeled errors."""
    width = DOC_WIDTH - 8 - 3 - 4
    lines: list[str] = []
    input_shape = a.shape(op["input"]["shape"]) if "input" in op else None
    if input_shape is not None and input_shape["members"]:
        required = set(input_shape.get("required", ()))
        lines.append("Keyword Args:")
        for name, member in input_shape["members"].items():
            kind = "Required." if name in required else "Optional."
            sentence = " ".join(first_sentence(member.get("documentation", ""))[:1])
            annotation = _py_type(a, member["shape"], "input")
            lines += _hanging(f"{name} ({annotation}): {kind} {sentence}".rstrip(), width)
    lines += ["", "Returns:"]
    if variants is None:
        lines += _hanging(f"{response}: the answer, with ``ResponseMetadata``.", width)
    else:
        lines += _hanging(
            f"{variants.response_without}: the answer, with ``ResponseMetadata``; "
            f"``{variants.response_with}`` when ``{variants.param}`` is given.",
            width,
        )
    lines += ["", "Raises:"]
    for error in op.get("errors", ()):
        lines += _hanging(f"{error['shape']}: modeled error of this operation.", width)
    for name, why in _COMMON_RAISES:
        lines += _hanging(f"{name}: {why}", width)
    return lines


def _hanging(text: str, width: int) -> list[str]:
    """One Google-style section entry, indented, continuation lines indented further."""
    wrapped = textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False)
    return ["    " + wrapped[0], *("        " + line for line in wrapped[1:])]


def docstring(
    paragraphs: Iterable[str],
    indent: str,
    link: str | None = None,
    sections: Iterable[str] = (),
) -> list[str]:
    """A docstring: paragraphs separated by blank lines, wrapped at DOC_WIDTH; then ``link``;
    then ``sections``, lines already laid out (Google-style ``Keyword Args:`` and friends).

    Paragraphs starting with "- " are list items (no blank line between two of them).
    """
    width = DOC_WIDTH - len(indent) - 3
    lines: list[str] = []
    previous_bullet = False
    for paragraph in paragraphs:
        bullet = paragraph.startswith("- ")
        if lines and not (bullet and previous_bullet):
            lines.append("")
        lines += textwrap.wrap(
            paragraph,
            width=width,
            subsequent_indent="  " if bullet else "",
            break_long_words=False,
            break_on_hyphens=False,
        )
        previous_bullet = bullet
    if link is not None:  # never wrapped: the URL stays whole and clickable
        lines += ["", link] if lines else [link]
    extra = list(sections)
    if extra:
        lines += ["", *extra]
    lines = [_escape_doc(line) for line in lines]
    if len(lines) == 1 and len(indent) + len(lines[0]) + 6 <= LINE:
        return [f'{indent}"""{lines[0]}"""']
    out = [f'{indent}"""{lines[0]}']
    out += [f"{indent}{line}" if line else "" for line in lines[1:]]
    out.append(f'{indent}"""')
    return out


# -- layout helpers ---------------------------------------------------------------------------


@dataclass
class _Call:
    func: str
    args: list[tuple[str | None, Any]]
    hug: bool = False  # frozenset({...}): keep the collection's brackets on the call's lines


@dataclass
class _Dict:
    items: list[tuple[str, Any]]


@dataclass
class _Seq:
    open: str
    close: str
    items: list[Any]
    one_tuple: bool = False


def _flat(node: Any) -> str:
    if isinstance(node, str):
        return node
    if isinstance(node, _Call):
        args = ", ".join(_flat(v) if k is None else f"{k}={_flat(v)}" for k, v in node.args)
        return f"{node.func}({args})"
    if isinstance(node, _Dict):
        return "{" + ", ".join(f"{k}: {_flat(v)}" for k, v in node.items) + "}"
    if isinstance(node, _Seq):
        inner = ", ".join(_flat(v) for v in node.items)
        if node.one_tuple and len(node.items) == 1:
            inner += ","
        return node.open + inner + node.close
    raise TypeError(node)  # pragma: no cover


def _layout(node: Any, indent: str, prefix: str = "", suffix: str = "") -> list[str]:
    """Lines for ``prefix + node + suffix`` at ``indent``: flat if it fits, else broken."""
    flat = f"{indent}{prefix}{_flat(node)}{suffix}"
    if len(flat) <= LINE or isinstance(node, str):
        return [flat]
    inner = indent + "    "
    # Like ruff format: first try every item on one indented line, then one item per line.
    one_line = _items_line(node)
    if one_line is not None and len(inner) + len(one_line) <= LINE:
        opening, closing = _brackets(node)
        return [f"{indent}{prefix}{opening}", f"{inner}{one_line}", f"{indent}{closing}{suffix}"]
    if isinstance(node, _Call):
        if node.hug and len(node.args) == 1 and isinstance(node.args[0][1], _Seq):
            seq = node.args[0][1]
            lines = [f"{indent}{prefix}{node.func}({seq.open}"]
            for item in seq.items:
                lines += _layout(item, inner, "", ",")
            lines.append(f"{indent}{seq.close}){suffix}")
            return lines
        lines = [f"{indent}{prefix}{node.func}("]
        for key, value in node.args:
            lines += _layout(value, inner, "" if key is None else f"{key}=", ",")
        lines.append(f"{indent}){suffix}")
        return lines
    if isinstance(node, _Dict):
        lines = [f"{indent}{prefix}{{"]
        for key, value in node.items:
            lines += _layout(value, inner, f"{key}: ", ",")
        lines.append(f"{indent}}}{suffix}")
        return lines
    if isinstance(node, _Seq):
        lines = [f"{indent}{prefix}{node.open}"]
        for item in node.items:
            lines += _layout(item, inner, "", ",")
        lines.append(f"{indent}{node.close}{suffix}")
        return lines
    raise TypeError(node)  # pragma: no cover


def _items_line(node: Any) -> str | None:
    if isinstance(node, _Call):
        if node.hug:
            return None
        return ", ".join(_flat(v) if k is None else f"{k}={_flat(v)}" for k, v in node.args)
    if isinstance(node, _Dict):
        return ", ".join(f"{k}: {_flat(v)}" for k, v in node.items)
    if isinstance(node, _Seq):
        if node.one_tuple and len(node.items) == 1:
            return None
        return ", ".join(_flat(v) for v in node.items)
    return None


def _brackets(node: Any) -> tuple[str, str]:
    if isinstance(node, _Call):
        return f"{node.func}(", ")"
    if isinstance(node, _Dict):
        return "{", "}"
    assert isinstance(node, _Seq)
    return node.open, node.close


def _q(text: str) -> str:
    """A double-quoted Python string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _import_block(module: str, names: Iterable[str]) -> list[str]:
    names = sorted(set(names), key=_isort_key)
    line = f"from {module} import {', '.join(names)}"
    if len(line) <= LINE:
        return [line]
    return [f"from {module} import (", *(f"    {n}," for n in names), ")"]


def _isort_key(name: str) -> tuple[int, str, str]:
    # ruff's isort (order-by-type): CONSTANTS, then Classes, then functions/variables; within
    # each, case-insensitively ("...WithoutRecipient" before "...WithRecipient").
    if name.isupper() and len(name) > 1:
        return (0, name.lower(), name)
    if name[:1].isupper():
        return (1, name.lower(), name)
    return (2, name.lower(), name)


def _file(model: Model, docstring_text: str, body: list[str]) -> str:
    lines = [header(model), f'"""{docstring_text}"""', "", *body]
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"


def _all_block(names: Iterable[str]) -> list[str]:
    return _layout(_Seq("[", "]", [_q(n) for n in sorted(names)]), "", "__all__ = ")


# -- _shapes.py -------------------------------------------------------------------------------


def _var(name: str) -> str:
    return "_" + name


def render_shapes(a: Analysis) -> str:
    body = ["from typing import Any", ""]
    body += ["from trentclient._model import OperationTable", ""]
    body += _all_block(["METHOD_TO_OPERATION", "OPERATIONS"])
    body += [
        "",
        "#: Every shape reachable from an operation, in dependency order: ``Shape``'s arguments,",
    ]
    body += ["#: with the shapes under a structure, list or map named rather than built."]
    body += ["_SHAPES: dict[str, dict[str, Any]] = {"]
    for name in a.order:
        shape = a.shape(name)
        kind = shape["type"]
        args: list[tuple[str, Any]] = [(_q("type"), _q(kind))]
        if "min" in shape:
            args.append((_q("min"), str(int(shape["min"]))))
        if "max" in shape:
            args.append((_q("max"), str(int(shape["max"]))))
        if "enum" in shape:
            args.append(
                (_q("enum"), _Seq("(", ")", [_q(v) for v in shape["enum"]], one_tuple=True))
            )
        if shape.get("sensitive"):
            args.append((_q("sensitive"), "True"))
        if kind == "structure":
            members = [(_q(m), _q(spec["shape"])) for m, spec in shape["members"].items()]
            args.append((_q("members"), _Dict(members)))
            if shape.get("required"):
                required = _Seq("(", ")", [_q(r) for r in shape["required"]], one_tuple=True)
                args.append((_q("required"), required))
        elif kind == "list":
            args.append((_q("member"), _q(shape["member"]["shape"])))
        elif kind == "map":
            args.append((_q("key"), _q(shape["key"]["shape"])))
            args.append((_q("value"), _q(shape["value"]["shape"])))
        if a.has_special[name]:
            args.append((_q("has_special"), "True"))
        if a.has_sensitive[name]:
            args.append((_q("has_sensitive"), "True"))
        body += _layout(_Dict(args), "    ", f"{_q(name)}: ", ",")
    body += ["}", ""]
    body += [
        "#: Every operation: ``Operation``'s arguments, shapes named, the paginator's as a dict."
    ]
    body += ["_OPERATIONS: dict[str, dict[str, Any]] = {"]
    for op_name, op in a.model.operations.items():
        args = [
            (_q("method_name"), _q(_xform(op_name))),
            (_q("input"), _q(op["input"]["shape"])),
            (_q("output"), _q(op["output"]["shape"]) if "output" in op else "None"),
        ]
        errors = [_q(e["shape"]) for e in op.get("errors", ())]
        if errors:
            args.append((_q("errors"), _Seq("(", ")", errors, one_tuple=True)))
        pag = a.model.paginators.get(op_name)
        if pag is not None:
            result_key = pag["result_key"]
            result_keys = [result_key] if isinstance(result_key, str) else list(result_key)
            limit_key = _q(pag["limit_key"]) if "limit_key" in pag else "None"
            more_results = _q(pag["more_results"]) if "more_results" in pag else "None"
            paginator = _Dict(
                [
                    (_q("input_token"), _q(pag["input_token"])),
                    (_q("output_token"), _q(pag["output_token"])),
                    (_q("limit_key"), limit_key),
                    (_q("more_results"), more_results),
                    (
                        _q("result_key"),
                        _Seq("(", ")", [_q(k) for k in result_keys], one_tuple=True),
                    ),
                ]
            )
            args.append((_q("paginator"), paginator))
        args.append((_q("documentation_url"), _q(DOC_URL.format(op_name))))
        body += _layout(_Dict(args), "    ", f"{_q(op_name)}: ", ",")
    body += ["}", ""]
    body += [
        "#: CamelCase name -> ``Operation``, each built (with its shapes) on first use.",
        "OPERATIONS: OperationTable = OperationTable(_OPERATIONS, _SHAPES)",
        "",
    ]
    body += _layout(
        _Dict([(_q(_xform(n)), _q(n)) for n in a.model.operations]),
        "",
        "METHOD_TO_OPERATION: dict[str, str] = ",
    )
    doc = (
        "The KMS operation table: every shape reachable from an operation, then the operations.\n"
        "\n"
        "Both are data (shape and operation arguments, shapes named by name); ``OPERATIONS``\n"
        "builds an operation's ``Operation`` and ``Shape`` values the first time it is looked\n"
        "up, and a shape reachable from several operations once. Structure members keep the\n"
        "model's order. The core imports this module lazily, on the first call.\n"
    )
    return _file(a.model, doc, body)


def _xform(op_name: str) -> str:
    from botocore import xform_name

    return str(xform_name(op_name))


# -- _errors.py -------------------------------------------------------------------------------


def render_errors(a: Analysis, exceptions: ModuleType) -> str:
    unmodeled: dict[str, type] = dict(exceptions.UNMODELED_ERRORS)
    handwritten = set(exceptions.__all__)
    categories = ["ThrottlingError", "ServiceFault", "AuthError"]
    reused: list[str] = []
    for name in a.errors:
        if name in unmodeled:
            if unmodeled[name].__name__ != name:
                raise GeneratorError(f"UNMODELED_ERRORS[{name!r}] is a differently named class")
            fault = bool(a.shape(name).get("fault"))
            if bool(getattr(unmodeled[name], "fault", False)) != fault:
                raise GeneratorError(f"hand-written {name} disagrees with the model on 'fault'")
            reused.append(name)
        elif name in handwritten:
            raise GeneratorError(f"modeled error {name!r} clashes with a hand-written name")
    unmodeled_names = sorted({cls.__name__ for cls in unmodeled.values()} - set(a.errors))

    common = ["CODE_ALIASES", "UNMODELED_ERRORS", *unmodeled_names, *reused]
    body = _import_block("trentclient._common_errors", common)
    body += _import_block("trentclient._exceptions", ["ServiceError", "ServiceFault", *categories])
    body += [""]
    body += _all_block(a.errors)
    for name in a.errors:
        if name in reused:
            continue
        shape = a.shape(name)
        base = "ServiceFault" if shape.get("fault") else "ServiceError"
        summary = first_sentence(shape.get("documentation", "")) or [f"KMS {name}."]
        body += ["", "", f"class {name}({base}):", *docstring(summary, "    ")]
    body += ["", ""]
    body += ["#: The modeled KMS errors, by the code the server sends."]
    body += _layout(
        _Dict([(_q(n), n) for n in a.errors]),
        "",
        "MODELED_ERRORS: dict[str, type[ServiceError]] = ",
    )
    body += [
        "",
        "#: Every code with a class of its own: what the response parser looks codes up in.",
        "ERROR_CLASSES: dict[str, type[ServiceError]] = {",
        "    **MODELED_ERRORS,",
        "    **UNMODELED_ERRORS,",
        "    **CODE_ALIASES,",
        "}",
        "",
        "",
        "class ClientExceptions:",
        '    """The error classes, as ``client.exceptions.<Name>`` (like botocore\'s).',
        "",
        "    ``client.exceptions.NotFoundException is trentclient.NotFoundException``;",
        "    ``ClientError`` is ``ServiceError``, for code written against boto3.",
        '    """',
        "",
        "    ServiceError = ServiceError",
        "    ClientError = ServiceError",
    ]
    body += [f"    {n} = {n}" for n in categories]
    body += [f"    {n} = {n}" for n in sorted({*a.errors, *unmodeled_names})]
    doc = (
        "The modeled KMS errors and the registry the response parser looks codes up in.\n"
        "\n"
        'Faults (``"fault": true`` in the model) subclass ``ServiceFault`` so the retry policy\n'
        "tries them again; the others subclass ``ServiceError``. The hand-written rest of the\n"
        "tree lives in ``trentclient/_exceptions.py`` and ``_common_errors.py``.\n"
    )
    return _file(a.model, doc, body)


# -- _methods.py ------------------------------------------------------------------------------


def _request_name(a: Analysis, op: Mapping[str, Any]) -> str:
    return _td_class_name(a, op["input"]["shape"], "input")


def _paginator_name(op_name: str, sync: bool) -> str:
    """The typed paginator of ``op_name``: ``ListKeysPaginator`` / ``AsyncListKeysPaginator``."""
    return f"{'' if sync else 'Async'}{op_name}Paginator"


def _paginated(a: Analysis) -> list[str]:
    """The paginated operations, in model order."""
    return [op_name for op_name in a.model.operations if op_name in a.model.paginators]


def _paginator_protocols(a: Analysis) -> list[str]:
    """The typed paginators: protocols, for type checkers only (indented for TYPE_CHECKING)."""
    lines: list[str] = []
    for op_name in _paginated(a):
        request = a.paginate_names[op_name]
        response = a.response_names[op_name]
        method = _xform(op_name)
        for sync in (True, False):
            pages = "PageIterator" if sync else "AsyncPageIterator"
            walk = "iterates over" if sync else "``async for`` over"
            lines += [
                "",
                f"    class {_paginator_name(op_name, sync)}(Protocol):",
                *docstring(
                    [
                        f'``{"" if sync else "Async"}Client.get_paginator("{method}")``: '
                        f"{walk} {op_name} pages."
                    ],
                    "        ",
                ),
                "",
            ]
            signature = f"        def paginate(self, **kwargs: Unpack[{request}]) -> {pages}[{response}]: ..."
            if len(signature) <= LINE:
                lines.append(signature)
            else:
                lines += [
                    "        def paginate(",
                    f"            self, **kwargs: Unpack[{request}]",
                    f"        ) -> {pages}[{response}]: ...",
                ]
    return lines


def _pagination_mixin(a: Analysis, sync: bool) -> list[str]:
    """``SyncPagination`` / ``AsyncPagination``: ``can_paginate`` and the typed
    ``get_paginator``; the logic is in ``trentclient/_paginate.py``, imported on first use."""
    cls = "SyncPagination" if sync else "AsyncPagination"
    runtime = "Paginator" if sync else "AsyncPaginator"
    paginated = _paginated(a)
    pages = "" if sync else "async "
    lines = [
        "",
        "",
        f"class {cls}:",
        f'    """boto3\'s ``can_paginate`` and ``get_paginator`` for the {len(paginated)} paginated KMS '
        "operations.",
        "",
        "    Each page is one call to ``_invoke``, which the client implements; the paging logic",
        "    (tokens, ``PaginationConfig``, ``build_full_result``) is in ``trentclient._paginate``.",
        '    """',
        "",
        "    __slots__ = ()",
        "",
        f"    {'' if sync else 'async '}def _invoke("
        "self, operation_name: str, params: Mapping[str, Any]) -> dict[str, Any]:",
        "        raise NotImplementedError",
        "",
        "    def can_paginate(self, operation_name: str) -> bool:",
        '        """Whether ``operation_name``, a method name (``"list_keys"``), has a paginator."""',
        "        from trentclient._paginate import can_paginate",
        "",
        "        return can_paginate(operation_name)",
        "",
    ]
    for op_name in paginated:
        literal = f"Literal[{_q(_xform(op_name))}]"
        typed = _paginator_name(op_name, sync)
        signature = f"    def get_paginator(self, operation_name: {literal}) -> {typed}: ..."
        lines.append("    @overload")
        if len(signature) <= LINE:
            lines.append(signature)
        else:
            lines += [
                "    def get_paginator(",
                f"        self, operation_name: {literal}",
                f"    ) -> {typed}: ...",
            ]
    lines += [
        f"    def get_paginator(self, operation_name: str) -> {runtime}:",
        '        """The paginator of ``operation_name``, a method name (``"list_keys"``), as boto3\'s.',
        "",
        f'        ``{pages}for page in client.get_paginator("list_keys").paginate(...)`` walks the',
        '        response pages; ``PaginationConfig={"MaxItems": n, "PageSize": n, '
        '"StartingToken": t}``',
        "        works as in boto3. An operation without a paginator raises ``ValueError``.",
        '        """',
        f"        from trentclient._paginate import {runtime}",
        "",
        f"        return {runtime}(self, operation_name)",
    ]
    return lines


def _signature(prefix: str, method: str, request: str, response: str, tail: str = "") -> list[str]:
    """``def method(self, **kwargs: Unpack[request]) -> response:`` (+ ``tail``), wrapped
    as ruff format would."""
    signature = f"{prefix}{method}(self, **kwargs: Unpack[{request}]) -> {response}:{tail}"
    if len(signature) <= LINE:
        return [signature]
    return [
        f"{prefix}{method}(",
        f"        self, **kwargs: Unpack[{request}]",
        f"    ) -> {response}:{tail}",
    ]


def render_methods(a: Analysis, sync: bool = True) -> str:
    """``_methods.py`` (``sync``: the blocking methods, and every typed paginator protocol) or
    ``_async_methods.py`` (the ``await``-able ones): each client loads its own half only."""
    names: set[str] = set()
    for op_name, op in a.model.operations.items():
        names.add(_request_name(a, op))
        names.add(a.response_names[op_name])
    if sync:
        names.update(a.paginate_names.values())
    for variants in a.variants.values():
        names.update((variants.request_without, variants.request_with, variants.response_with))
    # (the protocols, in the sync file, name both kinds of page iterator)
    runtime_pages = (
        ["AsyncPageIterator", "PageIterator", "Paginator"] if sync else ["AsyncPaginator"]
    )
    typing_names = "Literal, Protocol, Unpack" if sync else "Literal, Unpack"
    body = [
        "from __future__ import annotations",
        "",
        "from typing import TYPE_CHECKING, Any, cast, overload",
        "",
        "if TYPE_CHECKING:",
        "    from collections.abc import Mapping",
        f"    from typing import {typing_names}",
        "",
    ]
    if not sync:
        protocols = [_paginator_name(op_name, False) for op_name in _paginated(a)]
        body += ["    from trentclient._generated._methods import ("]
        body += [f"        {name}," for name in sorted(protocols)]
        body += ["    )"]
    body += ["    " + line for line in _import_block("trentclient._generated.type_defs", names)]
    body += ["    from trentclient._paginate import ("]
    body += [f"        {name}," for name in runtime_pages]
    body += ["    )"]
    if sync:
        body += _paginator_protocols(a)
    body += ["", ""]
    body += _all_block(
        ["SyncOperations", "SyncPagination"] if sync else ["AsyncOperations", "AsyncPagination"]
    )
    body += _pagination_mixin(a, sync)
    cls = "SyncOperations" if sync else "AsyncOperations"
    kind = "blocking" if sync else "asynchronous (``await``-able)"
    body += [
        "",
        "",
        f"class {cls}({'Sync' if sync else 'Async'}Pagination):",
        f'    """One {kind} method per KMS operation, named like boto3\'s.',
        "",
        "    Each sends its keyword arguments, in the caller's order, to ``_invoke``, which the",
        "    client implements.",
        '    """',
        "",
        "    __slots__ = ()",
        "",
        f"    {'' if sync else 'async '}def _invoke("
        "self, operation_name: str, params: Mapping[str, Any]) -> dict[str, Any]:",
        "        raise NotImplementedError",
    ]
    for op_name, op in a.model.operations.items():
        method = _xform(op_name)
        request = _request_name(a, op)
        response = a.response_names[op_name]
        prefix = "    def " if sync else "    async def "
        body.append("")
        variants = a.variants.get(op_name)
        if variants is not None:
            # With the parameter first: mypy and pyright both pass a request dict whose
            # parameter is NotRequired to a signature that requires it, so such a dict
            # gets the answer a call with the parameter gets (its plaintext NotRequired).
            for overload_request, overload_response in (
                (variants.request_with, variants.response_with),
                (variants.request_without, variants.response_without),
            ):
                body.append("    @overload")
                body += _signature(prefix, method, overload_request, overload_response, " ...")
            response = f"{variants.response_with} | {variants.response_without}"
        body += _signature(prefix, method, request, response)
        paragraphs = first_paragraph(op.get("documentation", "")) or [f"Calls {op_name}."]
        body += docstring(
            paragraphs,
            "        ",
            "See " + DOC_URL.format(op_name),
            _method_sections(a, op, variants, a.response_names[op_name]),
        )
        call = f"{'' if sync else 'await '}self._invoke({_q(op_name)}, kwargs)"
        line = f"        return cast({_q(response)}, {call})"
        if len(line) <= LINE:
            body.append(line)
        else:
            body += [
                "        return cast(",
                f"            {_q(response)},",
                f"            {call},",
            ]
            body.append("        )")
    if sync:
        doc = (
            "Typed blocking methods for every KMS operation (``Client``'s), and the typed paginators.\n"
            "\n"
            "Parameters are keyword-only and typed with PEP 692 (``**kwargs: Unpack[<Request>]``): the\n"
            "caller's keyword order is kept, so the JSON body follows it byte for byte like botocore.\n"
            "The TypedDicts are imported for type checkers only; importing this module stays cheap.\n"
            "The ``await``-able twins (``AsyncClient``'s) are in ``_async_methods``, so that each\n"
            "client loads its own half only.\n"
            "\n"
            "The operations' base class, ``SyncPagination`` (``AsyncPagination`` there), adds boto3's\n"
            "``can_paginate`` and ``get_paginator``, typed per operation by ``@overload``. The typed\n"
            "paginators they return (``ListKeysPaginator``, ``AsyncListKeysPaginator``...) are\n"
            "protocols defined here for type checkers only (public: ``trentclient.paginators``).\n"
        )
    else:
        doc = (
            "Typed ``await``-able methods for every KMS operation (``AsyncClient``'s).\n"
            "\n"
            "The twins of ``_methods``' blocking ones (see its docstring), apart so that each client\n"
            "loads its own half only. ``AsyncPagination`` adds ``can_paginate`` and the typed\n"
            "``get_paginator`` (its protocols are defined in ``_methods``, for type checkers only).\n"
        )
    return _file(a.model, doc, body)


# -- type_defs.py -----------------------------------------------------------------------------


def _member_comment(a: Analysis, member: Mapping[str, Any]) -> str:
    notes = []
    enum = _enum_of(a, member["shape"])
    if enum is not None:
        notes.append(f"enums.{enum}")
    if a.shape(member["shape"]).get("sensitive"):
        notes.append("sensitive")
    if member.get("deprecated"):
        message = member.get("deprecatedMessage") or "deprecated"
        notes.append(f"deprecated: {_clean(message)}")
    return f"  # {'; '.join(notes)}" if notes else ""


def _typeddict(
    a: Analysis,
    class_name: str,
    shape_name: str,
    side: str,
    response: bool,
    *,
    skip: Iterable[str] = (),
    extra: Iterable[str] = (),
    required: set[str] | None = None,
) -> list[str]:
    """A TypedDict for structure ``shape_name``. Required members: ``required`` when given;
    else, for an output structure, those KMS returns on every success
    (``tools/output_presence.py``); else the model's."""
    shape = a.shape(shape_name)
    if required is None:
        if side == "output":
            required = _output_required(a, shape_name)
        else:
            required = set(shape.get("required", ()))
    lines = ["", "", f"class {class_name}(TypedDict):"]
    for member_name, member in shape["members"].items():
        if member_name in skip:
            continue
        annotation = _py_type(a, member["shape"], side)
        if member_name not in required:
            annotation = f"NotRequired[{annotation}]"
        lines.append(f"    {member_name}: {annotation}{_member_comment(a, member)}")
    if response:
        lines.append("    ResponseMetadata: ResponseMetadata")
    lines += [f"    {line}" for line in extra]
    if len(lines) == 3:
        lines.append("    pass")
    return lines


def _typed_dicts(a: Analysis) -> tuple[list[str], list[str]]:
    """The TypedDict class definitions and their names; also fills ``a.response_names``."""
    op_outputs: set[str] = set()
    for op in a.model.operations.values():
        if "output" in op:
            op_outputs.add(op["output"]["shape"])
    op_inputs = {op["input"]["shape"] for op in a.model.operations.values()}
    # An output shape that is also nested or used as an input keeps its plain TypedDict for
    # those uses; the operation then returns "<Shape>WithMetadata", a subclass.
    shared_outputs = {n for n in op_outputs if n in a.nested or n in a.input_side or n in op_inputs}

    names: list[str] = ["ResponseMetadata"]
    lines = [
        "",
        "",
        "class ResponseMetadata(TypedDict):",
        "    RequestId: str",
        "    HTTPStatusCode: int",
        "    HTTPHeaders: dict[str, str]",
        "    RetryAttempts: int",
    ]
    for name in a.order:
        if a.shape(name)["type"] != "structure":
            continue
        in_input, in_output = name in a.input_side, name in a.output_side
        side = "output" if in_output else "input"
        response = name in op_outputs and name not in shared_outputs
        lines += _typeddict(a, name, name, side, response)
        names.append(name)
        for op_name, variants in a.variants.items():
            param = variants.param
            if name == variants.response_without:
                if not response:
                    raise GeneratorError(f"{name}: a conditional answer must not be shared")
                with_param = _output_required(a, name, frozenset({param}))
                lines += _typeddict(
                    a, variants.response_with, name, side, True, required=with_param
                )
                names.append(variants.response_with)
            elif a.model.operations[op_name]["input"]["shape"] == name:
                lines += _typeddict(a, variants.request_without, name, "input", False, skip={param})
                with_param = {*a.shape(name).get("required", ()), param}
                lines += _typeddict(
                    a, variants.request_with, name, "input", False, required=with_param
                )
                names += [variants.request_without, variants.request_with]
        if in_input and name in a.dual:
            lines += _typeddict(a, name + "Input", name, "input", False)
            names.append(name + "Input")
        if name in shared_outputs:
            lines += [
                "",
                "",
                f"class {name}WithMetadata({name}):",
                "    ResponseMetadata: ResponseMetadata",
            ]
            names.append(name + "WithMetadata")
    for op_name, op in a.model.operations.items():
        if "output" in op:
            output = op["output"]["shape"]
            a.response_names[op_name] = (
                output + "WithMetadata" if output in shared_outputs else output
            )
        else:
            response_name = op_name + "Response"
            a.response_names[op_name] = response_name
            lines += [
                "",
                "",
                f"class {response_name}(TypedDict):",
                "    ResponseMetadata: ResponseMetadata",
            ]
            names.append(response_name)
    if a.model.paginators:
        paginate_lines, paginate_names = _paginate_typed_dicts(a)
        lines += paginate_lines
        names += paginate_names
    generated = list(names)
    invented = set(generated) - set(a.order)
    clashes = sorted(n for n in invented if n in a.shapes)
    reserved = {"Mapping", "Sequence", "NotRequired", "TypedDict", "datetime", "Any", "Unpack"}
    clashes += sorted(set(generated) & reserved)
    if clashes or len(set(generated)) != len(generated):
        raise GeneratorError(f"generated TypedDict names clash: {clashes or generated}")
    return lines, names


def _paginate_typed_dicts(a: Analysis) -> tuple[list[str], list[str]]:
    """``PaginationConfig``, then per paginated operation what its ``paginate`` takes: the
    request without the token and limit members (the paginator sets them), plus
    ``PaginationConfig``. Fills ``a.paginate_names``."""
    lines = [
        "",
        "",
        "class PaginationConfig(TypedDict):",
        "    MaxItems: NotRequired[int]",
        "    PageSize: NotRequired[int]",
        "    StartingToken: NotRequired[str]",
    ]
    names = ["PaginationConfig"]
    for op_name, op in a.model.operations.items():
        pag = a.model.paginators.get(op_name)
        if pag is None:
            continue
        request = _request_name(a, op)
        name = request + "Paginate"
        skip = {pag["input_token"], pag.get("limit_key")}
        extra = ["PaginationConfig: NotRequired[PaginationConfig]"]
        lines += _typeddict(a, name, op["input"]["shape"], "input", False, skip=skip, extra=extra)
        names.append(name)
        a.paginate_names[op_name] = name
    return lines, names


def render_type_defs(a: Analysis) -> str:
    lines, names = _typed_dicts(a)
    text = "\n".join(lines)
    imports = []
    abc = [n for n in ("Mapping", "Sequence") if re.search(rf"\b{n}\[", text)]
    if "datetime" in text:
        imports.append("from datetime import datetime")
    if abc:
        imports.append(f"from collections.abc import {', '.join(abc)}")
    imports.sort(key=lambda line: line.split()[1])
    typing_names = ["TypedDict"] + (["NotRequired"] if "NotRequired[" in text else [])
    imports.append(f"from typing import {', '.join(sorted(typing_names))}")
    body = [*imports, "", *_all_block(names), *lines]
    doc = (
        "TypedDicts for every KMS request and response (public: ``trentclient.type_defs``).\n"
        "\n"
        "Naming:\n"
        "\n"
        "- A TypedDict is named after its model shape (``EnableKeyRotationRequest``,\n"
        "  ``CreateKeyResponse``, ``KeyMetadata``, ``Tag``...). Required members are plain keys;\n"
        "  the rest are ``NotRequired``. In requests, required is what the model requires. In\n"
        "  responses, at every depth, a member is required when KMS returns it on every\n"
        "  success and ``NotRequired`` where it may be absent (read those with ``.get``): one\n"
        "  reviewed table, ``tools/output_presence.py``, decides each, with its reason.\n"
        "- Where an answer depends on a request parameter (``Recipient`` of ``decrypt``,\n"
        "  ``generate_data_key``, ``generate_data_key_pair``, ``generate_random`` and\n"
        "  ``derive_shared_secret``), the method is overloaded: called without it, it returns\n"
        "  ``<Output>`` (``DecryptResponse``: ``Plaintext`` required); with it,\n"
        "  ``<Output>WithRecipient`` (``CiphertextForRecipient`` required, the plaintext\n"
        "  ``NotRequired``). The overloads take ``<Request>WithRecipient`` (``Recipient``\n"
        "  required) and ``<Request>WithoutRecipient`` (no ``Recipient``). A ``<Request>`` dict\n"
        "  unpacked with ``**`` gets the ``WithRecipient`` answer (type checkers let a\n"
        "  ``NotRequired`` key fill a required one): annotate such a dict\n"
        "  ``<Request>WithoutRecipient`` to get ``<Output>``.\n"
        "- Requests accept what botocore accepts: blobs as ``bytes | bytearray | memoryview |\n"
        "  str``, timestamps as ``datetime | int | float | str``, lists as ``Sequence`` and maps\n"
        "  as ``Mapping``. Responses give ``bytes``, ``datetime``, ``list`` and ``dict``.\n"
        "- A structure used in requests and responses whose types differ between the two gets\n"
        "  two TypedDicts: ``<Shape>`` for responses and ``<Shape>Input`` for requests; request\n"
        "  members typed with it also accept ``<Shape>``, so a value read from a response can be\n"
        "  sent back as it is. When the types are the same there is one TypedDict.\n"
        "- Each operation returns its output shape's TypedDict plus ``ResponseMetadata``. An\n"
        "  operation without an output shape returns ``<Operation>Response`` (only\n"
        "  ``ResponseMetadata``). If an output shape were also used elsewhere, the response would\n"
        "  be ``<Shape>WithMetadata``, a subclass, so nested uses carry no ``ResponseMetadata``.\n"
        "- Enum strings are typed ``str``: AWS adds values over time. The known values are in\n"
        "  ``trentclient.enums`` (members say which, in a comment).\n"
        "- A paginated operation's paginator takes ``<Request>Paginate``: the request without\n"
        "  the members the paginator sets (``Marker``, ``Limit``), plus ``PaginationConfig``\n"
        "  (``MaxItems``, ``PageSize``, ``StartingToken``, as boto3).\n"
    )
    return _file(a.model, doc, body)


# -- enums.py ---------------------------------------------------------------------------------


def _constant(value: str) -> str:
    name = re.sub(r"\W", "_", value)
    if not name or name[0].isdigit() or keyword.iskeyword(name):
        name = "_" + name
    return name


def render_enums(a: Analysis) -> str:
    enums = sorted(n for n in a.order if "enum" in a.shape(n))
    body = ["from typing import Final", "", *_all_block(enums)]
    for name in enums:
        values = list(a.shape(name)["enum"])
        constants = [_constant(v) for v in values]
        if len(set(constants)) != len(constants) or "VALUES" in constants:
            raise GeneratorError(f"enum {name}: values do not map to distinct identifiers")
        body += [
            "",
            "",
            f"class {name}:",
            f'    """Known values of ``{name}`` (KMS may add others)."""',
            "",
        ]
        body += [f"    {c}: Final = {_q(v)}" for c, v in zip(constants, values, strict=True)]
        body += _layout(
            _Seq("frozenset({", "})", [_q(v) for v in values]), "    ", "VALUES: Final = "
        )
    doc = (
        "The known values of every KMS enum (public: ``trentclient.enums``).\n"
        "\n"
        "Each class holds its values as ``Final`` string constants named after them, and\n"
        "``VALUES``, a frozenset of all of them. The TypedDicts type these members as ``str``:\n"
        "values KMS adds later still type-check.\n"
    )
    return _file(a.model, doc, body)


# -- _docs.py --------------------------------------------------------------------------------


def _one_line(paragraphs: list[str]) -> str:
    """``first_paragraph``'s paragraph and list as one line: "...: Encrypt, GenerateDataKey"."""
    if not paragraphs:
        return ""
    items = [item.removeprefix("- ") for item in paragraphs[1:]]
    separator = "; " if any(" " in item for item in items) else ", "
    return " ".join([paragraphs[0], separator.join(items)]) if items else paragraphs[0]


def render_docs(a: Analysis) -> str:
    """The documentation the command line's help shows, as plain-text dict literals."""
    body = [*_all_block(["MEMBER_DOCS", "OPERATION_DOCS"]), ""]
    body += [
        "#: Operation name -> the first paragraph of its documentation.",
        "OPERATION_DOCS: dict[str, str] = {",
    ]
    for op_name, op in a.model.operations.items():
        text = _one_line(first_paragraph(op.get("documentation", "")))
        if text:
            body.append(f"    {_q(op_name)}: {_q(text)},")
    body += [
        "}",
        "",
        "#: (structure shape name, member name) -> the first sentence of the member's",
        "#: documentation, for every structure in a request (the requests and the structures",
        f"#: nested in them), cut at a word boundary after about {SUMMARY_WIDTH} characters.",
        "MEMBER_DOCS: dict[tuple[str, str], str] = {",
    ]
    structures = sorted(
        n for n in a.order if n in a.input_side and a.shape(n)["type"] == "structure"
    )
    for shape_name in structures:
        for member_name, member in a.shape(shape_name)["members"].items():
            text = summary(member.get("documentation", ""))
            if text:
                body.append(f"    ({_q(shape_name)}, {_q(member_name)}): {_q(text)},")
    body.append("}")
    doc = (
        "The model's documentation, as plain text, for the command line's help.\n"
        "\n"
        "Only ``trentclient._cli`` imports this module, and only to show a command's ``--help``:\n"
        "neither ``import trentclient`` nor a request loads it.\n"
    )
    return _file(a.model, doc, body)


# -- __init__.py ------------------------------------------------------------------------------


def render_error_names(a: Analysis) -> str:
    doc = (
        "The modeled KMS errors' names, as ``_errors.__all__`` lists them.\n"
        "\n"
        "``trentclient`` exports these names and imports ``_errors`` (the classes) on the first\n"
        "use of one: a client that meets no error never builds them. Each name resolves here\n"
        "too (PEP 562), to the class in ``_errors``.\n"
    )
    body = ["# ruff: noqa: F822  (every name in __all__ resolves through __getattr__ below)", ""]
    body += ["from typing import Any", ""]
    body += _all_block(a.errors)
    body += [
        "",
        "",
        "def __getattr__(name: str) -> Any:",
        "    if name not in __all__:",
        '        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")',
        "    from trentclient._generated import _errors",
        "",
        "    return getattr(_errors, name)",
    ]
    return _file(a.model, doc, body)


def render_init(a: Analysis) -> str:
    doc = (
        "Code generated from botocore's KMS model by ``python -m tools.generate``.\n"
        "\n"
        "Do not edit these files: change the generators under ``tools/`` and regenerate.\n"
    )
    return _file(a.model, doc, [])


# -- entry point ------------------------------------------------------------------------------


def render(model: Model | None = None) -> dict[str, str]:
    """Every file this generator owns under ``trentclient/_generated``: name -> text."""
    analysis = analyze(model or load_model())
    exceptions = _load_exceptions()
    type_defs = render_type_defs(analysis)  # fills analysis.response_names
    return {
        "__init__.py": render_init(analysis),
        "_shapes.py": render_shapes(analysis),
        "_errors.py": render_errors(analysis, exceptions),
        "_error_names.py": render_error_names(analysis),
        "_methods.py": render_methods(analysis),
        "_async_methods.py": render_methods(analysis, sync=False),
        "type_defs.py": type_defs,
        "enums.py": render_enums(analysis),
        "_docs.py": render_docs(analysis),
    }
