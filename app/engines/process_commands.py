"""An engine service's process commands (``app.runtime.engine.ProcessCommands``), passed on
to the commands object the service holds while it runs."""

from __future__ import annotations

from collections.abc import Sequence

from app.runtime.engine import (
    CreatedInstance,
    Deployment,
    InstanceToCreate,
    MessageToPublish,
    ProcessCommands,
    PublishedMessage,
    Resource,
)


class ForwardedProcessCommands:
    """``ProcessCommands`` for a service: each command goes to :meth:`_process_commands`,
    which raises the engine's error while the service cannot send it."""

    def _process_commands(self) -> ProcessCommands:
        raise NotImplementedError

    async def publish_message(self, message: MessageToPublish) -> PublishedMessage:
        return await self._process_commands().publish_message(message)

    async def create_process_instance(self, instance: InstanceToCreate) -> CreatedInstance:
        return await self._process_commands().create_process_instance(instance)

    async def deploy_resources(
        self, resources: Sequence[Resource], *, tenant_id: str | None = None
    ) -> Deployment:
        return await self._process_commands().deploy_resources(resources, tenant_id=tenant_id)
