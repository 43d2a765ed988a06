"""``GET /api/v1/connectors/{type}/element-template`` on a minimal app mounting the router."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from app.api.deps import get_registry
from app.api.templates import router
from app.runtime.registry import ConnectorRegistry
from connectors.echo import echo
from connectors.sdk.templates import element_template
from tests.templates.sample_connectors import broken, features
from tests.templates.schema import assert_valid


@pytest.fixture()
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    app.include_router(router)
    registry = ConnectorRegistry.of(echo, features, broken)
    app.dependency_overrides[get_registry] = lambda: registry
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def test_returns_the_template(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/connectors/test:features:1/element-template")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert 'filename="test-features-1.json"' in response.headers["content-disposition"]
    body = response.json()
    assert body == element_template(features)
    assert_valid(body)


async def test_percent_encoded_type(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/connectors/switchboard%3Aecho%3A1/element-template")
    assert response.status_code == 200
    assert response.json()["properties"][0]["value"] == "switchboard:echo:1"


async def test_unknown_type_is_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/connectors/nope:1/element-template")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "No connector with type 'nope:1'",
        "instance": "/api/v1/connectors/nope:1/element-template",
    }


async def test_template_that_cannot_be_built_is_500_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/connectors/test:broken-template:1/element-template")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["title"] == "Internal Server Error"
    assert problem["detail"].startswith("Element template cannot be generated: connector ")
    assert "BrokenInput.either: a union of models needs Field(discriminator=" in problem["detail"]


def test_route_is_documented_in_openapi() -> None:
    app = FastAPI()
    app.include_router(router)
    operation = app.openapi()["paths"]["/api/v1/connectors/{connector_type}/element-template"]
    assert set(operation["get"]["responses"]) >= {"200", "404", "500"}
