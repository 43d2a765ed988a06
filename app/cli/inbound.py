"""``switchboard inbound``: the inbound elements a running Switchboard serves, from
``GET /api/v1/inbound`` (an API key in SWITCHBOARD_API_KEY, the server's address in
SWITCHBOARD_URL, default http://127.0.0.1:PORT)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from app.cli import exits
from app.cli.common import settings_or_exit


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "inbound",
        help="list the inbound connector elements a running server serves",
        description="Print the inbound elements (webhook paths, state, health, last activity) "
        "of the server at SWITCHBOARD_URL (default http://127.0.0.1:$SWITCHBOARD_PORT), with "
        "the API key in SWITCHBOARD_API_KEY (or var/admin-api-key).",
    )
    parser.add_argument("--json", action="store_true", help="print the JSON answer")
    parser.add_argument("--url", help="server URL (default: SWITCHBOARD_URL)")
    parser.set_defaults(func=run)


def _key() -> str | None:
    key = os.environ.get("SWITCHBOARD_API_KEY")
    if key:
        return key.strip()
    try:
        with open(os.path.join("var", "admin-api-key"), encoding="utf-8") as handle:
            return handle.read().strip() or None
    except OSError:
        return None


def run(args: argparse.Namespace) -> int:
    import httpx

    settings = settings_or_exit()
    url = args.url or os.environ.get("SWITCHBOARD_URL") or f"http://127.0.0.1:{settings.port}"
    key = _key()
    if key is None:
        print("switchboard inbound: set SWITCHBOARD_API_KEY to an API key", file=sys.stderr)
        return exits.CONFIG
    try:
        response = httpx.get(
            url.rstrip("/") + "/api/v1/inbound",
            headers={"Authorization": f"Bearer {key}"},
            timeout=10.0,
        )
    except httpx.HTTPError as exc:
        print(f"switchboard inbound: cannot reach {url}: {type(exc).__name__}", file=sys.stderr)
        return 1
    if response.status_code != 200:
        print(f"switchboard inbound: {response.status_code}: {response.text}", file=sys.stderr)
        return 1
    elements: list[dict[str, Any]] = response.json()
    if args.json:
        print(json.dumps(elements, indent=2))
        return 0
    if not elements:
        print("no inbound elements")
        return 0
    rows = [("PROCESS", "VERSION", "ELEMENT", "KIND", "WEBHOOK", "STATE", "HEALTH", "LAST")]
    for e in elements:
        rows.append(
            (
                e["bpmnProcessId"],
                str(e["version"]),
                e["elementId"],
                e["kind"],
                e.get("webhookPath") or "-",
                e["state"],
                (e.get("health") or {}).get("status", "-"),
                e.get("lastActivity") or "-",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    for e in elements:
        if e.get("error"):
            print(f"{e['bpmnProcessId']}/{e['elementId']}: {e['error']}")
    return 0
