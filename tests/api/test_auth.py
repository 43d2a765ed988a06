"""API keys: 401 vs 403, roles, revocation, the bootstrap key, open health and metrics."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from app.db import apikeys
from app.db.models import ApiKeyRow
from tests.api.harness import ADMIN_KEY, client, running_app
from tests.support.app import StartedApp

ECHO = "switchboard:echo:1"


async def test_no_key_is_401_with_a_bearer_challenge(app: StartedApp) -> None:
    async with client(app) as c:
        response = await c.get("/api/v1/connectors")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 401 and body["title"] == "Unauthorized"
    assert body["instance"] == "/api/v1/connectors"


async def test_unknown_key_and_other_schemes_are_401(app: StartedApp) -> None:
    async with client(app, "sb_not-a-real-key-" + "x" * 30) as c:
        unknown = await c.get("/api/v1/connectors")
    async with client(app) as c:
        basic = await c.get("/api/v1/connectors", headers={"Authorization": "Basic YTpi"})
    assert unknown.status_code == 401
    assert "not valid" in unknown.json()["detail"]
    assert basic.status_code == 401


async def test_roles_are_ordered_viewer_operator_admin(
    app: StartedApp, keys: dict[str, str]
) -> None:
    results = {}
    for role, key in keys.items():
        async with client(app, key) as c:
            results[role] = (
                (await c.get("/api/v1/connectors")).status_code,
                (await c.post(f"/api/v1/connectors/{ECHO}/invoke", json={})).status_code,
                (await c.get("/api/v1/api-keys")).status_code,
            )
    assert results == {
        "viewer": (200, 403, 403),
        "operator": (200, 200, 403),
        "admin": (200, 200, 200),
    }


async def test_forbidden_names_the_role_needed(app: StartedApp, keys: dict[str, str]) -> None:
    async with client(app, keys["viewer"]) as c:
        response = await c.post(f"/api/v1/connectors/{ECHO}/invoke", json={})
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert "operator role" in response.json()["detail"]
    assert "www-authenticate" not in response.headers


async def test_keys_are_stored_hashed_and_revocation_takes_effect(
    app: StartedApp, keys: dict[str, str]
) -> None:
    async with client(app, keys["admin"]) as admin:
        created = await admin.post("/api/v1/api-keys", json={"name": "ci", "role": "viewer"})
        assert created.status_code == 201
        body = created.json()
        key = body["key"]
        assert key.startswith("sb_") and len(key) >= 40
        async with app.services.sessions() as session:
            row = await session.scalar(select(ApiKeyRow).where(ApiKeyRow.id == body["id"]))
        assert row is not None and row.key_hash == hashlib.sha256(key.encode()).hexdigest()
        assert key not in (row.name, row.prefix, row.key_hash)
        listed = (await admin.get("/api/v1/api-keys")).json()
        assert body["id"] in {k["id"] for k in listed}
        assert all("key" not in k for k in listed)

        async with client(app, key) as viewer:
            assert (await viewer.get("/api/v1/connectors")).status_code == 200
            assert (await admin.delete(f"/api/v1/api-keys/{body['id']}")).status_code == 204
            assert (await viewer.get("/api/v1/connectors")).status_code == 401
        assert (await admin.delete("/api/v1/api-keys/no-such-key")).status_code == 404


async def test_api_key_creation_validates_the_role(app: StartedApp, keys: dict[str, str]) -> None:
    async with client(app, keys["admin"]) as admin:
        response = await admin.post("/api/v1/api-keys", json={"name": "x", "role": "root"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["role"]


async def test_bootstrap_admin_key_is_stored_at_start_up(app: StartedApp) -> None:
    stored = await apikeys.list_keys(app.services.sessions)
    bootstrap = [k for k in stored if k.origin == "environment"]
    assert bootstrap and bootstrap[0].role == "admin"
    async with client(app, ADMIN_KEY) as c:
        assert (await c.get("/api/v1/api-keys")).status_code == 200


async def test_health_is_open_and_metrics_open_by_default(app: StartedApp) -> None:
    async with client(app) as c:
        assert (await c.get("/health/live")).status_code == 200
        assert (await c.get("/health/ready")).status_code in (200, 503)
        metrics = await c.get("/metrics")
    assert metrics.status_code == 200
    assert "# TYPE switchboard_invocations_total counter" in metrics.text


async def test_metrics_can_require_a_key(migrated: str, keys: dict[str, str]) -> None:
    async with running_app(migrated, metrics_require_auth=True) as app:
        async with client(app) as anonymous:
            refused = await anonymous.get("/metrics")
        async with client(app, keys["viewer"]) as viewer:
            allowed = await viewer.get("/metrics")
    assert refused.status_code == 401
    assert allowed.status_code == 200
