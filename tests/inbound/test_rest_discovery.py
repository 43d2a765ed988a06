"""Discovery over Camunda's Orchestration Cluster REST API (issue 13 point 1, first way): with
CAMUNDA_REST_ADDRESS set, the application polls the latest process definitions and their XML
every SWITCHBOARD_INBOUND_POLL_INTERVAL and serves the webhooks it finds; here a process
deployed straight to the engine (not through Switchboard) is served and starts an instance."""

from __future__ import annotations

import io

from camunda_orchestration_sdk.models import CreateDeploymentData
from camunda_orchestration_sdk.types import File

from app.engines.camunda_rest.client import create_client
from app.settings import load_settings
from tests.inbound.conftest import serve_app
from tests.inbound.test_examples import EXAMPLES
from tests.support.camunda_rest import CamundaRestStandIn
from tests.support.gateway import TestGateway
from tests.support.waiting import eventually


async def test_a_process_deployed_to_the_engine_is_discovered_and_served(
    clean_db: str, gateway: TestGateway
) -> None:
    xml = (EXAMPLES / "webhook-start.bpmn").read_bytes()
    async with CamundaRestStandIn(gateway) as rest:
        client = create_client(
            load_settings(_env_file=None, camunda_rest_address=rest.address),
            read_timeout_seconds=10,
        )
        try:
            await client.create_deployment(
                data=CreateDeploymentData(
                    resources=[File(payload=io.BytesIO(xml), file_name="webhook-start.bpmn")]
                )
            )
        finally:
            await client.aclose()
        async with serve_app(clean_db, gateway, camunda_rest_address=rest.address) as served:

            async def served_paths() -> list[str]:
                return [e.get("webhookPath") or "" for e in await served.inbound()]

            assert "order-received" in " ".join(await eventually(served_paths, within=10))
            answer = await served.http.post(
                "/inbound/order-received", json={"orderId": "A-7", "amount": 12}
            )
            assert answer.status_code == 200, answer.text
            [instance] = gateway.instances.values()
            assert instance.definition.bpmn_process_id == "order-received"
            assert instance.variables == {"orderId": "A-7", "amount": 12}
        searches = rest.calls_to("POST", "/process-definitions/search")
        assert searches and all(c.status == 200 for c in searches)
        assert rest.calls_to("GET", "/xml")
