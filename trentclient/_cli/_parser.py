"""The command line's grammar: one subcommand per KMS operation, built from the model.

Each input member is an option in kebab case (``RotationPeriodInDays`` ->
``--rotation-period-in-days``); the one exception is KMS's ``DryRun`` member,
``--kms-dry-run/--no-kms-dry-run``, because ``--dry-run`` is the global "print the signed
request, send nothing" option. argparse keeps each value's text; ``_values`` converts it
after parsing, so a bad value gets the AWS CLI's message.

The parser is built lazily: only the chosen command gets its options, and the model's
documentation (``trentclient._generated._docs``) is loaded only to show a help page.
Usage errors exit 252 (AWS CLI v2) after the command's usage; a mistyped command or option
gets "maybe you meant".
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, NoReturn

from trentclient._version import __version__

from ._errors import EXIT_USAGE
from ._help import add_docs, metavar, option_help, summary
from ._output import OUTPUTS
from ._values import BASE64, RAW

if TYPE_CHECKING:
    from trentclient._model import Operation

    _SubParsersBase = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    _SubParsersBase = argparse._SubParsersAction

__all__ = [
    "PARAMS",
    "build_parser",
    "close_matches",
    "command_name",
    "option_name",
]

#: Where the parsed member values go on the namespace: member -> (option, raw value), in
#: command-line order.
PARAMS = "trent_params"
_GLOBAL_OPTIONS = (
    "--help",
    "--version",
    "--region",
    "--endpoint-url",
    "--profile",
    "--output",
    "--query",
    "--no-paginate",
    "--debug",
    "--dry-run",
    "--color",
    "--no-verify-ssl",
    "--ca-bundle",
    "--cli-read-timeout",
    "--cli-connect-timeout",
    "--cli-binary-format",
    "--no-cli-pager",
)
#: Option names the command line itself uses; a member that would clash gets ``--kms-``.
_RESERVED = frozenset(
    {
        *_GLOBAL_OPTIONS,
        "--no-dry-run",
        "--cli-input-json",
        "--cli-input-yaml",
        "--generate-cli-skeleton",
        "--starting-token",
        "--page-size",
        "--max-items",
    }
)
_FIRST_CAP = re.compile(r"(.)([A-Z][a-z]+)")
_END_CAP = re.compile(r"([a-z0-9])([A-Z])")
USAGE = "trentclient [options] COMMAND [parameters]"


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


def close_matches(word: str, choices: Sequence[str], cutoff: float = 0.8) -> list[str]:
    """The choices ``word`` was probably meant to be, closest first (the AWS CLI's test)."""
    from difflib import get_close_matches

    return get_close_matches(word, choices, cutoff=cutoff)


class Parser(argparse.ArgumentParser):
    """argparse with AWS CLI v2's exit status (252) for usage errors, its wording for a
    wrong choice, no abbreviations, and ``help_hook``: called once, just before the help
    is first formatted, to add what only the help needs (the model's documentation)."""

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

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        choices = action.choices
        if choices is None or value in choices:
            return
        names = [str(choice) for choice in choices]
        if isinstance(action, _Commands):
            message = f"Invalid choice: {value!r}"
            extra = "\n\nRun `trentclient help` for the list of commands."
        else:
            message = "Invalid choice, valid choices are: " + " | ".join(names)
            extra = ""
        possible = close_matches(str(value), names)
        if possible:
            if isinstance(action, _Commands):
                message += ", maybe you meant:\n"
            else:
                message += f"\n\nInvalid choice: {value!r}, maybe you meant:\n"
            message += "".join(f"\n  * {word}" for word in possible)
        raise argparse.ArgumentError(action, message + extra)


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
    """The top-level help: room for the longest command name before its summary."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=48)

    def _split_lines(self, text: str, width: int) -> list[str]:
        import textwrap

        return textwrap.wrap(text, width, break_long_words=False) or [""]


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


class Member(argparse.Action):
    """Keeps one input member's text (or texts, or a flag's truth) in
    ``namespace.trent_params``, in the order the options were given."""

    def __init__(
        self, option_strings: Sequence[str], dest: str, *, member: str, **kwargs: Any
    ) -> None:
        super().__init__(option_strings, dest, default=argparse.SUPPRESS, **kwargs)
        self.member = member

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
        else:
            value = values
        params = getattr(namespace, PARAMS, None)
        if params is None:
            params = {}
            setattr(namespace, PARAMS, params)
        params[self.member] = (self.option_strings[0], value)


def _add_global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """The global options; after the command they default to SUPPRESS, so they only
    override what was given before it."""

    def default(value: Any) -> Any:
        return value if top else argparse.SUPPRESS

    group = parser.add_argument_group("global options")
    add = group.add_argument
    add("--region", default=default(None), help="the AWS region (else AWS_REGION, ...)")
    add(
        "--endpoint-url",
        default=default(None),
        metavar="URL",
        help="send to this URL instead of the region's KMS endpoint",
    )
    add("--profile", default=default(None), help="a profile from the shared AWS files")
    add(
        "--output",
        default=default(None),
        choices=OUTPUTS,
        help="json (default: else AWS_DEFAULT_OUTPUT, the profile's output), text, table or yaml",
    )
    add("--query", default=default(None), help="a JMESPath query to filter the response")
    add(
        "--no-paginate",
        dest="paginate",
        action="store_false",
        default=default(True),
        help="one call for the first page only (list commands page through all by default)",
    )
    add("--debug", action="store_true", default=default(False), help="log to stderr")
    add(
        "--dry-run",
        action="store_true",
        default=default(False),
        help="print the signed HTTP request and send nothing",
    )
    add("--color", default=default("auto"), choices=("on", "off", "auto"), help="table colours")
    add(
        "--no-verify-ssl",
        dest="verify_ssl",
        action="store_false",
        default=default(True),
        help="do not verify the endpoint's TLS certificate",
    )
    add("--ca-bundle", default=default(None), metavar="PATH", help="CA certificates to trust")
    add(
        "--cli-read-timeout",
        dest="read_timeout",
        type=int,
        default=default(None),
        metavar="SECONDS",
        help="socket read timeout (0: none; default 60)",
    )
    add(
        "--cli-connect-timeout",
        dest="connect_timeout",
        type=int,
        default=default(None),
        metavar="SECONDS",
        help="socket connect timeout (0: none; default 60)",
    )
    add(
        "--cli-binary-format",
        dest="binary_format",
        default=default(None),
        choices=(BASE64, RAW),
        help="how blob values are given: base64 text (default) or raw-in-base64-out",
    )
    add(
        "--no-cli-pager",
        action="store_true",
        default=default(False),
        help="accepted for AWS CLI v2's habits; output is never paged",
    )


def _build_operation(parser: argparse.ArgumentParser, *, operation: Operation) -> None:
    """Add the operation's options to its (so far empty) subcommand parser."""
    members = operation.input.members
    required = [name for name in members if name in operation.input.required]
    parser.usage = " ".join(
        ["%(prog)s", *(f"{option_name(n)} {metavar(members[n])}" for n in required), "[options]"]
    )
    groups = {
        True: parser.add_argument_group("required parameters (unless given in --cli-input-json)"),
        False: parser.add_argument_group("optional parameters"),
    }
    for name, shape in members.items():
        option = option_name(name)
        group = groups[name in operation.input.required]
        common: dict[str, Any] = {
            "action": Member,
            "member": name,
            "dest": "member_" + name,
            "help": option_help(operation, name, shape),
        }
        if shape.type == "boolean":
            group.add_argument(option, "--no-" + option[2:], nargs=0, **common)
        else:
            nargs = "+" if shape.type == "list" else None
            group.add_argument(option, nargs=nargs, metavar=metavar(shape), **common)
    if operation.paginator is not None:
        paging = parser.add_argument_group("pagination (the command pages through all results)")
        paging.add_argument(
            "--starting-token",
            metavar="TOKEN",
            help="where to start: the NextToken of an output cut short by --max-items",
        )
        if operation.paginator.limit_key:
            paging.add_argument(
                "--page-size",
                type=int,
                metavar="N",
                help="items per call to KMS (more calls, same output)",
            )
        paging.add_argument(
            "--max-items",
            type=int,
            metavar="N",
            help="at most N items in the output, then a NextToken to resume from",
        )
    inputs = parser.add_argument_group("input and skeletons")
    inputs.add_argument(
        "--cli-input-json",
        metavar="JSON",
        help="parameters as a JSON object keyed by API name (or file://PATH); options override its keys",
    )
    inputs.add_argument(
        "--cli-input-yaml",
        metavar="YAML",
        help="the same as YAML text (or file://PATH); needs ruamel.yaml",
    )
    inputs.add_argument(
        "--generate-cli-skeleton",
        nargs="?",
        const="input",
        choices=("input", "output"),
        help="print a JSON skeleton of the input (for --cli-input-json) or, with output, of "
        "the output, and send nothing",
    )
    _add_global_options(parser, top=False)
    parser.set_defaults(operation=operation.name, command_parser=parser)
    if isinstance(parser, Parser):
        parser.help_hook = partial(add_docs, operation=operation)


def _add_summaries(parser: argparse.ArgumentParser) -> None:
    """The top-level help lists each command with its one-line summary from the model."""
    from trentclient._generated._docs import OPERATION_DOCS
    from trentclient._generated._shapes import OPERATIONS

    by_command = {command_name(op.name): op.name for op in OPERATIONS.values()}
    for action in parser._actions:
        if isinstance(action, _Commands):
            for choice in action._choices_actions:
                operation = by_command.get(choice.dest)
                if operation is not None:
                    choice.help = summary(operation, OPERATION_DOCS).replace("%", "%%")


def build_parser() -> argparse.ArgumentParser:
    """The whole command line; each operation's options are added when it is chosen."""
    from trentclient._generated._shapes import OPERATIONS

    parser = Parser(
        prog="trentclient",
        usage=USAGE,
        formatter_class=_CommandListFormatter,
        description="A small AWS KMS client: one command per KMS operation, like `aws kms`.",
        epilog=(
            "Run `trentclient COMMAND help` (or --help) for a command's options. Exit status, "
            "as AWS CLI v2: 0 success, 252 bad command line or parameters, 253 no region, "
            "no credentials or a bad configuration, 254 an error answer from KMS, 255 "
            "anything else, 130 interrupted."
        ),
    )
    parser.help_hook = _add_summaries
    parser.add_argument("--version", action="version", version=f"trentclient {__version__}")
    _add_global_options(parser, top=True)
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", action=_Commands, prog="trentclient"
    )
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


def command_names() -> list[str]:
    """Every command, as the top-level parser knows them."""
    from trentclient._generated._shapes import OPERATIONS

    return ["demo", *(command_name(op.name) for op in OPERATIONS.values())]
