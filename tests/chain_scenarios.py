"""The scenario table of ``tests/test_cred_chain.py``: one whole default chain per row.

Each :class:`Scenario` says what the environment and the two shared files hold, which fake
credential servers are configured (``imds``, ``container``, ``sso``; moto's STS behind a
recorder is always reachable through ``AWS_ENDPOINT_URL_STS``), which source botocore's
chain must pick (``expect``, botocore's ``credentials.method``; ``None``: no credentials),
the keys it must give (``keys``; ``None`` where moto mints new ones per call), the access
key an ``AssumeRole`` must be signed with (``signed_with``), and which servers a fetch
reaches (``hits``: ``imds``, ``container``, ``sso``, ``sts``, ``process``).

Text values may hold placeholders that the test fills in: ``{process}`` / ``{process_source}``
/ ``{process_expiring}`` / ``{process_failing}`` (a ``credential_process`` command line), ``{token_file}`` (the web
identity token file). All secrets are sentinels listed in :data:`SECRETS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests import fake_sso

REGION = "us-west-2"
ROLE = "arn:aws:iam::123456789012:role/chain-app"
ROLE2 = "arn:aws:iam::210987654321:role/chain-other"
UNSIGNED = "unsigned"

Triple = tuple[str, str, str | None]

ENV_KEYS: Triple = (
    "AKIAENVCHAIN00000001",
    "env-secret/SECRETsentinel+01",
    "env-token/SECRETsentinel+01",
)
ENV_SECURITY_TOKEN = "env-security-token/SECRETsentinel+02"
CREDFILE_KEYS: Triple = (
    "AKIACREDFILE00000001",
    "credfile-secret/SECRETsentinel+03",
    "credfile-token/SECRETsentinel+03",
)
NAMED_KEYS: Triple = ("AKIANAMEDPROFILE0001", "named-secret/SECRETsentinel+04", None)
OTHER_KEYS: Triple = ("AKIAOTHERPROFILE0001", "other-secret/SECRETsentinel+05", None)
CONFIG_KEYS: Triple = ("AKIACONFIGFILE000001", "config-secret/SECRETsentinel+06", None)
PROCESS_KEYS: Triple = (
    "AKIAPROCESS000000001",
    "process-secret/SECRETsentinel+07",
    "process-token/SECRETsentinel+07",
)
PROCESS_SOURCE_KEYS: Triple = (
    "AKIAPROCSOURCE000001",
    "procsource-secret/SECRETsentinel+08",
    None,
)
CONTAINER_KEYS: Triple = (
    "ASIACONTAINERFIXED01",
    "container-secret/SECRETsentinel+09",
    "container-token/SECRETsentinel+09",
)
CONTAINER_AUTH = "container-auth-token-SECRETsentinel-10"
WEB_TOKEN = "eyJhbGciOiJSUzI1NiJ9.WEBTOKEN-SECRETsentinel-11.c2lnbmF0dXJl"
IMDS_KEYS: Triple = (
    "ASIAIMDSFIXED0000001",
    "imds-secret/SECRETsentinel+12",
    "imds-token/SECRETsentinel+12",
)
SSO_KEYS: Triple = (
    fake_sso.ROLE_ACCESS_KEY,
    fake_sso.ROLE_SECRET_KEY,
    fake_sso.ROLE_SESSION_TOKEN,
)
SSO_SESSION = "chain-corp"
SSO_START_URL = "https://chain.awsapps.com/start"

#: Every secret value a scenario hands out (fakes add the ones they mint, moto's included).
SECRETS: tuple[str, ...] = (
    *(k[1] for k in (ENV_KEYS, CREDFILE_KEYS, NAMED_KEYS, OTHER_KEYS, CONFIG_KEYS)),
    *(k[1] for k in (PROCESS_KEYS, PROCESS_SOURCE_KEYS, CONTAINER_KEYS, IMDS_KEYS, SSO_KEYS)),
    *(k[2] or "" for k in (ENV_KEYS, CREDFILE_KEYS, PROCESS_KEYS, CONTAINER_KEYS, IMDS_KEYS)),
    SSO_KEYS[2] or "",
    ENV_SECURITY_TOKEN,
    CONTAINER_AUTH,
    WEB_TOKEN,
    fake_sso.ACCESS_TOKEN,
    fake_sso.REFRESH_TOKEN,
    fake_sso.CLIENT_SECRET,
)


def static(keys: Triple) -> str:
    """INI lines for static keys."""
    text = f"aws_access_key_id = {keys[0]}\naws_secret_access_key = {keys[1]}\n"
    if keys[2]:
        text += f"aws_session_token = {keys[2]}\n"
    return text


def env_keys(keys: Triple = ENV_KEYS) -> dict[str, str]:
    env = {"AWS_ACCESS_KEY_ID": keys[0], "AWS_SECRET_ACCESS_KEY": keys[1]}
    if keys[2]:
        env["AWS_SESSION_TOKEN"] = keys[2]
    return env


SSO_PROFILE = (
    f"sso_session = {SSO_SESSION}\nsso_account_id = {fake_sso.ACCOUNT_ID}\n"
    f"sso_role_name = {fake_sso.ROLE_NAME}\n"
)
#: Appended to the config file of every scenario with ``sso=True``.
SSO_SECTION = (
    f"[sso-session {SSO_SESSION}]\nsso_start_url = {SSO_START_URL}\nsso_region = us-east-1\n"
)
WEB_IDENTITY_ENV = {"AWS_WEB_IDENTITY_TOKEN_FILE": "{token_file}", "AWS_ROLE_ARN": ROLE}
ASSUME_BASE = f"role_arn = {ROLE}\nsource_profile = base\n"


@dataclass(frozen=True)
class Scenario:
    name: str
    #: botocore's ``credentials.method`` of the winner; None: no credentials anywhere.
    expect: str | None
    env: dict[str, str] = field(default_factory=dict)
    config: str = ""
    credentials: str = ""
    #: ``profile_name=`` (botocore's ``Session(profile=...)``): the environment is skipped.
    profile_name: str | None = None
    #: "" (IMDS disabled), "role" (the fake serves IMDS_KEYS), "no-role" (it has no role).
    imds: str = ""
    #: "" (not configured), "env-token" or "token-file" (FULL_URI at the fake, authorized).
    container: str = ""
    #: The SSO token cache is written and the sso-session section appended.
    sso: bool = False
    #: The exact keys the winner gives (None: minted per call by moto, or no credentials).
    keys: Triple | None = None
    #: The access key moto's AssumeRole must be signed with (UNSIGNED for web identity).
    signed_with: str | None = None
    #: Which servers (and the credential_process) a fetch reaches.
    hits: frozenset[str] = frozenset()
    #: Compare the expiry too (sources whose expiry is fixed in the fake).
    expiry: bool = False
    #: For ERROR_SCENARIOS: (botocore's exception class name, trentclient's).
    error: tuple[str, str] | None = None
    #: A known trentclient bug this row shows (the test is a strict xfail).
    xfail: str | None = None


def _hits(*names: str) -> frozenset[str]:
    return frozenset(names)


EVERYTHING_DEFAULT = (
    f"[default]\n{SSO_PROFILE}credential_process = {{process}}\n{static(CONFIG_KEYS)}"
)

SCENARIOS: tuple[Scenario, ...] = (
    # -- the environment ----------------------------------------------------------------
    Scenario("env-static", "env", env=env_keys(), keys=ENV_KEYS),
    Scenario(
        "env-beats-everything",
        "env",
        env={**env_keys(), **WEB_IDENTITY_ENV},
        config=EVERYTHING_DEFAULT,
        credentials=f"[default]\n{static(CREDFILE_KEYS)}",
        imds="role",
        container="env-token",
        sso=True,
        keys=ENV_KEYS,
    ),
    Scenario(
        "env-beats-assume-role-profile",
        "env",
        env={**env_keys(), "AWS_PROFILE": "app"},
        config=f"[profile app]\n{ASSUME_BASE}",
        credentials=f"[base]\n{static(CREDFILE_KEYS)}",
        keys=ENV_KEYS,
    ),
    Scenario(
        "env-security-token-first",
        "env",
        env={**env_keys(), "AWS_SECURITY_TOKEN": ENV_SECURITY_TOKEN},
        keys=(ENV_KEYS[0], ENV_KEYS[1], ENV_SECURITY_TOKEN),
    ),
    Scenario(
        "env-with-expiration",
        "env",
        env={**env_keys(), "AWS_CREDENTIAL_EXPIRATION": "2031-05-06T07:08:09Z"},
        keys=ENV_KEYS,
        expiry=True,
    ),
    # -- which profile --------------------------------------------------------------------
    Scenario(
        "aws-profile-keeps-env-first",
        "env",
        env={**env_keys(), "AWS_PROFILE": "named"},
        credentials=f"[named]\n{static(NAMED_KEYS)}",
        keys=ENV_KEYS,
    ),
    Scenario(
        "profile-name-skips-env",
        "shared-credentials-file",
        env=env_keys(),
        credentials=f"[named]\n{static(NAMED_KEYS)}",
        profile_name="named",
        keys=NAMED_KEYS,
    ),
    Scenario(
        "profile-name-beats-aws-profile",
        "shared-credentials-file",
        env={"AWS_PROFILE": "other"},
        credentials=f"[named]\n{static(NAMED_KEYS)}[other]\n{static(OTHER_KEYS)}",
        profile_name="named",
        keys=NAMED_KEYS,
    ),
    Scenario(
        "aws-default-profile-beats-aws-profile",
        "shared-credentials-file",
        env={"AWS_DEFAULT_PROFILE": "named", "AWS_PROFILE": "other"},
        credentials=f"[named]\n{static(NAMED_KEYS)}[other]\n{static(OTHER_KEYS)}",
        keys=NAMED_KEYS,
    ),
    Scenario(
        "profile-name-ignores-web-identity-env",
        "shared-credentials-file",
        env=dict(WEB_IDENTITY_ENV),
        credentials=f"[named]\n{static(NAMED_KEYS)}",
        profile_name="named",
        keys=NAMED_KEYS,
    ),
    # -- within a profile: assume-role > web identity > sso > credentials file > process >
    #    config file
    Scenario(
        "assume-role-beats-web-identity-and-the-rest",
        "assume-role",
        env=dict(WEB_IDENTITY_ENV),
        config=f"[default]\n{ASSUME_BASE}{SSO_PROFILE}credential_process = {{process}}\n",
        credentials=f"[default]\n{static(OTHER_KEYS)}[base]\n{static(CREDFILE_KEYS)}",
        sso=True,
        signed_with=CREDFILE_KEYS[0],
        hits=_hits("sts"),
    ),
    Scenario(
        "web-identity-env-beats-sso-and-the-rest",
        "assume-role-with-web-identity",
        env=dict(WEB_IDENTITY_ENV),
        config=EVERYTHING_DEFAULT,
        credentials=f"[default]\n{static(CREDFILE_KEYS)}",
        sso=True,
        signed_with=UNSIGNED,
        hits=_hits("sts"),
    ),
    Scenario(
        "web-identity-profile",
        "assume-role-with-web-identity",
        env={"AWS_PROFILE": "wi"},
        config=f"[profile wi]\nweb_identity_token_file = {{token_file}}\nrole_arn = {ROLE2}\n",
        signed_with=UNSIGNED,
        hits=_hits("sts"),
    ),
    Scenario(
        "sso-beats-credentials-file-and-the-rest",
        "sso",
        config=EVERYTHING_DEFAULT,
        credentials=f"[default]\n{static(CREDFILE_KEYS)}",
        sso=True,
        keys=SSO_KEYS,
        hits=_hits("sso"),
        expiry=True,
    ),
    Scenario(
        "credentials-file-beats-process-and-config",
        "shared-credentials-file",
        config=f"[default]\ncredential_process = {{process}}\n{static(CONFIG_KEYS)}",
        credentials=f"[default]\n{static(CREDFILE_KEYS)}",
        keys=CREDFILE_KEYS,
    ),
    Scenario(
        "process-beats-config-static",
        "custom-process",
        config=f"[default]\ncredential_process = {{process}}\n{static(CONFIG_KEYS)}",
        keys=PROCESS_KEYS,
        hits=_hits("process"),
    ),
    Scenario(
        "process-with-expiration",
        "custom-process",
        config="[default]\ncredential_process = {process_expiring}\n",
        keys=PROCESS_KEYS,
        hits=_hits("process"),
        expiry=True,
    ),
    Scenario(
        "config-file-static",
        "config-file",
        config=f"[default]\n{static(CONFIG_KEYS)}",
        keys=CONFIG_KEYS,
    ),
    # -- after the profile: container > IMDS ------------------------------------------------
    Scenario(
        "profile-beats-container-and-imds",
        "config-file",
        config=f"[default]\n{static(CONFIG_KEYS)}",
        imds="role",
        container="env-token",
        keys=CONFIG_KEYS,
    ),
    Scenario(
        "container-beats-imds",
        "container-role",
        imds="role",
        container="env-token",
        keys=CONTAINER_KEYS,
        hits=_hits("container"),
        expiry=True,
    ),
    Scenario(
        "container-token-file",
        "container-role",
        container="token-file",
        keys=CONTAINER_KEYS,
        hits=_hits("container"),
        expiry=True,
    ),
    Scenario(
        "empty-named-profile-falls-to-container",
        "container-role",
        env={"AWS_PROFILE": "empty"},
        config="[profile empty]\nregion = eu-west-1\n",
        container="env-token",
        keys=CONTAINER_KEYS,
        hits=_hits("container"),
    ),
    Scenario(
        "imds",
        "iam-role",
        imds="role",
        keys=IMDS_KEYS,
        hits=_hits("imds"),
        expiry=True,
    ),
    # -- assume-role sources ------------------------------------------------------------------
    Scenario(
        "credential-source-ecs-container",
        "assume-role",
        config=f"[default]\nrole_arn = {ROLE}\ncredential_source = EcsContainer\n",
        imds="role",
        container="env-token",
        signed_with=CONTAINER_KEYS[0],
        hits=_hits("container", "sts"),
    ),
    Scenario(
        "credential-source-ec2-instance-metadata",
        "assume-role",
        config=f"[default]\nrole_arn = {ROLE}\ncredential_source = Ec2InstanceMetadata\n",
        imds="role",
        signed_with=IMDS_KEYS[0],
        hits=_hits("imds", "sts"),
    ),
    Scenario(
        "credential-source-environment",
        "assume-role",
        env=env_keys(),
        config=f"[profile envsrc]\nrole_arn = {ROLE}\ncredential_source = Environment\n",
        profile_name="envsrc",
        signed_with=ENV_KEYS[0],
        hits=_hits("sts"),
    ),
    Scenario(
        "source-profile-with-credential-process",
        "assume-role",
        env={"AWS_PROFILE": "app"},
        config=f"[profile app]\nrole_arn = {ROLE}\nsource_profile = proc\n"
        "[profile proc]\ncredential_process = {process_source}\n",
        signed_with=PROCESS_SOURCE_KEYS[0],
        hits=_hits("process", "sts"),
    ),
    Scenario(
        "source-profile-with-sso",
        "assume-role",
        env={"AWS_PROFILE": "app"},
        config=f"[profile app]\nrole_arn = {ROLE}\nsource_profile = ssobase\n"
        f"[profile ssobase]\n{SSO_PROFILE}",
        sso=True,
        signed_with=SSO_KEYS[0],
        hits=_hits("sso", "sts"),
    ),
    Scenario(
        "source-profile-config-file-static",
        "assume-role",
        config=f"[default]\n{ASSUME_BASE}[profile base]\n{static(CONFIG_KEYS)}",
        signed_with=CONFIG_KEYS[0],
        hits=_hits("sts"),
    ),
    Scenario(
        "source-profile-is-itself-with-static-keys",
        "assume-role",
        config=f"[default]\nrole_arn = {ROLE}\nsource_profile = default\n",
        credentials=f"[default]\n{static(CREDFILE_KEYS)}",
        signed_with=CREDFILE_KEYS[0],
        hits=_hits("sts"),
    ),
    Scenario(
        "profile-name-keeps-the-profiles-web-identity",
        "assume-role-with-web-identity",
        env={**env_keys(), "AWS_ROLE_ARN": ROLE2},
        config=f"[profile wi]\nweb_identity_token_file = {{token_file}}\nrole_arn = {ROLE}\n",
        profile_name="wi",
        signed_with=UNSIGNED,
        hits=_hits("sts"),
    ),
    Scenario(
        "credential-process-in-the-credentials-file",
        "custom-process",
        credentials="[default]\ncredential_process = {process}\n",
        keys=PROCESS_KEYS,
        hits=_hits("process"),
    ),
    Scenario(
        "empty-env-access-key-is-unset",
        "config-file",
        env={"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ENV_KEYS[1]},
        config=f"[default]\n{static(CONFIG_KEYS)}",
        keys=CONFIG_KEYS,
    ),
    Scenario(
        "role-arn-env-without-token-file-is-ignored",
        "config-file",
        env={"AWS_ROLE_ARN": ROLE},
        config=f"[default]\n{static(CONFIG_KEYS)}",
        keys=CONFIG_KEYS,
    ),
    # -- nothing -------------------------------------------------------------------------------
    Scenario("nothing-anywhere", None),
    Scenario("nothing-but-an-imds-without-role", None, imds="no-role", hits=_hits("imds")),
)


#: Configurations that cannot give credentials: botocore raises, and so must trentclient
#: (at resolution or on first use), with the corresponding class.
ERROR_SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "aws-profile-missing-even-with-env-keys",
        None,
        env={**env_keys(), "AWS_PROFILE": "missing"},
        error=("ProfileNotFound", "ProfileNotFound"),
    ),
    Scenario(
        "profile-name-missing",
        None,
        config=f"[default]\n{static(CONFIG_KEYS)}",
        profile_name="missing",
        error=("ProfileNotFound", "ProfileNotFound"),
    ),
    Scenario(
        "env-partial-keys",
        None,
        env={"AWS_ACCESS_KEY_ID": ENV_KEYS[0]},
        error=("PartialCredentialsError", "PartialCredentialsError"),
    ),
    Scenario(
        "credentials-file-partial-keys",
        None,
        credentials=f"[default]\naws_access_key_id = {CREDFILE_KEYS[0]}\n",
        error=("PartialCredentialsError", "PartialCredentialsError"),
    ),
    Scenario(
        "role-arn-without-source",
        None,
        config=f"[default]\nrole_arn = {ROLE}\n",
        error=("PartialCredentialsError", "PartialCredentialsError"),
    ),
    Scenario(
        "source-profile-missing",
        None,
        config=f"[default]\nrole_arn = {ROLE}\nsource_profile = nowhere\n",
        error=("InvalidConfigError", "InvalidConfigError"),
    ),
    Scenario(
        "source-profile-and-credential-source",
        None,
        config=f"[default]\n{ASSUME_BASE}credential_source = Environment\n",
        credentials=f"[base]\n{static(CREDFILE_KEYS)}",
        error=("InvalidConfigError", "InvalidConfigError"),
    ),
    Scenario(
        "credential-source-is-case-sensitive",
        None,
        config=f"[default]\nrole_arn = {ROLE}\ncredential_source = ecscontainer\n",
        container="env-token",
        error=("InvalidConfigError", "InvalidConfigError"),
    ),
    Scenario(
        "source-profile-loop",
        None,
        config=f"[default]\nrole_arn = {ROLE}\nsource_profile = other\n"
        f"[profile other]\nrole_arn = {ROLE2}\nsource_profile = default\n",
        error=("InfiniteLoopConfigError", "InfiniteLoopConfigError"),
    ),
    Scenario(
        "source-profile-without-credentials-ignores-env",
        None,
        env={**env_keys(), **WEB_IDENTITY_ENV},
        config=f"[profile app]\n{ASSUME_BASE}[profile base]\nregion = eu-west-1\n",
        profile_name="app",
        error=("InvalidConfigError", "InvalidConfigError"),
    ),
    Scenario(
        "web-identity-without-role-arn",
        None,
        env={"AWS_WEB_IDENTITY_TOKEN_FILE": "{token_file}"},
        error=("InvalidConfigError", "InvalidConfigError"),
    ),
    Scenario(
        "sso-session-missing",
        None,
        config="[default]\nsso_session = nowhere\nsso_account_id = 1\nsso_role_name = R\n",
        error=("InvalidConfigError", "InvalidConfigError"),
    ),
    Scenario(
        "credential-process-fails",
        None,
        config="[default]\ncredential_process = {process_failing}\n",
        hits=_hits("process"),
        error=("CredentialRetrievalError", "CredentialRetrievalError"),
    ),
    Scenario(
        "credential-source-environment-without-keys",
        None,
        config=f"[default]\nrole_arn = {ROLE}\ncredential_source = Environment\n",
        error=("CredentialRetrievalError", "CredentialRetrievalError"),
    ),
    Scenario(
        "credential-source-ecs-container-not-configured",
        None,
        config=f"[default]\nrole_arn = {ROLE}\ncredential_source = EcsContainer\n",
        error=("CredentialRetrievalError", "CredentialRetrievalError"),
    ),
    Scenario(
        "credential-source-imds-disabled",
        None,
        config=f"[default]\nrole_arn = {ROLE}\ncredential_source = Ec2InstanceMetadata\n",
        error=("CredentialRetrievalError", "CredentialRetrievalError"),
    ),
    Scenario(
        "credential-source-imds-without-role",
        None,
        config=f"[default]\nrole_arn = {ROLE}\ncredential_source = Ec2InstanceMetadata\n",
        imds="no-role",
        hits=_hits("imds"),
        error=("CredentialRetrievalError", "CredentialRetrievalError"),
    ),
)
