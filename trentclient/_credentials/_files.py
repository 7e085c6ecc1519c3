"""The shared AWS files: parsing them as botocore does, and the profiles they hold.

``parse_ini`` is botocore's ``raw_config_parse``; :class:`Profile` is one profile as the
credentials file and the config file see it; :class:`SharedConfig` is the whole config file
(profiles, ``[sso-session NAME]`` and ``[services NAME]`` sections), as botocore's
``full_config``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Final, TypeAlias

from trentclient._exceptions import ConfigParseError, ProfileNotFound

if TYPE_CHECKING:
    import configparser

__all__ = ["Profile", "ReadText", "SharedConfig", "load_profile", "parse_ini", "parse_nested"]

#: ``read_text(path)``: the file's text, or None when it is absent.
ReadText: TypeAlias = Callable[[str], str | None]

DEFAULT_CREDENTIALS_FILE: Final = "~/.aws/credentials"
DEFAULT_CONFIG_FILE: Final = "~/.aws/config"

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


def _section_name(key: str) -> str | None:
    """``NAME`` of a ``[KIND NAME]`` section header (``NAME`` may be quoted), or None: botocore's
    ``shlex.split`` and "exactly two parts" rule (which, like botocore, does not look at the
    first part again)."""
    import shlex  # only when a shared file has such a section

    try:
        parts = shlex.split(key)
    except ValueError:
        return None
    return parts[1] if len(parts) == 2 else None


def _config_profiles(sections: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """Profiles of a *config* file, as botocore's ``build_profile_map``.

    ``[default]`` and ``[profile NAME]`` (``NAME`` may be quoted; ``[profile
    default]`` counts) are profiles; any other section is not. When a profile
    appears twice (``[default]`` and ``[profile default]``), the later one wins.
    """
    profiles: dict[str, dict[str, str]] = {}
    for key, values in sections.items():
        if key.startswith("profile"):
            name = _section_name(key)
            if name is not None:
                profiles[name] = dict(values)
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
        "shared",
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
        #: The whole of both files (every profile, sso-session and services section).
        self.shared = SharedConfig()

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
    shared = SharedConfig(credentials_sections, config_sections)
    profile = Profile(
        name=name,
        source=source,
        credentials_path=credentials_path,
        config_path=config_path,
        credentials_file_found=credentials_found,
        config_file_found=config_found,
        credentials_section=shared.credentials_sections.get(name),
        config_section=shared.config_profiles.get(name),
    )
    profile.shared = shared
    return profile


def parse_nested(value: str) -> dict[str, str]:
    """An indented sub-section (``s3 =`` then indented ``key = value`` lines) as a dict,
    as botocore's ``raw_config_parse(parse_subsections=True)``; a plain value gives ``{}``."""
    if not value.startswith("\n"):
        return {}
    nested: dict[str, str] = {}
    for line in value.splitlines():
        if line.strip() and "=" in line:
            key, _, item = line.partition("=")
            nested[key.strip().lower()] = item.strip()
    return nested


class SharedConfig:
    """Everything the two shared files hold, as botocore's ``full_config``.

    - ``credentials_sections``: the credentials file's sections, by name;
    - ``config_profiles``: the config file's profiles (``[default]``, ``[profile NAME]``);
    - ``profiles``: both merged, credentials-file values winning (botocore's
      ``full_config['profiles']``, which ``source_profile`` and ``role_arn`` are read from);
    - ``sso_sessions``: ``[sso-session NAME]`` sections; ``services``: ``[services NAME]``
      sections, each service's sub-section parsed (``{"sts": {"endpoint_url": ...}}``).

    Values may be secrets: there is no ``repr`` of the content.
    """

    __slots__ = ("config_profiles", "credentials_sections", "profiles", "services", "sso_sessions")

    def __init__(
        self,
        credentials_sections: Mapping[str, Mapping[str, str]] | None = None,
        config_sections: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self.credentials_sections = {k: dict(v) for k, v in (credentials_sections or {}).items()}
        config_sections = config_sections or {}
        self.config_profiles = _config_profiles(config_sections)
        profiles = {name: dict(values) for name, values in self.config_profiles.items()}
        for name, values in self.credentials_sections.items():
            profiles.setdefault(name, {}).update(values)
        self.profiles = profiles
        self.sso_sessions = _named_sections(config_sections, "sso-session")
        self.services = {
            name: {key: parse_nested(value) for key, value in values.items()}
            for name, values in _named_sections(config_sections, "services").items()
        }

    def __repr__(self) -> str:
        return f"SharedConfig(profiles={sorted(self.profiles)!r})"


def _named_sections(
    sections: Mapping[str, Mapping[str, str]], kind: str
) -> dict[str, dict[str, str]]:
    """``[KIND NAME]`` sections, as botocore's ``build_profile_map`` reads them."""
    found: dict[str, dict[str, str]] = {}
    for key, values in sections.items():
        if key.startswith(kind):
            name = _section_name(key)
            if name is not None:
                found[name] = dict(values)
    return found


def _profile_not_found(profile: Profile) -> ProfileNotFound:
    return ProfileNotFound(
        f"The config profile ({profile.name}) could not be found: it was named by "
        f"{profile.source}, but it is in neither {profile.describe_files('nor')}"
    )
