"""The ``trentclient`` command (also ``python -m trentclient``).

Exit codes follow the AWS CLI: 0 success, 252 bad command line or parameters, 254 an error
answer from the service, 255 anything else.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ._version import __version__

__all__ = ["main"]

EXIT_OK = 0
EXIT_USAGE = 252
EXIT_SERVICE = 254
EXIT_OTHER = 255


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="trentclient", description="A small AWS KMS client.")
    parser.add_argument("--version", action="version", version=f"trentclient {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "demo",
        help="run a key-rotation walk-through against a local KMS emulator (needs moto)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "demo":
        from ._demo import run_demo

        try:
            return run_demo()
        except Exception as error:  # the demo reports any failure readably
            print(f"demo failed: {type(error).__name__}: {error}", file=sys.stderr)
            return EXIT_OTHER
    parser.print_help(sys.stderr)
    return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
