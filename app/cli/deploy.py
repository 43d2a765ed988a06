"""``switchboard deploy FILE...``: deploy resources to Zeebe and register their inbound
elements in the database, which every running Switchboard serves within one poll interval.

Prints the answer of ``POST /api/v1/deployments`` (JSON). Exit codes: 0 deployed, 1 the
engine refused or is unavailable, 78 configuration error, 64 bad arguments (docs/cli.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from app.cli import exits
from app.cli.common import settings_or_exit


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "deploy",
        help="deploy BPMN/DMN/form files to Zeebe and register their inbound connectors",
        description="Send the files to Zeebe (DeployResource), then register the inbound "
        "connector elements of the processes Zeebe accepted under the keys and versions it "
        "returned. Needs ZEEBE_ADDRESS and the database (run `switchboard migrate` first).",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="files to deploy")
    parser.add_argument("--tenant", metavar="ID", help="tenant to deploy to")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    resources = []
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            print(f"switchboard deploy: {name}: no such file", file=sys.stderr)
            return exits.USAGE
        resources.append((path.name, path.read_bytes()))
    settings = settings_or_exit()
    if not settings.zeebe_enabled:
        print("switchboard deploy: Zeebe is not configured: set ZEEBE_ADDRESS", file=sys.stderr)
        return exits.CONFIG
    return asyncio.run(_deploy(settings, resources, args.tenant))


async def _deploy(settings: object, files: list[tuple[str, bytes]], tenant: str | None) -> int:
    from app.api.inbound import deployment_json
    from app.db.inbound_repo import DatabaseRegistrationStore
    from app.db.session import create_engine, session_factory
    from app.engines.zeebe.process_commands import connected
    from app.inbound.bpmn import BpmnError
    from app.inbound.registry import InboundRegistry
    from app.inbound.service import InboundService
    from app.runtime.engine import EngineError, Resource
    from app.secrets.service import SecretsService

    database = create_engine(settings.database_url)  # type: ignore[attr-defined]
    secrets = SecretsService.from_settings(settings)  # type: ignore[arg-type]
    try:
        async with connected(settings) as commands:
            service = InboundService(
                store=DatabaseRegistrationStore(session_factory(database)),
                registry=InboundRegistry.from_entry_points(),
                commands=commands,
                resolver=secrets.resolver,
                mask=secrets.masker.mask_value,
            )
            try:
                result = await service.deploy(
                    [Resource(name, content) for name, content in files], tenant_id=tenant
                )
            except BpmnError as exc:
                print(f"switchboard deploy: {exc}", file=sys.stderr)
                return 1
            except EngineError as exc:
                print(f"switchboard deploy: {secrets.masker.mask(exc.message)}", file=sys.stderr)
                return 1
            finally:
                await service.stop()
        print(json.dumps(deployment_json(result.deployment, result.elements), indent=2))
        return 0
    finally:
        await database.dispose()
