"""``switchboard connectors``: list discovered connectors (table or JSON)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from app.cli import exits
from app.cli.common import registry_or_exit, settings_or_exit


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "connectors",
        help="list the connectors this process would run (outbound, then inbound)",
        description="Every outbound connector (enabled, disabled by the CONNECTOR_OUTBOUND_* "
        "filters, or failed to load, with the reason) and every inbound connector type.",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from app.logs import setup_logging

    settings = settings_or_exit()
    setup_logging(settings.log_level, settings.log_format, settings.log_max_message_chars)
    registry = registry_or_exit("switchboard connectors")
    entries = registry.entries()
    inbound = _inbound()
    if inbound is None:
        return exits.CONFIG
    if args.json:
        print(json.dumps([*(e.to_json() for e in entries), *inbound], indent=2))
        return 0
    header = ("TYPE", "NAME", "STATE", "SOURCE / REASON")
    rows: list[tuple[str, str, str, str]] = [
        (
            e.type or "-",
            e.name,
            e.state,
            e.source if e.reason is None else f"{e.source}: {e.reason}",
        )
        for e in entries
    ]
    rows += [(c["type"], c["name"], "inbound", c["source"]) for c in inbound]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3])
    return 0


def _inbound() -> list[dict[str, Any]] | None:
    """The inbound connectors (``direction: inbound``), or None after printing why their
    discovery failed."""
    from app.inbound.registry import InboundDiscoveryError, InboundRegistry, describe

    try:
        registry = InboundRegistry.from_entry_points()
    except InboundDiscoveryError as exc:
        print(f"switchboard connectors: {exc}", file=sys.stderr)
        return None
    return [describe(c) for c in registry.connectors()]
