"""Text form of FEEL values, as the ``string()`` built-in produces it."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from app.feel import temporal
from app.feel.values import FeelFunction, Range, UnaryTestValue, YearMonthDuration, number


def format_number(v: int | Decimal) -> str:
    if isinstance(v, int):
        return str(v)
    if v == v.to_integral_value():
        return str(int(v))
    return format(v.normalize(), "f")


def to_string(v: Any) -> str | None:
    """``string(v)``: null stays null, strings are unchanged."""
    if v is None:
        return None
    if type(v) is str:
        return v
    return describe(v)


def describe(v: Any) -> str:
    t = type(v)
    if v is None:
        return "null"
    if t is bool:
        return "true" if v else "false"
    if t is int or t is Decimal:
        return format_number(v)
    if t is float:
        return format_number(number(v)) if v == v and abs(v) != float("inf") else "null"
    if t is str:
        return json.dumps(v, ensure_ascii=False)
    if t is list:
        return "[" + ", ".join(describe(x) for x in v) + "]"
    if t is dict:
        return "{" + ", ".join(f"{k}:{describe(x)}" for k, x in v.items()) + "}"
    if t is dt.datetime:
        return temporal.format_datetime(v)
    if t is dt.date:
        return temporal.format_date(v)
    if t is dt.time:
        return temporal.format_time(v)
    if t is dt.timedelta:
        return temporal.format_dtd(v)
    if t is YearMonthDuration:
        return temporal.format_ymd(v)
    if t is Range:
        lo = "(" if not v.start_included else "["
        hi = ")" if not v.end_included else "]"
        start = "" if v.start is None else describe(v.start)
        end = "" if v.end is None else describe(v.end)
        return f"{lo}{start}..{end}{hi}"
    if t is FeelFunction:
        return f"function({', '.join(v.params)})"
    if t is UnaryTestValue:
        return f"{v.op} {describe(v.operand)}"
    return repr(v)
