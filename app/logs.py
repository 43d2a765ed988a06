"""Logging set-up: text or one JSON object per line, on stderr."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Any

# uvicorn adds "color_message" (the message with terminal colour codes): never useful in JSON.
_RESERVED = {*vars(logging.makeLogRecord({})), "color_message"}
DEFAULT_MAX_MESSAGE_CHARS = 8192


def cap(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... [{len(text) - limit} more characters not logged]"


class CappedFormatter(logging.Formatter):
    """Text lines whose message (and traceback) are each cut at ``max_chars``."""

    def __init__(self, fmt: str, max_chars: int = DEFAULT_MAX_MESSAGE_CHARS) -> None:
        super().__init__(fmt)
        self.max_chars = max_chars

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = cap(record.message, self.max_chars)
        return super().formatMessage(record)

    def formatException(self, ei: Any) -> str:
        return cap(super().formatException(ei), self.max_chars)


class JsonFormatter(logging.Formatter):
    def __init__(self, max_chars: int = DEFAULT_MAX_MESSAGE_CHARS) -> None:
        super().__init__()
        self.max_chars = max_chars

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": cap(record.getMessage(), self.max_chars),
        }
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_") and key != "message":
                payload[key] = value if isinstance(value, str | int | float | bool) else str(value)
        if record.exc_info:
            payload["exception"] = cap(self.formatException(record.exc_info), self.max_chars)
        return json.dumps(payload, ensure_ascii=False)


def setup_logging(
    level: str = "INFO", fmt: str = "text", max_chars: int = DEFAULT_MAX_MESSAGE_CHARS
) -> logging.Handler:
    """Replace the root handlers with one stderr handler; return it for extra filters.

    Each message (and each traceback) is cut at ``max_chars`` characters, so one log line
    stays bounded whatever a caller puts in it.
    """
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter(max_chars))
    else:
        handler.setFormatter(
            CappedFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", max_chars)
        )
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
