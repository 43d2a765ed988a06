"""FastAPI dependencies that hand the application's services to routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.runtime.registry import ConnectorRegistry
from app.services import Services


class ServicesNotRunningError(RuntimeError):
    """A request arrived without the lifespan state (the application was not started)."""


def get_services(request: Request) -> Services:
    """The running application's :class:`Services`, from the lifespan state."""
    services = getattr(request.state, "services", None)
    if not isinstance(services, Services):
        raise ServicesNotRunningError(
            "the application's lifespan has not run: no services in the request state"
        )
    return services


def get_sessions(
    services: Annotated[Services, Depends(get_services)],
) -> async_sessionmaker[AsyncSession]:
    return services.sessions


ServicesDep = Annotated[Services, Depends(get_services)]


def get_registry(services: ServicesDep) -> ConnectorRegistry:
    """The connectors this process discovered."""
    return services.registry


RegistryDep = Annotated[ConnectorRegistry, Depends(get_registry)]
SessionsDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessions)]
