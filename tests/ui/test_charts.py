"""The statistics chart's y axis for small counts: whole, distinct, evenly spaced labels, and
bars drawn on the same scale as the labels."""

from __future__ import annotations

import datetime as dt

import pytest

from app.ui.charts import count_ticks, per_minute_chart


@pytest.mark.parametrize(
    ("peak", "ticks"),
    [
        (0, [0, 1]),
        (1, [0, 1]),
        (2, [0, 1, 2]),
        (3, [0, 1, 2, 3]),
        (5, [0, 1, 2, 3, 4, 5]),
        (7, [0, 2, 4, 6, 8]),
        (10, [0, 2, 4, 6, 8, 10]),
        (11, [0, 5, 10, 15]),
        (100, [0, 20, 40, 60, 80, 100]),
        (101, [0, 50, 100, 150]),
        (9999, [0, 2000, 4000, 6000, 8000, 10000]),
    ],
)
def test_count_ticks(peak: int, ticks: list[int]) -> None:
    assert count_ticks(peak) == ticks


def test_one_execution_gives_labels_0_and_1_and_a_full_bar() -> None:
    until = dt.datetime(2026, 12, 3, 1, 0, 30, tzinfo=dt.UTC)
    minute = until.replace(second=0)
    chart = per_minute_chart({(minute, "complete"): 1}, until, 10)
    axis = [label.text for label in chart.labels if label.anchor == "end"]
    assert axis == ["0", "1"]
    [bar] = chart.rects
    top_gridline = min(chart.gridlines)
    assert bar.y == pytest.approx(top_gridline)  # the bar of 1 reaches the line labelled 1


def test_three_executions_are_labelled_on_whole_numbers() -> None:
    until = dt.datetime(2026, 12, 3, 1, 0, 30, tzinfo=dt.UTC)
    minute = until.replace(second=0)
    chart = per_minute_chart({(minute, "complete"): 2, (minute, "fail"): 1}, until, 10)
    assert [label.text for label in chart.labels if label.anchor == "end"] == ["0", "1", "2", "3"]
