"""The Camunda 7 / Operaton engine: external tasks over the engine's REST API."""

from app.engines.camunda7.service import Camunda7Service

__all__ = ["Camunda7Service"]
