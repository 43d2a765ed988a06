"""Logging set-up: text or one JSON object per line, on stderr."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Any

# uvicorn adds "color_message" (the message with terminal colour codes): never useful in JSON.
_RESERVED = {*vars(logging.makeLogRecord({})), "color_message"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_") and key != "message":
                payload[key] = value if isinstance(value, str | int | float | bool) else str(value)
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)


def setup_logging(level: str = "INFO", fmt: str = "text") -> logging.Handler:
    """Replace the root handlers with one stderr handler; return it for extra filters."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # pyzeebe logs whole jobs at DEBUG; never let that through, whatever the root level.
    logging.getLogger("pyzeebe").setLevel(max(logging.INFO, logging.getLevelName(level)))
    # httpx logs every request URL at INFO (query strings hold job variables), httpcore and
    # hpack log requests and headers (credentials derived from secrets) at DEBUG.
    for name in ("httpx", "httpcore", "hpack"):
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    return handler
