"""``credential_process``: credentials from a program the profile names (botocore's
``custom-process``).

The command line is split as botocore splits it (``shlex`` rules; Windows' rules on Windows)
and run without a shell, stdin closed. Its stdout must be JSON with ``"Version": 1`` (the
integer, as botocore), ``AccessKeyId`` and ``SecretAccessKey``; ``SessionToken``,
``Expiration`` (ISO 8601) and ``AccountId`` (else the profile's ``aws_account_id``) are
optional. With ``Expiration`` the keys are refreshed by running the program again; without it
they are kept for good. A non-zero exit gives a ``CredentialRetrievalError`` carrying the
program's stderr (as botocore). ``AsyncClient`` runs it with asyncio's subprocesses, never
blocking the loop.

Differences from botocore: the program runs on the first call, not while the client is built;
output that is not JSON, or JSON of the wrong shape, is a ``CredentialRetrievalError`` (botocore
lets a ``JSONDecodeError`` or ``AttributeError`` escape); a program that runs longer than
:data:`TIMEOUT` seconds is stopped (botocore waits for ever).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping

from ._context import SourceBase
from ._env import parse_expiry
from ._flow import Flow, Keys, ProcessResult, RunProcess

__all__ = ["ProcessSource", "split_command"]

#: Seconds a credential_process may run.
TIMEOUT = 300.0
_MAX_STDERR = 4096


def split_command(command: str) -> list[str]:
    """botocore's ``compat_shell_split`` on POSIX (``shlex.split``). On Windows, ``shlex`` in
    non-POSIX mode with the quotes removed: close to, not exactly, botocore's own parser."""
    import shlex

    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        return [part.strip('"') for part in shlex.split(command, posix=False)]
    return shlex.split(command)


class ProcessSource(SourceBase):
    """Runs the profile's ``credential_process`` at each fetch."""

    method = "custom-process"

    def __init__(self, profile_name: str, profile: Mapping[str, str]) -> None:
        super().__init__(profile_name)
        command = profile.get("credential_process", "")
        try:
            self._argv = split_command(command)
        except ValueError as exc:
            from trentclient._exceptions import InvalidConfigError

            raise InvalidConfigError(
                f"credential_process of profile {profile_name!r} cannot be split into a "
                f"command line: {exc}"
            ) from None
        if not self._argv:
            from trentclient._exceptions import InvalidConfigError

            raise InvalidConfigError(f"credential_process of profile {profile_name!r} is empty")
        self._account_id = profile.get("aws_account_id") or None

    def flow(self) -> Flow[Keys | None]:
        result: ProcessResult = yield RunProcess(self._argv, TIMEOUT)
        program = self._argv[0]
        if result.returncode is None:
            raise self.error(f"credential_process {program!r}: {result.error}")
        if result.returncode != 0:
            stderr = result.stderr[:_MAX_STDERR].decode("utf-8", "replace").strip()
            raise self.error(
                f"credential_process {program!r} exited with status {result.returncode}"
                + (f": {stderr}" if stderr else "")
            )
        try:
            parsed = json.loads(result.stdout.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise self.error(
                f"credential_process {program!r} did not print a JSON object"
            ) from None
        if not isinstance(parsed, dict):
            raise self.error(f"credential_process {program!r} did not print a JSON object")
        version = parsed.get("Version", "<Version key not provided>")
        if version != 1 or isinstance(version, bool):
            raise self.error(
                f"Unsupported version '{version}' for credential process provider, "
                "supported versions: 1"
            )
        values: dict[str, str] = {}
        for key in ("AccessKeyId", "SecretAccessKey"):
            value = parsed.get(key)
            if value is None:
                raise self.error(f"Missing required key in response: '{key}'")
            if not isinstance(value, str):
                raise self.error(f"{key} in the output is not a string")
            values[key] = value
        token = parsed.get("SessionToken")
        expiration = parsed.get("Expiration")
        account_id = parsed.get("AccountId") or self._account_id
        for key, value in (
            ("SessionToken", token),
            ("Expiration", expiration),
            ("AccountId", account_id),
        ):
            if value is not None and not isinstance(value, str):
                raise self.error(f"{key} in the output is not a string")
        expiry = None
        if expiration:
            try:
                expiry = parse_expiry(expiration, "Expiration in the output")
            except Exception as exc:
                raise self.error(str(exc).split(": ", 1)[-1]) from None
        try:
            return Keys(
                values["AccessKeyId"],
                values["SecretAccessKey"],
                token or None,
                expiry=expiry,
                account_id=account_id,
            )
        except (TypeError, ValueError) as exc:
            raise self.error(
                f"credential_process {program!r} printed unusable keys: {exc}"
            ) from None
