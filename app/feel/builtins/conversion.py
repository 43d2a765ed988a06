"""Conversion functions: date, time, date and time, duration, number, string, context."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from app.feel import temporal
from app.feel.builtins.registry import builtin, integer, lst, num, string
from app.feel.format import to_string
from app.feel.values import D128, EvalState, Problem, YearMonthDuration, type_name


@builtin("date", ["from"])
def date_from(state: EvalState, v: Any) -> Any:
    if type(v) is str:
        return temporal.parse_date(v)
    if type(v) is dt.datetime:
        return v.date()
    if type(v) is dt.date:
        return v
    raise Problem(f"expected string or date but found {type_name(v)}")


@builtin("date", ["year", "month", "day"])
def date_parts(state: EvalState, y: Any, m: Any, d: Any) -> Any:
    try:
        return dt.date(integer(y, "year"), integer(m, "month"), integer(d, "day"))
    except (ValueError, OverflowError) as exc:
        raise Problem("invalid date") from exc


@builtin("time", ["from"])
def time_from(state: EvalState, v: Any) -> Any:
    if type(v) is str:
        return temporal.parse_time(v)
    if type(v) is dt.datetime:
        return v.timetz()
    if type(v) is dt.time:
        return v
    if type(v) is dt.date:
        return dt.time(0, 0)
    raise Problem(f"expected string or date and time but found {type_name(v)}")


@builtin("time", ["hour", "minute", "second", "offset"], required=3)
def time_parts(state: EvalState, h: Any, m: Any, s: Any, offset: Any = None) -> Any:
    sec = num(s, "second")
    whole = int(sec)
    micros = int((Decimal(sec) - whole) * 1_000_000)
    tz: dt.tzinfo | None = None
    if offset is not None:
        if type(offset) is not dt.timedelta:
            raise Problem("expected days and time duration for parameter 'offset'")
        try:
            tz = dt.timezone(offset)
        except (ValueError, OverflowError) as exc:
            raise Problem("invalid offset") from exc
    try:
        return dt.time(integer(h, "hour"), integer(m, "minute"), whole, micros, tzinfo=tz)
    except (ValueError, OverflowError) as exc:
        raise Problem("invalid time") from exc


@builtin("date and time", ["from"])
def datetime_from(state: EvalState, v: Any) -> Any:
    if type(v) is str:
        return temporal.parse_datetime(v)
    if type(v) is dt.datetime:
        return v
    if type(v) is dt.date:
        return dt.datetime(v.year, v.month, v.day)
    raise Problem(f"expected string but found {type_name(v)}")


@builtin("date and time", ["date", "time"])
def datetime_combine(state: EvalState, d: Any, t: Any) -> Any:
    if type(d) not in (dt.date, dt.datetime):
        raise Problem(f"expected date for parameter 'date' but found {type_name(d)}")
    if type(t) is str:
        # Camunda extension: date and time(date and time, timezone)
        if type(d) is not dt.datetime:
            raise Problem("expected date and time when converting to a timezone")
        tz = temporal.zone(t)
        if d.tzinfo is None:
            return d.replace(tzinfo=tz)
        return d.astimezone(tz)
    if type(t) is not dt.time:
        raise Problem(f"expected time for parameter 'time' but found {type_name(t)}")
    return dt.datetime.combine(
        d.date() if type(d) is dt.datetime else d, t.replace(tzinfo=None), tzinfo=t.tzinfo
    )


@builtin("duration", ["from"])
def duration(state: EvalState, v: Any) -> Any:
    return temporal.parse_duration(string(v, "from"))


@builtin("years and months duration", ["from", "to"])
def years_and_months(state: EvalState, a: Any, b: Any) -> Any:
    for v, p in ((a, "from"), (b, "to")):
        if type(v) not in (dt.date, dt.datetime):
            raise Problem(f"expected date for parameter '{p}' but found {type_name(v)}")
    return YearMonthDuration(temporal.months_between(a, b))


_NUMBER_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\Z")


@builtin("number", ["from", "grouping separator", "decimal separator"], required=1)
def number(state: EvalState, v: Any, group: Any = None, dec: Any = None) -> Any:
    text = string(v, "from").strip()
    if group is not None:
        if group not in (" ", ",", "."):
            raise Problem("grouping separator must be one of ' ', ',', '.'")
        text = text.replace(group, "")
    if dec is not None:
        if dec not in (",", ".") or dec == group:
            raise Problem("invalid decimal separator")
        text = text.replace(dec, ".")
    if not _NUMBER_RE.match(text):
        raise Problem(f"can't convert '{v}' to a number")
    try:
        d = D128.create_decimal(text)
    except InvalidOperation as exc:
        raise Problem(f"can't convert '{v}' to a number") from exc
    if d == d.to_integral_value() and abs(d.adjusted()) < 34:
        return int(d)
    return d


@builtin("string", ["from"])
def to_str(state: EvalState, v: Any) -> Any:
    return to_string(v)


@builtin("context", ["entries"])
def context(state: EvalState, entries: Any) -> Any:
    result: dict[str, Any] = {}
    for entry in lst(entries, "entries"):
        if type(entry) is not dict or "key" not in entry or "value" not in entry:
            raise Problem("each entry must be a context with 'key' and 'value'")
        key = entry["key"]
        if type(key) is not str:
            raise Problem("entry keys must be strings")
        result[key] = entry["value"]
    return result


@builtin("from json", ["json"])
def from_json(state: EvalState, text: Any) -> Any:
    import json

    from app.feel.convert import to_feel

    try:
        value = json.loads(string(text, "json"), parse_float=Decimal, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise Problem(f"failed to parse JSON from '{text}'") from exc
    return to_feel(value)


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def _json_value(value: Any, depth: int = 0) -> Any:
    """Like convert.to_json, with feel-scala's forms for zoned date-times and functions."""
    from zoneinfo import ZoneInfo

    from app.feel.convert import to_json as json_ready
    from app.feel.format import describe
    from app.feel.values import FeelFunction

    if depth > 250:
        raise Problem("value nested too deeply")
    t = type(value)
    if t is dict:
        return {k: _json_value(v, depth + 1) for k, v in value.items()}
    if t is list:
        return [_json_value(v, depth + 1) for v in value]
    if t is FeelFunction:
        return describe(value)
    if t is dt.datetime and isinstance(value.tzinfo, ZoneInfo):
        return temporal.format_datetime_iso(value) + f"[{value.tzinfo.key}]"
    return json_ready(value)


@builtin("to json", ["value"])
def to_json(state: EvalState, value: Any) -> Any:
    import json

    try:
        return json.dumps(_json_value(value), ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise Problem("failed to convert the value to JSON") from exc
