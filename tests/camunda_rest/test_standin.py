"""The REST stand-in answers as Camunda's Orchestration Cluster REST API does: shapes from
camunda/camunda ``zeebe/gateway-protocol/src/main/proto/v2/*.yaml`` (parsed here by the SDK's
own typed models, which refuse an answer missing a required field), refusals as the REST
gateway maps Zeebe's (``zeebe/gateway-rest/.../RestErrorMapper.java``) and request validation
as ``gateway/mapping/http/validator/JobRequestValidator.java`` and ``RequestValidator.java``
(violations joined with ". " and ended with "."; unknown properties refused since camunda/camunda
pull request 37895)."""

from __future__ import annotations

import asyncio
import io
import time
from typing import Any

import httpx
import pytest
from camunda_orchestration_sdk import CamundaAsyncClient, JobKey, ProcessDefinitionKey
from camunda_orchestration_sdk.errors import ConflictError, NotFoundError
from camunda_orchestration_sdk.models import (
    ActivatedJobResult,
    CreateDeploymentData,
    CursorBasedForwardPagination,
    JobActivationRequest,
    JobChangeset,
    JobCompletionRequest,
    JobCompletionRequestVariables,
    JobUpdateRequest,
    MessageCorrelationRequest,
    MessagePublicationRequest,
    ProcessCreationById,
    ProcessCreationByKey,
    ProcessDefinitionSearchQuery,
    ProcessDefinitionSearchQueryFilter,
    VariableSearchQuery,
    VariableSearchQueryFilter,
)
from camunda_orchestration_sdk.types import File

from app.engines.camunda_rest.element_instances import RestElementInstanceSource
from tests.support.camunda_rest import CamundaRestStandIn
from tests.support.gateway import TestGateway

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="x">
  <bpmn:process id="{id}" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:serviceTask id="work">
      <bpmn:extensionElements><zeebe:taskDefinition type="{id}:work:1" />
      </bpmn:extensionElements>
    </bpmn:serviceTask>
  </bpmn:process>
</bpmn:definitions>
"""


def bpmn(process_id: str) -> bytes:
    return BPMN.format(id=process_id).encode()


async def deploy(sdk: CamundaAsyncClient, *processes: str) -> Any:
    return await sdk.create_deployment(
        data=CreateDeploymentData(
            resources=[File(payload=io.BytesIO(bpmn(p)), file_name=f"{p}.bpmn") for p in processes]
        )
    )


async def post(rest: CamundaRestStandIn, path: str, body: Any) -> httpx.Response:
    async with httpx.AsyncClient(base_url=rest.address) as client:
        if isinstance(body, bytes):
            return await client.post(
                path, content=body, headers={"content-type": "application/json"}
            )
        return await client.post(path, json=body)


def problem(response: httpx.Response) -> tuple[int, str, str]:
    assert response.headers["content-type"] == "application/problem+json"
    data = response.json()
    assert set(data) == {"type", "title", "status", "detail", "instance"}
    assert data["status"] == response.status_code
    return response.status_code, data["title"], data["detail"]


# ---------------------------------------------------------------- jobs


async def test_activation_answer_parses_as_the_sdks_activated_job(
    gateway: TestGateway, sdk: CamundaAsyncClient
) -> None:
    job = gateway.add_job("t", {"a": 1, "b": 2}, {"h": "v"}, retries=4)
    result = await sdk.activate_jobs(
        data=JobActivationRequest(
            type_="t", timeout=30_000, max_jobs_to_activate=5, worker="w", fetch_variable=["a"]
        )
    )
    [activated] = result.jobs
    assert isinstance(activated, ActivatedJobResult)
    assert activated.job_key == str(job.key) and activated.retries == 4
    assert activated.variables.to_dict() == {"a": 1}
    assert activated.custom_headers.to_dict() == {"h": "v"}
    assert activated.process_definition_id == job.bpmn_process_id
    assert activated.worker == "w" and activated.deadline == job.deadline_ms
    assert job.state == "activated"


async def test_activation_long_polls_until_a_job_arrives(
    gateway: TestGateway, sdk: CamundaAsyncClient
) -> None:
    started = time.monotonic()
    waiting = asyncio.create_task(
        sdk.activate_jobs(
            data=JobActivationRequest(
                type_="late", timeout=1000, max_jobs_to_activate=1, request_timeout=5000
            )
        )
    )
    await gateway.wait_for(lambda: gateway.calls_to("ActivateJobs"), what="the long poll")
    assert not waiting.done()
    job = gateway.add_job("late")
    result = await waiting
    assert [j.job_key for j in result.jobs] == [str(job.key)]
    assert time.monotonic() - started < 4


async def test_activation_without_long_polling_answers_at_once(
    sdk: CamundaAsyncClient,
) -> None:
    """requestTimeout < 0: "the request is completed immediately, even when no job is
    activated" (jobs.yaml)."""
    started = time.monotonic()
    result = await sdk.activate_jobs(
        data=JobActivationRequest(
            type_="none", timeout=1000, max_jobs_to_activate=1, request_timeout=-1
        )
    )
    assert result.jobs == [] and time.monotonic() - started < 1


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"timeout": 1000, "maxJobsToActivate": 1}, "No type provided."),
        (
            {"type": "t", "timeout": 0, "maxJobsToActivate": 1},
            "The value for timeout is '0' but must be greater than 0.",
        ),
        ({"type": "t", "maxJobsToActivate": 1}, "No timeout provided."),
        ({"type": "t", "timeout": 1}, "No maxJobsToActivate provided."),
        (
            {"type": " ", "timeout": 0},
            "No type provided. The value for timeout is '0' but must be greater than 0. "
            "No maxJobsToActivate provided.",
        ),
    ],
)
async def test_invalid_activation_is_400_invalid_argument(
    rest: CamundaRestStandIn, body: dict[str, Any], detail: str
) -> None:
    response = await post(rest, "/v2/jobs/activation", body)
    assert problem(response) == (400, "INVALID_ARGUMENT", detail)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"type": "t", "timeout": 1000, "maxJobsToActivate": 1, "maxJobsToActivates": 2},
            "maxJobsToActivates",
        ),
        ({"type": "t", "timeout": "1000", "maxJobsToActivate": 1}, "timeout"),
        ({"type": 5, "timeout": 1000, "maxJobsToActivate": 1}, "type"),
        ({"type": "t", "timeout": 1000, "maxJobsToActivate": True}, "maxJobsToActivate"),
    ],
)
async def test_unknown_or_mistyped_properties_are_400(
    rest: CamundaRestStandIn, body: dict[str, Any], field: str
) -> None:
    """No coercion, no unknown properties (camunda/camunda pull request 37895)."""
    response = await post(rest, "/v2/jobs/activation", body)
    assert problem(response) == (400, "Bad Request", f"Request property [{field}] cannot be parsed")


async def test_a_body_that_is_not_json_is_400(rest: CamundaRestStandIn) -> None:
    response = await post(rest, "/v2/jobs/activation", b'{"type": NaN')
    assert problem(response)[:2] == (400, "Bad Request")


async def test_commands_on_unknown_and_finished_jobs_are_404(
    gateway: TestGateway, sdk: CamundaAsyncClient
) -> None:
    with pytest.raises(NotFoundError) as unknown:
        await sdk.complete_job(JobKey("123"), data=JobCompletionRequest())
    assert unknown.value.parsed.title == "NOT_FOUND"
    assert "no such job was found" in unknown.value.parsed.detail
    job = gateway.add_job("t")
    await sdk.activate_jobs(
        data=JobActivationRequest(type_="t", timeout=10_000, max_jobs_to_activate=1)
    )
    await sdk.complete_job(
        JobKey(str(job.key)),
        data=JobCompletionRequest(variables=JobCompletionRequestVariables.from_dict({"x": 1})),
    )
    assert job.state == "completed" and job.completed_variables == {"x": 1}
    with pytest.raises(NotFoundError):
        await sdk.complete_job(JobKey(str(job.key)), data=JobCompletionRequest())


async def test_timeout_update_of_a_job_not_activated_is_409(
    gateway: TestGateway, sdk: CamundaAsyncClient
) -> None:
    """Zeebe refuses it with INVALID_STATE, which the REST gateway answers 409."""
    job = gateway.add_job("t")
    with pytest.raises(ConflictError) as refused:
        await sdk.update_job(
            JobKey(str(job.key)), data=JobUpdateRequest(changeset=JobChangeset(timeout=5000))
        )
    assert refused.value.parsed.title == "INVALID_STATE"


async def test_fail_without_retries_means_zero_retries(
    gateway: TestGateway, rest: CamundaRestStandIn, sdk: CamundaAsyncClient
) -> None:
    """JobFailRequest.retries defaults to 0 (jobs.yaml): the job becomes an incident."""
    job = gateway.add_job("t", retries=3)
    await sdk.activate_jobs(
        data=JobActivationRequest(type_="t", timeout=10_000, max_jobs_to_activate=1)
    )
    response = await post(rest, f"/v2/jobs/{job.key}/failure", {"errorMessage": "boom"})
    assert response.status_code == 204
    assert job.state == "incident" and job.failures[0].retries == 0


async def test_throw_error_needs_an_error_code(
    gateway: TestGateway, rest: CamundaRestStandIn
) -> None:
    job = gateway.add_job("t")
    response = await post(rest, f"/v2/jobs/{job.key}/error", {"errorMessage": "x"})
    assert problem(response) == (400, "INVALID_ARGUMENT", "No errorCode provided.")


async def test_update_needs_a_change_and_a_numeric_key(rest: CamundaRestStandIn) -> None:
    async with httpx.AsyncClient(base_url=rest.address) as client:
        empty = await client.patch("/v2/jobs/1", json={"changeset": {}})
        bad_key = await client.patch("/v2/jobs/abc", json={"changeset": {"timeout": 1}})
    assert problem(empty) == (
        400,
        "INVALID_ARGUMENT",
        "At least one of [retries, timeout, priority] is required.",
    )
    assert problem(bad_key)[:2] == (400, "INVALID_ARGUMENT")


async def test_back_pressure_is_503_resource_exhausted(
    gateway: TestGateway, rest: CamundaRestStandIn
) -> None:
    gateway.inject("ActivateJobs", grpc_code("RESOURCE_EXHAUSTED"))
    response = await post(
        rest, "/v2/jobs/activation", {"type": "t", "timeout": 1, "maxJobsToActivate": 1}
    )
    assert problem(response)[:2] == (503, "RESOURCE_EXHAUSTED")


def grpc_code(name: str) -> Any:
    import grpc

    return getattr(grpc.StatusCode, name)


# ---------------------------------------------------------------- process definitions


async def test_deployment_search_and_xml(gateway: TestGateway, sdk: CamundaAsyncClient) -> None:
    first = await deploy(sdk, "orders", "invoices")
    assert [d.process_definition.process_definition_id for d in first.deployments] == [
        "orders",
        "invoices",
    ]
    await deploy(sdk, "orders")  # version 2
    everything = await sdk.search_process_definitions(data=ProcessDefinitionSearchQuery())
    assert sorted((i.process_definition_id, i.version) for i in everything.items) == [
        ("invoices", 1),
        ("orders", 1),
        ("orders", 2),
    ]
    latest = await sdk.search_process_definitions(
        data=ProcessDefinitionSearchQuery(
            filter_=ProcessDefinitionSearchQueryFilter(is_latest_version=True)
        )
    )
    assert sorted((i.process_definition_id, i.version) for i in latest.items) == [
        ("invoices", 1),
        ("orders", 2),
    ]
    assert latest.page.start_cursor is None  # process-definitions.yaml, isLatestVersion
    orders_v2 = next(i for i in latest.items if i.process_definition_id == "orders")
    xml = await sdk.get_process_definition_xml(orders_v2.process_definition_key)
    assert xml.encode() == bpmn("orders")
    with pytest.raises(NotFoundError):
        await sdk.get_process_definition_xml(ProcessDefinitionKey("42"))


async def test_latest_versions_page_forward_with_after(sdk: CamundaAsyncClient) -> None:
    await deploy(sdk, "a", "b", "c")
    seen, after = [], None
    for _ in range(5):
        page = CursorBasedForwardPagination(limit=2)
        if after:
            page.after = after
        result = await sdk.search_process_definitions(
            data=ProcessDefinitionSearchQuery(
                filter_=ProcessDefinitionSearchQueryFilter(is_latest_version=True), page=page
            )
        )
        seen += [i.process_definition_id for i in result.items]
        if len(result.items) < 2:
            break
        after = result.page.end_cursor
    assert sorted(seen) == ["a", "b", "c"] and len(seen) == 3


async def test_latest_version_search_refuses_other_sort_fields(rest: CamundaRestStandIn) -> None:
    response = await post(
        rest,
        "/v2/process-definitions/search",
        {"filter": {"isLatestVersion": True}, "sort": [{"field": "version"}]},
    )
    assert problem(response)[:2] == (400, "INVALID_ARGUMENT")
    unknown = await post(rest, "/v2/process-definitions/search", {"filter": {"color": "red"}})
    assert problem(unknown) == (
        400,
        "Bad Request",
        "Request property [filter.color] cannot be parsed",
    )


# ---------------------------------------------------------------- instances, messages


async def test_create_instance_by_key_and_by_id_and_version(
    gateway: TestGateway, sdk: CamundaAsyncClient
) -> None:
    v1 = (await deploy(sdk, "orders")).deployments[0].process_definition
    await deploy(sdk, "orders")
    by_key = await sdk.create_process_instance(
        data=ProcessCreationByKey(process_definition_key=v1.process_definition_key)
    )
    by_version = await sdk.create_process_instance(
        data=ProcessCreationById(
            process_definition_id=v1.process_definition_id, process_definition_version=1
        )
    )
    latest = await sdk.create_process_instance(
        data=ProcessCreationById(process_definition_id=v1.process_definition_id)
    )
    assert (by_key.process_definition_version, by_version.process_definition_version) == (1, 1)
    assert latest.process_definition_version == 2
    assert int(by_key.process_instance_key) in gateway.instances


async def test_create_instance_of_an_unknown_process_is_404(rest: CamundaRestStandIn) -> None:
    response = await post(rest, "/v2/process-instances", {"processDefinitionId": "nope"})
    status, title, detail = problem(response)
    assert (status, title) == (404, "NOT_FOUND") and "nope" in detail
    neither = await post(rest, "/v2/process-instances", {"variables": {}})
    assert problem(neither)[:2] == (400, "INVALID_ARGUMENT")


async def test_publish_message(gateway: TestGateway, sdk: CamundaAsyncClient) -> None:
    result = await sdk.publish_message(
        data=MessagePublicationRequest(
            name="paid", correlation_key="o-1", time_to_live=1000, message_id="m1"
        )
    )
    assert result.tenant_id == "<default>" and int(result.message_key) > 0
    [message] = gateway.messages
    assert (message.name, message.correlationKey, message.timeToLive, message.messageId) == (
        "paid",
        "o-1",
        1000,
        "m1",
    )


async def test_correlating_with_no_subscription_is_404(sdk: CamundaAsyncClient) -> None:
    """MessageCorrelationCorrelateProcessor: no subscription, NOT_FOUND."""
    with pytest.raises(NotFoundError) as refused:
        await sdk.correlate_message(
            data=MessageCorrelationRequest(name="nobody", correlation_key="k")
        )
    assert refused.value.parsed.detail == (
        "Command 'CORRELATE' rejected with code 'NOT_FOUND': Expected to find subscription for "
        "message with name 'nobody' and correlation key 'k', but none was found."
    )


# ---------------------------------------------------------------- element instances, variables
# element-instances.yaml and variables.yaml: what Switchboard's HTTP polling per instance reads
# (app/engines/camunda_rest/element_instances.py).


async def test_waiting_tokens_are_active_element_instances_and_page_forward(
    gateway: TestGateway, sdk: CamundaAsyncClient
) -> None:
    [deployed] = (await deploy(sdk, "tokens")).deployments
    key = int(deployed.process_definition.process_definition_key)
    instances = [
        gateway._create_instance(gateway.definitions[key], {"n": n, "big": "y" * 9000})
        for n in range(3)
    ]
    source = RestElementInstanceSource(sdk, page_size=2)
    found = await source.active_element_instances(key, "work")
    assert [f.process_instance_key for f in found] == instances
    assert len({f.element_instance_key for f in found}) == 3
    assert all(f.element_id == "work" for f in found)
    assert await source.active_element_instances(key, "start") == []
    variables = await source.variables(found[1])
    assert variables == {"n": 1, "big": "y" * 9000}  # truncateValues=false: whole values


async def test_variable_search_truncates_long_values_by_default(
    gateway: TestGateway, sdk: CamundaAsyncClient
) -> None:
    [deployed] = (await deploy(sdk, "long")).deployments
    key = int(deployed.process_definition.process_definition_key)
    instance = gateway._create_instance(gateway.definitions[key], {"big": "y" * 9000})
    result = await sdk.search_variables(
        data=VariableSearchQuery(
            filter_=VariableSearchQueryFilter(process_instance_key=str(instance))
        )
    )
    [item] = result.items
    assert item.is_truncated is True and len(item.value) < 9000
    assert item.variable_key.isdigit()


async def test_element_instance_search_refuses_unknown_filter_properties(
    rest: CamundaRestStandIn,
) -> None:
    response = await post(rest, "/v2/element-instances/search", {"filter": {"flowNode": "x"}})
    assert problem(response) == (
        400,
        "Bad Request",
        "Request property [filter.flowNode] cannot be parsed",
    )
