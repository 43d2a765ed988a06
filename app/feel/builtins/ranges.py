"""Range functions (DMN 1.4+): before, after, meets, overlaps, includes, ..."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from app.feel import ops
from app.feel.builtins.registry import builtin
from app.feel.values import EvalState, Problem, Range, YearMonthDuration


def _point_kind(v: Any) -> str | None:
    """The kind of a point value the range functions accept (feel-scala RangeBuiltinFunction
    ``isPointValue``: numbers, dates, times, date-times, both durations; a local and a zoned
    time or date-time are different kinds), None for anything else (strings, booleans...)."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int | Decimal | float):
        return "number"
    if isinstance(v, dt.datetime):
        return "date-time" if v.tzinfo is not None else "local date-time"
    if isinstance(v, dt.date):
        return "date"
    if isinstance(v, dt.time):
        return "time" if v.tzinfo is not None else "local time"
    if isinstance(v, YearMonthDuration):
        return "years and months duration"
    if isinstance(v, dt.timedelta):
        return "days and time duration"
    return None


def _kind(v: Any) -> str | None:
    if type(v) is Range:
        return _point_kind(v.start if v.start is not None else v.end)
    return _point_kind(v)


def _check_comparable(a: Any, b: Any) -> None:
    # feel-scala RangeBuiltinFunction.isComparable: anything else gives null.
    kind = _kind(a)
    if kind is None or kind != _kind(b):
        raise Problem("the range functions compare points and ranges of one kind only")


def _as_range(v: Any) -> Range:
    if type(v) is Range:
        if v.start is None or v.end is None:
            raise Problem("ranges with an open end are not supported here")
        return v
    if v is None:
        raise Problem("expected a point or a range but found null")
    return Range(v, True, v, True)


def _lt(a: Any, b: Any) -> bool:
    return ops.compare("<", a, b) is True


def _eq(a: Any, b: Any) -> bool:
    return ops.equals(a, b) is True


def _before(a: Range, b: Range) -> bool:
    return _lt(a.end, b.start) or (
        _eq(a.end, b.start) and not (a.end_included and b.start_included)
    )


def _meets(a: Range, b: Range) -> bool:
    return a.end_included and b.start_included and _eq(a.end, b.start)


def _overlaps(a: Range, b: Range) -> bool:
    left = _lt(b.start, a.end) or (_eq(a.end, b.start) and a.end_included and b.start_included)
    right = _lt(a.start, b.end) or (_eq(a.start, b.end) and a.start_included and b.end_included)
    return left and right


def _overlaps_before(a: Range, b: Range) -> bool:
    starts_first = _lt(a.start, b.start) or (
        _eq(a.start, b.start) and a.start_included and not b.start_included
    )
    reaches = _lt(b.start, a.end) or (_eq(a.end, b.start) and a.end_included and b.start_included)
    ends_first = _lt(a.end, b.end) or (_eq(a.end, b.end) and (not a.end_included or b.end_included))
    return starts_first and reaches and ends_first


def _finishes(a: Range, b: Range) -> bool:
    same_end = a.end_included == b.end_included and _eq(a.end, b.end)
    inside = _lt(b.start, a.start) or (
        _eq(a.start, b.start) and (not a.start_included or b.start_included)
    )
    return same_end and inside


def _includes(a: Range, b: Range) -> bool:
    low = _lt(a.start, b.start) or (
        _eq(a.start, b.start) and (a.start_included or not b.start_included)
    )
    high = _lt(b.end, a.end) or (_eq(a.end, b.end) and (a.end_included or not b.end_included))
    return low and high


def _starts(a: Range, b: Range) -> bool:
    same_start = a.start_included == b.start_included and _eq(a.start, b.start)
    inside = _lt(a.end, b.end) or (_eq(a.end, b.end) and (not a.end_included or b.end_included))
    return same_start and inside


def _coincides(a: Range, b: Range) -> bool:
    return (
        _eq(a.start, b.start)
        and _eq(a.end, b.end)
        and a.start_included == b.start_included
        and a.end_included == b.end_included
    )


def _register(name: str, relation: Callable[[Range, Range], bool], swap: bool = False) -> None:
    def impl(state: EvalState, a: Any, b: Any) -> Any:
        _check_comparable(a, b)
        ra, rb = _as_range(a), _as_range(b)
        return relation(rb, ra) if swap else relation(ra, rb)

    builtin(name, ["range1", "range2"])(impl)
    builtin(name, ["point", "range"])(impl)
    builtin(name, ["range", "point"])(impl)
    builtin(name, ["point1", "point2"])(impl)


_register("before", _before)
_register("after", _before, swap=True)
_register("meets", _meets)
_register("met by", _meets, swap=True)
_register("overlaps", _overlaps)
_register("overlaps before", _overlaps_before)
_register("overlaps after", _overlaps_before, swap=True)
_register("finishes", _finishes)
_register("finished by", _finishes, swap=True)
_register("includes", _includes)
_register("during", _includes, swap=True)
_register("starts", _starts)
_register("started by", _starts, swap=True)
_register("coincides", _coincides)
