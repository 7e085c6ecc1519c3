"""The default credential chain, in botocore's order, and the region.

:func:`resolve_credential_provider` runs at client construction. It reads the environment and
the shared files only (no network, no subprocess: botocore already fetches IMDS and container
credentials while a client is built; trentclient does not), and returns a provider. Static keys
are used as they are; every other source is a :class:`~._refresh.RefreshingProvider` that
fetches on the first call and refreshes itself. Where nothing is configured, the provider is
the last step (the container endpoint, else IMDS), and a call then raises
``NoCredentialsError`` listing every place that was looked at.

The order (botocore's ``create_credential_resolver``):

1. explicit keys (``aws_access_key_id=`` ...) or ``credential_provider=`` (the client);
2. the environment: ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` / ``AWS_SECURITY_TOKEN``
   or ``AWS_SESSION_TOKEN``, refreshable with ``AWS_CREDENTIAL_EXPIRATION``; skipped when
   ``profile_name=`` is passed, as botocore skips it for ``Session(profile=...)``;
3. the profile (``profile_name=``, ``AWS_DEFAULT_PROFILE``, ``AWS_PROFILE``, ``default``;
   a named profile that exists in neither file raises ``ProfileNotFound``):

   a. assume-role: ``role_arn`` (without ``web_identity_token_file``) with ``source_profile``
      (any chain; a profile may name itself when it has static keys; loops raise
      ``InfiniteLoopConfigError``) or ``credential_source`` (``Environment``,
      ``Ec2InstanceMetadata``, ``EcsContainer``);
   b. web identity: ``AWS_WEB_IDENTITY_TOKEN_FILE`` / ``AWS_ROLE_ARN`` /
      ``AWS_ROLE_SESSION_NAME`` (not with ``profile_name=``), else the profile's keys;
   c. SSO (``sso_session`` or the legacy ``sso_start_url`` form);
   d. static keys in the shared credentials file;
   e. ``login_session``: botocore's (DPoP signing), only with botocore installed;
   f. ``credential_process``;
   g. static keys in the config file;
4. the container endpoint (``AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`` / ``..._FULL_URI``);
5. EC2 instance metadata (IMDSv2), unless ``AWS_EC2_METADATA_DISABLED=true``.

A ``source_profile`` is resolved through 3b-3g for that profile (environment variables
ignored), or through its own assume-role, as botocore does.

``use_botocore``: ``None`` (default) uses botocore only for ``login_session``; ``True`` keeps
the static sources native and hands everything else to botocore's own chain (which reads
``os.environ`` and the real files); ``False`` never imports botocore.

The region (:func:`resolve_region`): ``region_name=``, ``AWS_REGION``, ``AWS_DEFAULT_REGION``,
then the profile's ``region`` (credentials-file values override config-file values), else
``NoRegionError``. (botocore itself does not read ``AWS_REGION``; the other AWS SDKs do.)

No secret key or session token ever appears in a ``repr``, a ``str``, an exception message or
a log record: messages name variables, files, profiles and keys, never values.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any, Final

from trentclient._exceptions import (
    ConfigParseError,
    CredentialRetrievalError,
    InfiniteLoopConfigError,
    InvalidConfigError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    TrentError,
)

from ._context import SourceContext
from ._files import (
    Profile,
    ReadText,
    _load_profile,
    _profile_name_and_source,
    _profile_not_found,
    _read_text_file,
    load_profile,
)
from ._static import (
    CredentialProvider,
    StaticCredentialProvider,
    explicit_provider,
    explicit_region,
)

__all__ = ["resolve_credential_provider", "resolve_region"]

_ACCESS_KEY: Final = "aws_access_key_id"
_SECRET_KEY: Final = "aws_secret_access_key"
_TOKEN_KEYS: Final = ("aws_security_token", "aws_session_token")
#: ``credential_source`` values botocore accepts (case-sensitive, as its ``is_supported``).
CREDENTIAL_SOURCES: Final = ("Environment", "Ec2InstanceMetadata", "EcsContainer")


class UnavailableCredentialProvider:
    """No credentials: every use raises the error made by ``make_error`` (the chain found
    nothing, or a ``credential_source`` has nothing to give)."""

    fixed_keys = False
    method = "none"

    def __init__(self, make_error: Callable[[], TrentError]) -> None:
        self._make_error = make_error

    def __repr__(self) -> str:
        return "UnavailableCredentialProvider()"

    def get_keys(self) -> Any:
        raise self._make_error()

    async def aget_keys(self) -> Any:
        raise self._make_error()

    def get_credentials(self) -> Any:
        raise self._make_error()

    async def aget_credentials(self) -> Any:
        raise self._make_error()


class _MustFind:
    """A source that must find keys: where the inner one has none (IMDS without a role),
    ``make_error()`` is raised, as botocore raises for an empty ``credential_source``."""

    def __init__(self, inner: Any, make_error: Callable[[], TrentError]) -> None:
        self.inner = inner
        self._make_error = make_error

    @property
    def method(self) -> str:
        method: str = self.inner.method
        return method

    def flow(self) -> Any:
        keys = yield from self.inner.flow()
        if keys is None:
            raise self._make_error()
        return keys

    def not_found(self) -> str:  # pragma: no cover - flow() raises instead
        return str(self._make_error())

    def failed(self, error: Exception) -> TrentError:
        failed: TrentError = self.inner.failed(error)
        return failed

    def __getattr__(self, name: str) -> Any:  # extend_after_failure, when the inner has it
        return getattr(self.inner, name)


def _refreshing(source: Any) -> CredentialProvider:
    from ._refresh import RefreshingProvider

    provider: CredentialProvider = RefreshingProvider(source)
    return provider


def _static_from_section(
    section: Mapping[str, str] | None, *, method: str, where: str
) -> StaticCredentialProvider | None:
    """botocore's SharedCredentialProvider/ConfigProvider on one section."""
    if section is None or _ACCESS_KEY not in section:
        return None
    if _SECRET_KEY not in section:
        raise PartialCredentialsError(
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


def _has_static(profile: Mapping[str, str]) -> bool:
    return _ACCESS_KEY in profile or _SECRET_KEY in profile


def _has_assume_role(profile: Mapping[str, str]) -> bool:
    return "role_arn" in profile and "web_identity_token_file" not in profile


class _Chain:
    """One resolution: the context, what was tried (for the final message), botocore's use."""

    def __init__(self, ctx: SourceContext, use_botocore: bool | None) -> None:
        self.ctx = ctx
        self.use_botocore = use_botocore
        self.tried: list[str] = []

    # -- 3b-3g: one profile's providers ----------------------------------------------------

    def profile_providers(self, name: str, *, env_vars: bool) -> CredentialProvider | None:
        ctx = self.ctx
        merged = ctx.config.profiles.get(name, {})

        def setting(key: str, variable: str) -> str | None:
            if env_vars and variable in ctx.environ:
                return ctx.environ[variable]  # present counts, even empty (botocore)
            return merged.get(key)

        token_file = setting("web_identity_token_file", "AWS_WEB_IDENTITY_TOKEN_FILE")
        if token_file:
            role_arn = setting("role_arn", "AWS_ROLE_ARN")
            if not role_arn:
                raise InvalidConfigError(
                    "The provided profile or the current environment is configured to assume "
                    "role with web identity but has no role ARN configured. Ensure that the "
                    "profile has the role_arn configuration set or the AWS_ROLE_ARN env var is "
                    f"set (profile {name!r})."
                )
            from ._sts import WebIdentitySource

            return _refreshing(
                WebIdentitySource(
                    ctx,
                    profile=name,
                    role_arn=role_arn,
                    token_file=token_file,
                    role_session_name=setting("role_session_name", "AWS_ROLE_SESSION_NAME"),
                )
            )
        from ._sso import SsoSource, sso_configured

        if sso_configured(merged):
            return _refreshing(SsoSource(ctx, name))
        cred_file = f"the shared credentials file {self._credentials_path}"
        found = _static_from_section(
            ctx.config.credentials_sections.get(name),
            method="shared-credentials-file",
            where=f"section [{name}] of {cred_file}",
        )
        if found is not None:
            return found
        if "login_session" in merged:
            return self.login(name)
        if "credential_process" in merged:
            from ._process import ProcessSource

            return _refreshing(ProcessSource(name, merged))
        return _static_from_section(
            ctx.config.config_profiles.get(name),
            method="config-file",
            where=f"profile {name!r} of the config file {self._config_path}",
        )

    def login(self, name: str) -> CredentialProvider:
        from ._botocore import botocore_provider, import_botocore_session

        why = (
            f"Profile {name!r} uses login_session (aws login), whose token refresh needs "
            "DPoP signing that only botocore (with botocore[crt]) implements"
        )
        if self.use_botocore is False:
            from trentclient._exceptions import MissingDependencyException

            raise MissingDependencyException(f"{why}, and use_botocore=False")
        session = import_botocore_session(True, why)
        found = botocore_provider(session, name)
        if found is None:
            raise CredentialRetrievalError(
                f"botocore found no credentials for login_session profile {name!r}",
                provider="login",
                profile=name,
            )
        return found

    # -- 3a: assume-role ---------------------------------------------------------------------

    def assume_role(self, name: str, visited: list[str]) -> CredentialProvider:
        ctx = self.ctx
        profiles = ctx.config.profiles
        profile = profiles[name]
        source_profile = profile.get("source_profile")
        credential_source = profile.get("credential_source")
        if source_profile is not None and credential_source is not None:
            raise InvalidConfigError(
                f'The profile "{name}" contains both source_profile and credential_source.'
            )
        if source_profile is None and credential_source is None:
            raise PartialCredentialsError(
                "Partial credentials found in assume-role, missing: source_profile or "
                f"credential_source (profile {name!r} sets role_arn)"
            )
        source: CredentialProvider
        if credential_source is not None:
            source = self.credential_source(name, credential_source)
        else:
            assert source_profile is not None
            if source_profile not in profiles:
                raise InvalidConfigError(
                    f'The source_profile "{source_profile}" referenced in the profile '
                    f'"{name}" does not exist.'
                )
            target = profiles[source_profile]
            if source_profile in visited and (source_profile != name or not _has_static(target)):
                raise InfiniteLoopConfigError(
                    "Infinite loop in credential configuration detected. Attempting to load "
                    f"from profile {source_profile} which has already been visited. Visited "
                    f"profiles: {visited}"
                )
            visited = [*visited, source_profile]
            if _has_static(target) or not _has_assume_role(target):
                found = self.profile_providers(source_profile, env_vars=False)
                if found is None:
                    raise InvalidConfigError(
                        f'The source profile "{source_profile}" must have credentials.'
                    )
                source = found
            else:
                source = self.assume_role(source_profile, visited)
        duration: int | None = None
        if profile.get("duration_seconds") is not None:
            try:
                duration = int(profile["duration_seconds"])
            except ValueError:
                duration = None  # botocore drops a value that is not an integer
        from ._sts import AssumeRoleSource

        return _refreshing(
            AssumeRoleSource(
                ctx,
                profile=name,
                role_arn=profile["role_arn"],
                source=source,  # type: ignore[arg-type]
                role_session_name=profile.get("role_session_name"),
                external_id=profile.get("external_id"),
                mfa_serial=profile.get("mfa_serial"),
                duration_seconds=duration,
            )
        )

    def credential_source(self, name: str, credential_source: str) -> CredentialProvider:
        ctx = self.ctx
        if credential_source not in CREDENTIAL_SOURCES:
            raise InvalidConfigError(
                f'The credential source "{credential_source}" referenced in profile "{name}" '
                f"is not valid (one of {', '.join(CREDENTIAL_SOURCES)})."
            )

        def nothing() -> TrentError:
            return CredentialRetrievalError(
                f"No credentials found in credential_source referenced in profile {name}",
                provider=credential_source,
                profile=name,
            )

        if credential_source == "Environment":
            from ._env import EnvSource, env_credentials

            found = env_credentials(ctx.environ)
            if found is None:
                return UnavailableCredentialProvider(nothing)
            return _refreshing(found) if isinstance(found, EnvSource) else found
        if credential_source == "EcsContainer":
            from ._container import ContainerSource, container_configured

            if not container_configured(ctx):
                return UnavailableCredentialProvider(nothing)
            return _refreshing(ContainerSource(ctx, profile=name))
        from ._imds import ImdsSource

        return _refreshing(_MustFind(ImdsSource(ctx, profile=name), nothing))

    # -- paths for messages ------------------------------------------------------------------

    _credentials_path = "~/.aws/credentials"
    _config_path = "~/.aws/config"


def _botocore_chain(
    use_botocore: bool | None, profile: Profile, explicit_profile: bool, environ: Mapping[str, str]
) -> CredentialProvider:
    """``use_botocore=True``: botocore's own chain, for everything that is not static keys."""
    from ._botocore import botocore_provider, import_botocore_session

    session = import_botocore_session(True, "use_botocore=True")
    if explicit_profile or (profile.source and environ is not os.environ):
        name: str | None = profile.name
    else:
        name = None  # botocore reads AWS_PROFILE itself, as it would anyway
    found = botocore_provider(session, name)
    if found is None:
        raise NoCredentialsError(
            "Unable to locate credentials: botocore's chain (SSO, assume-role, web identity, "
            "credential_process, container, IMDS; real process environment) found nothing"
        )
    return found


def resolve_credential_provider(
    *,
    access_key: str | None = None,
    secret_key: str | None = None,
    token: str | None = None,
    profile_name: str | None = None,
    environ: Mapping[str, str] | None = None,
    read_text: ReadText | None = None,
    use_botocore: bool | None = None,
    region_name: str | None = None,
    mfa_token_provider: Callable[..., Any] | None = None,
) -> CredentialProvider:
    """The provider the chain picks: explicit keys, environment, profile, container, IMDS.

    See the module docstring for the order. Reads the environment and files only; sources
    that need the network or a subprocess run on the first use of the provider. ``environ``
    defaults to ``os.environ``; ``read_text(path)`` returns a file's text or None when it is
    absent. ``region_name`` is the client's region (STS calls go to its regional endpoint).
    ``mfa_token_provider(serial)`` returns an MFA code for an assume-role profile with
    ``mfa_serial``.

    Raises at once: ``ProfileNotFound`` (a named profile in neither file),
    ``ConfigParseError`` (a malformed file), ``InvalidConfigError`` /
    ``InfiniteLoopConfigError`` (a source configured in a way that cannot work),
    ``NoCredentialsError`` for partial keys, ``MissingDependencyException`` for
    ``login_session`` without botocore. A provider for "nothing found" raises
    ``NoCredentialsError`` (with every place looked at) when used.
    """
    if mfa_token_provider is not None and not callable(mfa_token_provider):
        raise TypeError("mfa_token_provider must be a callable (given the MFA serial) or None")

    # 1. explicit arguments
    explicit = explicit_provider(access_key, secret_key, token)
    if explicit is not None:
        return explicit

    if environ is None:
        environ = os.environ
    if read_text is None:
        read_text = _read_text_file
    name, source = _profile_name_and_source(profile_name, environ)
    explicit_profile = source == "the profile_name argument"
    tried: list[str] = ["explicit access_key/secret_key arguments: not given"]

    # botocore refuses a named profile that does not exist, even when the environment
    # holds keys; so do we. Without a named profile, environment keys need no file read
    # (Lambda's case).
    profile: Profile | None = None
    if source:
        profile = _load_profile(name, source, environ, read_text)
        if not profile.exists:
            raise _profile_not_found(profile)

    # 2. the environment, unless a profile was passed explicitly
    if explicit_profile:
        tried.append(
            "environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: skipped "
            "because profile_name was given"
        )
    else:
        if environ.get("AWS_ACCESS_KEY_ID"):  # else the module is not even loaded
            from ._env import EnvSource, env_credentials

            found_env = env_credentials(environ)
            if isinstance(found_env, EnvSource):
                return _refreshing(found_env)
            if found_env is not None:
                return found_env
        tried.append("environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: not set")
    if profile is None:
        profile = _load_profile(name, source, environ, read_text)

    ctx = SourceContext(
        environ=environ,
        config=profile.shared,
        profile_name=name,
        region=region_name,
        mfa_token_provider=mfa_token_provider,
        explicit_profile=explicit_profile,
    )
    chain = _Chain(ctx, use_botocore)
    chain._credentials_path = str(profile.credentials_path)
    chain._config_path = str(profile.config_path)

    # 3. the profile
    merged = ctx.config.profiles.get(name, {})
    found: CredentialProvider | None
    if _has_assume_role(merged):
        found = chain.assume_role(name, [name])
    else:
        found = chain.profile_providers(name, env_vars=not explicit_profile)
    if found is not None:
        if use_botocore and not isinstance(found, StaticCredentialProvider):
            return _botocore_chain(use_botocore, profile, explicit_profile, environ)
        return found
    tried.append(
        f"profile {name!r}: no static keys or other credential source in {profile.describe_files()}"
        if profile.exists
        else f"profile {name!r}: in neither {profile.describe_files('nor')}"
    )
    if use_botocore:
        return _botocore_chain(use_botocore, profile, explicit_profile, environ)

    # 4. the container endpoint
    from ._container import ContainerSource, container_configured

    if container_configured(ctx):
        return _refreshing(ContainerSource(ctx))
    tried.append(
        "container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / "
        "AWS_CONTAINER_CREDENTIALS_FULL_URI not set"
    )

    # 5. EC2 instance metadata
    from ._imds import ImdsSource, imds_disabled

    if imds_disabled(ctx):
        tried.append("EC2 instance metadata (IMDS): disabled by AWS_EC2_METADATA_DISABLED")
        message = _no_credentials_message(tried)
        return UnavailableCredentialProvider(lambda: NoCredentialsError(message))
    tried.append("EC2 instance metadata (IMDS): no instance role credentials")
    return _refreshing(ImdsSource(ctx, not_found_message=_no_credentials_message(tried)))


def _no_credentials_message(tried: list[str]) -> str:
    return "Unable to locate credentials. Looked at: " + "; ".join(tried)


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
    region = explicit_region(region_name)
    if region is not None:
        return region
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
