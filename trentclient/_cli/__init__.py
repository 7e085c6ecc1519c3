"""The ``trentclient`` command line: one subcommand per KMS operation, used like ``aws kms``.

Grammar::

    trentclient [GLOBAL OPTIONS] COMMAND [PARAMETERS] [GLOBAL OPTIONS]
    trentclient COMMAND help          (or --help)
    trentclient help

``COMMAND`` is the operation name in kebab case (``EnableKeyRotation`` ->
``enable-key-rotation``), or ``demo``. The modules, one concern each:

- ``_parser``: the grammar (options from the model, built lazily), "maybe you meant";
- ``_values`` and ``_shorthand``: option values by model type, ``file://``, shorthand;
- ``_help``: help text from the model;
- ``_paging``: automatic pagination and its options, botocore's tokens;
- ``_output`` and ``_table``: json, text, table and yaml as the AWS CLI prints them;
- ``_skeleton``: ``--generate-cli-skeleton``;
- ``_errors``: AWS CLI v2's exit statuses and messages;
- ``_run``: settings, the client, the call.

Nothing here is imported by ``import trentclient``; jmespath and ruamel.yaml are imported only
when a command needs them.
"""

from __future__ import annotations

from ._errors import (
    EXIT_CONFIG,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_OTHER,
    EXIT_SERVICE,
    EXIT_USAGE,
)
from ._output import format_text
from ._parser import build_parser, command_name, option_name
from ._run import format_request, main

__all__ = [
    "EXIT_CONFIG",
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
