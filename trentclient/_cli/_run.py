"""Running one command: settings, parameters, the client, the call, the output.

Settings come as the AWS CLI takes them: ``--output``, else ``AWS_DEFAULT_OUTPUT``, else
the profile's ``output``, else json; ``cli_timestamp_format`` and ``cli_binary_format``
from the profile (the latter also ``--cli-binary-format``); ``--ca-bundle``, else
``AWS_CA_BUNDLE``, else the profile's ``ca_bundle``. Retries (``AWS_MAX_ATTEMPTS``,
``AWS_RETRY_MODE``, the profile's ``max_attempts`` / ``retry_mode``) are the library's:
the command line builds a ``Client`` as an application would.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from trentclient._version import __version__

from ._errors import (
    EXIT_CONFIG,
    EXIT_OK,
    EXIT_OTHER,
    EXIT_USAGE,
    CLIError,
    describe_failure,
    write_error,
)
from ._output import OUTPUTS, TIMESTAMP_FORMATS, compile_query, plain, render
from ._parser import PARAMS, build_parser, close_matches, command_names, option_name
from ._values import BASE64, RAW, convert_member, load_input

if TYPE_CHECKING:
    import httpx

    from trentclient._model import Operation

__all__ = ["format_request", "main", "run_operation"]

#: The keys a dry run signs with when no credentials are found: plainly not real ones.
FAKE_ACCESS_KEY = "AKIDDRYRUNFAKEKEY000"
FAKE_SECRET_KEY = "dry-run-fake-secret-not-a-real-key"


class Settings:
    """The command's settings after the command line, the environment and the profile."""

    __slots__ = ("binary_format", "ca_bundle", "output", "timestamps")

    def __init__(self, args: argparse.Namespace) -> None:
        import os

        profile: Mapping[str, str] = {}
        try:
            from trentclient._credentials._files import load_profile

            section = load_profile(args.profile).config_section
            profile = section or {}
        except Exception:  # a broken file is reported by the client, with its words
            profile = {}
        output = args.output or os.environ.get("AWS_DEFAULT_OUTPUT") or profile.get("output")
        output = (output or "json").strip()
        if output not in OUTPUTS:
            raise CLIError(
                f"Unknown output type: {output} (valid: {', '.join(OUTPUTS)})", EXIT_CONFIG
            )
        timestamps = profile.get("cli_timestamp_format", "iso8601").strip() or "iso8601"
        if timestamps not in TIMESTAMP_FORMATS:  # AWS CLI v2's words (v1's none is wire)
            raise CLIError(
                f"Unknown cli_timestamp_format value: {timestamps}, valid values are "
                '"wire" or "iso8601"',
                EXIT_CONFIG,
            )
        binary = args.binary_format or profile.get("cli_binary_format", BASE64).strip() or BASE64
        if binary not in (BASE64, RAW):
            raise CLIError(
                f"Unknown cli_binary_format value: {binary}, valid values are: {BASE64}, {RAW}",
                EXIT_CONFIG,
            )
        self.output = output
        self.timestamps = timestamps
        self.binary_format = binary
        self.ca_bundle: str | None = (
            args.ca_bundle or os.environ.get("AWS_CA_BUNDLE") or profile.get("ca_bundle") or None
        )


def format_request(request: httpx.Request) -> str:
    """A request as HTTP/1.1 text: request line, headers as sent (names as given, Host
    included), a blank line, the body; lines end with ``\\n``, and a ``\\n`` follows the body."""
    lines = [f"{request.method} {request.url.raw_path.decode('ascii')} HTTP/1.1"]
    lines += [
        f"{name.decode('latin-1')}: {value.decode('latin-1')}"
        for name, value in request.headers.raw
    ]
    return "\n".join(lines) + "\n\n" + request.content.decode("utf-8") + "\n"


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


def _parameters(
    operation: Operation, args: argparse.Namespace, settings: Settings
) -> dict[str, Any]:
    """``--cli-input-json``/``-yaml`` first, then each option's converted value."""
    params: dict[str, Any] = {}
    for option in ("--cli-input-json", "--cli-input-yaml"):
        value = getattr(args, option[2:].replace("-", "_"), None)
        if value is not None:
            params.update(load_input(operation, value, option, settings.binary_format))
    given: dict[str, tuple[str, Any]] = getattr(args, PARAMS, {})
    missing = [
        name
        for name in operation.input.members
        if name in operation.input.required and name not in params and name not in given
    ]
    if missing and args.generate_cli_skeleton != "input":
        parser: argparse.ArgumentParser = args.command_parser
        parser.error(
            "the following arguments are required: " + ", ".join(option_name(n) for n in missing)
        )
    members = operation.input.members
    for name, (option, raw) in given.items():
        params[name] = convert_member(members[name], raw, option, settings.binary_format)
    return params


class _BadCABundle:
    """A CA bundle that could not be loaded. As in the AWS CLI, that fails the first HTTPS
    request (``SSL validation failed for URL [Errno 2] No such file or directory``, 255),
    not the command line: an http:// endpoint never reads it."""

    def __init__(self, error: Exception) -> None:
        self.error = error


def _http_client(
    args: argparse.Namespace, settings: Settings
) -> tuple[httpx.Client | None, _BadCABundle | None]:
    """An httpx client of the command line's own, only for what ``Config`` cannot say:
    no TLS verification, a CA bundle, a timeout of 0 (none)."""
    connect, read = args.connect_timeout, args.read_timeout
    if args.verify_ssl and settings.ca_bundle is None and connect != 0 and read != 0:
        return None, None
    import httpx

    verify: Any = False if not args.verify_ssl else settings.ca_bundle or True
    bad: _BadCABundle | None = None
    if isinstance(verify, str):
        import os
        import ssl

        path = os.path.expanduser(verify)
        try:
            verify = ssl.create_default_context(cafile=path)
        except (OSError, ssl.SSLError) as error:
            verify, bad = True, _BadCABundle(error)

    def seconds(value: int | None) -> float | None:
        return 60.0 if value is None else None if value == 0 else float(value)

    timeout = httpx.Timeout(
        connect=seconds(connect), read=seconds(read), write=seconds(read), pool=60.0
    )
    return httpx.Client(verify=verify, timeout=timeout), bad


def _ssl_failure(error: BaseException) -> BaseException | None:
    """The ``ssl`` error behind a failed exchange, if TLS is what failed."""
    import ssl

    seen: BaseException | None = error
    for _ in range(8):
        if seen is None:
            return None
        if isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _config(args: argparse.Namespace) -> Any:
    connect, read = args.connect_timeout, args.read_timeout
    if not connect and not read:
        return None  # the library's defaults, without making a Config
    from trentclient._config import Config

    return Config(
        connect_timeout=float(connect or Config().connect_timeout),
        read_timeout=float(read or Config().read_timeout),
    )


def _refuse(request: httpx.Request) -> httpx.Response:
    raise AssertionError("--dry-run never sends")  # pragma: no cover - nothing sends


def _dry_run(operation: Operation, params: dict[str, Any], args: argparse.Namespace) -> int:
    """Print the signed request. Without credentials, sign with fake keys and say so."""
    import httpx

    from trentclient._client import Client
    from trentclient._exceptions import NoCredentialsError

    with httpx.Client(transport=httpx.MockTransport(_refuse)) as http:
        kwargs: dict[str, Any] = {
            "region_name": args.region,
            "endpoint_url": args.endpoint_url,
            "profile_name": args.profile,
            "http_client": http,
        }
        try:
            with Client(**kwargs) as client:
                request = client.build_request(operation.name, params)
        except NoCredentialsError:
            kwargs.pop("profile_name")
            with Client(
                aws_access_key_id=FAKE_ACCESS_KEY, aws_secret_access_key=FAKE_SECRET_KEY, **kwargs
            ) as client:
                request = client.build_request(operation.name, params)
            sys.stderr.write(
                f"trentclient: no credentials found; the request below is signed with the fake "
                f"key {FAKE_ACCESS_KEY}, so KMS would refuse it.\n"
            )
    sys.stdout.write(format_request(request))
    return EXIT_OK


def _show(
    operation: Operation, data: Any, settings: Settings, query: Any, args: argparse.Namespace
) -> None:
    if isinstance(data, dict):
        data = {key: item for key, item in data.items() if key != "ResponseMetadata"}
    value = plain(operation.output, data, settings.timestamps)
    if query is not None:
        value = query.search(value)
    sys.stdout.write(render(operation.name, value, settings.output, color=args.color))


def _call(operation: Operation, args: argparse.Namespace) -> int:
    from trentclient._client import Client
    from trentclient._protocol import serialize_body

    from ._paging import paging_for
    from ._skeleton import skeleton

    settings = Settings(args)
    query = compile_query(args.query) if args.query is not None else None
    params = _parameters(operation, args, settings)
    if args.generate_cli_skeleton == "input":
        import json

        from ._output import json_default

        sample = skeleton(operation.input)
        sys.stdout.write(json.dumps(sample, indent=4, default=json_default) + "\n")
        return EXIT_OK
    paging = paging_for(operation, args, params)
    log = _log()
    log.debug(
        "trentclient %s: %s with parameters %s",
        __version__,
        operation.name,
        ", ".join(params) or "(none)",
    )
    # Bad parameters are a command-line error (252) whatever the configuration.
    serialize_body(operation, params)
    if args.generate_cli_skeleton == "output":
        if operation.output is not None:
            _show(operation, skeleton(operation.output, names=True), settings, query, args)
        return EXIT_OK
    if args.dry_run:
        if paging.enabled:  # the first page's request, as the walk would send it
            from trentclient._paginate import PageCursor, PagingPlan

            plan = PagingPlan(operation, {**params, "PaginationConfig": paging.config})
            params = PageCursor(plan).next_params() or params
        return _dry_run(operation, params, args)
    from trentclient._exceptions import TransportError

    http, bad_ca_bundle = _http_client(args, settings)
    try:
        with Client(
            region_name=args.region,
            endpoint_url=args.endpoint_url,
            profile_name=args.profile,
            config=_config(args),
            http_client=http,
        ) as client:
            log.debug("region %s, endpoint %s", client.region_name, client.endpoint_url)
            # botocore's words for a TLS failure: SSL validation failed for URL REASON
            url = client.endpoint_url.rstrip("/") + "/"
            if bad_ca_bundle is not None and url.startswith("https:"):
                raise CLIError(f"SSL validation failed for {url} {bad_ca_bundle.error}", EXIT_OTHER)
            try:
                result = _request(client, operation, params, paging, settings, query, args)
            except TransportError as error:
                reason = _ssl_failure(error)
                if reason is None:
                    raise
                raise CLIError(f"SSL validation failed for {url} {reason}", EXIT_OTHER) from error
            if result is None:
                return EXIT_OK
    finally:
        if http is not None:
            http.close()
    _show(operation, result, settings, query, args)
    return EXIT_OK


def _request(
    client: Any,
    operation: Operation,
    params: dict[str, Any],
    paging: Any,
    settings: Settings,
    query: Any,
    args: argparse.Namespace,
) -> Any:
    """The answer to show, or None when text output already printed each page."""
    from ._paging import paginate, text_pages

    if paging.enabled:
        pages = paginate(client, operation, params, paging)
        if settings.output == "text":
            text_pages(pages, lambda page: _show(operation, page, settings, query, args))
            return None
        return pages.build_full_result()
    result = getattr(client, operation.method_name)(**params)
    meta = result.get("ResponseMetadata", {})
    _log().debug(
        "answered: HTTP %s, request id %s, %s retries",
        meta.get("HTTPStatusCode"),
        meta.get("RequestId"),
        meta.get("RetryAttempts"),
    )
    return result


def run_operation(args: argparse.Namespace) -> int:
    """Run the chosen operation; every failure becomes a message and an exit status."""
    from trentclient._generated._shapes import OPERATIONS

    operation = OPERATIONS[args.operation]
    with _debug_logging(args.debug):
        try:
            return _call(operation, args)
        except (Exception, KeyboardInterrupt) as error:
            if args.debug:
                _log().debug("%s", type(error).__name__, exc_info=error)
            status, message = describe_failure(error)
            if isinstance(error, KeyboardInterrupt):
                sys.stdout.write("\n")
            else:
                write_error(message)
            return status


def _help_word(argv: list[str]) -> list[str]:
    """``trentclient help`` and ``trentclient COMMAND help``, as the AWS CLI's ``help``."""
    if argv == ["help"]:
        return ["--help"]
    if len(argv) >= 2 and argv[-1] == "help" and argv[-2] in command_names():
        return [*argv[:-1], "--help"]
    return argv


def _unknown(parser: argparse.ArgumentParser, args: argparse.Namespace, extras: list[str]) -> None:
    """Options (or words) no parser took: the command's usage, "Unknown options", and the
    options they were probably meant to be. Exits 252."""
    target: argparse.ArgumentParser = getattr(args, "command_parser", None) or parser
    message = "Unknown options: " + ", ".join(extras)
    known = [option for action in target._actions for option in action.option_strings]
    hints = [
        f"{extra} -> {', '.join(matches)}"
        for extra in extras
        if extra.startswith("--") and (matches := close_matches(extra.split("=")[0], known, 0.7))
    ]
    if hints:
        message += "\n\nmaybe you meant:\n" + "".join(f"\n  * {hint}" for hint in hints)
    target.error(message)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    Usage errors, ``--help`` and ``--version`` exit through argparse (``SystemExit`` with
    252, 0 and 0), as argparse programs do.
    """
    words = _help_word(list(sys.argv[1:] if argv is None else argv))
    parser = build_parser()
    args, extras = parser.parse_known_args(words)
    if extras:
        _unknown(parser, args, extras)
    if args.command is None:
        parser.print_usage(sys.stderr)
        sys.stderr.write(
            "trentclient: error: the following arguments are required: COMMAND\n"
            "Run `trentclient help` for the list of commands.\n"
        )
        return EXIT_USAGE
    if args.command == "demo":
        from trentclient._demo import run_demo

        try:
            return run_demo()
        except Exception as error:  # the demo reports any failure readably
            print(f"demo failed: {type(error).__name__}: {error}", file=sys.stderr)
            return EXIT_OTHER
    return run_operation(args)
