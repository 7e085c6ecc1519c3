"""What every credential source is built from, and the base class they share.

:class:`SourceContext` is read once, at client construction: the environment, both shared
files (:class:`~._files.SharedConfig`), the session's profile, the client's region. Sources
keep what they need of it; at refresh time they only re-read what botocore re-reads (token
files, the SSO cache, the environment for ``AWS_CREDENTIAL_EXPIRATION``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Final

from trentclient._exceptions import CredentialRetrievalError, TrentError

from ._files import SharedConfig

__all__ = ["SourceBase", "SourceContext", "user_agent"]

_IGNORE_ENDPOINTS_ENV: Final = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"


def user_agent() -> str:
    """The User-Agent of credential-source requests: KMS's, without the retry mode, naming
    httpcore, whose pool carries them (the sync driver hands them to it directly; the async
    one through httpx)."""
    from trentclient._core import _user_agent
    from trentclient._httpcore import LIBRARY

    return _user_agent(None, "standard", http=LIBRARY).rsplit(" cfg/", 1)[0]


def truthy(value: str | None) -> bool:
    return value is not None and value.strip().lower() == "true"


class SourceContext:
    """The environment, the shared config and the session's profile, as read at construction.

    ``environ`` is the mapping the client was built with (``os.environ`` unless a test gives
    one); ``profile_name`` the session's profile (``profile_name=``, ``AWS_DEFAULT_PROFILE``,
    ``AWS_PROFILE`` or ``default``); ``region`` the client's region, or ``None`` outside a
    client; ``mfa_token_provider`` the callable asked for MFA codes (or ``None``).
    """

    __slots__ = (
        "config",
        "environ",
        "explicit_profile",
        "mfa_token_provider",
        "profile_name",
        "region",
    )

    def __init__(
        self,
        *,
        environ: Mapping[str, str],
        config: SharedConfig,
        profile_name: str,
        region: str | None = None,
        mfa_token_provider: Callable[..., Any] | None = None,
        explicit_profile: bool = False,
    ) -> None:
        self.environ = environ
        self.config = config
        self.profile_name = profile_name
        self.region = region
        self.mfa_token_provider = mfa_token_provider
        #: The profile was passed as ``profile_name=`` (botocore's ``Session(profile=...)``):
        #: environment credentials and web-identity variables are then ignored.
        self.explicit_profile = explicit_profile

    @property
    def profile(self) -> dict[str, str]:
        """The session's profile, both files merged (empty if it does not exist)."""
        return self.config.profiles.get(self.profile_name, {})

    def setting(self, variable: str | None, key: str | None) -> str | None:
        """botocore's config chain for one setting: the environment variable, then the
        session profile's key; empty values count as unset. Values are stripped."""
        if variable:
            value = self.environ.get(variable, "").strip()
            if value:
                return value
        if key:
            value = self.profile.get(key, "")
            if not value.startswith("\n"):
                value = value.strip()
                if value:
                    return value
        return None

    def service_endpoint(self, service_id: str) -> str | None:
        """A configured endpoint URL for another AWS service, as botocore reads it.

        ``service_id`` is the service's id in upper snake case (``"STS"``, ``"SSO"``,
        ``"SSO_OIDC"``). Order: ``AWS_ENDPOINT_URL_<ID>``, the profile's ``services``
        section (``[services NAME]`` with an ``<id lower> =`` sub-section holding
        ``endpoint_url``), ``AWS_ENDPOINT_URL``, the profile's ``endpoint_url``; none when
        ``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`` / ``ignore_configured_endpoint_urls`` is true.
        """
        if truthy(self.setting(_IGNORE_ENDPOINTS_ENV, "ignore_configured_endpoint_urls")):
            return None
        value = self.environ.get(f"AWS_ENDPOINT_URL_{service_id}", "").strip()
        if value:
            return value
        services = self.profile.get("services", "").strip()
        if services:
            section = self.config.services.get(services, {})
            value = section.get(service_id.lower(), {}).get("endpoint_url", "").strip()
            if value:
                return value
        return self.setting("AWS_ENDPOINT_URL", "endpoint_url")


class SourceBase:
    """What sources share: their botocore method name, the profile they come from, and the
    typed errors they raise."""

    method: ClassVar[str] = ""

    def __init__(self, profile: str | None = None) -> None:
        self.profile = profile

    def error(self, message: str, **details: Any) -> CredentialRetrievalError:
        return CredentialRetrievalError(
            message, provider=self.method, profile=self.profile, **details
        )

    def not_found(self) -> str:
        return f"{self.method} found no credentials"

    def failed(self, error: Exception) -> TrentError:
        return self.error(f"{type(error).__name__}: {error}")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(profile={self.profile!r})"
