"""botocore as an explicit opt-in: its whole chain (``use_botocore=True``), or ``login_session``.

``login_session`` profiles (``aws login``) need DPoP request signing with an EC key, which
botocore does through ``botocore[crt]``; trentclient does not reimplement it. Nothing here is
imported unless one of those two applies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from trentclient._exceptions import NoCredentialsError, ProfileNotFound

__all__ = [
    "BOTOCORE_EXTRA_HINT",
    "BotocoreCredentialProvider",
    "botocore_provider",
    "import_botocore_session",
]

if TYPE_CHECKING:
    from trentclient._credvalue import Credentials

BOTOCORE_EXTRA_HINT: Final = "pip install 'trentclient[botocore]'"


class BotocoreCredentialProvider:
    """Wraps a botocore ``Credentials`` / ``RefreshableCredentials`` object.

    Each call takes ``get_frozen_credentials()`` (botocore refreshes when needed and
    handles its own locking) and returns them as :class:`Credentials`; the converted
    object is reused while botocore's answer is unchanged.
    """

    __slots__ = ("_botocore_credentials", "_last", "_task")

    def __init__(self, botocore_credentials: Any) -> None:
        if not callable(getattr(botocore_credentials, "get_frozen_credentials", None)):
            raise TypeError(
                "BotocoreCredentialProvider needs a botocore Credentials object "
                f"(with get_frozen_credentials()), not {type(botocore_credentials).__name__}"
            )
        self._botocore_credentials = botocore_credentials
        self._last: tuple[tuple[Any, Any, Any], Credentials] | None = None
        self._task: Any = None

    @property
    def botocore_credentials(self) -> Any:
        """The wrapped botocore object."""
        return self._botocore_credentials

    @property
    def method(self) -> str:
        """botocore's name for the source, e.g. ``"sso"``, ``"custom-process"``, ``"iam-role"``."""
        method = getattr(self._botocore_credentials, "method", None)
        return method if isinstance(method, str) and method else "botocore"

    def get_credentials(self) -> Credentials:
        try:
            frozen = self._botocore_credentials.get_frozen_credentials()
            parts = (frozen.access_key, frozen.secret_key, frozen.token or None)
        except Exception as exc:
            raise NoCredentialsError(
                f"botocore could not provide credentials (method {self.method!r}): "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        last = self._last
        if last is not None and last[0] == parts:
            return last[1]
        from trentclient._credvalue import Credentials

        try:
            credentials = Credentials(*parts)
        except (TypeError, ValueError) as exc:
            raise NoCredentialsError(
                f"botocore returned unusable credentials (method {self.method!r}): {exc}"
            ) from exc
        self._last = (parts, credentials)
        return credentials

    async def aget_credentials(self) -> Credentials:
        """For the event loop: when botocore must refresh (a blocking STS/SSO/IMDS call), it
        runs once in a worker thread however many calls wait; otherwise no thread is used."""
        import asyncio

        refresh_needed = getattr(self._botocore_credentials, "refresh_needed", None)
        if refresh_needed is None or not refresh_needed():
            return self.get_credentials()
        task = self._task
        if task is None or task.done():
            task = asyncio.get_running_loop().create_task(asyncio.to_thread(self.get_credentials))
            self._task = task
        result: Credentials = await asyncio.shield(task)
        return result

    def __repr__(self) -> str:
        return f"{type(self).__name__}(method={self.method!r})"


def import_botocore_session(required: bool, why: str) -> Any:
    """The ``botocore.session`` module; ``None`` when not installed and not ``required``.

    ``why`` completes the error message when it is required but missing.
    """
    try:
        import botocore.exceptions  # type: ignore[import-untyped]  # noqa: TID251
        import botocore.session  # type: ignore[import-untyped]  # noqa: TID251
    except ImportError as exc:
        if required:
            from trentclient._exceptions import MissingDependencyException

            raise MissingDependencyException(
                f"{why}, but botocore is not installed: {BOTOCORE_EXTRA_HINT}"
            ) from exc
        return None
    return botocore.session


def botocore_provider(
    botocore_session: Any, profile_name: str | None
) -> BotocoreCredentialProvider | None:
    """botocore's whole chain (it reads ``os.environ`` and the real files)."""
    import botocore.exceptions  # noqa: TID251

    try:
        session = botocore_session.Session(profile=profile_name)
        found = session.get_credentials()
    except botocore.exceptions.PartialCredentialsError as exc:
        from trentclient._exceptions import PartialCredentialsError

        raise PartialCredentialsError(f"botocore: {exc}") from exc
    except botocore.exceptions.ProfileNotFound as exc:
        raise ProfileNotFound(
            f"The config profile ({profile_name or 'named by AWS_PROFILE'}) could not be "
            "found by botocore"
        ) from exc
    except Exception as exc:
        where = f"profile {profile_name!r}" if profile_name else "the default chain"
        raise NoCredentialsError(
            f"botocore could not load credentials for {where}: {type(exc).__name__}: {exc}"
        ) from exc
    return None if found is None else BotocoreCredentialProvider(found)
