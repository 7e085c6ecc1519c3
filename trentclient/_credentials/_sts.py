"""STS: assume-role profiles and web identity (EKS IRSA), over trentclient's own signer.

Both are one ``POST /`` in STS's query protocol (a form body starting ``Action=<Op>&Version=
2011-06-15``, members in botocore's order, percent-encoded with only ``-._~`` left as is)
and an XML answer, parsed here with ``pyexpat`` (no DTDs or entities, a size cap).

- ``AssumeRoleSource``: signed (SigV4, service ``sts``) with the source credentials, which
  come from another provider (a ``source_profile``'s chain, or ``credential_source``) and
  are asked for at every refresh. ``mfa_serial`` asks ``mfa_token_provider`` for a code at
  every refresh (botocore prompts once, and refuses to refresh after that).
- ``WebIdentitySource``: ``AssumeRoleWithWebIdentity``, unsigned, with the token file read
  again at every refresh (projected service-account tokens rotate).

The endpoint is STS's regional one for the client's region (botocore's default since
``sts_regional_endpoints`` became ``regional``): ``https://sts.{region}.{dnsSuffix}``;
``legacy`` sends the 16 legacy regions to ``https://sts.amazonaws.com`` (signed for
``us-east-1``), and so does a client without a region. FIPS and dual-stack follow
``AWS_USE_FIPS_ENDPOINT`` / ``AWS_USE_DUALSTACK_ENDPOINT`` (or the profile's keys). A configured
endpoint (``AWS_ENDPOINT_URL_STS``, the profile's ``services`` section, ``AWS_ENDPOINT_URL``)
wins. Environment proxies apply, as for botocore's STS client.

An error answer becomes a ``CredentialRetrievalError`` with STS's code, status and request id;
``IDPCommunicationError`` and 5xx / throttling answers are retried (3 attempts, backoff), as
botocore's standard retry mode does for its STS client.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final
from urllib.parse import quote

from trentclient._exceptions import CredentialRetrievalError, InvalidConfigError, TrentError

from ._context import SourceBase, SourceContext, truthy, user_agent
from ._flow import (
    CallFunction,
    Flow,
    HttpFailure,
    HttpRequest,
    HttpResponse,
    Keys,
    KeysProvider,
    ReadFile,
    Resolve,
    parse_timestamp,
)
from ._services import (
    MAX_ATTEMPTS,
    RETRYABLE_FAILURES,
    RETRYABLE_STATUS,
    THROTTLING_CODES,
    base_url,
    send_with_retries,
)

__all__ = ["AssumeRoleSource", "WebIdentitySource", "parse_xml", "sts_endpoint"]

VERSION: Final = "2011-06-15"
_FORM: Final = "application/x-www-form-urlencoded; charset=utf-8"
_MAX_ANSWER: Final = 256 * 1024
_TIMEOUT: Final = (60.0, 60.0)  # botocore's defaults for its STS client

#: Regions that ``sts_regional_endpoints = legacy`` sends to the global endpoint (botocore).
LEGACY_GLOBAL_STS_REGIONS: Final = frozenset(
    {
        "ap-northeast-1",
        "ap-south-1",
        "ap-southeast-1",
        "ap-southeast-2",
        "aws-global",
        "ca-central-1",
        "eu-central-1",
        "eu-north-1",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "sa-east-1",
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
    }
)
_GLOBAL: Final = ("https://sts.amazonaws.com", "us-east-1")
#: Retried on top of the shared throttling codes: botocore's standard mode retries
#: IDPCommunicationError for STS, and these transient codes for every service.
_RETRYABLE_CODES: Final = frozenset(
    {"IDPCommunicationError", "InternalError", "InternalFailure", "ServiceUnavailable"}
)


# -- endpoint ---------------------------------------------------------------------------------


def sts_endpoint(ctx: SourceContext) -> tuple[str, str]:
    """``(URL, signing region)`` for STS calls made for a client in ``ctx.region``."""
    region = ctx.region
    if ctx.service_endpoint("STS") is not None:
        signing = region or "us-east-1"
        return base_url(ctx, "STS", "sts", signing), signing
    if not region or region == "aws-global":
        return _GLOBAL
    fips = truthy(ctx.setting("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"))
    dual = truthy(ctx.setting("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint"))
    mode = (
        ctx.setting("AWS_STS_REGIONAL_ENDPOINTS", "sts_regional_endpoints") or "regional"
    ).lower()
    if mode not in ("regional", "legacy"):
        raise InvalidConfigError(
            f"sts_regional_endpoints / AWS_STS_REGIONAL_ENDPOINTS must be 'legacy' or "
            f"'regional', not {mode!r}"
        )
    if mode == "legacy" and region in LEGACY_GLOBAL_STS_REGIONS and not (fips or dual):
        return _GLOBAL
    return base_url(ctx, "STS", "sts", region), region


# -- the query protocol -----------------------------------------------------------------------


def _encode(value: str) -> str:
    return quote(value, safe="-._~")


def form_body(action: str, params: list[tuple[str, str]]) -> bytes:
    pairs = [("Action", action), ("Version", VERSION), *params]
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in pairs).encode("ascii")


class XmlNode:
    """An element: its local name, text and children (namespaces dropped)."""

    __slots__ = ("children", "name", "text")

    def __init__(self, name: str) -> None:
        self.name = name
        self.text = ""
        self.children: list[XmlNode] = []

    def find(self, *path: str) -> XmlNode | None:
        node: XmlNode | None = self
        for name in path:
            assert node is not None
            node = next((child for child in node.children if child.name == name), None)
            if node is None:
                return None
        return node

    def text_of(self, *path: str) -> str | None:
        node = self.find(*path)
        return None if node is None else node.text


class _XmlRefused(Exception):
    pass


def parse_xml(body: bytes) -> XmlNode | None:
    """The document's root element, or None when ``body`` is not well-formed XML (or has a
    DTD, entities or more than 64 levels of nesting)."""
    import pyexpat

    parser = pyexpat.ParserCreate(namespace_separator=" ")
    stack: list[XmlNode] = []
    root: list[XmlNode] = []

    def start(name: str, _attributes: Any) -> None:
        node = XmlNode(name.rsplit(" ", 1)[-1])
        if stack:
            stack[-1].children.append(node)
        elif root:
            raise _XmlRefused
        else:
            root.append(node)
        stack.append(node)
        if len(stack) > 64:
            raise _XmlRefused

    def end(_name: str) -> None:
        stack.pop()

    def text(data: str) -> None:
        if stack:
            stack[-1].text += data

    def refuse(*_args: Any) -> None:
        raise _XmlRefused

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(body, True)
    except (pyexpat.ExpatError, _XmlRefused, ValueError):
        return None
    return root[0] if root else None


#: Kept under the name the benchmarks use.
parse_iso8601 = parse_timestamp


# -- the shared flow --------------------------------------------------------------------------


class _StsSource(SourceBase):
    """What AssumeRole and AssumeRoleWithWebIdentity share: send, retry, parse."""

    action: str = ""

    def __init__(self, ctx: SourceContext, profile: str | None, role_arn: str) -> None:
        super().__init__(profile)
        self.role_arn = role_arn
        self.url, self.signing_region = sts_endpoint(ctx)
        self._user_agent = user_agent()

    def _headers(self) -> list[tuple[str, str]]:
        return [("Content-Type", _FORM), ("User-Agent", self._user_agent)]

    def _exchange(
        self,
        body: bytes,
        sign: Callable[[list[tuple[str, str]], bytes], list[tuple[str, str]]] | None,
    ) -> Flow[XmlNode]:
        """POST ``body`` (signed by ``sign`` when given), retrying what botocore retries."""
        from trentclient._call import _invocation_id

        invocation = _invocation_id()

        def make(attempt: int) -> HttpRequest:
            headers = self._headers()
            if sign is not None:
                headers = sign(headers, body)
            # As botocore: the retry headers are added after signing, so they are not signed.
            headers.append(("amz-sdk-invocation-id", invocation))
            retry = f"attempt={attempt}" + (f"; max={MAX_ATTEMPTS}" if attempt > 1 else "")
            headers.append(("amz-sdk-request", retry))
            return HttpRequest(
                "POST",
                self.url + "/",
                headers,
                body,
                timeout=_TIMEOUT,
                trust_env=True,
                secret_headers=frozenset({"authorization", "x-amz-security-token"}),
                max_body=_MAX_ANSWER,
            )

        def retryable(answer: HttpResponse | HttpFailure) -> bool:
            outcome = self._outcome(answer)
            return isinstance(outcome, _Failed) and outcome.retryable

        answer = yield from send_with_retries(make, retryable)
        outcome = self._outcome(answer)
        if isinstance(outcome, _Failed):
            raise outcome.error
        return outcome

    def _outcome(self, answer: HttpResponse | HttpFailure) -> XmlNode | _Failed:
        where = f"STS {self.action} at {self.url}"
        if isinstance(answer, HttpFailure):
            return _Failed(
                self.error(f"{where} failed: {answer.message}"),
                retryable=answer.kind in RETRYABLE_FAILURES,
            )
        root = parse_xml(answer.body)
        request_id = answer.headers.get("x-amzn-requestid")
        if 200 <= answer.status < 300 and root is not None and root.name.endswith("Response"):
            return root
        code: str | None = None
        message = ""
        if root is not None:
            error = root.find("Error") or root.find("Errors", "Error")
            if error is not None:
                code = (error.text_of("Code") or "").strip() or None
                message = (error.text_of("Message") or "").strip()
            request_id = (root.text_of("RequestId") or "").strip() or request_id
        if 200 <= answer.status < 300:
            return _Failed(
                self.error(
                    f"{where} answered {answer.status} with a body that is not its XML result"
                ),
                retryable=False,
            )
        text = f"{where} answered {answer.status}" + (f" ({code})" if code else "")
        if message:
            text += f": {message[:500]}"
        retryable = (
            answer.status in RETRYABLE_STATUS
            or code in THROTTLING_CODES
            or code in _RETRYABLE_CODES
        )
        return _Failed(
            self.error(text, code=code, status_code=answer.status, request_id=request_id),
            retryable=retryable,
        )

    def _keys(self, root: XmlNode) -> Keys:
        result = root.find(f"{self.action}Result")
        credentials = result.find("Credentials") if result is not None else None
        values: dict[str, str] = {}
        for key in ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"):
            value = (credentials.text_of(key) if credentials is not None else None) or ""
            if not value.strip():
                raise self.error(f"STS {self.action} answered without Credentials.{key}")
            values[key] = value.strip()
        expiry = parse_iso8601(values["Expiration"])
        if expiry is None:
            raise self.error(f"STS {self.action} answered an Expiration that is not ISO 8601")
        arn = (result.text_of("AssumedRoleUser", "Arn") if result is not None else None) or ""
        parts = arn.split(":")
        account_id = parts[4] if len(parts) > 5 and parts[0] == "arn" and parts[4] else None
        try:
            return Keys(
                values["AccessKeyId"],
                values["SecretAccessKey"],
                values["SessionToken"],
                expiry=expiry,
                account_id=account_id,
            )
        except (TypeError, ValueError) as exc:
            raise self.error(f"STS {self.action} answered unusable credentials: {exc}") from None

    def failed(self, error: Exception) -> TrentError:
        return self.error(f"STS {self.action} failed: {type(error).__name__}: {error}")


class _Failed:
    __slots__ = ("error", "retryable")

    def __init__(self, error: CredentialRetrievalError, *, retryable: bool) -> None:
        self.error = error
        self.retryable = retryable


def _session_name(given: str | None) -> str:
    import time

    return given if given else f"botocore-session-{int(time.time())}"


# -- assume-role ------------------------------------------------------------------------------


class AssumeRoleSource(_StsSource):
    """``role_arn`` with ``source_profile`` or ``credential_source``: STS AssumeRole."""

    method = "assume-role"
    action = "AssumeRole"

    def __init__(
        self,
        ctx: SourceContext,
        *,
        profile: str,
        role_arn: str,
        source: KeysProvider,
        role_session_name: str | None = None,
        external_id: str | None = None,
        mfa_serial: str | None = None,
        duration_seconds: int | None = None,
    ) -> None:
        super().__init__(ctx, profile, role_arn)
        self.source = source
        self.role_session_name = role_session_name
        self.external_id = external_id
        self.mfa_serial = mfa_serial
        self.duration_seconds = duration_seconds
        self._mfa = ctx.mfa_token_provider
        if mfa_serial is not None and self._mfa is None:
            raise InvalidConfigError(
                f"Profile {profile!r} sets mfa_serial, so assuming its role needs an MFA code: "
                "pass mfa_token_provider= (a callable given the serial number that returns the "
                "current code) to the client; trentclient never prompts on its own"
            )

    def flow(self) -> Flow[Keys | None]:
        # botocore's order: the profile's extra arguments, then RoleArn, then a generated
        # RoleSessionName, then the MFA code.
        params: list[tuple[str, str]] = []
        if self.role_session_name is not None:
            params.append(("RoleSessionName", self.role_session_name))
        if self.external_id is not None:
            params.append(("ExternalId", self.external_id))
        if self.mfa_serial is not None:
            params.append(("SerialNumber", self.mfa_serial))
        if self.duration_seconds is not None:
            params.append(("DurationSeconds", str(self.duration_seconds)))
        params.append(("RoleArn", self.role_arn))
        if not self.role_session_name:
            params.append(("RoleSessionName", _session_name(None)))
        if self.mfa_serial is not None:
            assert self._mfa is not None
            code = yield CallFunction(self._mfa, self.mfa_serial)
            if not isinstance(code, str) or not code.strip():
                raise self.error("mfa_token_provider returned no MFA code")
            params.append(("TokenCode", code.strip()))
        source_keys: Keys = yield Resolve(self.source)
        from trentclient._auth import SigV4Auth

        signer = SigV4Auth(source_keys, self.signing_region, "sts")  # type: ignore[arg-type]
        url = self.url + "/"

        def sign(headers: list[tuple[str, str]], body: bytes) -> list[tuple[str, str]]:
            import httpx

            added, _ = signer.signing_headers("POST", httpx.URL(url), headers, body)
            return headers + added

        root = yield from self._exchange(form_body(self.action, params), sign)
        return self._keys(root)


# -- web identity -----------------------------------------------------------------------------


class WebIdentitySource(_StsSource):
    """``AssumeRoleWithWebIdentity`` with the token from ``token_file``, read at every fetch."""

    method = "assume-role-with-web-identity"
    action = "AssumeRoleWithWebIdentity"

    def __init__(
        self,
        ctx: SourceContext,
        *,
        profile: str | None,
        role_arn: str,
        token_file: str,
        role_session_name: str | None = None,
    ) -> None:
        super().__init__(ctx, profile, role_arn)
        self.token_file = token_file
        self.role_session_name = role_session_name

    def flow(self) -> Flow[Keys | None]:
        token = yield ReadFile(self.token_file)
        if token is None:
            raise self.error(f"the web identity token file {self.token_file} cannot be read")
        if not token:
            raise self.error(f"the web identity token file {self.token_file} is empty")
        params: list[tuple[str, str]] = []
        if self.role_session_name is not None:
            params.append(("RoleSessionName", self.role_session_name))
        params.append(("RoleArn", self.role_arn))
        if not self.role_session_name:
            params.append(("RoleSessionName", _session_name(None)))
        params.append(("WebIdentityToken", token))
        root = yield from self._exchange(form_body(self.action, params), None)
        return self._keys(root)
