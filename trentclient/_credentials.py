"""AWS credentials, the credential lookup chain, and region resolution.

Nothing here needs botocore. When botocore is installed (``pip install
'trentclient[botocore]'``) it is used, lazily, as the last step of the chain for
everything that is not a static key pair: SSO, assume-role, web identity,
``credential_process``, ``login_session``, the ECS/EKS container endpoint and EC2
instance metadata (IMDS).

The credential chain (:func:`resolve_credential_provider`)
----------------------------------------------------------

1. **Explicit arguments**: ``access_key`` *and* ``secret_key`` (``token`` optional).
   Giving only one of the two (or a token alone) is an error, as botocore's
   ``PartialCredentialsError``. Explicit keys never touch the environment or files.
2. **Environment**: ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` with the token
   from ``AWS_SECURITY_TOKEN`` or else ``AWS_SESSION_TOKEN`` (botocore's order).
   Skipped when ``profile_name=`` is passed, as botocore skips it for
   ``Session(profile=...)``; ``AWS_PROFILE`` does *not* skip it.
3. **The profile**: its name is ``profile_name=``, else ``AWS_DEFAULT_PROFILE``,
   else ``AWS_PROFILE`` (botocore's order), else ``default``. A profile that was
   *named* (argument or environment) but is in neither shared file raises
   :class:`~trentclient._exceptions.ProfileNotFound`, as botocore does, even when
   the environment holds keys. Then, in botocore's order:

   a. if the profile (or, when no ``profile_name=`` was passed, the environment's
      ``AWS_WEB_IDENTITY_TOKEN_FILE``) configures assume-role (``role_arn``), web
      identity or SSO, botocore's chain is used: botocore would use those *before*
      any static keys of the same profile, and using the keys instead would
      silently give a different identity;
   b. static ``aws_access_key_id`` / ``aws_secret_access_key`` (token from
      ``aws_security_token`` or else ``aws_session_token``) in section ``[NAME]`` of
      the shared credentials file (``AWS_SHARED_CREDENTIALS_FILE``, default
      ``~/.aws/credentials``);
   c. if the profile uses ``credential_process`` or ``login_session``: botocore;
   d. static keys in ``[profile NAME]`` (or ``[default]`` / ``[profile default]``)
      of the config file (``AWS_CONFIG_FILE``, default ``~/.aws/config``).

4. **botocore's full chain** (only if botocore is importable and
   ``use_botocore`` is not ``False``): ``botocore.session.Session(profile=...)``
   ``.get_credentials()``. botocore reads the *real process environment*
   (``os.environ``) and the real files, not the ``environ`` / ``read_text`` given
   here. The result refreshes itself (botocore does the refreshing).
5. Otherwise :class:`~trentclient._exceptions.NoCredentialsError`, whose message
   lists every place that was looked at and how to enable the botocore step.

File paths go through ``$VAR`` and ``~`` expansion against ``environ`` (``HOME``).
A path variable that is set but empty means "no such file", as in botocore.
Files are read as UTF-8; a missing or unreadable file counts as absent.

The region (:func:`resolve_region`)
-----------------------------------

``region_name=``, ``AWS_REGION``, ``AWS_DEFAULT_REGION``, then the profile's
``region`` (credentials-file values override config-file values for the same
profile, as in botocore's merged ``full_config``), else
:class:`~trentclient._exceptions.NoRegionError`. Values are stripped; empty values
count as unset. (botocore itself does not read ``AWS_REGION``; the other AWS SDKs do.)

Secrets
-------

No secret key or session token ever appears in a ``repr``, a ``str``, an exception
message or a log record. Error messages name variables, files, profiles and keys,
never values.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Final, Protocol, TypeAlias, runtime_checkable

if TYPE_CHECKING:
    import configparser

    from ._credvalue import Credentials

from ._exceptions import (
    ConfigParseError,
    NoCredentialsError,
    NoRegionError,
    ProfileNotFound,
)

__all__ = [
    "BotocoreCredentialProvider",
    "ConfigParseError",
    "CredentialProvider",
    "Profile",
    "StaticCredentialProvider",
    "load_profile",
    "parse_ini",
    "resolve_credential_provider",
    "resolve_region",
]

#: ``read_text(path)``: the file's text, or None when it is absent.
ReadText: TypeAlias = Callable[[str], str | None]

BOTOCORE_EXTRA_HINT: Final = (
    "pip install 'trentclient[botocore]' to enable SSO, assume-role, web identity, "
    "credential_process, container (ECS/EKS) and EC2 instance metadata (IMDS) credentials"
)

DEFAULT_CREDENTIALS_FILE: Final = "~/.aws/credentials"
DEFAULT_CONFIG_FILE: Final = "~/.aws/config"

# C0 and C1 control characters (CR, LF, NUL, ESC, DEL, NEL, ...) and the Unicode
# line/paragraph separators: none of these belong in a key, and CR/LF would split
# an HTTP header.
_FORBIDDEN_CHARS: Final = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


# -- credentials -------------------------------------------------------------------------------


def check_text(name: str, value: object, *, optional: bool = False) -> None:
    """Validate one credential part without ever putting its value in a message."""
    if value is None and optional:
        return
    if not isinstance(value, str):
        expected = "a str or None" if optional else "a str"
        raise TypeError(f"Credentials.{name} must be {expected}, not {type(value).__name__}")
    if not value:
        raise ValueError(f"Credentials.{name} must not be empty")
    if _FORBIDDEN_CHARS.search(value) is not None:
        raise ValueError(
            f"Credentials.{name} contains a control character (CR, LF or similar); "
            "check for a stray newline or carriage return"
        )


# -- providers ---------------------------------------------------------------------------------


@runtime_checkable
class CredentialProvider(Protocol):
    """Gives the credentials to sign one request with; called once per request."""

    def get_credentials(self) -> Credentials: ...


class StaticCredentialProvider:
    """Always the same :class:`Credentials` object.

    ``method`` says where they came from: ``"explicit"``, ``"env"``,
    ``"shared-credentials-file"`` or ``"config-file"`` (botocore's names). A plain class
    rather than an attrs one, and it keeps the keys themselves (``access_key``,
    ``secret_key``, ``token``): a client built from static keys signs with them directly and
    makes the attrs ``Credentials`` value only if someone asks (attrs takes ~10 ms to import,
    which is most of what a first client would otherwise cost after httpx).
    """

    __slots__ = ("_credentials", "access_key", "method", "secret_key", "token")

    #: Signers read ``access_key``/``secret_key``/``token`` off this provider directly.
    fixed_keys: ClassVar[bool] = True

    access_key: str
    secret_key: str
    token: str | None
    method: str
    _credentials: Credentials | None

    def __init__(self, credentials: Credentials, method: str = "explicit") -> None:
        from ._credvalue import Credentials

        if not isinstance(credentials, Credentials):
            raise TypeError(
                f"StaticCredentialProvider needs Credentials, not {type(credentials).__name__}"
            )
        if not isinstance(method, str):
            raise TypeError(f"method must be a str, not {type(method).__name__}")
        self._set(credentials.access_key, credentials.secret_key, credentials.token, method)
        self._credentials = credentials

    @classmethod
    def from_keys(
        cls, access_key: str, secret_key: str, token: str | None = None, method: str = "explicit"
    ) -> StaticCredentialProvider:
        """Checked as ``Credentials(access_key, secret_key, token)`` would be, without attrs."""
        check_text("access_key", access_key)
        check_text("secret_key", secret_key)
        check_text("token", token, optional=True)
        self = cls.__new__(cls)
        self._set(access_key, secret_key, token, method)
        self._credentials = None
        return self

    def _set(self, access_key: str, secret_key: str, token: str | None, method: str) -> None:
        setter = object.__setattr__
        setter(self, "access_key", access_key)
        setter(self, "secret_key", secret_key)
        setter(self, "token", token)
        setter(self, "method", method)

    def __setattr__(self, name: str, value: object) -> None:
        if name != "_credentials":
            raise AttributeError(f"StaticCredentialProvider.{name} is read-only")
        object.__setattr__(self, name, value)

    @property
    def credentials(self) -> Credentials:
        """The ``Credentials`` value (made on first use)."""
        made = self._credentials
        if made is None:
            from ._credvalue import Credentials

            made = self._credentials = Credentials(self.access_key, self.secret_key, self.token)
        return made

    def __repr__(self) -> str:
        return f"StaticCredentialProvider(credentials={self.credentials!r}, method={self.method!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StaticCredentialProvider):
            return NotImplemented
        return (self.credentials, self.method) == (other.credentials, other.method)

    def __hash__(self) -> int:
        return hash((self.credentials, self.method))

    def __reduce__(self) -> tuple[object, ...]:
        return (StaticCredentialProvider, (self.credentials, self.method))

    def get_credentials(self) -> Credentials:
        return self.credentials


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
        from ._credvalue import Credentials

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


# -- the shared files --------------------------------------------------------------------------


def _describe_parse_error(exc: configparser.Error) -> str:
    import configparser

    # configparser's own messages quote the offending line, which may be a secret:
    # only section/option names and line numbers are used here.
    if isinstance(exc, configparser.MissingSectionHeaderError):
        return f"line {exc.lineno}: a key appears before any [section] header"
    if isinstance(exc, configparser.ParsingError):
        lines = ", ".join(str(lineno) for lineno, _line in exc.errors)
        return f"line(s) {lines}: not a [section] header, a 'key = value' line or a comment"
    if isinstance(exc, configparser.DuplicateSectionError):
        return f"line {exc.lineno}: section [{exc.section}] appears more than once"
    if isinstance(exc, configparser.DuplicateOptionError):
        return (
            f"line {exc.lineno}: key {exc.option!r} appears more than once "
            f"in section [{exc.section}]"
        )
    return f"malformed file ({type(exc).__name__})"


def parse_ini(text: str, *, path: str = "<string>") -> dict[str, dict[str, str]]:
    """Parse a shared AWS config/credentials file the way botocore does.

    The result maps each section name (as written, case kept) to its keys
    (lower-cased, as ``configparser`` does) and values (stripped). It is botocore's
    ``raw_config_parse(path, parse_subsections=False)``: a ``configparser``
    ``RawConfigParser`` (``=`` or ``:`` separators, whole-line ``#`` / ``;``
    comments, no interpolation, no inline comments, ``[DEFAULT]`` values inherited
    by every section). An indented sub-section such as ``s3 =`` followed by
    indented ``key = value`` lines is kept as its raw text (starting with a
    newline); as in botocore, a sub-section line without ``=`` is an error.

    Raises :class:`ConfigParseError` (naming ``path`` and line numbers only).
    """
    import configparser  # only when a shared file exists: keeps `import trentclient` cheap

    parser = configparser.RawConfigParser()
    problem: str | None = None
    try:
        # Files are read with universal newlines; do the same for given text.
        parser.read_string(text.replace("\r\n", "\n").replace("\r", "\n"), source=path)
    except configparser.Error as exc:
        problem = _describe_parse_error(exc)
    if problem is not None:
        # Raised outside the except block so no __context__ carries the line's text.
        raise ConfigParseError(f"Unable to parse {path}: {problem}")
    result: dict[str, dict[str, str]] = {}
    for section in parser.sections():
        values: dict[str, str] = {}
        for option in parser.options(section):
            value = parser.get(section, option)
            if value.startswith("\n"):
                for line in value.splitlines():
                    if line.strip() and "=" not in line:
                        raise ConfigParseError(
                            f"Unable to parse {path}: the indented block under key "
                            f"{option!r} in section [{section}] has a line without '='"
                        )
            values[option] = value
        result[section] = values
    return result


def _config_profiles(sections: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """Profiles of a *config* file, as botocore's ``build_profile_map``.

    ``[default]`` and ``[profile NAME]`` (``NAME`` may be quoted; ``[profile
    default]`` counts) are profiles; any other section is not. When a profile
    appears twice (``[default]`` and ``[profile default]``), the later one wins.
    """
    import shlex

    profiles: dict[str, dict[str, str]] = {}
    for key, values in sections.items():
        if key.startswith("profile"):
            try:
                parts = shlex.split(key)
            except ValueError:
                continue
            if len(parts) == 2:
                profiles[parts[1]] = dict(values)
        elif key.startswith(("sso-session", "services")):
            continue
        elif key == "default":
            profiles[key] = dict(values)
    return profiles


_VAR_PATTERN: Final = r"\$(\w+|\{[^}]*\})"  # compiled (and cached) by re on first use


def _expand_path(path: str, environ: Mapping[str, str]) -> str:
    """``os.path.expandvars`` then ``os.path.expanduser``, against ``environ``."""
    if "$" in path:

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("{"):
                name = name[1:-1]
            value = environ.get(name)
            return match.group(0) if value is None else value

        path = re.sub(_VAR_PATTERN, substitute, path, flags=re.ASCII)
    if path == "~" or path.startswith(("~/", "~" + os.sep)):
        home_var = "USERPROFILE" if os.name == "nt" else "HOME"
        home = environ.get(home_var)
        if home is not None:
            return (home.rstrip("/\\" if os.name == "nt" else "/") + path[1:]) or "/"
    return os.path.expanduser(path)


def _file_path(environ: Mapping[str, str], variable: str, default: str) -> str | None:
    raw = environ.get(variable)
    if raw is None:
        raw = default
    elif raw == "":
        return None  # set but empty: botocore then reads no file at all
    return _expand_path(raw, environ)


def _read_text_file(path: str) -> str | None:
    """The default ``read_text``: the file as UTF-8 text, or None if absent/unreadable."""
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except UnicodeDecodeError:
        problem = "it is not valid UTF-8"
    except OSError:
        return None
    raise ConfigParseError(f"Unable to parse {path}: {problem}")


def _profile_name_and_source(
    profile_name: str | None, environ: Mapping[str, str]
) -> tuple[str, str]:
    if profile_name is not None:
        if not isinstance(profile_name, str):
            raise TypeError(
                f"profile_name must be a str or None, not {type(profile_name).__name__}"
            )
        if profile_name.strip():
            return profile_name, "the profile_name argument"
    for variable in ("AWS_DEFAULT_PROFILE", "AWS_PROFILE"):
        value = environ.get(variable, "")
        if value.strip():
            return value, variable
    return "default", ""


class Profile:
    """What the two shared files say about one profile (see :func:`load_profile`).

    The sections may hold secrets, so they are left out of ``repr()`` and equality.

    - ``name``: the profile's name.
    - ``source``: what named it: ``"the profile_name argument"``, ``"AWS_DEFAULT_PROFILE"``,
      ``"AWS_PROFILE"``, or ``""`` for the implicit ``default``.
    - ``credentials_path`` / ``config_path``: the expanded file paths (None: the variable
      is set but empty), and ``credentials_file_found`` / ``config_file_found``.
    - ``credentials_section``: section ``[NAME]`` of the credentials file, or None;
      ``config_section``: profile ``NAME`` of the config file, or None.
    """

    __slots__ = (
        "config_file_found",
        "config_path",
        "config_section",
        "credentials_file_found",
        "credentials_path",
        "credentials_section",
        "name",
        "source",
    )

    def __init__(
        self,
        *,
        name: str,
        source: str,
        credentials_path: str | None,
        config_path: str | None,
        credentials_file_found: bool,
        config_file_found: bool,
        credentials_section: Mapping[str, str] | None,
        config_section: Mapping[str, str] | None,
    ) -> None:
        self.name = name
        self.source = source
        self.credentials_path = credentials_path
        self.config_path = config_path
        self.credentials_file_found = credentials_file_found
        self.config_file_found = config_file_found
        self.credentials_section = credentials_section
        self.config_section = config_section

    def _key(self) -> tuple[object, ...]:
        return (
            self.name,
            self.source,
            self.credentials_path,
            self.config_path,
            self.credentials_file_found,
            self.config_file_found,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Profile):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Profile(name={self.name!r}, source={self.source!r}, "
            f"credentials_path={self.credentials_path!r}, config_path={self.config_path!r}, "
            f"credentials_file_found={self.credentials_file_found!r}, "
            f"config_file_found={self.config_file_found!r})"
        )

    @property
    def named(self) -> bool:
        """Whether the profile was asked for (argument or environment), not implied."""
        return self.source != ""

    @property
    def exists(self) -> bool:
        return self.credentials_section is not None or self.config_section is not None

    @property
    def merged(self) -> dict[str, str]:
        """botocore's ``full_config`` view: config values overridden by credentials ones."""
        merged = dict(self.config_section or {})
        merged.update(self.credentials_section or {})
        return merged

    def describe_files(self, conjunction: str = "and") -> str:
        """Both files and whether they exist, for messages."""
        credentials = _describe_file(self.credentials_path, self.credentials_file_found)
        config = _describe_file(self.config_path, self.config_file_found)
        return (
            f"the shared credentials file ({credentials}) {conjunction} the config file ({config})"
        )


def _describe_file(path: str | None, found: bool) -> str:
    if path is None:
        return "disabled: its variable is set to an empty string"
    return path if found else f"{path}, which does not exist or cannot be read"


def _load_file(path: str | None, read_text: ReadText) -> tuple[bool, dict[str, dict[str, str]]]:
    if path is None:
        return False, {}
    text = read_text(path)
    if text is None:
        return False, {}
    return True, parse_ini(text, path=path)


def load_profile(
    profile_name: str | None = None,
    environ: Mapping[str, str] | None = None,
    read_text: ReadText | None = None,
) -> Profile:
    """Find a profile in the shared credentials file and the config file.

    The name is ``profile_name``, else ``AWS_DEFAULT_PROFILE``, else ``AWS_PROFILE``,
    else ``default`` (empty values count as unset). This does not raise for a missing
    profile: check :attr:`Profile.named` and :attr:`Profile.exists`.
    """
    if environ is None:
        environ = os.environ
    name, source = _profile_name_and_source(profile_name, environ)
    return _load_profile(name, source, environ, read_text)


def _load_profile(
    name: str, source: str, environ: Mapping[str, str], read_text: ReadText | None
) -> Profile:
    if read_text is None:
        read_text = _read_text_file
    credentials_path = _file_path(environ, "AWS_SHARED_CREDENTIALS_FILE", DEFAULT_CREDENTIALS_FILE)
    config_path = _file_path(environ, "AWS_CONFIG_FILE", DEFAULT_CONFIG_FILE)
    credentials_found, credentials_sections = _load_file(credentials_path, read_text)
    config_found, config_sections = _load_file(config_path, read_text)
    return Profile(
        name=name,
        source=source,
        credentials_path=credentials_path,
        config_path=config_path,
        credentials_file_found=credentials_found,
        config_file_found=config_found,
        credentials_section=credentials_sections.get(name),
        config_section=_config_profiles(config_sections).get(name),
    )


def _profile_not_found(profile: Profile) -> ProfileNotFound:
    return ProfileNotFound(
        f"The config profile ({profile.name}) could not be found: it was named by "
        f"{profile.source}, but it is in neither {profile.describe_files('nor')}"
    )


# -- the credential chain ----------------------------------------------------------------------

_ACCESS_KEY: Final = "aws_access_key_id"
_SECRET_KEY: Final = "aws_secret_access_key"
_TOKEN_KEYS: Final = ("aws_security_token", "aws_session_token")


def _needs_botocore_first(profile: Profile, environ: Mapping[str, str]) -> str | None:
    """Why botocore would use something other than static keys before them, if it would."""
    merged = profile.merged
    if profile.source != "the profile_name argument" and environ.get("AWS_WEB_IDENTITY_TOKEN_FILE"):
        return "web identity (AWS_WEB_IDENTITY_TOKEN_FILE is set)"
    if "web_identity_token_file" in merged:
        return "web identity (web_identity_token_file)"
    if "role_arn" in merged:
        return "assume-role (role_arn)"
    if "sso_account_id" in merged or "sso_role_name" in merged:
        return "IAM Identity Center / SSO (sso_account_id, sso_role_name)"
    return None


def _needs_botocore_before_config(profile: Profile) -> str | None:
    merged = profile.merged
    if "login_session" in merged:
        return "console login (login_session)"
    if "credential_process" in merged:
        return "credential_process"
    return None


def _static_from_section(
    section: Mapping[str, str] | None, *, method: str, where: str
) -> StaticCredentialProvider | None:
    """botocore's SharedCredentialProvider/ConfigProvider on one section."""
    if section is None or _ACCESS_KEY not in section:
        return None
    if _SECRET_KEY not in section:
        raise NoCredentialsError(
            f"Partial credentials found in {where}: {_ACCESS_KEY} is set but "
            f"{_SECRET_KEY} is missing"
        )
    token: str | None = None
    for key in _TOKEN_KEYS:
        if key in section:
            token = section[key]
            break
    for key in (_ACCESS_KEY, _SECRET_KEY):
        if not section[key]:
            raise NoCredentialsError(f"Invalid credentials in {where}: {key} is empty")
        if section[key].startswith("\n"):
            raise NoCredentialsError(
                f"Invalid credentials in {where}: {key} is an indented block, not a value"
            )
    try:
        return StaticCredentialProvider.from_keys(
            section[_ACCESS_KEY], section[_SECRET_KEY], token or None, method
        )
    except (TypeError, ValueError) as exc:
        raise NoCredentialsError(f"Invalid credentials in {where}: {exc}") from exc


def _import_botocore_session(use_botocore: bool | None) -> Any:
    """The ``botocore.session`` module, or None when it is off or not installed."""
    if use_botocore is False:
        return None
    try:
        import botocore.exceptions  # type: ignore[import-untyped]  # noqa: TID251
        import botocore.session  # type: ignore[import-untyped]  # noqa: TID251
    except ImportError as exc:
        if use_botocore:
            raise NoCredentialsError(
                f"use_botocore=True, but botocore is not installed: {BOTOCORE_EXTRA_HINT}"
            ) from exc
        return None
    return botocore.session


def _botocore_provider(
    botocore_session: Any, profile_name: str | None
) -> BotocoreCredentialProvider | None:
    """botocore's whole chain (it reads ``os.environ`` and the real files)."""
    import botocore.exceptions  # noqa: TID251

    try:
        session = botocore_session.Session(profile=profile_name)
        found = session.get_credentials()
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


def _optional_text(name: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str or None, not {type(value).__name__}")
    return value


def resolve_credential_provider(
    *,
    access_key: str | None = None,
    secret_key: str | None = None,
    token: str | None = None,
    profile_name: str | None = None,
    environ: Mapping[str, str] | None = None,
    read_text: ReadText | None = None,
    use_botocore: bool | None = None,
) -> CredentialProvider:
    """Find credentials: explicit, environment, shared files, then botocore.

    See the module docstring for the exact order. ``environ`` defaults to
    ``os.environ``; ``read_text(path)`` returns a file's text or None when it is
    absent (default: read the file system as UTF-8). ``use_botocore``: None uses
    botocore when it is installed, True requires it, False never uses it.

    Raises :class:`NoCredentialsError` (message lists where it looked),
    :class:`ProfileNotFound` for a named profile in neither file, and
    :class:`ConfigParseError` for a malformed file. Explicit keys that are not
    valid raise ``TypeError`` / ``ValueError`` from :class:`Credentials`.
    """
    access_key = _optional_text("access_key", access_key)
    secret_key = _optional_text("secret_key", secret_key)
    token = _optional_text("token", token)

    # (a) explicit arguments
    if access_key is not None or secret_key is not None:
        if secret_key is None:
            raise NoCredentialsError(
                "Partial credentials: access_key was given but secret_key is missing"
            )
        if access_key is None:
            raise NoCredentialsError(
                "Partial credentials: secret_key was given but access_key is missing"
            )
        return StaticCredentialProvider.from_keys(access_key, secret_key, token or None)
    if token:
        raise NoCredentialsError(
            "Partial credentials: token was given without access_key and secret_key"
        )

    if environ is None:
        environ = os.environ
    if read_text is None:
        read_text = _read_text_file
    name, source = _profile_name_and_source(profile_name, environ)
    explicit_profile = source == "the profile_name argument"
    tried: list[str] = ["explicit access_key/secret_key arguments: not given"]

    # (b) the environment, unless a profile was passed explicitly
    profile: Profile | None = None
    if explicit_profile:
        tried.append(
            "environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: skipped "
            "because profile_name was given"
        )
    else:
        if source:
            # botocore refuses a profile named by AWS_PROFILE that does not exist,
            # even when the environment holds keys; so do we.
            profile = _load_profile(name, source, environ, read_text)
            if not profile.exists:
                raise _profile_not_found(profile)
        env_provider = _from_environment(environ)
        if env_provider is not None:
            return env_provider
        tried.append("environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: not set")

    # (c) the shared files
    if profile is None:
        profile = _load_profile(name, source, environ, read_text)
    if profile.named and not profile.exists:
        raise _profile_not_found(profile)
    cred_file = f"the shared credentials file {profile.credentials_path}"
    config_file = f"the config file {profile.config_path}"
    needs_botocore = _needs_botocore_first(profile, environ)
    if needs_botocore is None:
        provider = _static_from_section(
            profile.credentials_section,
            method="shared-credentials-file",
            where=f"section [{name}] of {cred_file}",
        )
        if provider is not None:
            return provider
        needs_botocore = _needs_botocore_before_config(profile)
    if needs_botocore is None:
        provider = _static_from_section(
            profile.config_section,
            method="config-file",
            where=f"profile {name!r} of {config_file}",
        )
        if provider is not None:
            return provider
        tried.append(
            f"profile {name!r}: no static keys in {profile.describe_files()}"
            if profile.exists
            else f"profile {name!r}: in neither {profile.describe_files('nor')}"
        )
    else:
        tried.append(f"profile {name!r} uses {needs_botocore}, which only botocore can resolve")

    # (d) botocore's full chain
    botocore_session = _import_botocore_session(use_botocore)
    if botocore_session is not None:
        if explicit_profile or (source and environ is not os.environ):
            botocore_profile: str | None = name
        else:
            botocore_profile = None  # botocore reads AWS_PROFILE itself, as it would anyway
        found = _botocore_provider(botocore_session, botocore_profile)
        if found is not None:
            return found
        tried.append(
            "botocore's chain (SSO, assume-role, web identity, credential_process, "
            "container, IMDS; real process environment): found nothing"
        )
        raise NoCredentialsError(_no_credentials_message(tried))

    # (e) nothing
    why = "disabled (use_botocore=False)" if use_botocore is False else "botocore is not installed"
    tried.append(f"botocore's chain: {why}")
    message = _no_credentials_message(tried)
    if needs_botocore is not None:
        message += f". Profile {name!r} is configured for {needs_botocore}, which needs botocore"
    elif profile.exists:
        message += (
            f". Profile {name!r} has no static keys; any other way it is configured needs botocore"
        )
    raise NoCredentialsError(f"{message}. {BOTOCORE_EXTRA_HINT}")


def _no_credentials_message(tried: list[str]) -> str:
    return "Unable to locate credentials. Looked at: " + "; ".join(tried)


def _from_environment(environ: Mapping[str, str]) -> StaticCredentialProvider | None:
    """botocore's EnvProvider (without AWS_CREDENTIAL_EXPIRATION refreshing)."""
    access_key = environ.get("AWS_ACCESS_KEY_ID", "")
    if not access_key:
        return None
    secret_key = environ.get("AWS_SECRET_ACCESS_KEY", "")
    if not secret_key:
        raise NoCredentialsError(
            "Partial credentials found in env: AWS_ACCESS_KEY_ID is set but "
            "AWS_SECRET_ACCESS_KEY is missing or empty"
        )
    token = environ.get("AWS_SECURITY_TOKEN", "") or environ.get("AWS_SESSION_TOKEN", "")
    try:
        return StaticCredentialProvider.from_keys(access_key, secret_key, token or None, "env")
    except (TypeError, ValueError) as exc:
        raise NoCredentialsError(
            f"Invalid credentials in the environment variables: {exc}"
        ) from exc


# -- the region --------------------------------------------------------------------------------


def resolve_region(
    region_name: str | None = None,
    *,
    profile_name: str | None = None,
    environ: Mapping[str, str] | None = None,
    read_text: ReadText | None = None,
) -> str:
    """The region: argument, ``AWS_REGION``, ``AWS_DEFAULT_REGION``, the profile's ``region``.

    Values are stripped and empty ones count as unset. Raises :class:`NoRegionError`
    when none is found, and :class:`ProfileNotFound` when a named profile is needed
    but is in neither shared file.
    """
    region = _optional_text("region_name", region_name)
    if region is not None and region.strip():
        return region.strip()
    if environ is None:
        environ = os.environ
    for variable in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        value = environ.get(variable, "").strip()
        if value:
            return value
    profile = load_profile(profile_name, environ, read_text)
    if profile.named and not profile.exists:
        raise _profile_not_found(profile)
    value = profile.merged.get("region", "")
    if value.startswith("\n"):
        raise ConfigParseError(
            f"'region' of profile {profile.name!r} is an indented block, not a value "
            f"({profile.describe_files()})"
        )
    value = value.strip()
    if value:
        return value
    raise NoRegionError(
        "You must specify a region: pass region_name=..., or set AWS_REGION or "
        f"AWS_DEFAULT_REGION, or 'region' in profile {profile.name!r} "
        f"(looked in {profile.describe_files()})"
    )
