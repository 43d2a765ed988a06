"""``switchboard serve``: run the HTTP API (and the Zeebe worker when configured)."""

from __future__ import annotations

import argparse
import sys

from app.cli.common import registry_or_exit, settings_or_exit


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("serve", help="serve the API and run the Zeebe worker")
    parser.add_argument("--host", help="override SWITCHBOARD_HOST")
    parser.add_argument("--port", type=int, help="override SWITCHBOARD_PORT")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from app.logs import setup_logging
    from app.main import create_app
    from app.settings import SettingsError

    settings = settings_or_exit()
    if args.host:
        settings.host = args.host
    if args.port:
        settings.port = args.port
    try:
        settings.check_serving()
    except SettingsError as exc:
        print(f"switchboard: configuration error: {exc}", file=sys.stderr)
        return 2
    setup_logging(settings.log_level, settings.log_format, settings.log_max_message_chars)
    # Discover before uvicorn starts: a bad CONNECTOR_* variable is then one line, not a
    # lifespan traceback.
    registry = registry_or_exit("switchboard serve")
    # Connectors that read their own configuration lazily check it now, so a bad value
    # stops start-up with one line instead of failing every job.
    for connector in registry.connectors():
        if callable(check := connector.extra.get("startup_check")):
            try:
                check()
            except Exception as exc:
                print(f"switchboard: configuration error: {exc}", file=sys.stderr)
                return 2
    app = create_app(settings, registry)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        # Forwarded headers only from the configured proxies (uvicorn would trust loopback
        # by default, letting any local caller choose its address for the failure limit).
        proxy_headers=bool(settings.trusted_proxy_list),
        forwarded_allow_ips=settings.trusted_proxy_list or [],
        timeout_graceful_shutdown=int(settings.shutdown_grace_seconds) + 5,
    )
    uvicorn.Server(config).run()
    return 0
