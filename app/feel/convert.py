"""Conversion between JSON-like Python values and FEEL values."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from app.feel import limits, temporal
from app.feel.errors import FeelLimitError
from app.feel.format import describe, format_number
from app.feel.values import FeelFunction, Range, UnaryTestValue, YearMonthDuration

FAST_TYPES = frozenset(
    {
        dict,
        list,
        str,
        int,
        bool,
        type(None),
        Decimal,
        dt.date,
        dt.datetime,
        dt.time,
        dt.timedelta,
        YearMonthDuration,
        Range,
        FeelFunction,
        UnaryTestValue,
    }
)


def adapt(value: Any) -> Any:
    """Cheap boundary check: JSON-like values pass unchanged, anything else is converted.

    Floats take the slow path so that NaN and infinity become null.
    """
    return value if type(value) in FAST_TYPES else to_feel(value)


def to_feel(value: Any, _depth: int = 0) -> Any:
    """JSON-like Python value -> FEEL value.

    Numbers stay int/float (floats are read as decimals where they are used); tuples and sets
    become lists, other mappings dicts with string keys, NaN/infinity and unknown objects null.
    Returns the same object when nothing needs to change.
    """
    t = type(value)
    if t is float:
        return value if math.isfinite(value) else None
    if t in FAST_TYPES and t is not dict and t is not list:
        return value
    if _depth > limits.MAX_INPUT_DEPTH:
        raise FeelLimitError(f"input nested deeper than {limits.MAX_INPUT_DEPTH} levels")
    if isinstance(value, Mapping):
        out: dict[str, Any] | None = None if t is dict else {}
        for k, v in value.items():
            c = to_feel(v, _depth + 1)
            key = k if type(k) is str else str(k)
            if out is None and (c is not v or key is not k):
                out = {}
                for k2, v2 in value.items():
                    if k2 is k:
                        break
                    out[k2] = v2
            if out is not None:
                out[key] = c
        return value if out is None else out
    if isinstance(value, list | tuple | set | frozenset):
        items = value if t is list else list(value)
        converted = [to_feel(v, _depth + 1) for v in items]
        if t is list and all(a is b for a, b in zip(converted, items, strict=True)):
            return value
        return converted
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return to_feel(float(value))
    if isinstance(value, str):
        return str(value)
    return None


# Whole numbers of up to 1,000 digits become exact ints; beyond, a float (as a non-integral
# number does), null past a double's range: an int of thousands of digits costs milliseconds to
# build per occurrence and fails Python's int-to-string limit (4,300 digits) wherever it is
# written as JSON.
_EXACT_INT_DIGITS = 1000


def to_json(value: Any, _depth: int = 0) -> Any:
    """FEEL value -> JSON-ready Python value (int for integral numbers, ISO strings).

    A list or context that occurs several times in the value (``for i in 1..1000 return x``)
    is converted once and shared, never copied per occurrence."""
    return _to_json(value, _depth, {})


def _number(value: Decimal) -> Any:
    if value == value.to_integral_value() and value.adjusted() < _EXACT_INT_DIGITS:
        return int(value)
    f = float(value)
    return f if math.isfinite(f) else None


def _to_json(value: Any, _depth: int, seen: dict[int, Any]) -> Any:
    t = type(value)
    if t is str or t is bool or t is int or value is None:
        return value
    if t is float:
        if not math.isfinite(value):
            return None
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if t is Decimal:
        return _number(value)
    if _depth > limits.MAX_INPUT_DEPTH + 50:
        raise FeelLimitError("value nested too deeply")
    if t is dict or t is list:
        done = seen.get(id(value))
        if done is not None:
            return done
        if t is dict:
            converted: Any = {k: _to_json(v, _depth + 1, seen) for k, v in value.items()}
        else:
            converted = [_to_json(v, _depth + 1, seen) for v in value]
        seen[id(value)] = converted  # value is alive for the whole call: its id stays unique
        return converted
    if t is dt.datetime:
        return temporal.format_datetime_iso(value)
    if t is dt.date:
        return temporal.format_date(value)
    if t is dt.time:
        return temporal.format_time(value)
    if t is dt.timedelta:
        return temporal.format_dtd(value)
    if t is YearMonthDuration:
        return temporal.format_ymd(value)
    if t is Range or t is UnaryTestValue:
        return describe(value)
    if t is FeelFunction:
        return None
    return None


__all__ = ["adapt", "format_number", "to_feel", "to_json"]
