"""``switchboard migrate``: bring the database schema to the latest revision (or another)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from app.cli import exits
from app.cli.common import settings_or_exit, shown_url


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("migrate", help="apply database migrations")
    parser.add_argument("--revision", default="head", help="target revision (default: head)")
    parser.add_argument(
        "--downgrade", metavar="REVISION", help="downgrade to REVISION instead (e.g. base)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from app.db import migrate
    from app.db.session import normalise_url

    settings = settings_or_exit()
    url = normalise_url(settings.database_url)
    try:
        if args.downgrade:
            asyncio.run(migrate.downgrade(url, args.downgrade))
        else:
            asyncio.run(migrate.upgrade(url, args.revision))
        revision = asyncio.run(migrate.current_revision(url))
    except Exception as exc:
        print(
            f"switchboard migrate: failed at {shown_url(url)}: {type(exc).__name__}: {exc}",
            file=sys.stderr,
        )
        return exits.UNAVAILABLE if isinstance(exc, OSError | ConnectionError) else exits.FAILED
    print(f"database at revision {revision or 'base'}")
    return 0
