"""ISO-8601 durations exactly as Java's ``java.time.Duration`` parses and prints them.

Camunda's connector runtime reads ``retryBackoff`` and ``jobTimeout`` with ``Duration.parse``,
so these headers must accept (and reject) exactly what Java does:

- ``[+-]P[nD][T[nH][nM][n[.fffffffff]S]]``, each number optionally signed, letters in any case;
- the fraction of seconds has 0 to 9 digits, after ``.`` or ``,``, and takes the sign of the
  seconds (``PT-0.5S`` is minus half a second);
- at least one of D/H/M/S must be present, and a ``T`` must be followed by a time part;
- no years, months or weeks (those belong to ``Period``), no whitespace.

:class:`datetime.timedelta` has microsecond resolution: digits beyond the sixth are
truncated toward zero.
"""

from __future__ import annotations

import re
from datetime import timedelta

__all__ = ["duration_to_millis", "format_iso_duration", "parse_java_duration"]

_PATTERN = re.compile(
    r"([-+]?)P(?:([-+]?[0-9]+)D)?"
    r"(T(?:([-+]?[0-9]+)H)?(?:([-+]?[0-9]+)M)?(?:([-+]?[0-9]+)(?:[.,]([0-9]{0,9}))?S)?)?",
    re.IGNORECASE | re.ASCII,
)
_LONG_MAX = 2**63 - 1
_LONG_MIN = -(2**63)
_NANOS_PER_SECOND = 1_000_000_000


def _invalid(text: str, reason: str) -> ValueError:
    shown = text if len(text) <= 64 else text[:61] + "..."
    return ValueError(
        f"invalid ISO-8601 duration {shown!r}: {reason} "
        "(expected the form PnDTnHnMn.nS, e.g. PT5S, PT1M30S, P1DT2H)"
    )


def _total_nanos(text: str) -> int:
    if not isinstance(text, str):
        raise TypeError(f"duration must be a string, not {type(text).__name__}")
    if text == "":
        raise _invalid(text, "it is empty")
    match = _PATTERN.fullmatch(text)
    if match is None:
        raise _invalid(text, "it does not match the pattern")
    sign, days, time_part, hours, minutes, seconds, fraction = match.groups()
    if time_part is not None and len(time_part) == 1:
        raise _invalid(text, "'T' must be followed by hours, minutes or seconds")
    if days is None and hours is None and minutes is None and seconds is None:
        raise _invalid(text, "it has no days, hours, minutes or seconds")
    total_seconds = 0
    for value, unit, name in (
        (days, 86_400, "days"),
        (hours, 3_600, "hours"),
        (minutes, 60, "minutes"),
        (seconds, 1, "seconds"),
    ):
        if value is None:
            continue
        number = int(value)
        if not (_LONG_MIN <= number <= _LONG_MAX) or not (_LONG_MIN <= number * unit <= _LONG_MAX):
            raise _invalid(text, f"the {name} are out of range")
        total_seconds += number * unit
        if not (_LONG_MIN <= total_seconds <= _LONG_MAX):
            raise _invalid(text, "the duration is out of range")
    nanos = 0
    if fraction:
        nanos = int(fraction.ljust(9, "0"))
        if seconds is not None and seconds.startswith("-"):
            nanos = -nanos
    total = total_seconds * _NANOS_PER_SECOND + nanos
    return -total if sign == "-" else total


def parse_java_duration(text: str) -> timedelta:
    """Parse ``text`` the way Java's ``Duration.parse`` does.

    Raises ``ValueError`` with a message naming the text and the reason when it is empty,
    malformed or out of range.
    """
    total = _total_nanos(text)
    micros = abs(total) // 1_000
    try:
        value = timedelta(microseconds=micros)
    except OverflowError:
        raise _invalid(text, "the duration is out of range") from None
    return -value if total < 0 else value


def duration_to_millis(value: timedelta) -> int:
    """Whole milliseconds of ``value`` (truncated toward zero), as Java's ``toMillis``
    would give for a duration that fits."""
    micros = (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
    millis = abs(micros) // 1_000
    return -millis if micros < 0 else millis


def backoff_millis(value: timedelta | None) -> int:
    """A retry backoff in whole milliseconds for the engine: 0 when absent or negative."""
    return max(duration_to_millis(value), 0) if value is not None else 0


def format_iso_duration(value: timedelta) -> str:
    """Format ``value`` as Java's ``Duration.toString`` does: ``PT8H6M12.345S``.

    Days are expressed as hours (``P2D`` prints ``PT48H``), zero is ``PT0S``, and a
    negative duration carries the sign on each part (``PT-6H-3M``).
    """
    micros = (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
    # Java keeps (seconds, nanos) with 0 <= nanos < 1e9, seconds floored.
    seconds, sub = divmod(micros, 1_000_000)
    nanos = sub * 1_000
    if seconds == 0 and nanos == 0:
        return "PT0S"
    effective = seconds + 1 if seconds < 0 and nanos > 0 else seconds
    hours = _java_div(effective, 3_600)
    minutes = _java_div(_java_rem(effective, 3_600), 60)
    secs = _java_rem(effective, 60)
    out = "PT"
    if hours:
        out += f"{hours}H"
    if minutes:
        out += f"{minutes}M"
    if secs == 0 and nanos == 0 and len(out) > 2:
        return out
    if seconds < 0 and nanos > 0 and secs == 0:
        out += "-0"
    else:
        out += str(secs)
    if nanos > 0:
        digits = str(2 * _NANOS_PER_SECOND - nanos if seconds < 0 else nanos + _NANOS_PER_SECOND)
        out += "." + digits[1:].rstrip("0")
    return out + "S"


def _java_div(a: int, b: int) -> int:
    """Integer division truncating toward zero, like Java's ``/``."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _java_rem(a: int, b: int) -> int:
    """Remainder with the sign of the dividend, like Java's ``%``."""
    return a - b * _java_div(a, b)
