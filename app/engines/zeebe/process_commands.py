"""The engine protocol's process commands over Zeebe's gRPC gateway.

``PublishMessage``, ``CreateProcessInstance`` (by key, or by BPMN process id and version) and
``DeployResource`` with the resources' bytes. gRPC errors become the engine error tree of
:mod:`app.runtime.engine`: no answer is :class:`EngineUnavailableError`, a refusal is
:class:`EngineRejectedError` with the gRPC status name as its ``reason``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

import grpc
from pyzeebe.proto import gateway_pb2 as pb

from app.runtime.engine import (
    DEFAULT_TENANT,
    CreatedInstance,
    DeployedProcess,
    Deployment,
    EngineError,
    EngineRejectedError,
    EngineUnavailableError,
    InstanceToCreate,
    MessageToPublish,
    PublishedMessage,
    Resource,
)

_NO_ANSWER = {
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.CANCELLED,
}
DEFAULT_MESSAGE_TTL_MS = 3_600_000


class ZeebeProcessCommands:
    """Implements :class:`app.runtime.engine.ProcessCommands` on a gateway stub."""

    def __init__(self, stub: Any, request_timeout_seconds: float = 20.0) -> None:
        self._stub = stub
        self._timeout = request_timeout_seconds

    async def publish_message(self, message: MessageToPublish) -> PublishedMessage:
        request = pb.PublishMessageRequest(
            name=message.name,
            correlationKey=message.correlation_key,
            timeToLive=(
                DEFAULT_MESSAGE_TTL_MS
                if message.time_to_live_ms is None
                else message.time_to_live_ms
            ),
            messageId=message.message_id or "",
            variables=_json(message.variables),
            tenantId=message.tenant_id or "",
        )
        timeout = None if message.request_timeout_ms is None else message.request_timeout_ms / 1000
        response = await self._call(
            self._stub.PublishMessage, request, "PublishMessage", timeout=timeout
        )
        return PublishedMessage(key=response.key, tenant_id=response.tenantId or DEFAULT_TENANT)

    async def create_process_instance(self, instance: InstanceToCreate) -> CreatedInstance:
        fields: dict[str, Any] = {
            "variables": _json(instance.variables),
            "tenantId": instance.tenant_id or "",
        }
        if instance.process_definition_key is not None:
            fields["processDefinitionKey"] = instance.process_definition_key
        else:
            fields["bpmnProcessId"] = instance.bpmn_process_id or ""
            fields["version"] = instance.version
        request = pb.CreateProcessInstanceRequest(**fields)
        if instance.await_result:
            wait_ms = instance.request_timeout_ms or int(self._timeout * 1000)
            with_result = await self._call(
                self._stub.CreateProcessInstanceWithResult,
                pb.CreateProcessInstanceWithResultRequest(request=request, requestTimeout=wait_ms),
                "CreateProcessInstanceWithResult",
                timeout=wait_ms / 1000 + self._timeout,
            )
            return CreatedInstance(
                process_instance_key=with_result.processInstanceKey,
                process_definition_key=with_result.processDefinitionKey,
                bpmn_process_id=with_result.bpmnProcessId,
                version=with_result.version,
                tenant_id=with_result.tenantId or DEFAULT_TENANT,
                variables=json.loads(with_result.variables or "{}"),
            )
        response = await self._call(
            self._stub.CreateProcessInstance, request, "CreateProcessInstance"
        )
        return CreatedInstance(
            process_instance_key=response.processInstanceKey,
            process_definition_key=response.processDefinitionKey,
            bpmn_process_id=response.bpmnProcessId,
            version=response.version,
            tenant_id=response.tenantId or DEFAULT_TENANT,
        )

    async def deploy_resources(
        self, resources: Sequence[Resource], *, tenant_id: str | None = None
    ) -> Deployment:
        request = pb.DeployResourceRequest(
            resources=[pb.Resource(name=r.name, content=r.content) for r in resources],
            tenantId=tenant_id or "",
        )
        response = await self._call(self._stub.DeployResource, request, "DeployResource")
        processes = tuple(
            DeployedProcess(
                bpmn_process_id=d.process.bpmnProcessId,
                version=d.process.version,
                process_definition_key=d.process.processDefinitionKey,
                resource_name=d.process.resourceName,
                tenant_id=d.process.tenantId or DEFAULT_TENANT,
            )
            for d in response.deployments
            if d.HasField("process")
        )
        return Deployment(
            key=response.key, processes=processes, tenant_id=response.tenantId or DEFAULT_TENANT
        )

    async def _call(
        self,
        method: Any,
        request: Any,
        name: str,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> Any:
        try:
            return await method(request, timeout=timeout or self._timeout)
        except grpc.aio.AioRpcError as exc:
            raise _engine_error(exc, name) from None


def _engine_error(exc: grpc.aio.AioRpcError, command: str) -> EngineError:
    code = exc.code()
    details = (exc.details() or "").strip()[:500]
    message = f"{command}: {code.name}" + (f": {details}" if details else "")
    if code in _NO_ANSWER:
        return EngineUnavailableError(message, reason=code.name, detail=details or None)
    return EngineRejectedError(message, reason=code.name, detail=details or None)


def _json(variables: Any) -> str:
    # allow_nan=False: NaN and Infinity are not JSON and Zeebe refuses them.
    try:
        return json.dumps(dict(variables or {}), allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise EngineRejectedError(
            f"variables are not valid JSON: {exc}", reason="INVALID_ARGUMENT"
        ) from None


@contextlib.asynccontextmanager
async def connected(settings: Any) -> AsyncIterator[ZeebeProcessCommands]:
    """Process commands on a channel of their own (for the CLI: no worker, no polling)."""
    from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

    from app.engines.zeebe.channel import create_channel

    channel, _ = await create_channel(settings)
    try:
        yield ZeebeProcessCommands(GatewayStub(channel), settings.worker_request_timeout_seconds)
    finally:
        await channel.close()
