"""Path access on non-context values: lists, temporal values and ranges."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from app.feel import temporal
from app.feel.ast import NO_SPAN
from app.feel.diagnostics import NO_CONTEXT_ENTRY_FOUND, NO_PROPERTY_FOUND, Span
from app.feel.values import MISSING, EvalState, Range, YearMonthDuration, type_name


def _timezone(tz: dt.tzinfo | None) -> Any:
    if tz is None:
        return None
    if isinstance(tz, ZoneInfo):
        return tz.key
    return None


def _date_props(v: dt.date, name: str) -> Any:
    if name == "year":
        return v.year
    if name == "month":
        return v.month
    if name == "day":
        return v.day
    if name == "weekday":
        return v.isoweekday()
    return MISSING


def _time_props(v: Any, name: str) -> Any:
    if name == "hour":
        return v.hour
    if name == "minute":
        return v.minute
    if name == "second":
        return v.second
    if name == "time offset":
        off = v.utcoffset() if isinstance(v, dt.datetime) else temporal.time_offset(v)
        return off
    if name == "timezone":
        return _timezone(v.tzinfo)
    return MISSING


def _dtd_props(v: dt.timedelta, name: str) -> Any:
    neg = v < dt.timedelta(0)
    a = -v if neg else v
    sign = -1 if neg else 1
    if name == "days":
        return sign * a.days
    if name == "hours":
        return sign * (a.seconds // 3600)
    if name == "minutes":
        return sign * (a.seconds % 3600 // 60)
    if name == "seconds":
        return sign * (a.seconds % 60)
    return MISSING


def _ymd_props(v: YearMonthDuration, name: str) -> Any:
    sign = -1 if v.months < 0 else 1
    if name == "years":
        return sign * (abs(v.months) // 12)
    if name == "months":
        return sign * (abs(v.months) % 12)
    return MISSING


def _range_props(v: Range, name: str) -> Any:
    if name == "start":
        return v.start
    if name == "end":
        return v.end
    if name == "start included":
        return v.start_included
    if name == "end included":
        return v.end_included
    return MISSING


def get(state: EvalState, v: Any, name: str, span: Span = NO_SPAN) -> Any:
    t = type(v)
    r: Any = MISSING
    if t is list:
        out = []
        for item in v:
            if type(item) is dict:
                out.append(item.get(name))
            else:
                out.append(get(state, item, name, span))
        return out
    if t is dt.datetime:
        r = _date_props(v, name)
        if r is MISSING:
            r = _time_props(v, name)
    elif t is dt.date:
        r = _date_props(v, name)
    elif t is dt.time:
        r = _time_props(v, name)
    elif t is dt.timedelta:
        r = _dtd_props(v, name)
    elif t is YearMonthDuration:
        r = _ymd_props(v, name)
    elif t is Range:
        r = _range_props(v, name)
    if r is MISSING:
        if v is None:
            state.warn(NO_CONTEXT_ENTRY_FOUND, f"No context entry found with key '{name}'", span)
        else:
            message = f"No property found with name '{name}' of value of type {type_name(v)}"
            state.warn(NO_PROPERTY_FOUND, message, span)
        return None
    return r
