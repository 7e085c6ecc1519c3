"""The ``trentclient`` command line: one subcommand per KMS operation, like the AWS CLI.

Grammar::

    trentclient [GLOBAL OPTIONS] COMMAND [PARAMETERS] [--cli-input-json JSON] [GLOBAL OPTIONS]

``COMMAND`` is the operation name in kebab case (``EnableKeyRotation`` ->
``enable-key-rotation``), or ``demo``. Each input member is an option in kebab case
(``RotationPeriodInDays`` -> ``--rotation-period-in-days``); the one exception is KMS's
``DryRun`` member, ``--kms-dry-run/--no-kms-dry-run``, because ``--dry-run`` is the global
"print the signed request, send nothing" option. Values, by model type:

- string: the text, or ``file://PATH`` for a file's text (a key policy, say);
- integer/long: a decimal number; boolean: ``--flag`` / ``--no-flag``;
- blob: base64 text (AWS CLI v2), ``fileb://PATH`` for a file's raw bytes, or
  ``file://PATH`` for base64 text kept in a file;
- timestamp: ISO 8601 (``2030-01-02T03:04:05Z``, no zone means UTC) or epoch seconds;
- list of strings: ``--grant-tokens A B C`` or one JSON list ``'["A", "B"]'``;
- other lists, structures and maps: JSON text (or ``file://PATH``); blobs inside are base64.

``--cli-input-json`` (JSON text or ``file://PATH``) gives parameters by their API names;
explicit options override its keys. The request body lists parameters in the JSON's order,
then the options' in command-line order (an option overriding a JSON key keeps the JSON
key's place). The parser is built lazily: only the chosen command gets its options, and
the model's documentation (``trentclient._generated._docs``) is loaded only to show its help.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING, Any, NoReturn

from ._version import __version__

if TYPE_CHECKING:
    import httpx

    from ._model import Operation, Shape

    _SubParsersBase = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    _SubParsersBase = argparse._SubParsersAction

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_OTHER",
    "EXIT_SERVICE",
    "EXIT_USAGE",
    "build_parser",
    "command_name",
    "format_request",
    "format_text",
    "main",
    "option_name",
]

EXIT_OK = 0
EXIT_USAGE = 252
EXIT_SERVICE = 254
EXIT_OTHER = 255
EXIT_INTERRUPTED = 130

#: Where the parsed member values go on the namespace, in command-line order.
_PARAMS = "trent_params"
#: Option names the command line itself uses; a member that would clash gets ``--kms-``.
_RESERVED = frozenset(
    {
        "--help",
        "--version",
        "--region",
        "--endpoint-url",
        "--profile",
        "--output",
        "--debug",
        "--dry-run",
        "--no-dry-run",
        "--cli-input-json",
    }
)
_FIRST_CAP = re.compile(r"(.)([A-Z][a-z]+)")
_END_CAP = re.compile(r"([a-z0-9])([A-Z])")
_TIMESTAMP_HELP = "ISO 8601 (2030-01-02T03:04:05Z; no zone means UTC) or epoch seconds"
_BLOB_HELP = (
    "base64 text, fileb://PATH (raw bytes from a file) or file://PATH (base64 text in a file)"
)


def command_name(operation_name: str) -> str:
    """``EnableKeyRotation`` -> ``enable-key-rotation``, as the AWS CLI names commands."""
    return _END_CAP.sub(r"\1-\2", _FIRST_CAP.sub(r"\1-\2", operation_name)).lower()


def option_name(member_name: str) -> str:
    """The option for an input member: ``--rotation-period-in-days``; ``DryRun`` is
    ``--kms-dry-run`` (``--dry-run`` is the global request-printing option)."""
    option = "--" + command_name(member_name)
    if option in _RESERVED or "--no-" + option[2:] in _RESERVED:
        option = "--kms-" + option[2:]
    return option


class _Parser(argparse.ArgumentParser):
    """argparse with the AWS CLI's exit status (252) for usage errors, no abbreviations,
    and ``help_hook``: called once, just before the help is first formatted, to add what
    only the help needs (a command's documentation)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)
        self.help_hook: Callable[[argparse.ArgumentParser], None] | None = None

    def format_help(self) -> str:
        hook, self.help_hook = self.help_hook, None
        if hook is not None:
            hook(self)
        return super().format_help()

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


class _Formatter(argparse.HelpFormatter):
    """Keeps a text without spaces (a documentation URL) on one line, never cut; a
    description's paragraphs (separated by a blank line) are filled one by one."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return [text] if " " not in text else super()._split_lines(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        parts = []
        for part in text.split("\n\n"):
            parts.append(
                indent + part if " " not in part else super()._fill_text(part, width, indent)
            )
        return "\n\n".join(parts)


class _CommandListFormatter(_Formatter):
    """The top-level help: room for the longest command name before its URL."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=48)


class _Commands(_SubParsersBase):
    """Subcommands whose parsers are made only when chosen.

    Making an ``ArgumentParser`` costs ~0.15 ms (gettext looks for translations on disk
    each time): 54 of them took ~8 ms against ~1 ms for the whole lazy parser. A pending
    command is only a name and a help line until ``__call__`` picks it.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pending: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {}
        self._placeholder: argparse.ArgumentParser | None = None

    def add_pending(
        self, name: str, text: str, build: Callable[[argparse.ArgumentParser], None]
    ) -> None:
        """List ``name`` with help ``text`` now; make its parser and ``build`` it when chosen."""
        if self._placeholder is None:
            self._placeholder = self._parser_class(prog=self._prog_prefix, add_help=False)
        self.pending[name] = (text, build)
        self._choices_actions.append(self._ChoicesPseudoAction(name, (), text))
        self._name_parser_map[name] = self._placeholder

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        if isinstance(values, list) and values and values[0] in self.pending:
            text, build = self.pending.pop(values[0])
            listed = len(self._choices_actions)
            del self._name_parser_map[values[0]]  # add_parser refuses a name already there
            build(self.add_parser(values[0], help=text, description=text))
            del self._choices_actions[listed:]  # it is listed already
        super().__call__(parser, namespace, values, option_string)


class _Member(argparse.Action):
    """Stores one input member's converted value in ``namespace.trent_params``, keeping
    the order the options were given in."""

    def __init__(
        self,
        option_strings: Sequence[str],
        dest: str,
        *,
        member: str,
        convert: Callable[[Any], Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(option_strings, dest, default=argparse.SUPPRESS, **kwargs)
        self.member = member
        self.convert = convert

    def format_usage(self) -> str:
        return " | ".join(self.option_strings)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        if self.nargs == 0:  # a --flag / --no-flag pair
            value: Any = not (option_string or "").startswith("--no-")
        elif self.convert is not None:
            try:
                value = self.convert(values)
            except argparse.ArgumentTypeError as error:
                raise argparse.ArgumentError(self, str(error)) from None
        else:
            value = values
        params = getattr(namespace, _PARAMS, None)
        if params is None:
            params = {}
            setattr(namespace, _PARAMS, params)
        params[self.member] = value


# -- values --------------------------------------------------------------------------------


def _read(path: str, *, binary: bool) -> Any:
    import os

    try:
        with open(
            os.path.expanduser(path), "rb" if binary else "r", encoding=None if binary else "utf-8"
        ) as f:
            return f.read()
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise argparse.ArgumentTypeError(f"cannot read {path}: {reason}") from None


def _text(value: str) -> str:
    """A string value: the text, or a file's text for ``file://PATH``."""
    if value.startswith("file://"):
        text: str = _read(value[len("file://") :], binary=False)
        return text
    return value


def _base64(text: str, where: str = "") -> bytes:
    import base64
    import binascii

    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        at = f" at {where}" if where else ""
        raise argparse.ArgumentTypeError(
            f"invalid base64{at}; blobs are base64 text (use fileb://PATH for raw bytes from a file)"
        ) from None


def _blob(value: str) -> bytes:
    if value.startswith("fileb://"):
        data: bytes = _read(value[len("fileb://") :], binary=True)
        return data
    return _base64(_text(value))


def _timestamp(value: str) -> Any:
    from datetime import UTC, datetime

    text = _text(value).strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid timestamp {text!r}: expected {_TIMESTAMP_HELP}"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _json(value: str) -> Any:
    import json

    try:
        return json.loads(_text(value))
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"invalid JSON: {error}") from None


def _from_json(shape: Shape, value: Any, path: str) -> Any:
    """A JSON value as the client takes it: base64 blobs decoded, at any depth."""
    kind = shape.type
    if kind == "blob":
        return _base64(value, path) if isinstance(value, str) else value
    if not shape.has_special:
        return value
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        return {
            key: _from_json(members[key], item, f"{path}.{key}" if path else key)
            if key in members
            else item
            for key, item in value.items()
        }
    if kind == "list" and isinstance(value, list) and shape.member is not None:
        return [_from_json(shape.member, item, f"{path}[{i}]") for i, item in enumerate(value)]
    if kind == "map" and isinstance(value, dict) and shape.value is not None:
        return {key: _from_json(shape.value, item, f"{path}.{key}") for key, item in value.items()}
    return value  # timestamps and wrong types: the client checks and reports them


def _json_for(shape: Shape, name: str) -> Callable[[str], Any]:
    def convert(value: str) -> Any:
        return _from_json(shape, _json(value), name)

    return convert


def _string_list(values: Sequence[str]) -> Any:
    """``A B C`` or one JSON list (or ``file://`` holding one)."""
    if len(values) == 1:
        text = _text(values[0])
        if text.lstrip().startswith("["):
            return _json(text)
        return [text]
    return list(values)


def _input_json(operation: Operation) -> Callable[[str], dict[str, Any]]:
    def convert(value: str) -> dict[str, Any]:
        data = _json(value)
        if not isinstance(data, dict):
            raise argparse.ArgumentTypeError("--cli-input-json must be a JSON object")
        converted: dict[str, Any] = _from_json(operation.input, data, "")
        return converted

    return convert


# -- help ----------------------------------------------------------------------------------


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


def _option_help(
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
        text += f". Give {_TIMESTAMP_HELP}"
    elif kind == "list" and shape.member is not None and shape.member.type == "string":
        text += ". Give VALUE [VALUE ...] or a JSON list"
    elif kind in ("list", "map", "structure"):
        text += ". Give JSON text or file://PATH"
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


def _add_docs(parser: argparse.ArgumentParser, *, operation: Operation) -> None:
    """Put the model's documentation in a command's help: the operation's first paragraph
    before its documentation URL, a sentence in each option's help. The documentation
    module is imported here only, when the help is shown."""
    from ._generated._docs import MEMBER_DOCS, OPERATION_DOCS

    paragraphs = [OPERATION_DOCS.get(operation.name), operation.documentation_url]
    parser.description = "\n\n".join(p for p in paragraphs if p) or operation.name
    members = operation.input.members
    for action in parser._actions:
        if isinstance(action, _Member):
            action.help = _option_help(
                operation, action.member, members[action.member], MEMBER_DOCS
            )


def _metavar(shape: Shape) -> str:
    kind = shape.type
    if kind in ("list", "map", "structure"):
        if kind == "list" and shape.member is not None and shape.member.type == "string":
            return "STRING"
        return "JSON"
    return {"integer": "INTEGER", "long": "INTEGER"}.get(kind, kind.upper())


# -- the parser ------------------------------------------------------------------------------


def _add_global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """The global options; after the command they default to SUPPRESS, so they only
    override what was given before it."""

    def default(value: Any) -> Any:
        return value if top else argparse.SUPPRESS

    group = parser.add_argument_group("global options")
    group.add_argument(
        "--region",
        default=default(None),
        help="the AWS region (else AWS_REGION, AWS_DEFAULT_REGION, the profile's)",
    )
    group.add_argument(
        "--endpoint-url",
        default=default(None),
        metavar="URL",
        help="send to this URL instead of the region's KMS endpoint",
    )
    group.add_argument(
        "--profile",
        default=default(None),
        help="a profile from the shared AWS config and credentials files",
    )
    group.add_argument(
        "--output",
        default=default("json"),
        choices=("json", "text"),
        help="json (default): the response as indented JSON; text: tab-separated values",
    )
    group.add_argument(
        "--debug",
        action="store_true",
        default=default(False),
        help="log what trentclient does to stderr (never secrets)",
    )
    group.add_argument(
        "--dry-run",
        action="store_true",
        default=default(False),
        help="print the signed HTTP request and send nothing",
    )


def _build_operation(parser: argparse.ArgumentParser, *, operation: Operation) -> None:
    """Add the operation's options to its (so far empty) subcommand parser."""
    members = operation.input.members
    required = [name for name in members if name in operation.input.required]
    parser.usage = " ".join(
        ["%(prog)s", *(f"{option_name(n)} {_metavar(members[n])}" for n in required), "[options]"]
    )
    groups = {
        True: parser.add_argument_group("required parameters (unless given in --cli-input-json)"),
        False: parser.add_argument_group("optional parameters"),
    }
    for name, shape in members.items():
        option = option_name(name)
        group = groups[name in operation.input.required]
        dest = "member_" + name
        help_text = _option_help(operation, name, shape)
        kind = shape.type
        if kind == "boolean":
            group.add_argument(
                option,
                "--no-" + option[2:],
                action=_Member,
                member=name,
                dest=dest,
                nargs=0,
                help=help_text,
            )
            continue
        convert: Callable[[Any], Any] | None
        nargs: str | None = None
        if kind in ("integer", "long"):
            convert = None
            extra: dict[str, Any] = {"type": int}
        elif kind == "blob":
            convert, extra = None, {"type": _blob}
        elif kind == "timestamp":
            convert, extra = None, {"type": _timestamp}
        elif kind == "list" and shape.member is not None and shape.member.type == "string":
            convert, extra, nargs = _string_list, {}, "+"
        elif kind in ("list", "map", "structure"):
            convert, extra = None, {"type": _json_for(shape, name)}
        else:
            convert, extra = None, {"type": _text}
        group.add_argument(
            option,
            action=_Member,
            member=name,
            convert=convert,
            dest=dest,
            nargs=nargs,
            metavar=_metavar(shape),
            help=help_text,
            **extra,
        )
    parser.add_argument(
        "--cli-input-json",
        type=_input_json(operation),
        default=None,
        metavar="JSON",
        help="parameters as a JSON object keyed by API name (or file://PATH); options override its keys",
    )
    _add_global_options(parser, top=False)
    parser.set_defaults(operation=operation.name, command_parser=parser)
    if isinstance(parser, _Parser):
        parser.help_hook = partial(_add_docs, operation=operation)


def build_parser() -> argparse.ArgumentParser:
    """The whole command line; each operation's options are added when it is chosen."""
    from ._generated._shapes import OPERATIONS

    parser = _Parser(
        prog="trentclient",
        formatter_class=_CommandListFormatter,
        description="A small AWS KMS client: one command per KMS operation, like `aws kms`.",
        epilog=(
            "Run `trentclient COMMAND --help` for a command's options. Exit status: 0 success, "
            "252 bad command line or parameters, 254 an error answer from KMS, 255 anything else."
        ),
    )
    parser.add_argument("--version", action="version", version=f"trentclient {__version__}")
    _add_global_options(parser, top=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", action=_Commands)
    assert isinstance(commands, _Commands)
    commands.add_parser(
        "demo",
        help="run a key-rotation walk-through against a local KMS emulator (needs moto)",
    )
    for operation in OPERATIONS.values():
        commands.add_pending(
            command_name(operation.name),
            operation.documentation_url or operation.name,
            partial(_build_operation, operation=operation),
        )
    return parser


# -- output --------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A response value as JSON would hold it: bytes as base64, datetimes as ISO 8601."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, bytes):
        import base64

        return base64.b64encode(value).decode("ascii")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def format_text(data: Any) -> str:
    """The AWS CLI's ``--output text`` rendering: scalars of an object on one
    tab-separated line (sorted by key, prefixed by the upper-cased key of the list or
    object they came from), nested lists and objects on their own lines below."""
    lines: list[str] = []
    _text_item(data, lines, None, None)
    return "".join(line + "\n" for line in lines)


def _scalar(value: Any) -> str:
    return str(value)


def _text_item(item: Any, lines: list[str], label: str | None, keys: list[str] | None) -> None:
    if isinstance(item, dict):
        _text_dict(item, lines, label, keys)
    elif isinstance(item, list):
        _text_list(item, lines, label)
    else:
        lines.append(_scalar(item))


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
            lines.append("\t".join(_scalar(item) for item in scalars))
        else:
            lines.extend(f"{label.upper()}\t{_scalar(item)}" for item in scalars)
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
                scalars.append(_scalar(value))
    else:
        scalars = [_scalar(item.get(key, "")) for key in keys]
        nested = [(key, item[key]) for key in sorted(set(item) - set(keys))]
    if scalars:
        lines.append("\t".join([label.upper(), *scalars] if label is not None else scalars))
    for key, value in nested:
        _text_item(value, lines, key, None)


def _render(result: Mapping[str, Any], output: str) -> str:
    data = _plain({key: value for key, value in result.items() if key != "ResponseMetadata"})
    if not data:  # as the AWS CLI: an empty answer prints nothing
        return ""
    if output == "text":
        return format_text(data)
    import json

    return json.dumps(data, indent=4, ensure_ascii=False) + "\n"


def format_request(request: httpx.Request) -> str:
    """A request as HTTP/1.1 text: request line, headers as sent (names as given, Host
    included), a blank line, the body; lines end with ``\\n``, and a ``\\n`` follows the body."""
    lines = [f"{request.method} {request.url.raw_path.decode('ascii')} HTTP/1.1"]
    lines += [
        f"{name.decode('latin-1')}: {value.decode('latin-1')}"
        for name, value in request.headers.raw
    ]
    return "\n".join(lines) + "\n\n" + request.content.decode("utf-8") + "\n"


# -- running ---------------------------------------------------------------------------------


@contextmanager
def _debug_logging(enabled: bool) -> Iterator[None]:
    """``--debug``: the ``trentclient`` logger at DEBUG on stderr, for this run only."""
    if not enabled:
        yield
        return
    import logging

    logger = logging.getLogger("trentclient")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s [%(levelname)s] %(message)s"))
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _log() -> Any:
    import logging

    return logging.getLogger("trentclient.cli")


def _refuse(request: httpx.Request) -> httpx.Response:
    raise AssertionError("--dry-run never sends")  # pragma: no cover - nothing sends


def _run_operation(args: argparse.Namespace) -> int:
    from ._generated._shapes import OPERATIONS

    operation = OPERATIONS[args.operation]
    params: dict[str, Any] = dict(args.cli_input_json or {})
    params.update(getattr(args, _PARAMS, {}))
    missing = [
        name
        for name in operation.input.members
        if name in operation.input.required and name not in params
    ]
    if missing:
        parser: argparse.ArgumentParser = args.command_parser
        parser.error(
            "the following arguments are required: " + ", ".join(option_name(n) for n in missing)
        )

    with _debug_logging(args.debug):
        try:
            return _call(operation, params, args)
        except KeyboardInterrupt:
            return EXIT_INTERRUPTED
        except Exception as error:
            return _failed(error, args.debug)


def _call(operation: Operation, params: dict[str, Any], args: argparse.Namespace) -> int:
    import httpx

    from ._client import Client
    from ._protocol import serialize_body

    log = _log()
    log.debug(
        "trentclient %s: %s with parameters %s",
        __version__,
        operation.name,
        ", ".join(params) or "(none)",
    )
    # Bad parameters are a command-line error (252) whatever the configuration.
    serialize_body(operation, params)
    http = httpx.Client(transport=httpx.MockTransport(_refuse)) if args.dry_run else None
    try:
        with Client(
            region_name=args.region,
            endpoint_url=args.endpoint_url,
            profile_name=args.profile,
            http_client=http,
        ) as client:
            log.debug("region %s, endpoint %s", client.region_name, client.endpoint_url)
            if args.dry_run:
                sys.stdout.write(format_request(client.build_request(operation.name, params)))
                return EXIT_OK
            result: dict[str, Any] = getattr(client, operation.method_name)(**params)
    finally:
        if http is not None:
            http.close()
    meta = result.get("ResponseMetadata", {})
    log.debug(
        "answered: HTTP %s, request id %s, %s retries",
        meta.get("HTTPStatusCode"),
        meta.get("RequestId"),
        meta.get("RetryAttempts"),
    )
    sys.stdout.write(_render(result, args.output))
    return EXIT_OK


def _failed(error: Exception, debug: bool) -> int:
    from ._exceptions import ParamValidationError, ServiceError, TrentError

    if debug:
        _log().debug("%s", type(error).__name__, exc_info=error)
    if isinstance(error, ServiceError):
        status = EXIT_SERVICE
    elif isinstance(error, ParamValidationError):
        status = EXIT_USAGE
    else:
        status = EXIT_OTHER
    text = str(error) if isinstance(error, TrentError) else f"{type(error).__name__}: {error}"
    sys.stderr.write(text + "\n")
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    Usage errors, ``--help`` and ``--version`` exit through argparse (``SystemExit`` with
    252, 0 and 0), as argparse programs do.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    if args.command == "demo":
        from ._demo import run_demo

        try:
            return run_demo()
        except Exception as error:  # the demo reports any failure readably
            print(f"demo failed: {type(error).__name__}: {error}", file=sys.stderr)
            return EXIT_OTHER
    return _run_operation(args)
