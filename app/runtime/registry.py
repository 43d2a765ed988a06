"""The set of connectors this process runs, with the state of each for listings."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from app.runtime.discovery import DiscoveryResult, discover
from connectors.sdk import OutboundConnector

State = Literal["enabled", "disabled", "failed"]


@dataclass(frozen=True)
class RegistryEntry:
    """One line of ``switchboard connectors``: a connector or a failed/disabled one."""

    name: str
    type: str | None
    version: int | None
    source: str
    state: State
    reason: str | None = None
    timeout: float | None = None
    input_variables: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "version": self.version,
            "source": self.source,
            "state": self.state,
            "reason": self.reason,
            "timeout": self.timeout,
            "inputVariables": list(self.input_variables),
            "direction": "outbound",
        }


class ConnectorRegistry:
    """Enabled connectors by type, plus the disabled and failed ones for reporting."""

    def __init__(self, result: DiscoveryResult) -> None:
        self._result = result
        self._by_type = {c.type: c for c in result.connectors}

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> ConnectorRegistry:
        return cls(discover(environ))

    @classmethod
    def of(cls, *connectors: OutboundConnector) -> ConnectorRegistry:
        """A registry holding exactly these connectors (tests, embedding)."""
        return cls(DiscoveryResult(tuple(connectors)))

    def get(self, connector_type: str) -> OutboundConnector | None:
        return self._by_type.get(connector_type)

    def __getitem__(self, connector_type: str) -> OutboundConnector:
        return self._by_type[connector_type]

    def __contains__(self, connector_type: object) -> bool:
        return connector_type in self._by_type

    def __iter__(self) -> Iterator[OutboundConnector]:
        return iter(self._result.connectors)

    def __len__(self) -> int:
        return len(self._by_type)

    def connectors(self) -> tuple[OutboundConnector, ...]:
        return self._result.connectors

    def disabled(self) -> tuple[OutboundConnector, ...]:
        return tuple(d.connector for d in self._result.disabled)

    def entries(self) -> list[RegistryEntry]:
        rows = [_entry(c, "enabled") for c in self._result.connectors]
        rows += [_entry(d.connector, "disabled", d.reason) for d in self._result.disabled]
        rows += [
            RegistryEntry(f.name, None, None, f.source, "failed", f.reason)
            for f in self._result.failed
        ]
        return rows


def _entry(connector: OutboundConnector, state: State, reason: str | None = None) -> RegistryEntry:
    return RegistryEntry(
        name=connector.name,
        type=connector.type,
        version=connector.version,
        source=connector.source,
        state=state,
        reason=reason,
        timeout=connector.timeout,
        input_variables=connector.input_variables,
    )
