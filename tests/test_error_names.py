"""The names a boto3 user catches from ``botocore.exceptions`` exist in ``trentclient``, with
botocore's relations between them (differentially: the subclass matrix must be botocore's)."""

from __future__ import annotations

import itertools
import pickle

import botocore.exceptions
import pytest

import trentclient

#: Every botocore exception name trentclient offers (KMS callers' ones).
NAMES = [
    "BotoCoreError",
    "ClientError",
    "ConfigParseError",
    "ConnectTimeoutError",
    "ConnectionClosedError",
    "CredentialRetrievalError",
    "EndpointConnectionError",
    "HTTPClientError",
    "InfiniteLoopConfigError",
    "InvalidConfigError",
    "MissingDependencyException",
    "NoCredentialsError",
    "NoRegionError",
    "ParamValidationError",
    "PartialCredentialsError",
    "ProfileNotFound",
    "ReadTimeoutError",
    "UnauthorizedSSOTokenError",
]


def test_every_name_exists_in_both() -> None:
    for name in NAMES:
        assert hasattr(botocore.exceptions, name), name
        ours = getattr(trentclient, name)
        assert issubclass(ours, trentclient.TrentError), name
        assert name in trentclient.__all__


@pytest.mark.parametrize(("a", "b"), list(itertools.permutations(NAMES, 2)))
def test_subclass_relations_are_botocores(a: str, b: str) -> None:
    theirs = issubclass(getattr(botocore.exceptions, a), getattr(botocore.exceptions, b))
    ours = issubclass(getattr(trentclient, a), getattr(trentclient, b))
    assert ours == theirs, f"issubclass({a}, {b}): botocore {theirs}, trentclient {ours}"


def test_botocore_error_catches_no_service_error() -> None:
    assert not issubclass(trentclient.ServiceError, trentclient.BotoCoreError)
    assert not issubclass(trentclient.NotFoundException, trentclient.BotoCoreError)  # type: ignore[attr-defined]
    for name in trentclient.__all__:
        value = getattr(trentclient, name)
        if (
            isinstance(value, type)
            and issubclass(value, trentclient.TrentError)
            and not issubclass(value, trentclient.ServiceError)
            and value is not trentclient.TrentError
        ):
            assert issubclass(value, trentclient.BotoCoreError), name


@pytest.mark.parametrize(
    "error",
    [
        trentclient.PartialCredentialsError("Partial credentials found in env"),
        trentclient.EndpointConnectionError(
            "Could not connect", operation_name="ListKeys", attempts=3
        ),
        trentclient.ConnectionClosedError("closed", operation_name="ListKeys", attempts=2),
    ],
)
def test_new_errors_pickle(error: Exception) -> None:
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error) and str(again) == str(error)
