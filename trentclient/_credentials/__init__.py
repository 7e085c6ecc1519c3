"""AWS credentials: the default chain and every source in it, natively, sync and async.

One module per concern:

- ``_files``: the shared config and credentials files (botocore's parser and profile map);
- ``_static``: the provider protocol and static keys;
- ``_flow``: sources as generators of effects, and the ``Keys`` value they produce;
- ``_drive``: the one sync and the one async driver of those generators;
- ``_refresh``: the refresh engine (single-flight, advisory/mandatory windows, backoff);
- ``_context``: what sources are built from (environment, files, profile, region);
- ``_env``, ``_process``, ``_sts`` (assume-role, web identity), ``_sso``, ``_container``,
  ``_imds``: the sources;
- ``_chain``: botocore's order over them, and the region;
- ``_botocore``: botocore, only as an explicit opt-in or for ``login_session``.

Sources load when the chain needs them: ``import trentclient`` loads none of this, and the
package's own names load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from trentclient._exceptions import ConfigParseError

if TYPE_CHECKING:
    from ._botocore import BotocoreCredentialProvider
    from ._chain import resolve_credential_provider, resolve_region
    from ._files import Profile, load_profile, parse_ini
    from ._static import CredentialProvider, StaticCredentialProvider, check_text

__all__ = [
    "BotocoreCredentialProvider",
    "ConfigParseError",
    "CredentialProvider",
    "Profile",
    "StaticCredentialProvider",
    "check_text",
    "load_profile",
    "parse_ini",
    "resolve_credential_provider",
    "resolve_region",
]

# Loaded on first use (PEP 562): a client built from static keys needs ``_static`` only.
_LAZY = {
    "BotocoreCredentialProvider": "._botocore",
    "resolve_credential_provider": "._chain",
    "resolve_region": "._chain",
    "Profile": "._files",
    "load_profile": "._files",
    "parse_ini": "._files",
    "CredentialProvider": "._static",
    "StaticCredentialProvider": "._static",
    "check_text": "._static",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
