"""``switchboard serve``: run the HTTP API (and the Zeebe worker when configured)."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from collections.abc import Iterator

from app.cli import exits
from app.cli.common import registry_or_exit, settings_or_exit


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("serve", help="serve the API and run the Zeebe worker")
    parser.add_argument("--host", help="override SWITCHBOARD_HOST")
    parser.add_argument("--port", type=int, help="override SWITCHBOARD_PORT")
    parser.set_defaults(func=run)


def ui_address(host: str, port: int) -> str:
    """The admin UI's address for a server bound to ``host``:``port`` (a wildcard bind is
    shown as loopback, the address that works from this machine)."""
    shown = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}.get(host, host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/ui/"


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
        return exits.CONFIG
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
                return exits.CONFIG
    app = create_app(settings, registry)
    if settings.ui_enabled:
        print(f"switchboard: admin UI at {ui_address(settings.host, settings.port)}", flush=True)
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
    _server_class()(config).run()
    return 0


def _server_class() -> type:
    import uvicorn

    class DrainingServer(uvicorn.Server):
        """uvicorn re-raises a captured SIGTERM once it has shut down, so the process ends
        "killed by SIGTERM" (exit 143) even after a complete graceful drain (engines stopped,
        running jobs finished within the grace period, history flushed). A drain is a normal
        exit: SIGTERM is not re-raised; SIGINT (Ctrl-C) still is."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            with super().capture_signals():
                try:
                    yield
                finally:
                    captured = self._captured_signals  # uvicorn's record of the signals
                    captured[:] = [s for s in captured if s != signal.SIGTERM]

    return DrainingServer
