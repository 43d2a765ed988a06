"""``error.type`` is a stable, documented name, never a Python module path.

Camunda's runtime writes the Java class name of the failure's cause as ``error.type``
(camunda/connectors connector-runtime/connector-runtime-spring/src/main/java/io/camunda/
connector/runtime/outbound/job/OutboundConnectorExceptionHandler.java, ``exceptionToMap``:
``originalCause.getClass().getName()``). Where Switchboard fails for the same reason, it uses
the same name, so error expressions written for Camunda match:

- connector-sdk/core/src/main/java/io/camunda/connector/api/error/ConnectorException.java,
  ConnectorInputException.java, ConnectorRetryException.java;
- connector-runtime/connector-runtime-core/src/main/java/io/camunda/connector/runtime/core/
  error/InvalidBackOffDurationException.java, InvalidJobTimeoutException.java;
- connector-runtime/connector-feel/src/main/java/io/camunda/connector/feel/
  FeelEngineWrapperException.java;
- a missing secret is a ConnectorInputException (connector-runtime-core .../secret/
  SecretHandler.java), as is output over the size limit (connector-sdk/core .../document/
  InlineSizeGuard.java) and an expression result of the wrong shape (connector-runtime-core
  .../ConnectorResultHandler.java, ``parseJsonVarsAsTypeOrThrow``).
"""

from __future__ import annotations

import inspect
import sys
import textwrap
from typing import Any

import pytest

from app.runtime.errors import (
    ConnectorTimeoutError,
    ExpressionError,
    ExpressionResultError,
    InvalidJobTimeoutError,
    InvalidRetryBackoffError,
    UnknownJobTypeError,
    VariablesTooLargeError,
)
from app.runtime.executor import ConnectorRuntime, RuntimeLimits
from app.runtime.model import Fail, Job
from app.runtime.secrets_hook import StaticSecretResolver
from app.secrets.errors import SecretNotFoundError, SecretProviderError
from connectors.echo import echo
from connectors.sdk import outbound_connector
from connectors.sdk.errors import (
    ConnectorError,
    ConnectorInputError,
    ConnectorRetryError,
    error_type,
)

INPUT = "io.camunda.connector.api.error.ConnectorInputException"

PINNED: list[tuple[BaseException, str]] = [
    (ConnectorError("C", "m"), "io.camunda.connector.api.error.ConnectorException"),
    (ConnectorRetryError("m"), "io.camunda.connector.api.error.ConnectorRetryException"),
    (ConnectorInputError("m"), INPUT),
    (SecretNotFoundError("X"), INPUT),
    (VariablesTooLargeError("m"), INPUT),
    (ExpressionResultError("m"), INPUT),
    (
        InvalidRetryBackoffError("m"),
        "io.camunda.connector.runtime.core.error.InvalidBackOffDurationException",
    ),
    (
        InvalidJobTimeoutError("m"),
        "io.camunda.connector.runtime.core.error.InvalidJobTimeoutException",
    ),
    (ExpressionError("m"), "io.camunda.connector.feel.FeelEngineWrapperException"),
    (UnknownJobTypeError("t"), "switchboard.UnknownJobTypeError"),
    (ConnectorTimeoutError("m"), "switchboard.ConnectorTimeoutError"),
    (SecretProviderError("vault", "down"), "switchboard.SecretProviderError"),
    # Exceptions outside the tree: the bare class name.
    (RuntimeError("m"), "RuntimeError"),
    (KeyError("m"), "KeyError"),
]


@pytest.mark.parametrize(("exc", "name"), PINNED, ids=[n for _, n in PINNED])
def test_every_runtime_error_has_its_pinned_type(exc: BaseException, name: str) -> None:
    assert error_type(exc) == name
    assert "app." not in name and "connectors." not in name


def moved(cls: type[Exception], module: str) -> type[Exception]:
    """The class as it is after moving its source to another module: the same ``class``
    statement, run in a module of another name (its bases and imports unchanged)."""
    source = textwrap.dedent(inspect.getsource(cls))
    namespace = {**vars(sys.modules[cls.__module__]), "__name__": module}
    exec(compile(source, f"<{module}>", "exec"), namespace)
    new: type[Exception] = namespace[cls.__name__]
    assert new is not cls and new.__module__ == module
    return new


class _Bare(Exception):
    pass


async def _fail_type(raise_: type[Exception], *args: Any) -> tuple[str, int]:
    @outbound_connector(name="Raise", type="test:raise-moved:1")
    async def raiser() -> dict[str, Any]:
        raise raise_(*args)

    runtime = ConnectorRuntime({raiser.type: raiser})
    try:
        outcome = (await runtime.execute(Job.create(raiser.type, retries=3))).outcome
    finally:
        runtime.close()
    assert isinstance(outcome, Fail)
    return outcome.variables["error"]["type"], outcome.retries


@pytest.mark.parametrize(
    ("cls", "args", "retries"),
    [
        (ConnectorInputError, ("bad input",), 0),
        (SecretNotFoundError, ("X",), 0),
        (ConnectorError, ("C", "m"), 2),
        (_Bare, ("m",), 2),
    ],
)
async def test_the_type_of_a_failed_job_survives_moving_the_class(
    cls: type[Exception], args: tuple[Any, ...], retries: int
) -> None:
    before = await _fail_type(cls, *args)
    after = await _fail_type(moved(cls, "somewhere.else.entirely"), *args)
    assert before == after
    assert before[1] == retries
    assert "somewhere" not in after[0]


async def test_input_error_types_in_fail_outcomes() -> None:
    """The input errors the runtime itself detects, as a Fail outcome shows them."""
    runtime = ConnectorRuntime(
        {echo.type: echo},
        secrets=StaticSecretResolver({}),
        limits=RuntimeLimits(max_input_bytes=1024),
    )
    cases = {
        "unknown type": (Job.create("no:such:1"), "switchboard.UnknownJobTypeError"),
        "missing secret": (Job.create(echo.type, {"a": "{{secrets.NOPE}}"}), INPUT),
        "too large": (Job.create(echo.type, {"a": "x" * 2000}), INPUT),
        "bad backoff": (
            Job.create(echo.type, custom_headers={"retryBackoff": "soon"}),
            "io.camunda.connector.runtime.core.error.InvalidBackOffDurationException",
        ),
        "bad result shape": (
            Job.create(echo.type, custom_headers={"resultExpression": "=1"}),
            INPUT,
        ),
    }
    try:
        for case, (job, name) in cases.items():
            outcome = (await runtime.execute(job)).outcome
            assert isinstance(outcome, Fail), case
            assert (outcome.variables["error"]["type"], outcome.retries) == (name, 0), case
    finally:
        runtime.close()
