"""ISO-8601 durations as Java's ``Duration.parse`` reads them (Camunda's runtime and connectors
parse every duration property with it): an optional sign, days, then ``T`` with hours, minutes
and seconds (up to nine fraction digits after ``.`` or ``,``), letters in either case, each
number signed on its own (``PT-5S``, ``-PT5S``)."""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["java_duration"]

_DURATION = re.compile(
    r"([-+]?)P(?:([-+]?\d+)D)?"
    r"(T(?:([-+]?\d+)H)?(?:([-+]?\d+)M)?(?:([-+]?\d+)(?:[.,](\d{0,9}))?S)?)?",
    re.IGNORECASE | re.ASCII,
)


def java_duration(text: str) -> dt.timedelta | None:
    """The duration ``text`` spells, or None when ``Duration.parse`` would refuse it
    (sub-microsecond digits are dropped)."""
    match = _DURATION.fullmatch(text.strip())
    if match is None or (match.group(3) is not None and match.group(3).upper() == "T"):
        return None
    sign, days, _, hours, minutes, seconds, fraction = match.groups()
    if days is None and hours is None and minutes is None and seconds is None:
        return None
    whole = int(seconds or 0)
    micros = int((fraction or "").ljust(6, "0")[:6] or 0)
    if whole < 0 or (seconds or "").startswith("-"):
        micros = -micros
    value = dt.timedelta(
        days=int(days or 0),
        hours=int(hours or 0),
        minutes=int(minutes or 0),
        seconds=whole,
        microseconds=micros,
    )
    return -value if sign == "-" else value
