"""Numeric functions."""

from __future__ import annotations

import decimal
import random
from decimal import Decimal
from typing import Any

from app.feel.builtins.registry import builtin, integer, num, string
from app.feel.ops import _num_result
from app.feel.values import D128, EvalState, Problem, to_decimal


def _round(v: Any, scale: Any, mode: str) -> Any:
    n = to_decimal(num(v, "n"))
    s = integer(scale, "scale")
    if not -6111 <= s <= 6176:
        raise Problem("scale out of range")
    try:
        return _num_result(n.quantize(Decimal(1).scaleb(-s), rounding=mode, context=_Q))
    except decimal.InvalidOperation as exc:
        raise Problem("can't round to that scale") from exc


_Q = decimal.Context(prec=1000, Emax=999999, Emin=-999999, traps=[decimal.InvalidOperation])


@builtin("decimal", ["n", "scale"])
def decimal_(state: EvalState, n: Any, scale: Any) -> Any:
    return _round(n, scale, decimal.ROUND_HALF_EVEN)


_MODES = {
    "UP": decimal.ROUND_UP,
    "DOWN": decimal.ROUND_DOWN,
    "CEILING": decimal.ROUND_CEILING,
    "FLOOR": decimal.ROUND_FLOOR,
    "HALF_UP": decimal.ROUND_HALF_UP,
    "HALF_DOWN": decimal.ROUND_HALF_DOWN,
    "HALF_EVEN": decimal.ROUND_HALF_EVEN,
}


@builtin("decimal", ["n", "scale", "mode"])
def decimal_mode(state: EvalState, n: Any, scale: Any, mode: Any) -> Any:
    name = string(mode, "mode").upper()
    if name == "UNNECESSARY":
        # java.math.RoundingMode.UNNECESSARY: the value must already have that scale.
        exact = _round(n, scale, decimal.ROUND_DOWN)
        if to_decimal(exact) != to_decimal(num(n, "n")):
            raise Problem(f"rounding {n} to scale {scale} is necessary (mode UNNECESSARY)")
        return exact
    rounding = _MODES.get(name)
    if rounding is None:
        modes = ", ".join([*_MODES, "UNNECESSARY"])
        raise Problem(f"illegal rounding mode '{mode}', must be one of {modes}")
    return _round(n, scale, rounding)


@builtin("floor", ["n", "scale"], required=1)
def floor(state: EvalState, n: Any, scale: Any = None) -> Any:
    return _round(n, 0 if scale is None else scale, decimal.ROUND_FLOOR)


@builtin("ceiling", ["n", "scale"], required=1)
def ceiling(state: EvalState, n: Any, scale: Any = None) -> Any:
    return _round(n, 0 if scale is None else scale, decimal.ROUND_CEILING)


@builtin("round up", ["n", "scale"])
def round_up(state: EvalState, n: Any, scale: Any) -> Any:
    return _round(n, scale, decimal.ROUND_UP)


@builtin("round down", ["n", "scale"])
def round_down(state: EvalState, n: Any, scale: Any) -> Any:
    return _round(n, scale, decimal.ROUND_DOWN)


@builtin("round half up", ["n", "scale"])
def round_half_up(state: EvalState, n: Any, scale: Any) -> Any:
    return _round(n, scale, decimal.ROUND_HALF_UP)


@builtin("round half down", ["n", "scale"])
def round_half_down(state: EvalState, n: Any, scale: Any) -> Any:
    return _round(n, scale, decimal.ROUND_HALF_DOWN)


@builtin("abs", ["number"])
@builtin("abs", ["n"])
def abs_(state: EvalState, n: Any) -> Any:
    import datetime as dt

    from app.feel.values import YearMonthDuration

    if type(n) is dt.timedelta:
        return abs(n)
    if type(n) is YearMonthDuration:
        return YearMonthDuration(abs(n.months))
    return abs(num(n, "n"))


@builtin("modulo", ["dividend", "divisor"])
def modulo(state: EvalState, a: Any, b: Any) -> Any:
    a, b = num(a, "dividend"), num(b, "divisor")
    if not b:
        raise Problem("division by zero")
    if type(a) is int and type(b) is int:
        return a % b  # Python's sign rule equals FEEL's: the result has the divisor's sign
    a, b = to_decimal(a), to_decimal(b)
    r = D128.remainder(a, b)
    if r and (r < 0) != (b < 0):
        r = D128.add(r, b)
    return _num_result(r)


@builtin("sqrt", ["number"])
def sqrt(state: EvalState, n: Any) -> Any:
    n = num(n, "number")
    if n < 0:
        raise Problem("square root of a negative number")
    return _num_result(D128.sqrt(to_decimal(n)))


@builtin("log", ["number"])
def log(state: EvalState, n: Any) -> Any:
    n = num(n, "number")
    if n <= 0:
        raise Problem("logarithm of a non-positive number")
    return D128.ln(to_decimal(n))


@builtin("exp", ["number"])
def exp(state: EvalState, n: Any) -> Any:
    return _num_result(D128.exp(to_decimal(num(n, "number"))))


@builtin("odd", ["number"])
def odd(state: EvalState, n: Any) -> Any:
    n = num(n, "number")
    if n != int(n):
        return False
    return int(n) % 2 == 1


@builtin("even", ["number"])
def even(state: EvalState, n: Any) -> Any:
    n = num(n, "number")
    if n != int(n):
        return False
    return int(n) % 2 == 0


@builtin("random number", [])
def random_number(state: EvalState) -> Any:
    return D128.create_decimal(repr(random.random()))
