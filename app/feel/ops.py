"""Semantics of FEEL operators: equality, ordering and arithmetic, with null propagation."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal, DecimalException
from typing import Any

from app.feel import temporal
from app.feel.diagnostics import NOT_COMPARABLE
from app.feel.values import (
    D128,
    INT_LIMIT,
    FeelFunction,
    Problem,
    Range,
    YearMonthDuration,
    check_string,
    is_number,
    norm_int,
    number,
    to_decimal,
    type_name,
)

_DATE = dt.date
_DATETIME = dt.datetime
_TIME = dt.time
_DTD = dt.timedelta
_YMD = YearMonthDuration
_MILLI = dt.timedelta(milliseconds=1)


def kind(v: Any) -> type:
    t = type(v)
    return Decimal if t is int or t is float else t


def equals(a: Any, b: Any) -> bool | None:
    """FEEL '=': None when the values are not comparable (different types)."""
    if a is None or b is None:
        return a is None and b is None
    ta, tb = kind(a), kind(b)
    if ta is not tb:
        return None
    if ta is Decimal:
        if type(a) is float or type(b) is float:
            return number(a) == number(b)
        return a == b
    if ta is list:
        if len(a) != len(b):
            return False
        # Like feel-scala, incomparable elements make the collections unequal (not null).
        return all(equals(x, y) is True for x, y in zip(a, b, strict=True))
    if ta is dict:
        if a.keys() != b.keys():
            return False
        return all(equals(x, b[k]) is True for k, x in a.items())
    if ta is _DATETIME:
        if (a.tzinfo is None) != (b.tzinfo is None):
            return False
        return a == b
    if ta is _TIME:
        return a == b and a.tzinfo == b.tzinfo
    if ta is FeelFunction:
        return a is b
    return bool(a == b)


def compare(op: str, a: Any, b: Any) -> bool | None:
    if op == "=":
        return equals(a, b)
    if op == "!=":
        r = equals(a, b)
        return None if r is None else not r
    if a is None or b is None:
        return None
    ta, tb = kind(a), kind(b)
    if ta is not tb or ta not in _ORDERED:
        raise Problem(f"can't compare {type_name(a)} with {type_name(b)}", NOT_COMPARABLE)
    if ta is _DATETIME and (a.tzinfo is None) != (b.tzinfo is None):
        raise Problem("can't compare a local date and time with a zoned one", NOT_COMPARABLE)
    if ta is Decimal:
        a, b = number(a), number(b)
    try:
        if op == "<":
            return bool(a < b)
        if op == "<=":
            return bool(a <= b)
        if op == ">":
            return bool(a > b)
        return bool(a >= b)
    except TypeError as exc:
        raise Problem(f"can't compare {type_name(a)} with {type_name(b)}", NOT_COMPARABLE) from exc


_ORDERED = frozenset({Decimal, str, _DATE, _DATETIME, _TIME, _DTD, _YMD})


def in_range(r: Range, v: Any) -> bool | None:
    if v is None:
        return None
    if r.start is not None:
        c = compare(">=" if r.start_included else ">", v, r.start)
        if c is not True:
            return c
    if r.end is not None:
        c = compare("<=" if r.end_included else "<", v, r.end)
        if c is not True:
            return c
    return True


def _unfloat(a: Any, b: Any) -> tuple[Any, Any, type, type]:
    a, b = number(a), number(b)
    return a, b, type(a), type(b)


def _num_result(r: Decimal) -> int | Decimal:
    if not r.is_finite():
        raise Problem("the result is not a finite number")
    if r == r.to_integral_value() and abs(r) < INT_LIMIT:
        return int(r)
    return r


def add(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is float or tb is float:
        a, b, ta, tb = _unfloat(a, b)
    if ta is int and tb is int:
        return norm_int(a + b)
    if (ta is int or ta is Decimal) and (tb is int or tb is Decimal):
        return D128.add(a, b)
    if ta is str and tb is str:
        return check_string(a + b)
    if a is None or b is None:
        raise Problem(f"can't add {type_name(b)} to {type_name(a)}")
    return _temporal_add(a, b, 1)


def sub(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is float or tb is float:
        a, b, ta, tb = _unfloat(a, b)
    if ta is int and tb is int:
        return norm_int(a - b)
    if (ta is int or ta is Decimal) and (tb is int or tb is Decimal):
        return D128.subtract(a, b)
    if a is None or b is None:
        raise Problem(f"can't subtract {type_name(b)} from {type_name(a)}")
    if ta is tb and ta in (_DATE, _DATETIME):
        if ta is _DATETIME and (a.tzinfo is None) != (b.tzinfo is None):
            raise Problem("can't subtract a local date and time from a zoned one")
        return a - b
    if ta is _TIME and tb is _TIME:
        return temporal.time_to_delta(a) - temporal.time_to_delta(b)
    if ta is _DATE and tb is _DATETIME:
        return _DATETIME(a.year, a.month, a.day, tzinfo=b.tzinfo) - b
    if ta is _DATETIME and tb is _DATE:
        return a - _DATETIME(b.year, b.month, b.day, tzinfo=a.tzinfo)
    return _temporal_add(a, b, -1)


def _temporal_add(a: Any, b: Any, sign: int) -> Any:
    ta, tb = type(a), type(b)
    try:
        if ta is _DTD and tb is _DTD:
            return a + b if sign > 0 else a - b
        if ta is _YMD and tb is _YMD:
            return _YMD(a.months + sign * b.months)
        if sign > 0 and ta in (_DTD, _YMD) and tb in (_DATE, _DATETIME, _TIME):
            return _temporal_add(b, a, 1)
        if ta is _DATE or ta is _DATETIME:
            if tb is _YMD:
                return temporal.add_months(a, sign * b.months)
            if tb is _DTD:
                if ta is _DATE:
                    moved = _DATETIME(a.year, a.month, a.day) + (b if sign > 0 else -b)
                    return moved.date()
                return a + b if sign > 0 else a - b
        if ta is _TIME and tb is _DTD:
            return temporal.add_to_time(a, b if sign > 0 else -b)
    except OverflowError as exc:
        raise Problem("date out of range") from exc
    verb = "add" if sign > 0 else "subtract"
    raise Problem(f"can't {verb} {type_name(b)} and {type_name(a)}")


def mul(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is float or tb is float:
        a, b, ta, tb = _unfloat(a, b)
    if ta is int and tb is int:
        return norm_int(a * b)
    if (ta is int or ta is Decimal) and (tb is int or tb is Decimal):
        return D128.multiply(a, b)
    if is_number(a) and tb in (_DTD, _YMD):
        return mul(b, a)
    # feel-scala scales durations by the integer part of the factor.
    if ta is _DTD and is_number(b):
        return a * int(b)
    if ta is _YMD and is_number(b):
        return _YMD(a.months * int(b))
    raise Problem(f"can't multiply {type_name(a)} by {type_name(b)}")


def div(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is float or tb is float:
        a, b, ta, tb = _unfloat(a, b)
    if (ta is int or ta is Decimal) and (tb is int or tb is Decimal):
        if not b:
            raise Problem("division by zero")
        return _num_result(D128.divide(a, b))
    # feel-scala divides durations at millisecond precision, truncating.
    if ta is _DTD and is_number(b):
        if not b:
            raise Problem("division by zero")
        millis = D128.divide(a // _MILLI, b)
        return _MILLI * int(millis.to_integral_value(rounding=ROUND_DOWN))
    if ta is _DTD and tb is _DTD:
        if not b // _MILLI:
            raise Problem("division by zero")
        return _num_result(D128.divide(a // _MILLI, b // _MILLI))
    if ta is _YMD and is_number(b):
        if not b:
            raise Problem("division by zero")
        return _YMD(int(D128.divide(a.months, b).to_integral_value(rounding=ROUND_DOWN)))
    if ta is _YMD and tb is _YMD:
        if not b.months:
            raise Problem("division by zero")
        return _num_result(D128.divide(a.months, b.months))
    raise Problem(f"can't divide {type_name(a)} by {type_name(b)}")


def power(a: Any, b: Any) -> Any:
    a, b = number(a), number(b)
    if not (is_number(a) and is_number(b)):
        raise Problem(f"can't raise {type_name(a)} to the power of {type_name(b)}")
    if abs(b) > 999_999_999:
        raise Problem("exponent out of range")
    if type(a) is int and type(b) is int and 0 <= b <= 128:
        return norm_int(a**b)
    return _num_result(D128.power(to_decimal(a), to_decimal(b)))


def negate(a: Any) -> Any:
    a = number(a)
    t = type(a)
    if t is int:
        return -a
    if t is Decimal:
        return D128.minus(a)
    # feel-scala negates numbers only; write "duration("-P1D")" or "@"-P1D"" instead.
    raise Problem(f"can't negate {type_name(a)}")


ARITHMETIC = {"+": add, "-": sub, "*": mul, "/": div, "**": power}


def arithmetic(op: str, a: Any, b: Any) -> Any:
    try:
        return ARITHMETIC[op](a, b)
    except DecimalException as exc:
        raise Problem(f"arithmetic error in '{op}'") from exc
