"""``switchboard secrets set|list|delete``: manage secrets in Vault.

Values are read from standard input (or a hidden prompt on a terminal), never from the
command line, where every user of the machine could read them.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from app.cli import exits
from app.cli.common import settings_or_exit
from app.secrets import (
    InvalidSecretNameError,
    InvalidSecretValueError,
    SecretError,
    SecretNotFoundError,
    SecretsConfigError,
    SecretsReadOnlyError,
    SecretsService,
)

T = TypeVar("T")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "secrets",
        help="manage secrets (stored in Vault)",
        description="Manage secrets. Needs a writable provider (VAULT_ADDR) for set and delete.",
    )
    commands = parser.add_subparsers(dest="secrets_command", metavar="ACTION", required=True)

    set_parser = commands.add_parser(
        "set",
        help="store a secret; the value is read from standard input",
        description="Store NAME. The value is read from standard input (one trailing newline "
        "is dropped) or from a hidden prompt when standard input is a terminal.",
    )
    set_parser.add_argument(
        "name", metavar="NAME", help="secret name, e.g. API_TOKEN or db/password"
    )
    _tenant_option(set_parser)
    set_parser.set_defaults(func=_cmd_set)

    list_parser = commands.add_parser("list", help="list secret names (never values)")
    _tenant_option(list_parser)
    list_parser.add_argument("--json", action="store_true", help="print JSON")
    list_parser.set_defaults(func=_cmd_list)

    delete_parser = commands.add_parser("delete", help="delete a secret")
    delete_parser.add_argument("name", metavar="NAME")
    _tenant_option(delete_parser)
    delete_parser.set_defaults(func=_cmd_delete)


def _tenant_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tenant", default=None, help="tenant id (tenant-aware Vault paths)")


def _read_value() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("Secret value: ")
    value = sys.stdin.read()
    if value.endswith("\r\n"):
        return value[:-2]
    return value[:-1] if value.endswith("\n") else value


def _run(action: Callable[[SecretsService], Awaitable[T]]) -> tuple[int, T | None]:
    try:
        service = SecretsService.from_settings(settings_or_exit())
    except SecretsConfigError as exc:
        print(f"switchboard: configuration error: {exc}", file=sys.stderr)
        return exits.USAGE, None

    async def go() -> T:
        await service.start()
        try:
            return await action(service)
        finally:
            await service.close()

    try:
        return 0, asyncio.run(go())
    except (InvalidSecretNameError, InvalidSecretValueError, SecretsReadOnlyError) as exc:
        print(f"switchboard: {service.masker.mask(str(exc))}", file=sys.stderr)
        return exits.USAGE, None
    except (SecretNotFoundError, SecretError) as exc:
        print(f"switchboard: {service.masker.mask(str(exc))}", file=sys.stderr)
        return exits.FAILED, None


def _cmd_set(args: argparse.Namespace) -> int:
    value = _read_value()
    if not value:
        print("switchboard: no value on standard input", file=sys.stderr)
        return exits.USAGE

    async def action(service: SecretsService) -> tuple[Any, str | None]:
        info = await service.set_secret(args.name, value, args.tenant)
        return info, await service.shadowed_by(args.name, args.tenant)

    code, result = _run(action)
    if result is not None:
        info, shadowed_by = result
        print(f"stored {info.name} in {info.provider} (version {info.version})")
        if shadowed_by:
            print(
                f"warning: the {shadowed_by} provider also has {info.name} and is asked first",
                file=sys.stderr,
            )
    return code


def _cmd_list(args: argparse.Namespace) -> int:
    async def action(service: SecretsService) -> list[Any]:
        return await service.list_secrets(args.tenant)

    code, infos = _run(action)
    if infos is None:
        return code
    if args.json:
        print(json.dumps([i.as_json() for i in infos], indent=2))
        return code
    rows = [("NAME", "PROVIDER", "VERSION", "UPDATED")]
    for info in infos:
        updated = info.updated_at.isoformat(timespec="seconds") if info.updated_at else "-"
        rows.append((info.name, info.provider, str(info.version or "-"), updated))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3])
    return code


def _cmd_delete(args: argparse.Namespace) -> int:
    async def action(service: SecretsService) -> bool:
        await service.delete_secret(args.name, args.tenant)
        return True

    code, done = _run(action)
    if done:
        print(f"deleted {args.name}")
    return code
