"""The inbound connectors this process can run, by type.

Found through Python entry points of the group ``switchboard.inbound_connectors`` (each
pointing at a class decorated with ``@inbound_connector``), as outbound connectors are found
through ``switchboard.connectors``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from importlib.metadata import entry_points
from typing import Any

from connectors.sdk.inbound import InboundConnector, definition_of

log = logging.getLogger("switchboard.inbound")
ENTRY_POINT_GROUP = "switchboard.inbound_connectors"


class InboundDiscoveryError(Exception):
    """An entry point does not load or is not an inbound connector."""


class InboundRegistry:
    def __init__(self, connectors: Iterable[InboundConnector | type] = ()) -> None:
        self._by_type: dict[str, InboundConnector] = {}
        for item in connectors:
            definition = definition_of(item)
            if definition is None:
                raise InboundDiscoveryError(f"{item!r} is not an @inbound_connector class")
            if definition.type in self._by_type:
                raise InboundDiscoveryError(
                    f"two inbound connectors have the type {definition.type!r}"
                )
            self._by_type[definition.type] = definition

    @classmethod
    def from_entry_points(cls) -> InboundRegistry:
        found: list[InboundConnector] = []
        for entry in entry_points(group=ENTRY_POINT_GROUP):
            try:
                loaded = entry.load()
            except Exception as exc:
                raise InboundDiscoveryError(
                    f"inbound connector entry point {entry.name!r} does not load: {exc}"
                ) from None
            definition = definition_of(loaded)
            if definition is None:
                raise InboundDiscoveryError(
                    f"inbound connector entry point {entry.name!r} is not an @inbound_connector "
                    "class"
                )
            found.append(definition)
        return cls(found)

    def get(self, connector_type: str) -> InboundConnector | None:
        return self._by_type.get(connector_type)

    def connectors(self) -> list[InboundConnector]:
        return sorted(self._by_type.values(), key=lambda c: c.type)

    def scopes(self) -> dict[str, tuple[str, ...]]:
        return {t: c.deduplication_properties for t, c in self._by_type.items()}


def describe(connector: InboundConnector) -> dict[str, Any]:
    """An inbound connector as the API, the CLI and the admin UI list it (the outbound
    entries' keys, ``direction: inbound``, plus its element kinds and template ids)."""
    from connectors.sdk.templates.inbound import inbound_template_id

    cls = connector.cls
    return {
        "type": connector.type,
        "name": connector.name,
        "version": connector.version,
        "direction": "inbound",
        "state": "enabled",
        "reason": None,
        "source": connector.source or f"{cls.__module__}:{cls.__qualname__}",
        "webhook": connector.is_webhook,
        "elementKinds": list(connector.element_kinds),
        "templateIds": {k: inbound_template_id(connector, k) for k in connector.element_kinds},
        "elementTemplatesUrl": f"/api/v1/inbound-connectors/{connector.type}/element-templates",
    }
