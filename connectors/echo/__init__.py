"""The echo connector: returns its input. Used by tests, demos and benchmarks."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from connectors.sdk import ConnectorError, Example, Group, Property, outbound_connector


class EchoInput(BaseModel):
    """Input of the echo connector; unknown variables are echoed back too."""

    model_config = ConfigDict(extra="allow")

    fail_code: Annotated[
        str | None,
        Property(label="Fail with code", group="behaviour", feel="optional"),
        Field(default=None, description="Raise a ConnectorError with this code."),
    ]
    fail_message: Annotated[
        str | None,
        Property(label="Fail message", group="behaviour", feel="optional"),
        Field(default=None, description="Message of the raised ConnectorError."),
    ]
    sleep_ms: Annotated[
        int,
        Property(label="Sleep (ms)", group="behaviour", feel="optional"),
        Field(default=0, ge=0, le=3_600_000, description="Wait this long before answering."),
    ]


@outbound_connector(
    name="Echo",
    type="switchboard:echo:1",
    version=1,
    input_variables=(),
    description="Returns its input variables; optionally waits or fails.",
    template_id="io.switchboard.connectors.Echo.v1",
    groups=(Group("behaviour", "Behaviour"),),
    examples=(
        Example("Echo a message", {"message": "hello"}, {"resultVariable": "echoed"}),
        Example(
            "Fail with a BPMN error",
            {"fail_code": "NOT_FOUND", "fail_message": "no such order"},
            {"errorExpression": "=bpmnError(error.code, error.message)"},
        ),
    ),
)
async def echo(data: EchoInput) -> dict[str, Any]:
    if data.sleep_ms:
        await asyncio.sleep(data.sleep_ms / 1000)
    if data.fail_code:
        raise ConnectorError(
            data.fail_code, data.fail_message or f"echo failed with {data.fail_code}"
        )
    return data.model_dump(exclude_none=True, exclude={"sleep_ms"} if not data.sleep_ms else set())
