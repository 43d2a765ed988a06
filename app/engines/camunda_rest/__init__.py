"""The Camunda REST engine: the only package that imports ``camunda-orchestration-sdk``."""

from app.engines.camunda_rest.discovery import RestDefinitionSource
from app.engines.camunda_rest.service import CamundaRestService

__all__ = ["CamundaRestService", "RestDefinitionSource"]
