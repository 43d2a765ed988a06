"""``GET /metrics``: the Prometheus exposition of the application's registry."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials

from app.api.auth import current_principal
from app.api.deps import ServicesDep
from app.api.strict_json import StrictJsonRoute
from app.metrics import CONTENT_TYPE

router = APIRouter(tags=["metrics"], route_class=StrictJsonRoute)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def metrics(request: Request, services: ServicesDep) -> Response:
    """Invocations, durations, jobs in flight, history queue and gateway state. Open unless
    SWITCHBOARD_METRICS_REQUIRE_AUTH is true (then any API key may read it)."""
    if services.settings.metrics_require_auth:
        header = request.headers.get("authorization", "")
        scheme, _, key = header.partition(" ")
        credentials = HTTPAuthorizationCredentials(scheme=scheme, credentials=key) if key else None
        await current_principal(request, services, credentials)
    return Response(services.metrics.render(), media_type=CONTENT_TYPE)
