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
from tests.inbound.conftest import Served, serve_app
from tests.inbound.test_examples import EXAMPLES
from tests.support.camunda_rest import CamundaRestStandIn
from tests.support.gateway import TestGateway
from tests.support.modeler import apply_inbound_template
from tests.support.waiting import eventually
from tests.templates.official import official_template


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


INTERMEDIATE = "io.camunda.connectors.webhook.WebhookConnectorIntermediate.v1"
BOTH = [(1, "/inbound/pay-one"), (2, "/inbound/pay-two")]


def _payment_bpmn(context: str) -> bytes:
    applied = apply_inbound_template(
        official_template(INTERMEDIATE),
        {
            "inbound.context": context,
            "correlationKeyProcess": "=orderId",
            "correlationKeyPayload": "=request.body.order",
        },
    )
    return applied.bpmn("pay")


async def _contexts(served: Served) -> list[tuple[int, str]] | None:
    found = sorted((e["version"], e.get("webhookPath") or "") for e in await served.inbound())
    return found or None


async def test_an_older_version_is_served_while_instances_wait_there(
    clean_db: str, gateway: TestGateway
) -> None:
    """Camunda keeps an older version's message elements while it has open message
    subscriptions (camunda/connectors connector-runtime-spring ``inbound/importer/
    Importers.importActiveVersions``: ``POST /v2/process-definitions/statistics/
    message-subscriptions`` with state CREATED), and retires them when the last one is gone;
    deployments through Switchboard are judged the same way."""
    async with (
        CamundaRestStandIn(gateway) as rest,
        serve_app(clean_db, gateway, camunda_rest_address=rest.address) as served,
    ):
        first = await served.deploy(("pay.bpmn", _payment_bpmn("pay-one")))
        assert first.status_code == 200, first.text
        [v1] = first.json()["processes"]
        instance = gateway._create_instance(
            gateway.definitions[int(v1["processDefinitionKey"])], {"orderId": "o-1"}
        )
        second = await served.deploy(("pay.bpmn", _payment_bpmn("pay-two")))
        assert second.status_code == 200, second.text

        async def both() -> bool | None:
            return (
                await _contexts(served) == [(1, "/inbound/pay-one"), (2, "/inbound/pay-two")]
            ) or None

        await eventually(both, what="version 1 kept while an instance waits", within=10)
        hook = await served.http.post("/inbound/pay-one", json={"order": "o-1"})
        assert hook.status_code == 200, hook.text
        assert gateway.instances[instance].state == "completed"

        async def only_latest() -> bool | None:
            return (await _contexts(served) == [(2, "/inbound/pay-two")]) or None

        await eventually(only_latest, what="version 1 retired", within=10)
        assert (await served.http.post("/inbound/pay-one", json={})).status_code == 404
        statistics = rest.calls_to("POST", "/statistics/message-subscriptions")
        assert statistics and statistics[0].body["filter"] == {
            "messageSubscriptionState": "CREATED"
        }


async def test_an_older_version_with_waiting_instances_is_imported(
    clean_db: str, gateway: TestGateway
) -> None:
    """Deployed straight to the engine, version 1 with an instance waiting and version 2:
    a Switchboard that starts afterwards serves both (the "active versions" import)."""
    async with CamundaRestStandIn(gateway) as rest:
        client = create_client(
            load_settings(_env_file=None, camunda_rest_address=rest.address),
            read_timeout_seconds=10,
        )
        try:
            for context in ("pay-one", "pay-two"):
                result = await client.create_deployment(
                    data=CreateDeploymentData(
                        resources=[
                            File(payload=io.BytesIO(_payment_bpmn(context)), file_name="pay.bpmn")
                        ]
                    )
                )
                if context == "pay-one":
                    [deployed] = result.deployments
                    key = int(deployed.process_definition.process_definition_key)
                    gateway._create_instance(gateway.definitions[key], {"orderId": "o-1"})
        finally:
            await client.aclose()
        async with serve_app(clean_db, gateway, camunda_rest_address=rest.address) as served:

            async def both() -> bool | None:
                return (
                    await _contexts(served) == [(1, "/inbound/pay-one"), (2, "/inbound/pay-two")]
                ) or None

            await eventually(both, what="both versions served", within=10)
        assert rest.calls_to("GET", f"/process-definitions/{key}")
