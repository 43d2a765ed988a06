"""The Camunda REST engine: the only package that imports ``camunda-orchestration-sdk``."""

from app.engines.camunda_rest.discovery import (
    DefinitionWatcher,
    DiscoveredProcess,
    RestDefinitionSource,
)
from app.engines.camunda_rest.service import CamundaRestService

__all__ = ["CamundaRestService", "DefinitionWatcher", "DiscoveredProcess", "RestDefinitionSource"]
