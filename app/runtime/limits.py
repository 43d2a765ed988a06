"""The limits applied to every execution, typed, with their defaults in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.settings.runtime import RuntimeSettings


def _default(name: str) -> Any:
    # One source of truth: the defaults are those of the settings.
    return RuntimeSettings.model_fields[name].default


@dataclass(frozen=True, slots=True)
class RuntimeLimits:
    """Limits of one runtime (``app.settings.runtime`` documents the variables).

    ``default_timeout`` bounds a connector call when the connector declares no timeout
    (``None``: unbounded); sizes are bytes of compact UTF-8 JSON.
    """

    default_timeout: float | None = _default("connector_timeout_seconds") or None
    max_input_bytes: int = _default("max_input_variables_bytes")
    max_output_bytes: int = _default("max_output_variables_bytes")
    history_max_payload_bytes: int = _default("history_max_payload_bytes")
    sync_pool_size: int = _default("sync_pool_size")
    feel_inline_steps: int = _default("feel_inline_steps")
    feel_pool_size: int = _default("feel_pool_size")

    @classmethod
    def from_settings(cls, settings: RuntimeSettings) -> RuntimeLimits:
        return cls(
            default_timeout=float(settings.connector_timeout_seconds) or None,
            max_input_bytes=settings.max_input_variables_bytes,
            max_output_bytes=settings.max_output_variables_bytes,
            history_max_payload_bytes=settings.history_max_payload_bytes,
            sync_pool_size=settings.sync_pool_size,
            feel_inline_steps=settings.feel_inline_steps,
            feel_pool_size=settings.feel_pool_size,
        )
