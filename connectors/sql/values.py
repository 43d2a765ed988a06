"""Database values to JSON as Camunda's connector returns them, and JSON values to the
parameter types PostgreSQL declares.

Camunda reads each column with JDBC ``getObject`` and serialises the row with its object
mapper (camunda/connectors ``connector-commons/connector-object-mapper/.../
ConnectorsObjectMapperSupplier.java``: ``JavaTimeModule``, ``WRITE_DATES_AS_TIMESTAMPS``
off), and parses JSON columns (``JdbiJsonHelper.java``: PostgreSQL ``json``/``jsonb``,
MySQL/MariaDB ``JSON``). So: decimals are numbers, timestamps
``2024-01-31T10:15:30.000+00:00`` (UTC, milliseconds), dates ``2024-01-31``, times
``10:15:30``, binary data base64, null stays null, JSON columns are parsed.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import math
import uuid
from typing import Any


def to_json(value: Any) -> Any:
    """One column value as Camunda's connector puts it into the response."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            return str(value)
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent >= 0:
            return int(value)
        return float(value)
    if isinstance(value, dt.datetime):
        return timestamp_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, dt.timedelta):
        return duration_text(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return str(value)


def timestamp_text(value: dt.datetime) -> str:
    """``java.util.Date`` as Jackson's ``StdDateFormat`` writes it (UTC; a value without a
    zone is taken as UTC, the zone the runtime's JVM runs in by default)."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+00:00"


def duration_text(value: dt.timedelta) -> str:
    """A MySQL ``TIME`` (the driver gives a duration) as ``java.sql.Time`` prints it."""
    total = int(value.total_seconds())
    sign = "-" if total < 0 else ""
    total = abs(total)
    return f"{sign}{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def parse_json_column(value: Any) -> Any:
    """A JSON column's text, parsed (left as it is when it is not JSON, as Camunda does)."""
    if isinstance(value, bytes | bytearray):
        value = bytes(value).decode("utf-8", "replace")
    if not isinstance(value, str):
        return to_json(value)
    try:
        return json.loads(value)
    except ValueError:
        return value


# -- parameters ----------------------------------------------------------------------------

_INTEGERS = {"int2", "int4", "int8", "oid"}
_FLOATS = {"float4", "float8"}
_TEXT = {"text", "varchar", "bpchar", "name", "char", "citext", "unknown", "xml"}


class ArgumentError(ValueError):
    """A value that does not fit the parameter's declared type; the message says why."""


def pg_argument(value: Any, type_name: str, kind: str) -> Any:
    """A JSON value converted to what asyncpg expects for a parameter of ``type_name``.

    PostgreSQL declares every parameter's type when it prepares the statement; JSON brings
    strings for dates and numbers of any kind, so they are converted here (pgjdbc would
    send them typed as ``varchar``/``int4``/``float8`` and let the server cast)."""
    if value is None:
        return None
    if kind == "array" and isinstance(value, list):
        element = type_name[1:] if type_name.startswith("_") else type_name
        return [pg_argument(v, element, "scalar") for v in value]
    if type_name in ("json", "jsonb"):
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if type_name in _TEXT:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False)
        return str(value)
    if type_name == "bool":
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        return value
    if type_name in _INTEGERS:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            return _parse(int, value.strip(), type_name)
        return value
    if type_name in _FLOATS:
        if isinstance(value, int | str) and not isinstance(value, bool):
            return _parse(float, str(value).strip(), type_name)
        return value
    if type_name == "numeric":
        if isinstance(value, int | float | str) and not isinstance(value, bool):
            return _parse(decimal.Decimal, str(value).strip(), type_name)
        return value
    if isinstance(value, str):
        text = value.strip()
        if type_name == "date":
            return _parse(
                lambda t: (
                    dt.datetime.fromisoformat(t).date() if "T" in t else dt.date.fromisoformat(t)
                ),
                text,
                type_name,
            )
        if type_name == "timestamp":
            parsed = _parse(dt.datetime.fromisoformat, text, type_name)
            if parsed.tzinfo is not None:
                parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
            return parsed
        if type_name == "timestamptz":
            parsed = _parse(dt.datetime.fromisoformat, text, type_name)
            return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)
        if type_name in ("time", "timetz"):
            return _parse(dt.time.fromisoformat, text, type_name)
        if type_name == "uuid":
            return _parse(uuid.UUID, text, type_name)
        if type_name == "bytea":
            return value.encode("utf-8")
    return value


def mysql_argument(value: Any) -> Any:
    """A JSON value for the MySQL driver, which quotes scalars itself."""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _parse(parse: Any, text: str, type_name: str) -> Any:
    try:
        return parse(text)
    except (ValueError, ArithmeticError):
        raise ArgumentError(f"{text!r} is not a valid {type_name}") from None
