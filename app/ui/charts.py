"""Geometry of the admin UI's inline SVG charts (the template draws the shapes)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from app.db.executions_repo import COMMANDS, PERCENTILES, ConnectorStats

COLOURS = {"complete": "#2e7d32", "fail": "#ef6c00", "throw_error": "#c62828"}
PERCENTILE_COLOURS = {"p50": "#90caf9", "p95": "#1e88e5", "p99": "#0d47a1"}


@dataclass
class Rect:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


@dataclass
class Label:
    x: float
    y: float
    text: str
    anchor: str = "middle"


@dataclass
class Chart:
    width: int
    height: int
    rects: list[Rect] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    gridlines: list[float] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)
    empty: bool = True


def per_minute_chart(
    counts: dict[tuple[dt.datetime, str], int], until: dt.datetime, minutes: int
) -> Chart:
    """Stacked bars: executions per minute by command over the last ``minutes`` minutes."""
    width, height, left, bottom, top = 760, 220, 40, 24, 10
    chart = Chart(width, height, legend=[(c, COLOURS[c]) for c in COMMANDS])
    end = until.astimezone(dt.UTC).replace(second=0, microsecond=0)
    slots = [end - dt.timedelta(minutes=minutes - 1 - i) for i in range(minutes)]
    totals = [sum(counts.get((m, c), 0) for c in COMMANDS) for m in slots]
    peak = max(totals, default=0)
    chart.empty = peak == 0
    ticks = count_ticks(peak)
    scale = (height - bottom - top) / ticks[-1]
    step = (width - left - 10) / minutes
    bar = max(step - 2, 1)
    for i, minute in enumerate(slots):
        y = float(height - bottom)
        for command in COMMANDS:
            count = counts.get((minute, command), 0)
            if not count:
                continue
            h = count * scale
            y -= h
            chart.rects.append(
                Rect(
                    left + i * step,
                    y,
                    bar,
                    h,
                    COLOURS[command],
                    f"{minute:%H:%M} {command}: {count}",
                )
            )
        if i % max(minutes // 6, 1) == 0:
            chart.labels.append(Label(left + i * step + bar / 2, height - 8, f"{minute:%H:%M}"))
    for tick in ticks:
        grid_y = height - bottom - tick * scale
        chart.gridlines.append(grid_y)
        chart.labels.append(Label(left - 6, grid_y + 4, str(tick), "end"))
    return chart


def count_ticks(peak: int, most: int = 5) -> list[int]:
    """Y-axis ticks for counts: whole numbers from 0, evenly spaced by 1, 2 or 5 times a power
    of ten, the last one at or above ``peak``, at most ``most`` + 1 of them (a peak of 1 gives
    0 and 1, never 0, 0 and 1)."""
    if peak <= 0:
        return [0, 1]
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if math.ceil(peak / step) <= most:
                top = math.ceil(peak / step) * step
                return list(range(0, top + 1, step))
        magnitude *= 10


def percentile_chart(stats: list[ConnectorStats]) -> Chart:
    """Horizontal bars: p50, p95 and p99 duration (ms) per connector type."""
    row, left, right = 54, 230, 90
    width = 760
    height = max(len(stats), 1) * row + 10
    chart = Chart(width, height, legend=list(PERCENTILE_COLOURS.items()))
    values = [v for s in stats for v in s.percentiles_ms.values() if v is not None]
    peak = max(values, default=0.0)
    chart.empty = not values
    scale = (width - left - right) / (peak or 1.0)
    for i, entry in enumerate(stats):
        top = 6 + i * row
        chart.labels.append(Label(left - 8, top + 26, _short(entry.connector_type), "end"))
        pairs = zip(PERCENTILE_COLOURS, PERCENTILES, strict=True)
        for j, (name, fraction) in enumerate(pairs):
            value = entry.percentiles_ms.get(fraction)
            if value is None:
                continue
            y = top + j * 15
            w = max(value * scale, 1.0)
            colour = PERCENTILE_COLOURS[name]
            chart.rects.append(Rect(left, y, w, 13, colour, f"{name}: {value:.1f} ms"))
            chart.labels.append(Label(left + w + 6, y + 11, f"{name} {value:.1f} ms", "start"))
    return chart


def _short(text: str, limit: int = 32) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
