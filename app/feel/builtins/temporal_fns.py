"""Temporal functions: day of year, day of week, month of year, week of year, now, today..."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from app.feel.builtins.registry import builtin
from app.feel.values import EvalState, Problem, type_name

_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _date(v: Any) -> dt.date:
    if type(v) is dt.datetime:
        return v.date()
    if type(v) is dt.date:
        return v
    raise Problem(f"expected date or date and time but found {type_name(v)}")


@builtin("day of year", ["date"])
def day_of_year(state: EvalState, v: Any) -> Any:
    return _date(v).timetuple().tm_yday


@builtin("day of week", ["date"])
def day_of_week(state: EvalState, v: Any) -> Any:
    return _DAYS[_date(v).weekday()]


@builtin("month of year", ["date"])
def month_of_year(state: EvalState, v: Any) -> Any:
    return _MONTHS[_date(v).month - 1]


@builtin("week of year", ["date"])
def week_of_year(state: EvalState, v: Any) -> Any:
    return _date(v).isocalendar()[1]


@builtin("last day of month", ["date"])
def last_day_of_month(state: EvalState, v: Any) -> Any:
    d = _date(v)
    return dt.date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])


@builtin("now", [])
def now(state: EvalState) -> Any:
    return dt.datetime.now(dt.UTC)


@builtin("today", [])
def today(state: EvalState) -> Any:
    return dt.datetime.now(dt.UTC).date()
