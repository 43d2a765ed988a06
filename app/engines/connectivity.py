"""Whether an engine answers: the state its workers report into and the readiness report
(``Engine.status()``) built on it."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any, Protocol


class Connectivity(Protocol):
    """What a worker reports after each request to its engine."""

    def reachable(self) -> None: ...

    def unreachable(self, reason: str) -> None: ...


class ConnectionState:
    """An engine's connection as its workers last saw it; logs each change once (``what``
    names the engine in the log lines, e.g. ``Zeebe gateway``)."""

    def __init__(self, what: str, log: logging.Logger) -> None:
        self.what = what
        self.log = log
        self.up: bool | None = None
        self.error: str | None = "not connected yet"
        self.since = _now()

    def reachable(self) -> None:
        if self.up is not True:
            self.up, self.error, self.since = True, None, _now()
            self.log.info("%s reachable", self.what)

    def unreachable(self, reason: str) -> None:
        if self.up is not False or self.error != reason:
            if self.up is not False:
                self.since = _now()
                self.log.warning("%s unreachable: %s", self.what, reason)
            self.up, self.error = False, reason


def readiness(state: ConnectionState, running: bool, fields: Mapping[str, Any]) -> dict[str, Any]:
    """``{"status": "up"|"down", **fields, "since": ..., "error"?: ...}``: ``up`` while the
    worker runs and its engine answers."""
    report: dict[str, Any] = {"status": "up" if running and state.up else "down", **fields}
    report["since"] = state.since.isoformat()
    if not running:
        report["error"] = "worker not running"
    elif state.error:
        report["error"] = state.error
    return report


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
