"""``switchboard apikey``: create, list and revoke API keys; ensure a local admin key."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from app.cli import exits
from app.cli.common import settings_or_exit, shown_url

LOCAL_KEY_NAME = "local-admin"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("apikey", help="manage API keys")
    commands = parser.add_subparsers(dest="apikey_command", metavar="ACTION", required=True)

    create = commands.add_parser("create", help="create a key and print it (shown once)")
    create.add_argument("--role", required=True, choices=("viewer", "operator", "admin"))
    create.add_argument("--name", required=True, help="who or what uses the key")
    create.add_argument("--json", action="store_true", help="print JSON")
    create.set_defaults(func=lambda a: _run(_create, a))

    listing = commands.add_parser("list", help="list keys (never the keys themselves)")
    listing.add_argument("--all", action="store_true", help="include revoked keys")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=lambda a: _run(_list, a))

    revoke = commands.add_parser("revoke", help="revoke a key by id, id prefix or name")
    revoke.add_argument("key_id", metavar="ID")
    revoke.set_defaults(func=lambda a: _run(_revoke, a))

    local = commands.add_parser(
        "ensure-local",
        help="create a local admin key unless one exists; print it the first time",
    )
    local.add_argument("--file", help="key file (default SWITCHBOARD_LOCAL_ADMIN_KEY_FILE)")
    local.set_defaults(func=lambda a: _run(_ensure_local, a))


def _run(
    action: Callable[[Any, argparse.Namespace], Awaitable[int]], args: argparse.Namespace
) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from app.db.session import create_engine, session_factory

    settings = settings_or_exit()
    args.settings = settings

    async def main() -> int:
        engine = create_engine(settings.database_url, pool_size=1)
        try:
            return await action(session_factory(engine), args)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(main())
    except (SQLAlchemyError, OSError) as exc:
        print(
            f"switchboard apikey: database error at {shown_url(settings.database_url)} "
            f"({type(exc).__name__}); is the database up and migrated (`switchboard migrate`)?",
            file=sys.stderr,
        )
        return exits.UNAVAILABLE


def _describe(key: Any) -> dict[str, Any]:
    return {
        "id": key.id,
        "name": key.name,
        "role": key.role,
        "prefix": key.prefix,
        "origin": key.origin,
        "createdAt": key.created_at.isoformat(),
        "lastUsedAt": key.last_used_at.isoformat() if key.last_used_at else None,
        "revokedAt": key.revoked_at.isoformat() if key.revoked_at else None,
    }


async def _create(sessions: Any, args: argparse.Namespace) -> int:
    from app.db import apikeys

    try:
        created, key = await apikeys.create_key(sessions, name=args.name, role=args.role)
    except ValueError as exc:
        print(f"switchboard apikey create: {exc}", file=sys.stderr)
        return exits.DATA
    if args.json:
        print(json.dumps({**_describe(created), "key": key}, indent=2))
    else:
        print(f"Created {created.role} key '{created.name}' (id {created.id}).")
        print("Store it now; it is not shown again:")
        print(key)
    return 0


async def _list(sessions: Any, args: argparse.Namespace) -> int:
    from app.db import apikeys

    keys = await apikeys.list_keys(sessions, include_revoked=args.all)
    if args.json:
        print(json.dumps([_describe(k) for k in keys], indent=2))
        return 0
    rows = [("ID", "NAME", "ROLE", "PREFIX", "CREATED", "STATE")]
    for k in keys:
        state = "revoked" if k.revoked_at else "active"
        created = k.created_at.strftime("%Y-%m-%d %H:%M")
        rows.append((k.id, k.name, k.role, k.prefix + "...", created, state))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
    return 0


async def _revoke(sessions: Any, args: argparse.Namespace) -> int:
    from app.db import apikeys

    try:
        revoked = await apikeys.revoke_key(sessions, args.key_id)
    except ValueError as exc:
        print(f"switchboard apikey revoke: {exc}", file=sys.stderr)
        return exits.DATA
    if revoked is None:
        print(f"switchboard apikey revoke: no key matches {args.key_id!r}", file=sys.stderr)
        return 1
    print(f"Revoked key '{revoked.name}' (id {revoked.id}).")
    return 0


async def _ensure_local(sessions: Any, args: argparse.Namespace) -> int:
    from app.db import apikeys

    path = Path(args.file or args.settings.local_admin_key_file)
    existing = _read_key(path)
    if existing and await apikeys.authenticate(sessions, existing) is not None:
        print(f"Local admin API key: see {path}")
        return 0
    _, key = await apikeys.create_key(sessions, name=LOCAL_KEY_NAME, role="admin", origin="local")
    _write_private(path, key + "\n")
    print(f"Created a local admin API key (saved in {path}); sign in to the UI with it:")
    print(f"  {key}")
    return 0


def _read_key(path: Path) -> str | None:
    return path.read_text(encoding="utf-8").strip() if path.is_file() else None


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)  # an existing file keeps its mode through os.open
