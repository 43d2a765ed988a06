"""``switchboard template TYPE`` and ``switchboard templates --out DIR``: element templates."""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
from pathlib import Path
from typing import Any

from app.cli import exits
from app.cli.common import registry_or_exit, settings_or_exit


def register(subparsers: argparse._SubParsersAction) -> None:
    one = subparsers.add_parser(
        "template", help="print (or write) the element template of one connector"
    )
    one.add_argument("type", metavar="TYPE", help="the connector's job type")
    one.add_argument("--out", metavar="FILE", type=Path, help="write to FILE instead of stdout")
    one.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    one.set_defaults(func=run_one)

    every = subparsers.add_parser(
        "templates",
        help="write the element templates of every enabled connector (outbound and inbound)",
    )
    every.add_argument(
        "--out", metavar="DIR", type=Path, required=True, help="directory to write into"
    )
    every.add_argument("--force", action="store_true", help="overwrite files that exist")
    every.set_defaults(func=run_all)


class _OutRefused(Exception):
    pass


def _check_target(folder: Path, files: list[Path], force: bool) -> None:
    """Refuse to create folders outside the current directory's tree (a typo must not scatter
    files over the disk) and to overwrite files unless ``--force``."""
    if not folder.exists():
        try:
            folder.resolve().relative_to(Path.cwd().resolve())
        except ValueError:
            raise _OutRefused(
                f"{folder} does not exist and is outside the current directory; create it first"
            ) from None
    existing = [str(f) for f in files if f.exists()]
    if existing and not force:
        raise _OutRefused(f"{', '.join(existing)} exists; pass --force to overwrite")


def file_name(connector_type: str) -> str:
    """``io.camunda:http-json:1`` -> ``io.camunda-http-json-1.json``."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", connector_type).strip("-.") + ".json"


def render(template: dict[str, Any] | list[dict[str, Any]]) -> str:
    return json.dumps(template, indent=2, ensure_ascii=False) + "\n"


def _registry() -> Any:
    from app.logs import setup_logging

    settings = settings_or_exit()
    setup_logging(settings.log_level, settings.log_format, settings.log_max_message_chars)
    return registry_or_exit("switchboard")


def _inbound_registry() -> Any:
    from app.inbound.registry import InboundDiscoveryError, InboundRegistry

    try:
        return InboundRegistry.from_entry_points()
    except InboundDiscoveryError as exc:
        print(f"switchboard: {exc}", file=sys.stderr)
        raise SystemExit(exits.CONFIG) from None


def run_one(args: argparse.Namespace) -> int:
    from connectors.sdk.templates import element_template

    registry = _registry()
    connector = registry.get(args.type)
    inbound = _inbound_registry().get(args.type) if connector is None else None
    if connector is None and inbound is not None:
        from connectors.sdk.templates.inbound import inbound_element_templates

        return _write_one(args, lambda: inbound_element_templates(inbound))
    if connector is None:
        disabled = {c.type for c in registry.disabled()}
        reason = "is disabled" if args.type in disabled else "is not a known connector type"
        known = ", ".join(sorted(c.type for c in registry.connectors())) or "none"
        print(f"switchboard template: {args.type!r} {reason} (enabled: {known})", file=sys.stderr)
        return exits.USAGE
    return _write_one(args, lambda: element_template(connector))


def _write_one(args: argparse.Namespace, build: Any) -> int:
    from connectors.sdk.templates import TemplateError

    try:
        text = render(build())
    except TemplateError as exc:
        print(f"switchboard template: {exc}", file=sys.stderr)
        return 1
    if args.out is None:
        sys.stdout.write(text)
    else:
        try:
            _check_target(args.out.parent, [args.out], args.force)
        except _OutRefused as exc:
            print(f"switchboard template: --out: {exc}", file=sys.stderr)
            return exits.USAGE
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


def run_all(args: argparse.Namespace) -> int:
    from connectors.sdk.templates import TemplateError, element_template
    from connectors.sdk.templates.inbound import inbound_element_templates

    registry = _registry()
    inbound = _inbound_registry().connectors()
    builds: list[tuple[str, Any]] = [
        (c.type, functools.partial(element_template, c)) for c in registry.connectors()
    ]
    # An inbound connector's file holds one template per element kind (a JSON array).
    builds += [(c.type, functools.partial(inbound_element_templates, c)) for c in inbound]
    targets = [args.out / file_name(t) for t, _ in builds]
    try:
        _check_target(args.out, targets, args.force)
    except _OutRefused as exc:
        print(f"switchboard templates: --out: {exc}", file=sys.stderr)
        return exits.USAGE
    args.out.mkdir(parents=True, exist_ok=True)
    status = 0
    for connector_type, build in builds:
        try:
            text = render(build())
        except TemplateError as exc:
            print(f"switchboard templates: {exc}", file=sys.stderr)
            status = 1
            continue
        path = args.out / file_name(connector_type)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}", file=sys.stderr)
    return status
