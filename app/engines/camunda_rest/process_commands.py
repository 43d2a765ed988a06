"""The engine protocol's process commands over the Orchestration Cluster REST API.

``POST /v2/messages/publication``, ``POST /v2/messages/correlation``,
``POST /v2/process-instances`` (by key, or by BPMN process id with a version) and
``POST /v2/deployments`` (multipart), through the SDK. Errors become
the engine error tree of :mod:`app.runtime.engine` (see :mod:`.client`).
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Mapping, Sequence
from typing import Any, TypeVar

import httpx
from camunda_orchestration_sdk import (
    CamundaAsyncClient,
    ProcessDefinitionId,
    ProcessDefinitionKey,
    TenantId,
)
from camunda_orchestration_sdk.errors import ApiError
from camunda_orchestration_sdk.models import (
    CreateDeploymentData,
    MessageCorrelationRequest,
    MessageCorrelationRequestVariables,
    MessagePublicationRequest,
    MessagePublicationRequestVariables,
    ProcessCreationById,
    ProcessCreationByKey,
    ProcessInstanceCreationInstructionBaseVariables,
)
from camunda_orchestration_sdk.types import UNSET, File, Unset

from app.engines.camunda_rest.client import create_client, engine_error
from app.runtime.engine import (
    DEFAULT_TENANT,
    CorrelatedMessage,
    CreatedInstance,
    DeployedProcess,
    Deployment,
    EngineRejectedError,
    EngineUnavailableError,
    InstanceToCreate,
    MessageToPublish,
    PublishedMessage,
    Resource,
)
from app.settings.camunda_rest import CamundaRestSettings

T = TypeVar("T")
DEFAULT_MESSAGE_TTL_MS = 3_600_000  # as the gRPC engine (Zeebe's default: one hour)


class RestProcessCommands:
    """Implements :class:`app.runtime.engine.ProcessCommands` on an SDK client."""

    def __init__(self, client: CamundaAsyncClient, *, owns_client: bool = False) -> None:
        self._client = client
        self._owns_client = owns_client

    @classmethod
    def from_settings(
        cls, settings: CamundaRestSettings, *, read_timeout_seconds: float = 30.0
    ) -> RestProcessCommands:
        """Commands on a client of their own (closed by :meth:`aclose`): the gRPC engine's
        message correlations, when CAMUNDA_REST_ADDRESS is set."""
        client = create_client(settings, read_timeout_seconds=read_timeout_seconds)
        return cls(client, owns_client=True)

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def publish_message(self, message: MessageToPublish) -> PublishedMessage:
        request = MessagePublicationRequest(
            name=message.name,
            correlation_key=message.correlation_key,
            time_to_live=(
                DEFAULT_MESSAGE_TTL_MS
                if message.time_to_live_ms is None
                else message.time_to_live_ms
            ),
            variables=MessagePublicationRequestVariables.from_dict(_variables(message.variables)),
        )
        if message.message_id:
            request.message_id = message.message_id
        if message.tenant_id:
            request.tenant_id = _tenant(message.tenant_id)
        result = await _call(
            self._client.publish_message(data=request),
            "PublishMessage",
            message.request_timeout_ms,
        )
        return PublishedMessage(key=int(result.message_key), tenant_id=str(result.tenant_id))

    async def correlate_message(self, message: MessageToPublish) -> CorrelatedMessage:
        """``POST /v2/messages/correlation`` (implements ``MessageCorrelation``)."""
        request = MessageCorrelationRequest(
            name=message.name,
            correlation_key=message.correlation_key,
            variables=MessageCorrelationRequestVariables.from_dict(_variables(message.variables)),
        )
        if message.tenant_id:
            request.tenant_id = _tenant(message.tenant_id)
        result = await _call(
            self._client.correlate_message(data=request),
            "CorrelateMessage",
            message.request_timeout_ms,
        )
        return CorrelatedMessage(
            key=int(result.message_key),
            tenant_id=str(result.tenant_id) or DEFAULT_TENANT,
            process_instance_key=int(result.process_instance_key),
        )

    async def create_process_instance(self, instance: InstanceToCreate) -> CreatedInstance:
        variables = ProcessInstanceCreationInstructionBaseVariables.from_dict(
            _variables(instance.variables)
        )
        tenant: TenantId | Unset = _tenant(instance.tenant_id) if instance.tenant_id else UNSET
        data: ProcessCreationByKey | ProcessCreationById
        try:
            if instance.process_definition_key is not None:
                data = ProcessCreationByKey(
                    process_definition_key=ProcessDefinitionKey(
                        str(instance.process_definition_key)
                    ),
                    variables=variables,
                    tenant_id=tenant,
                )
            else:
                data = ProcessCreationById(
                    process_definition_id=ProcessDefinitionId(instance.bpmn_process_id or ""),
                    # -1 (latest) is the REST API's absent version.
                    process_definition_version=instance.version if instance.version > 0 else UNSET,
                    variables=variables,
                    tenant_id=tenant,
                )
        except ValueError as exc:
            raise EngineRejectedError(
                f"CreateProcessInstance: {exc}", reason="INVALID_ARGUMENT"
            ) from None
        if instance.await_result:
            # awaitCompletion: the answer comes when the instance completed (or 504).
            data.await_completion = True
            if instance.request_timeout_ms:
                data.request_timeout = instance.request_timeout_ms
        result = await _call(
            self._client.create_process_instance(data=data), "CreateProcessInstance"
        )
        return CreatedInstance(
            process_instance_key=int(result.process_instance_key),
            process_definition_key=int(result.process_definition_key),
            bpmn_process_id=str(result.process_definition_id),
            version=result.process_definition_version,
            tenant_id=str(result.tenant_id) or DEFAULT_TENANT,
            variables=result.variables.to_dict() if instance.await_result else None,
        )

    async def deploy_resources(
        self, resources: Sequence[Resource], *, tenant_id: str | None = None
    ) -> Deployment:
        data = CreateDeploymentData(
            resources=[File(payload=io.BytesIO(r.content), file_name=r.name) for r in resources],
        )
        if tenant_id:
            data.tenant_id = _tenant(tenant_id)
        result = await _call(self._client.create_deployment(data=data), "DeployResource")
        processes = tuple(
            DeployedProcess(
                bpmn_process_id=str(p.process_definition_id),
                version=p.process_definition_version,
                process_definition_key=int(p.process_definition_key),
                resource_name=p.resource_name,
                tenant_id=str(p.tenant_id) or DEFAULT_TENANT,
            )
            for d in result.deployments
            if (p := d.process_definition) is not None
        )
        return Deployment(
            key=int(result.deployment_key),
            processes=processes,
            tenant_id=str(result.tenant_id) or DEFAULT_TENANT,
        )


async def _call(command: Awaitable[T], name: str, timeout_ms: int | None = None) -> T:
    try:
        if timeout_ms is None:
            return await command
        # A message's request timeout, as the Java client's requestTimeout on REST commands.
        async with asyncio.timeout(timeout_ms / 1000):
            return await command
    except TimeoutError:
        raise EngineUnavailableError(
            f"{name}: no answer within {timeout_ms} ms", reason="DEADLINE_EXCEEDED"
        ) from None
    except (ApiError, httpx.HTTPError) as exc:
        raise engine_error(exc, name) from None
    except ValueError as exc:  # httpx refuses NaN and Infinity: not JSON
        raise EngineRejectedError(
            f"{name}: variables are not valid JSON ({exc})", reason="INVALID_ARGUMENT"
        ) from None


def _variables(variables: Mapping[str, Any] | None) -> dict[str, Any]:
    return dict(variables or {})


def _tenant(tenant_id: str) -> TenantId:
    try:
        return TenantId(tenant_id)
    except ValueError as exc:
        raise EngineRejectedError(f"tenant id: {exc}", reason="INVALID_ARGUMENT") from None
