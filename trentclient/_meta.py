"""``client.meta``: what boto3's ``client.meta`` says about a client and the KMS model.

boto3 code reads ``client.meta.region_name``, ``endpoint_url``, ``config``, ``partition``,
``method_to_api_mapping`` and ``service_model`` (``operation_names``,
``operation_model(name).input_shape.members``, ...). The same names are here, with the same
values (``tests/test_meta.py`` compares them with a real botocore client), read-only and
typed. The model comes from the generated operation table (``_generated/_shapes.py``), loaded
on the first read that needs it; botocore is never imported.

What botocore has and this does not: the event system (``meta.events``), documentation
strings, shape ``metadata`` and ``serialization`` dicts, and ``error_shapes`` (the modeled
errors are the classes in ``client.exceptions``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from ._endpoints import normalize_region, partition_of
from ._exceptions import OperationNotFoundError

if TYPE_CHECKING:
    from ._config import Config
    from ._model import Operation, Shape

__all__ = ["SERVICE_MODEL", "ClientMeta", "OperationModel", "ServiceModel", "ShapeModel"]

# The service model's metadata block (botocore's ``service-2.json``). Not in the generated
# table; tests/test_meta.py checks every value against botocore's.
_SERVICE_NAME: Final = "kms"
_API_VERSION: Final = "2014-11-01"
_METADATA: Final[Mapping[str, object]] = MappingProxyType(
    {
        "apiVersion": _API_VERSION,
        "endpointPrefix": "kms",
        "jsonVersion": "1.1",
        "protocol": "json",
        "protocols": ("json",),
        "serviceAbbreviation": "KMS",
        "serviceFullName": "AWS Key Management Service",
        "serviceId": "KMS",
        "signatureVersion": "v4",
        "targetPrefix": "TrentService",
        "uid": "kms-2014-11-01",
        "auth": ("aws.auth#sigv4",),
    }
)


def _thaw(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


class ShapeModel:
    """One shape of the KMS model, as botocore's ``Shape`` (and its ``StructureShape``,
    ``ListShape``, ``MapShape``, ``StringShape`` subclasses) shows it.

    ``members`` keeps the model's order; it is empty except for structures. ``member`` is
    a list's element shape, ``key`` / ``value`` a map's, ``None`` elsewhere.
    """

    __slots__ = ("_members", "_shape")

    def __init__(self, shape: Shape) -> None:
        self._shape: Shape = shape
        self._members: Mapping[str, ShapeModel] | None = None

    @property
    def name(self) -> str:
        """The shape's name in the model (``"KeyIdType"``), not a member's name."""
        return self._shape.name

    @property
    def type_name(self) -> str:
        """``"structure"``, ``"list"``, ``"map"``, ``"string"``, ``"blob"``, ``"integer"``,
        ``"boolean"``, ``"timestamp"``, ..."""
        return self._shape.type

    @property
    def members(self) -> Mapping[str, ShapeModel]:
        """Member name -> member shape, in the model's order (read-only)."""
        members = self._members
        if members is None:
            members = MappingProxyType({k: _wrap(v) for k, v in self._shape.members.items()})
            self._members = members
        return members

    @property
    def required_members(self) -> list[str]:
        """The names of the required members, in the model's order (a new list)."""
        required = self._shape.required
        return [name for name in self._shape.members if name in required]

    @property
    def member(self) -> ShapeModel | None:
        """A list's element shape."""
        shape = self._shape.member
        return None if shape is None else _wrap(shape)

    @property
    def key(self) -> ShapeModel | None:
        """A map's key shape."""
        shape = self._shape.key
        return None if shape is None else _wrap(shape)

    @property
    def value(self) -> ShapeModel | None:
        """A map's value shape."""
        shape = self._shape.value
        return None if shape is None else _wrap(shape)

    @property
    def enum(self) -> list[str]:
        """A string enum's values in the model's order (a new list; empty for the rest)."""
        return list(self._shape.enum)

    def __repr__(self) -> str:
        return f"<ShapeModel({self._shape.name})>"


# One wrapper per model shape, so ``a.members["KeyId"] is b.members["KeyId"]`` when both
# are the same model shape (botocore caches its shapes likewise). The model's shapes live
# as long as the process, so this only ever grows to the model's size.
_WRAPPERS: dict[Shape, ShapeModel] = {}


def _wrap(shape: Shape) -> ShapeModel:
    wrapper = _WRAPPERS.get(shape)
    if wrapper is None:
        wrapper = _WRAPPERS.setdefault(shape, ShapeModel(shape))
    return wrapper


class OperationModel:
    """One KMS operation, as botocore's ``OperationModel`` shows it."""

    __slots__ = ("_operation", "_service_model")

    def __init__(self, operation: Operation, service_model: ServiceModel) -> None:
        self._operation: Operation = operation
        self._service_model: ServiceModel = service_model

    @property
    def name(self) -> str:
        """The API name (``"Encrypt"``)."""
        return self._operation.name

    @property
    def wire_name(self) -> str:
        """The name sent on the wire (in ``X-Amz-Target``); the API name for KMS."""
        return self._operation.name

    @property
    def http(self) -> dict[str, str]:
        """``{"method": "POST", "requestUri": "/"}``, as every KMS operation (a new dict)."""
        return {"method": "POST", "requestUri": "/"}

    @property
    def input_shape(self) -> ShapeModel:
        """The request structure (every KMS operation has one)."""
        return _wrap(self._operation.input)

    @property
    def output_shape(self) -> ShapeModel | None:
        """The response structure; ``None`` for operations with no output
        (``CreateAlias``, ``EnableKey``, ...), as in botocore."""
        output = self._operation.output
        return None if output is None else _wrap(output)

    @property
    def service_model(self) -> ServiceModel:
        return self._service_model

    def __repr__(self) -> str:
        return f"OperationModel(name={self._operation.name})"


def _operations() -> Mapping[str, Operation]:
    from ._generated._shapes import OPERATIONS

    return OPERATIONS


class ServiceModel:
    """The KMS service model, as botocore's ``ServiceModel`` shows it (one, shared)."""

    __slots__ = ("_operation_models",)

    def __init__(self) -> None:
        self._operation_models: dict[str, OperationModel] = {}

    @property
    def service_name(self) -> str:
        """``"kms"``."""
        return _SERVICE_NAME

    @property
    def api_version(self) -> str:
        """``"2014-11-01"``."""
        return _API_VERSION

    @property
    def signing_name(self) -> str:
        """The SigV4 service name: ``"kms"``."""
        return _SERVICE_NAME

    @property
    def endpoint_prefix(self) -> str:
        return _SERVICE_NAME

    @property
    def service_id(self) -> str:
        """``"KMS"``."""
        return "KMS"

    @property
    def protocol(self) -> str:
        """``"json"`` (AWS JSON 1.1)."""
        return "json"

    @property
    def protocols(self) -> list[str]:
        return ["json"]

    @property
    def signature_version(self) -> str:
        return "v4"

    @property
    def metadata(self) -> dict[str, object]:
        """The model's ``metadata`` block (``targetPrefix``, ``jsonVersion``, ...; a new dict)."""
        return {key: _thaw(value) for key, value in _METADATA.items()}

    @property
    def operation_names(self) -> list[str]:
        """Every operation's API name, in the model's order (a new list)."""
        return list(_operations())

    def operation_model(self, operation_name: str) -> OperationModel:
        """The operation named ``operation_name`` (the API name: ``"Encrypt"``).

        Raises ``OperationNotFoundError`` for any other name, method names included, as
        botocore does.
        """
        if not isinstance(operation_name, str):
            raise OperationNotFoundError(operation_name)
        model = self._operation_models.get(operation_name)
        if model is None:
            operation = _operations().get(operation_name)
            if operation is None:
                raise OperationNotFoundError(operation_name)
            model = self._operation_models.setdefault(
                operation_name, OperationModel(operation, self)
            )
        return model

    def __repr__(self) -> str:
        return f"ServiceModel({_SERVICE_NAME})"


#: The one service model every client's ``meta.service_model`` returns.
SERVICE_MODEL: Final = ServiceModel()


class ClientMeta:
    """boto3's ``client.meta`` for a trentclient client (``client.meta``)."""

    __slots__ = ("_config", "_endpoint_url", "_region_name")

    def __init__(self, region_name: str, endpoint_url: str, config: Callable[[], Config]) -> None:
        # FIPS pseudo-regions ("us-east-1-fips") report their real region, as in botocore.
        self._region_name: str = normalize_region(region_name)[0]
        self._endpoint_url: str = endpoint_url
        self._config: Callable[[], Config] = config

    @property
    def region_name(self) -> str:
        """The region requests are signed for (``"us-east-1"`` for ``"us-east-1-fips"``)."""
        return self._region_name

    @property
    def endpoint_url(self) -> str:
        """The KMS endpoint requests go to, as ``client.endpoint_url`` (a given
        ``endpoint_url``'s bare trailing ``/`` dropped, the scheme in lower case)."""
        return self._endpoint_url

    @property
    def config(self) -> Config:
        """The client's ``Config`` (``client.config``)."""
        return self._config()

    @property
    def partition(self) -> str:
        """The region's AWS partition as botocore names it: ``"aws"``, ``"aws-cn"``,
        ``"aws-us-gov"``, ``"aws-iso"``, ``"aws-iso-b"``, ... (also with ``endpoint_url``)."""
        return partition_of(self._region_name, use_dualstack=self.config.use_dualstack_endpoint)

    @property
    def service_model(self) -> ServiceModel:
        return SERVICE_MODEL

    @property
    def method_to_api_mapping(self) -> dict[str, str]:
        """Method name -> API name (``{"encrypt": "Encrypt", ...}``; a new dict)."""
        from ._generated._shapes import METHOD_TO_OPERATION

        return dict(METHOD_TO_OPERATION)

    def __repr__(self) -> str:
        return f"ClientMeta(region_name={self._region_name!r}, endpoint_url={self._endpoint_url!r})"
