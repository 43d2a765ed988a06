"""Java ``Duration.parse`` / ``Duration.toString`` parity, table-tested."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.runtime.durations import duration_to_millis, format_iso_duration, parse_java_duration

# (text, expected duration)
VALID = [
    # The examples of Java's Duration.parse documentation.
    ("PT20.345S", timedelta(seconds=20, milliseconds=345)),
    ("PT15M", timedelta(minutes=15)),
    ("PT10H", timedelta(hours=10)),
    ("P2D", timedelta(days=2)),
    ("P2DT3H4M", timedelta(days=2, hours=3, minutes=4)),
    ("PT-6H3M", timedelta(hours=-6, minutes=3)),
    ("-PT6H3M", timedelta(hours=-6, minutes=-3)),
    ("-PT-6H+3M", timedelta(hours=6, minutes=-3)),
    # Case, separators, signs, fractions.
    ("pt5s", timedelta(seconds=5)),
    ("p1dt1h", timedelta(days=1, hours=1)),
    ("PT1,5S", timedelta(seconds=1.5)),
    ("PT1.S", timedelta(seconds=1)),
    ("PT0.000001S", timedelta(microseconds=1)),
    ("PT0.123456789S", timedelta(microseconds=123456)),  # nanos truncated to micros
    ("PT-0.5S", timedelta(milliseconds=-500)),
    ("PT-1.5S", timedelta(milliseconds=-1500)),
    ("-PT-1.5S", timedelta(milliseconds=1500)),
    ("+PT+5S", timedelta(seconds=5)),
    ("PT0S", timedelta(0)),
    ("P0D", timedelta(0)),
    ("PT-0S", timedelta(0)),
    ("PT90M", timedelta(minutes=90)),
    ("PT36H", timedelta(hours=36)),
    ("P1DT2H3M4.5S", timedelta(days=1, hours=2, minutes=3, seconds=4.5)),
    ("P-1DT25H", timedelta(hours=1)),
    ("PT0005S", timedelta(seconds=5)),
]

INVALID = [
    "",
    "P",
    "PT",
    "-P",
    "P1DT",
    "5S",
    "PT5",
    "PT5s ",
    " PT5S",
    "P1Y",
    "P1M",
    "P1W",
    "PT1.5M",
    "PT1.5H",
    "PT1.1234567891S",
    "PT.5S",
    "PT1H2H",
    "PT1S1M",
    "PTS",
    "P--1D",
    "PT1E3S",
    "PT\u0665S",  # non-ASCII digit
    "PT1H 2M",
    "P9999999999999999999D",
    "P106751991167301D",  # overflows Java's long seconds
]


@pytest.mark.parametrize(("text", "expected"), VALID)
def test_parses_like_java(text: str, expected: timedelta) -> None:
    assert parse_java_duration(text) == expected


@pytest.mark.parametrize("text", INVALID)
def test_rejects_like_java(text: str) -> None:
    with pytest.raises(ValueError, match="invalid ISO-8601 duration"):
        parse_java_duration(text)


def test_empty_message_says_empty() -> None:
    with pytest.raises(ValueError, match="it is empty"):
        parse_java_duration("")


def test_t_without_time_message() -> None:
    with pytest.raises(ValueError, match="'T' must be followed"):
        parse_java_duration("P1DT")


def test_non_string_is_type_error() -> None:
    with pytest.raises(TypeError):
        parse_java_duration(5)  # type: ignore[arg-type]


def test_long_text_is_shortened_in_message() -> None:
    with pytest.raises(ValueError) as info:
        parse_java_duration("X" * 500)
    assert len(str(info.value)) < 200


FORMAT = [
    # Java Duration.toString outputs.
    (timedelta(0), "PT0S"),
    (timedelta(seconds=20, milliseconds=345), "PT20.345S"),
    (timedelta(minutes=15), "PT15M"),
    (timedelta(hours=10), "PT10H"),
    (timedelta(days=2), "PT48H"),
    (timedelta(days=2, hours=3, minutes=4), "PT51H4M"),
    (timedelta(hours=-6, minutes=-3), "PT-6H-3M"),
    (timedelta(hours=-6, minutes=3), "PT-5H-57M"),
    (timedelta(milliseconds=-500), "PT-0.5S"),
    (timedelta(milliseconds=-1500), "PT-1.5S"),
    (timedelta(hours=1, seconds=1), "PT1H1S"),
    (timedelta(hours=8, minutes=6, seconds=12, milliseconds=345), "PT8H6M12.345S"),
    (timedelta(microseconds=1), "PT0.000001S"),
    (timedelta(seconds=59, microseconds=100), "PT59.0001S"),
]


@pytest.mark.parametrize(("value", "text"), FORMAT)
def test_formats_like_java(value: timedelta, text: str) -> None:
    assert format_iso_duration(value) == text


@pytest.mark.parametrize(("text", "_"), VALID)
def test_round_trip(text: str, _: timedelta) -> None:
    value = parse_java_duration(text)
    assert parse_java_duration(format_iso_duration(value)) == value


@pytest.mark.parametrize(
    ("value", "millis"),
    [
        (timedelta(seconds=5), 5000),
        (timedelta(microseconds=1999), 1),
        (timedelta(microseconds=-1999), -1),
        (timedelta(days=1), 86_400_000),
    ],
)
def test_to_millis(value: timedelta, millis: int) -> None:
    assert duration_to_millis(value) == millis
