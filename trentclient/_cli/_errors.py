"""Exit statuses and error messages, as AWS CLI v2 gives them.

=====  ============================================================================
 0     success
 130   interrupted (Ctrl-C)
 252   the command line or a parameter is wrong (unknown option, bad value, a
       parameter the model refuses): nothing was sent
 253   configuration: no region, no credentials, a bad profile or config file
 254   the service answered with an error
 255   anything else (the network, an answer that cannot be read, pagination)
=====  ============================================================================

AWS CLI v2 also documents 1 and 2, for commands that run partly (``aws s3``'s skipped
files); no ``aws kms`` command returns them, and neither does trentclient: a command line
that cannot be parsed is 252, as in v2. AWS CLI v1 differs: it exits 2 for argparse's
errors and 255 for the rest of what v2 calls 252 and 253.

Every message goes to stderr after a blank line, as both AWS CLIs write them.
"""

from __future__ import annotations

import sys

__all__ = [
    "EXIT_CONFIG",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_OTHER",
    "EXIT_SERVICE",
    "EXIT_USAGE",
    "CLIError",
    "ParamError",
    "describe_failure",
    "write_error",
]

EXIT_OK = 0
EXIT_USAGE = 252
EXIT_CONFIG = 253
EXIT_SERVICE = 254
EXIT_OTHER = 255
EXIT_INTERRUPTED = 130

#: What to add after the library's message, in the command line's words.
_REGION_HINT = (
    " Set a region with --region, AWS_REGION or AWS_DEFAULT_REGION, or `region = ...` in the "
    "profile of the shared config file."
)
_CREDENTIALS_HINT = (
    ". Give credentials with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile "
    "(--profile or AWS_PROFILE) from the shared credentials and config files."
)


class CLIError(Exception):
    """A failure the command line itself reports, with its exit status."""

    def __init__(self, message: str, status: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.status = status


class ParamError(CLIError):
    """A value that cannot be read for an option: the AWS CLI's wording,
    ``Error parsing parameter '--policy': Unable to load paramfile file://nope.json: ...``."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(f"Error parsing parameter '{option}': {message}", EXIT_USAGE)
        self.option = option
        self.detail = message


def write_error(message: str) -> None:
    """A message on stderr the way the AWS CLI writes it: a blank line, then the text."""
    sys.stderr.write("\n" + message.rstrip("\n") + "\n")


def describe_failure(error: BaseException) -> tuple[int, str]:
    """The exit status and the message for an exception that ended a command."""
    from trentclient import _exceptions as errors

    if isinstance(error, CLIError):
        return error.status, str(error)
    if isinstance(error, KeyboardInterrupt):
        return EXIT_INTERRUPTED, ""
    if isinstance(error, errors.ServiceError):
        return EXIT_SERVICE, str(error)
    if isinstance(error, errors.ParamValidationError):
        return EXIT_USAGE, str(error)
    if isinstance(error, errors.NoRegionError):
        return EXIT_CONFIG, "You must specify a region." + _REGION_HINT
    if isinstance(error, errors.NoCredentialsError):
        return EXIT_CONFIG, "Unable to locate credentials" + _CREDENTIALS_HINT
    configuration = tuple(
        getattr(errors, name)
        for name in (
            "ProfileNotFound",
            "PartialCredentialsError",
            "InvalidConfigError",
            "ConfigParseError",
            "CredentialRetrievalError",
            "UnauthorizedSSOTokenError",
            "InfiniteLoopConfigError",
            "MissingDependencyException",
        )
        if isinstance(getattr(errors, name, None), type)
    )
    if configuration and isinstance(error, configuration):
        return EXIT_CONFIG, str(error)
    if isinstance(error, errors.TrentError):
        return EXIT_OTHER, str(error)
    return EXIT_OTHER, f"{type(error).__name__}: {error}"
