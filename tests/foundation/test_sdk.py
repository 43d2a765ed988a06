from __future__ import annotations

import pytest
from pydantic import BaseModel

from connectors.echo import echo
from connectors.sdk import (
    ConnectorError,
    ConnectorInputError,
    FieldError,
    OutboundContext,
    outbound_connector,
)
from connectors.sdk.fields import Property, property_of
from connectors.sdk.testing import arun_connector, run_connector
from tests.foundation.sample_connectors import Order, order_sync

VALID = {"orderId": 7, "customer": "ACME", "address": {"city": "Berlin", "zip": "10115"}}


def test_input_variables_are_the_model_aliases() -> None:
    assert order_sync.input_variables == ("orderId", "customer", "address", "tags")
    assert order_sync.timeout == 5
    assert order_sync.model_parameter == "order"
    assert order_sync.context_parameter == "context"
    assert not order_sync.is_async


def test_binding_error_names_every_failing_field_and_reason() -> None:
    bad = {"orderId": 0, "address": {"city": "Berlin", "zip": "1"}, "tags": ["a", 3]}
    with pytest.raises(ConnectorInputError) as info:
        run_connector(order_sync, bad)
    errors = {(e.path, e.reason) for e in info.value.errors}
    assert ("orderId", "Input should be greater than 0") in errors
    assert ("customer", "Field required") in errors
    assert ("address.zip", "String should have at least 5 characters") in errors
    assert ("tags[1]", "Input should be a valid string") in errors
    assert str(info.value).startswith("Invalid input (4 fields): ")
    assert "address.zip: String should have at least 5 characters" in str(info.value)


def test_binding_errors_never_echo_the_input_value() -> None:
    with pytest.raises(ConnectorInputError) as info:
        run_connector(order_sync, {**VALID, "orderId": "s3cr3t-value"})
    assert "s3cr3t-value" not in str(info.value)
    assert info.value.errors == [
        FieldError(
            "orderId", "Input should be a valid integer, unable to parse string as an integer"
        )
    ]


def test_sync_connector_gets_model_and_context() -> None:
    result = run_connector(order_sync, VALID, headers={"resultVariable": "r"})
    assert result == {"id": 7, "job": "test:order:1"}


def test_secrets_are_replaced_before_binding() -> None:
    result = run_connector(echo, {"auth": "Bearer {{secrets.TOKEN}}"}, secrets={"TOKEN": "t0k"})
    assert result == {"auth": "Bearer t0k"}


def test_missing_secret_is_an_input_error() -> None:
    with pytest.raises(ConnectorInputError, match="Secret with name 'NOPE' is not available"):
        run_connector(echo, {"auth": "{{secrets.NOPE}}"})


def test_echo_fails_with_the_requested_code() -> None:
    with pytest.raises(ConnectorError) as info:
        run_connector(echo, {"fail_code": "E42", "fail_message": "boom"})
    assert (info.value.code, info.value.message) == ("E42", "boom")


async def test_echo_async_run() -> None:
    assert await arun_connector(echo, {"a": [1, {"b": None}]}) == {"a": [1, {"b": None}]}


def test_context_bind() -> None:
    context = OutboundContext(job=order_sync_job(), variables=VALID)
    assert context.bind(Order).address.city == "Berlin"


def order_sync_job():  # type: ignore[no-untyped-def]
    from connectors.sdk import JobInfo

    return JobInfo(type="test:order:1")


def test_field_metadata_is_kept_for_templates() -> None:
    prop = property_of(Order.model_fields["customer"].metadata)
    assert prop == Property(label="Customer", secret=True)


def test_unannotated_parameter_is_rejected() -> None:
    def bad(x):  # type: ignore[no-untyped-def]
        return x

    with pytest.raises(TypeError, match="parameter 'x' must be annotated"):
        outbound_connector(name="bad", type="t")(bad)


class A(BaseModel):
    a: int


def test_two_models_are_rejected() -> None:
    def two(a: A, b: A) -> None: ...

    with pytest.raises(TypeError, match="only one input model"):
        outbound_connector(name="two", type="t")(two)


def test_non_json_result_is_a_clear_error() -> None:
    @outbound_connector(name="obj", type="t:obj")
    def returns_object() -> object:
        return object()

    with pytest.raises(TypeError, match="object is not JSON-serialisable"):
        run_connector(returns_object, {})


def test_discriminated_union_paths_read_as_the_variables_are_written() -> None:
    from tests.foundation.sample_connectors import send_request

    variables = {
        "url": "http://x",
        "authentication": {"type": "basic", "username": "u"},
        "fallbacks": [{"type": "bearer"}, {"type": "digest"}],
    }
    with pytest.raises(ConnectorInputError) as info:
        run_connector(send_request, variables)
    paths = [e.path for e in info.value.errors]
    assert paths == [
        "authentication.password",
        "fallbacks[0].token",
        "fallbacks[1].type",
    ]
    assert (
        "does not match any of the expected tags: 'basic', 'bearer'" in info.value.errors[2].reason
    )


def test_an_aliased_discriminator_is_named_by_its_alias() -> None:
    """A tag field named ``auth_type`` with alias ``authType`` (as Camunda's RabbitMQ
    template binds ``authentication.authType``) reads as the variables spell it."""
    from typing import Annotated, Literal

    from pydantic import Field

    class Uri(BaseModel):
        auth_type: Annotated[Literal["uri"], Field(alias="authType")]
        uri: str

    class Credentials(BaseModel):
        auth_type: Annotated[Literal["credentials"], Field(alias="authType")]
        user_name: Annotated[str, Field(alias="userName")]

    class Request(BaseModel):
        authentication: Annotated[Uri | Credentials, Field(discriminator="auth_type")]
        fallbacks: list[Annotated[Uri | Credentials, Field(discriminator="auth_type")]] = []

    from connectors.sdk import bind

    with pytest.raises(ConnectorInputError) as info:
        bind(
            Request,
            {
                "authentication": {"authType": "oauth"},
                "fallbacks": [{"authType": "credentials"}, {"authType": "nope"}],
            },
        )
    assert [e.path for e in info.value.errors] == [
        "authentication.authType",
        "fallbacks[0].userName",
        "fallbacks[1].authType",
    ]
