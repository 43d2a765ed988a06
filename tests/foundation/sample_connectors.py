"""Connectors used by the discovery tests."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from connectors.sdk import OutboundContext, Property, outbound_connector


class Address(BaseModel):
    city: str
    zip: Annotated[str, Field(min_length=5, max_length=5)]


class Order(BaseModel):
    order_id: Annotated[int, Field(alias="orderId", gt=0)]
    customer: Annotated[str, Property(label="Customer", secret=True)]
    address: Address
    tags: list[str] = []


@outbound_connector(name="Order Sync", type="test:order:1", timeout=5)
def order_sync(order: Order, context: OutboundContext) -> dict:
    return {"id": order.order_id, "job": context.job.type}


def plain_function(context: OutboundContext) -> dict:
    return {"plain": True, "vars": dict(context.variables)}


@outbound_connector(name="Second Echo", type="switchboard:echo:1")
async def clashing_echo() -> dict:
    return {}


class Basic(BaseModel):
    type: Literal["basic"]
    username: str
    password: str


class Bearer(BaseModel):
    type: Literal["bearer"]
    token: str


class Request(BaseModel):
    url: str
    authentication: Annotated[Basic | Bearer, Field(discriminator="type")]
    fallbacks: list[Annotated[Basic | Bearer, Field(discriminator="type")]] = []


@outbound_connector(name="Request", type="test:request:1")
def send_request(request: Request) -> dict:
    return {"url": request.url}
