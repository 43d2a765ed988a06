"""The HTTP polling connector (connectors/http_polling) end to end: a BPMN shaped by Camunda's
official polling template (npm @camunda/connectors-element-templates
``http-polling-connector.json``, applied as the modeler does) deployed through Switchboard to
the test gateway (real gRPC), polling a real HTTP server on loopback.

Facts from camunda/connectors connectors/http/polling: ``HttpPollingConnector.java``
(activate starts the polling task, deactivate stops it), ``task/HttpRequestTask.java`` (one
REST request per interval, the response ``{status, headers, body, reason}`` is correlated; an
exception is logged and polling goes on at the next interval),
``model/PollingIntervalConfiguration.java`` (``httpRequestInterval``); connector-runtime-core
``inbound/correlation/InboundCorrelationHandler.java`` (PublishMessage with the evaluated
correlation key, the message id and the default TTL) and connector-sdk feel-wrapper
``FeelEngineWrapper.java`` (every expression sees ``response`` = the event). These run without
``CAMUNDA_REST_ADDRESS``, where Switchboard polls per element, not per waiting process instance
(docs/inbound.md, "HTTP polling"); test_http_polling_instances.py polls per instance.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from app.db.models import ExecutionRow
from app.runtime.engine import InstanceToCreate
from tests.connectors.servers import LoopbackServer, Reply, Seen
from tests.inbound.conftest import Served, serve_app
from tests.support.gateway import TestGateway
from tests.support.modeler import AppliedInboundTemplate, apply_inbound_template
from tests.support.waiting import eventually
from tests.templates.official import official_template

INTERMEDIATE = "io.camunda.connectors.http.Polling"
BOUNDARY = "io.camunda.connectors.http.Polling.Boundary"
INTERVAL = "PT0.05S"
Serve = Callable[..., Awaitable[Served]]


class Job:
    """The polled resource: answers ``{status, order, result}`` (or an error) as told."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.status = "pending"
        self.error: int | None = None
        self.echo: str | None = None

    def __call__(self, seen: Seen) -> Reply:
        with self.lock:
            if self.error is not None:
                return Reply(
                    self.error,
                    {"problem": "busy", "echo": self.echo},
                    [("Content-Type", "application/json")],
                    reason=f"Busy {self.echo or ''}".strip(),
                )
            body = {"status": self.status, "order": "o-1", "result": 42}
        return Reply(200, body, [("Content-Type", "application/json")])

    def set(self, **values: Any) -> None:
        with self.lock:
            for name, value in values.items():
                setattr(self, name, value)


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    srv = LoopbackServer().start()
    yield srv
    srv.stop()


@pytest.fixture
def job(server: LoopbackServer) -> Job:
    job = Job()
    server.routes["/job"] = job
    return job


def polling_element(
    server: LoopbackServer, template: str = INTERMEDIATE, **values: Any
) -> AppliedInboundTemplate:
    defaults = {
        "url": server.url("/job"),
        "httpRequestInterval": INTERVAL,
        "activationCondition": '=response.body.status = "done"',
        "correlationKeyProcess": "=orderId",
        "correlationKeyPayload": "=response.body.order",
        "resultExpression": "={result: response.body.result, httpStatus: status}",
    }
    return apply_inbound_template(official_template(template), {**defaults, **values})


async def start_instance(served: Served, key: int, variables: dict[str, Any]) -> int:
    zeebe = served.app.services.engine("zeebe")
    created = await zeebe.create_process_instance(  # type: ignore[union-attr]
        InstanceToCreate(process_definition_key=key, variables=variables)
    )
    return created.process_instance_key


async def deploy(served: Served, applied: AppliedInboundTemplate, process_id: str) -> int:
    response = await served.deploy((f"{process_id}.bpmn", applied.bpmn(process_id)))
    assert response.status_code == 200, response.text
    [process] = response.json()["processes"]
    [element] = response.json()["inboundElements"]
    assert (element["type"], element["state"], element["webhookPath"]) == (
        "io.camunda:http-polling:1",
        "active",
        None,
    ), element
    return int(process["processDefinitionKey"])


async def polls_reach(server: LoopbackServer, count: int) -> None:
    await eventually(lambda: len(server.requests_to("/job")) >= count, what=f"{count} polls")


async def test_polls_until_the_condition_holds_then_publishes_one_message(
    serve: Serve, server: LoopbackServer, job: Job
) -> None:
    served = await serve()
    applied = polling_element(server)
    assert applied.properties["inbound.type"] == "io.camunda:http-polling:1"
    key = await deploy(served, applied, "shipment")
    instance_key = await start_instance(served, key, {"orderId": "o-1"})

    await polls_reach(server, 3)
    assert served.gateway.messages == []  # "pending": the activation condition does not hold
    job.set(status="done")

    await eventually(lambda: served.gateway.messages, what="the message")
    seen = len(server.requests_to("/job"))
    await polls_reach(server, seen + 3)  # it goes on polling (it cannot know who waits) ...
    [message] = served.gateway.messages  # ... but the message id makes it one message
    assert (message.name, message.correlationKey, message.messageId, message.timeToLive) == (
        applied.message_name,
        "o-1",
        "inbound:o-1",
        3_600_000,  # Camunda's default message TTL
    )
    assert json.loads(message.variables) == {"result": 42, "httpStatus": 200}
    instance = served.gateway.instances[instance_key]
    assert instance.state == "completed"
    assert instance.variables == {"orderId": "o-1", "result": 42, "httpStatus": 200}
    first = server.requests_to("/job")[0]
    assert (first.method, first.path) == ("GET", "/job")

    [element] = await served.inbound()
    assert element["health"]["status"] == "UP"
    tags = {a["tag"] for a in element["activity"]}
    assert "GET" in tags  # "Polled url: ..." entries, tagged with the method as in Camunda

    async def outcomes() -> set[str] | None:
        async with served.app.services.sessions() as session:
            rows = (
                await session.scalars(
                    select(ExecutionRow).where(
                        ExecutionRow.connector_type == "io.camunda:http-polling:1"
                    )
                )
            ).all()
        found = {r.command for r in rows}
        return found if {"unmatched", "correlated", "duplicate"} <= found else None

    await eventually(outcomes, what="the correlation attempts in the execution history")


async def test_a_boundary_event_with_a_post_body_headers_and_query(
    serve: Serve, server: LoopbackServer, job: Job
) -> None:
    served = await serve()
    job.set(status="done")
    applied = polling_element(
        server,
        BOUNDARY,
        method="POST",
        body='={"ask": "status", "n": 1 + 1}',
        headers='={"X-Poller": "switchboard"}',
        queryParameters='={"view": "full"}',
        messageIdExpression='="job-" + response.body.order',
        messageTtl="PT5M",
    )
    key = await deploy(served, applied, "escalation")
    await start_instance(served, key, {"orderId": "o-1"})

    await eventually(lambda: served.gateway.messages, what="the message")
    [message] = served.gateway.messages
    assert (message.messageId, message.timeToLive) == ("job-o-1", 300_000)
    request = server.requests_to("/job")[0]
    assert request.method == "POST"
    assert request.json() == {"ask": "status", "n": 2}
    assert request.header("X-Poller") == "switchboard"
    assert request.query == [("view", "full")]


async def test_the_request_is_bound_afresh_for_every_poll(
    serve: Serve, server: LoopbackServer, job: Job
) -> None:
    """Camunda's HttpRequestTask binds the request on every run, so time-dependent FEEL in
    a header changes from one request to the next."""
    served = await serve()
    await deploy(served, polling_element(server, headers='={"X-At": string(now())}'), "fresh")
    await polls_reach(server, 3)
    stamps = [r.header("X-At") for r in server.requests_to("/job")[:3]]
    assert all(stamps) and len(set(stamps)) == 3, stamps


async def test_an_http_error_reports_down_and_polling_goes_on(
    serve: Serve, server: LoopbackServer, job: Job
) -> None:
    served = await serve()
    job.set(error=503)
    await deploy(served, polling_element(server), "flaky")

    async def down() -> dict[str, Any] | None:
        [element] = await served.inbound()
        return element if element["health"]["status"] == "DOWN" else None

    element = await eventually(down, what="health DOWN")
    assert "503" in element["health"]["error"]
    assert element["state"] == "active"  # still polling
    seen = len(server.requests_to("/job"))
    await polls_reach(server, seen + 3)
    assert served.gateway.messages == []

    job.set(error=None)

    async def up() -> bool:
        [element] = await served.inbound()
        return bool(element["health"]["status"] == "UP")

    await eventually(up, what="health UP again")


async def test_an_unreachable_server_reports_down_with_the_rest_connectors_code(
    serve: Serve, server: LoopbackServer, job: Job
) -> None:
    """An I/O error is the REST connector's code 408 (docs/connectors/http-json.md); the
    element stays active and keeps polling."""
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    served = await serve()
    await deploy(
        served, polling_element(server, url=f"http://127.0.0.1:{closed}/job"), "unreachable"
    )

    async def down() -> dict[str, Any] | None:
        [element] = await served.inbound()
        return element if element["health"]["status"] == "DOWN" else None

    element = await eventually(down, what="health DOWN")
    assert element["health"]["error"].startswith("HTTP request failed with code 408")
    assert element["state"] == "active"


async def test_secrets_in_the_url_and_authentication_are_used_and_masked(
    serve: Serve, server: LoopbackServer, job: Job, monkeypatch: pytest.MonkeyPatch
) -> None:
    token, bearer = "q-t0ken-3f9a1c", "b34rer-s3cret-77d2"
    monkeypatch.setenv("SECRET_POLL_TOKEN", token)
    monkeypatch.setenv("SECRET_POLL_BEARER", bearer)
    served = await serve()
    job.set(error=500, echo=token)  # the server quotes the secret back in its error
    applied = polling_element(
        server,
        url=server.url("/job") + "?token={{secrets.POLL_TOKEN}}",
        **{"authentication.type": "bearer", "authentication.token": "{{secrets.POLL_BEARER}}"},
    )
    assert applied.properties["authentication.token"] == "{{secrets.POLL_BEARER}}"
    await deploy(served, applied, "secretive")

    async def down() -> dict[str, Any] | None:
        [element] = await served.inbound()
        return element if element["health"]["status"] == "DOWN" else None

    element = await eventually(down, what="health DOWN")
    assert "***" in element["health"]["error"], element["health"]  # the quoted secret, masked
    request = server.requests_to("/job")[0]
    assert request.query == [("token", token)]  # resolved for the request
    assert request.header("Authorization") == f"Bearer {bearer}"
    job.set(error=None, status="done")
    await eventually(lambda: served.gateway.messages, what="the message")

    listing = json.dumps(await served.inbound())
    assert "Polled url" in listing
    assert token not in listing and bearer not in listing
    async with served.app.services.sessions() as session:
        rows = (
            await session.scalars(
                select(ExecutionRow).where(
                    ExecutionRow.connector_type == "io.camunda:http-polling:1"
                )
            )
        ).all()
    text = json.dumps([[r.input, r.output, r.error_message] for r in rows], default=str)
    assert token not in text and bearer not in text


async def test_deactivation_stops_polling(
    clean_db: str, gateway: TestGateway, server: LoopbackServer, job: Job
) -> None:
    async with serve_app(clean_db, gateway) as served:
        await deploy(served, polling_element(server), "stopping")
        await polls_reach(server, 2)
        [executable] = served.app.services.inbound.executables.values()
        poller = executable.instance
        assert poller.running
        [task] = [t for t in asyncio.all_tasks() if t.get_name() == "http-polling-inbound"]
    # The app stopped: the inbound service deactivated the poller, which cancelled its task
    # and waited for it, so no request is in flight and none can start.
    assert not poller.running and task.done()
    stopped_at = len(server.requests_to("/job"))
    # A window of ten intervals without a request (absence cannot be waited on).
    await asyncio.sleep(0.5)
    assert len(server.requests_to("/job")) == stopped_at


async def test_process_variables_in_the_request_are_not_available(
    serve: Serve, server: LoopbackServer, job: Job
) -> None:
    """Camunda evaluates the request's FEEL per waiting process instance; without the REST
    API Switchboard polls per element, without process variables: such a URL cannot be built
    and the element fails with the field named (docs/inbound.md)."""
    served = await serve()
    applied = polling_element(server, url=f'="{server.url("/job")}/" + orderId')
    response = await served.deploy(("vars.bpmn", applied.bpmn("vars")))
    assert response.status_code == 200, response.text
    [element] = await served.inbound()
    assert element["state"] == "failed"
    assert element["error"].startswith("Invalid properties (1): url: ")
    assert "without process variables" in element["error"]
    assert server.requests_to("/job") == []


async def test_a_bad_interval_fails_the_element_with_a_clear_error(
    serve: Serve, server: LoopbackServer, job: Job
) -> None:
    served = await serve()
    applied = polling_element(server, httpRequestInterval="every minute")
    response = await served.deploy(("bad.bpmn", applied.bpmn("bad")))
    assert response.status_code == 200, response.text
    [element] = await served.inbound()
    assert element["state"] == "failed"
    assert element["error"].startswith("Invalid properties (1): httpRequestInterval: ")
    assert "ISO-8601" in element["error"]


@pytest.fixture(autouse=True)
async def _no_leftover_clients() -> AsyncIterator[None]:
    from connectors._http import aclose

    yield
    await aclose()
