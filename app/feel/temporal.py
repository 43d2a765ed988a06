"""Parsing, formatting and arithmetic of FEEL temporal values."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.feel.values import Problem, YearMonthDuration

_DATE = r"(?P<y>-?\d{4,9})-(?P<mo>\d{2})-(?P<d>\d{2})"
_TIME = r"(?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d{1,9}))?)?"
# An offset, then a zone id as FEEL writes it (``@Europe/Berlin``) or as ISO-8601 / Java's
# ZonedDateTime does (``+02:00[Europe/Berlin]``, feel-scala InterpreterLiteralExpressionTest).
_ZONE = (
    r"(?P<z>Z|[+-]\d{2}:?\d{2}|[+-]\d{2})?"
    r"(?:@(?P<zid>[A-Za-z][A-Za-z0-9_+\-/]*)|\[(?P<bzid>[A-Za-z][A-Za-z0-9_+\-/]*)\])?"
)
DATE_RE = re.compile(_DATE + r"\Z")
TIME_RE = re.compile("T?" + _TIME + _ZONE + r"\Z")
DATETIME_RE = re.compile(_DATE + "T" + _TIME + _ZONE + r"\Z")
# Java Duration.parse / Period forms: days-time "P1DT2H3M4.5S", years-months "P1Y2M".
# Components may carry their own sign, as java.time accepts ("PT-5M", "P-1Y-2M").
DTD_RE = re.compile(
    r"(?P<neg>-)?P(?:(?P<d>-?\d+)D)?(?:T(?=-?\d)(?:(?P<h>-?\d+)H)?(?:(?P<m>-?\d+)M)?"
    r"(?:(?P<s>-?\d+(?:\.\d{1,9})?)S)?)?\Z"
)
YMD_RE = re.compile(r"(?P<neg>-)?P(?:(?P<y>-?\d+)Y)?(?:(?P<m>-?\d+)M)?\Z")


@lru_cache(maxsize=256)
def zone(name: str) -> dt.tzinfo:
    if name in ("Z", "UTC"):
        return dt.UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise Problem(f"unknown time zone '{name}'") from exc


def _offset(text: str) -> dt.tzinfo:
    if text == "Z":
        return dt.UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 18 or minutes > 59:
        raise Problem(f"invalid offset '{text}'")
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def _tz(m: re.Match[str]) -> dt.tzinfo | None:
    if m.group("zid"):
        return zone(m.group("zid"))
    if m.group("bzid"):
        return zone(m.group("bzid"))
    if m.group("z"):
        return _offset(m.group("z"))
    return None


def _time_parts(m: re.Match[str]) -> tuple[int, int, int, int]:
    frac = (m.group("f") or "").ljust(6, "0")[:6]
    return int(m.group("h")), int(m.group("mi")), int(m.group("s") or 0), int(frac)


def parse_date(text: str) -> dt.date:
    m = DATE_RE.match(text)
    if not m:
        raise Problem(f"invalid date '{text}'")
    try:
        return dt.date(int(m.group("y")), int(m.group("mo")), int(m.group("d")))
    except (ValueError, OverflowError) as exc:
        raise Problem(f"invalid date '{text}'") from exc


def parse_time(text: str) -> dt.time:
    m = TIME_RE.match(text)
    if not m:
        raise Problem(f"invalid time '{text}'")
    h, mi, s, us = _time_parts(m)
    try:
        return dt.time(h, mi, s, us, tzinfo=_tz(m))
    except (ValueError, OverflowError) as exc:
        raise Problem(f"invalid time '{text}'") from exc


def parse_datetime(text: str) -> dt.datetime:
    m = DATETIME_RE.match(text)
    if not m:
        if DATE_RE.match(text):
            d = parse_date(text)
            return dt.datetime(d.year, d.month, d.day)
        raise Problem(f"invalid date and time '{text}'")
    h, mi, s, us = _time_parts(m)
    try:
        if h == 24 and mi == 0 and s == 0 and us == 0:
            base = dt.datetime(int(m.group("y")), int(m.group("mo")), int(m.group("d")))
            return (base + dt.timedelta(days=1)).replace(tzinfo=_tz(m))
        value = dt.datetime(
            int(m.group("y")), int(m.group("mo")), int(m.group("d")), h, mi, s, us, tzinfo=_tz(m)
        )
        if m.group("bzid") and m.group("z"):
            # ZonedDateTime.parse: the offset picks between the two readings of a local time
            # that occurs twice (the end of summer time); an offset the zone never has there
            # is ignored and the zone's rules decide.
            later = value.replace(fold=1)
            if later.utcoffset() == _offset(m.group("z")).utcoffset(None) != value.utcoffset():
                return later
        return value
    except (ValueError, OverflowError) as exc:
        raise Problem(f"invalid date and time '{text}'") from exc


def parse_duration(text: str) -> dt.timedelta | YearMonthDuration:
    m = YMD_RE.match(text)
    if m and (m.group("y") or m.group("m")):
        months = int(m.group("y") or 0) * 12 + int(m.group("m") or 0)
        return YearMonthDuration(-months if m.group("neg") else months)
    m = DTD_RE.match(text)
    if m and any(m.group(k) for k in ("d", "h", "m", "s")):
        try:
            td = dt.timedelta(
                days=int(m.group("d") or 0),
                hours=int(m.group("h") or 0),
                minutes=int(m.group("m") or 0),
                seconds=float(Decimal(m.group("s") or 0)),
            )
        except OverflowError as exc:
            raise Problem(f"duration out of range '{text}'") from exc
        return -td if m.group("neg") else td
    raise Problem(f"invalid duration '{text}'")


def parse_temporal(text: str) -> Any:
    """Parse the text of an ``@"..."`` literal."""
    if text.startswith(("P", "-P")):
        return parse_duration(text)
    if "T" in text:
        return parse_datetime(text)
    if DATE_RE.match(text):
        return parse_date(text)
    return parse_time(text)


def _fmt_offset(off: dt.timedelta) -> str:
    if not off:
        return "Z"
    sign = "-" if off < dt.timedelta(0) else "+"
    total = abs(int(off.total_seconds()))
    hh, rest = divmod(total, 3600)
    mm, ss = divmod(rest, 60)
    text = f"{sign}{hh:02d}:{mm:02d}"
    return text + f":{ss:02d}" if ss else text


def _fmt_clock(h: int, mi: int, s: int, us: int) -> str:
    text = f"{h:02d}:{mi:02d}:{s:02d}"
    if us:
        text += "." + f"{us:06d}".rstrip("0")
    return text


def _zone_suffix(tz: dt.tzinfo | None, ref: dt.datetime | None) -> str:
    if tz is None:
        return ""
    if isinstance(tz, ZoneInfo):
        return "@" + tz.key
    off = tz.utcoffset(ref)
    return _fmt_offset(off) if off is not None else ""


def format_date(d: dt.date) -> str:
    if 0 < d.year < 10000:
        return d.isoformat()
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


def format_time(t: dt.time) -> str:
    clock = _fmt_clock(t.hour, t.minute, t.second, t.microsecond)
    return clock + _zone_suffix(t.tzinfo, None)


def format_datetime(v: dt.datetime) -> str:
    clock = _fmt_clock(v.hour, v.minute, v.second, v.microsecond)
    return format_date(v.date()) + "T" + clock + _zone_suffix(v.tzinfo, v)


def format_datetime_iso(v: dt.datetime) -> str:
    """ISO-8601 with a numeric offset (zone ids resolved), for JSON output."""
    clock = _fmt_clock(v.hour, v.minute, v.second, v.microsecond)
    off = v.utcoffset()
    suffix = "" if off is None else _fmt_offset(off)
    return format_date(v.date()) + "T" + clock + suffix


def format_dtd(td: dt.timedelta) -> str:
    neg = td < dt.timedelta(0)
    if neg:
        td = -td
    days, secs, us = td.days, td.seconds, td.microseconds
    hours, rest = divmod(secs, 3600)
    minutes, seconds = divmod(rest, 60)
    text = "P"
    if days:
        text += f"{days}D"
    time = ""
    if hours:
        time += f"{hours}H"
    if minutes:
        time += f"{minutes}M"
    if seconds or us:
        time += f"{seconds}" + (("." + f"{us:06d}".rstrip("0")) if us else "") + "S"
    if time:
        text += "T" + time
    if text == "P":
        return "P0D"  # feel-scala's zero duration
    return ("-" if neg else "") + text


def format_ymd(d: YearMonthDuration) -> str:
    months = abs(d.months)
    years, months = divmod(months, 12)
    if not years and not months:
        return "P0Y"  # feel-scala's zero duration
    text = "P"
    if years:
        text += f"{years}Y"
    if months:
        text += f"{months}M"
    return ("-" if d.months < 0 else "") + text


def add_months(v: Any, months: int) -> Any:
    """Add months to a date or date-time, clamping the day like java.time does."""
    total = v.year * 12 + (v.month - 1) + months
    year, month = divmod(total, 12)
    if not 1 <= year <= 9999:
        raise Problem("date out of range")
    day = min(v.day, calendar.monthrange(year, month + 1)[1])
    return v.replace(year=year, month=month + 1, day=day)


def months_between(a: Any, b: Any) -> int:
    """Whole months from a to b (like java.time.Period.between(...).toTotalMonths())."""
    months = (b.year - a.year) * 12 + (b.month - a.month)
    a_rest = (a.day, *(_clock(a)))
    b_rest = (b.day, *(_clock(b)))
    if months > 0 and b_rest < a_rest:
        months -= 1
    elif months < 0 and b_rest > a_rest:
        months += 1
    return months


def _clock(v: Any) -> tuple[int, ...]:
    if isinstance(v, dt.datetime):
        return (v.hour, v.minute, v.second, v.microsecond)
    return (0, 0, 0, 0)


def time_to_delta(t: dt.time) -> dt.timedelta:
    return dt.timedelta(
        hours=t.hour, minutes=t.minute, seconds=t.second, microseconds=t.microsecond
    )


def add_to_time(t: dt.time, td: dt.timedelta) -> dt.time:
    total = (time_to_delta(t) + td) % dt.timedelta(days=1)
    base = dt.datetime(2000, 1, 1) + total
    return base.time().replace(tzinfo=t.tzinfo)


def time_offset(t: dt.time) -> dt.timedelta | None:
    tz = t.tzinfo
    if tz is None:
        return None
    if isinstance(tz, ZoneInfo):
        return tz.utcoffset(dt.datetime(2000, 1, 1, t.hour, t.minute))
    return tz.utcoffset(None)


def seconds_of(td: dt.timedelta) -> Decimal:
    return Decimal(td.days * 86400 + td.seconds) + Decimal(td.microseconds) / Decimal(1_000_000)


def delta_from_seconds(seconds: Decimal) -> dt.timedelta:
    try:
        whole = int(seconds.to_integral_value(rounding="ROUND_FLOOR"))
        micros = int(((seconds - whole) * 1_000_000).to_integral_value())
        return dt.timedelta(seconds=whole, microseconds=micros)
    except (OverflowError, ValueError) as exc:
        raise Problem("duration out of range") from exc
