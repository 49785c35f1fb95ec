"""The report's chart: one stacked bar per month, a segment per service, laid out in SVG units.

Only geometry is computed here; the template draws it, so the chart needs no script and
reads the same to a screen reader as the table beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_date

from ..queries.figures import MonthRow, Report
from .wording import month_name


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int
    title: str


@dataclass
class AxisLabel:
    x: float
    y: float
    text: str


@dataclass
class Chart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    bars: list[Bar]
    totals: list[AxisLabel]
    ticks: list[AxisLabel]
    months: list[AxisLabel]
    years: list[AxisLabel]
    wide: bool


def _tick_step(largest: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that reaches the largest bar in four steps."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            if factor * magnitude * 4 >= largest:
                return factor * magnitude
        magnitude *= 10


def shown_months(report: Report) -> list[MonthRow]:
    """The months to chart and tabulate: over a long period, from the first to the last service."""
    months = report.months
    if len(months) <= 12:
        return months
    busy = [index for index, row in enumerate(months) if row.total]
    if not busy:
        return months[-1:]
    return months[busy[0] : busy[-1] + 1]


def build_chart(report: Report) -> Chart:
    """Lay out one stacked bar per month, a segment per service category, in SVG units."""
    months = shown_months(report)
    series = {category.id: index for index, category in enumerate(report.categories)}
    slot = max(32, min(72, 840 // max(1, len(months))))
    bar_width = slot * 0.7
    plot_left, plot_top, plot_height = 44, 20, 220
    plot_bottom = plot_top + plot_height
    width = plot_left + slot * len(months) + 12
    height = plot_bottom + 48
    step = _tick_step(max((row.total for row in months), default=0))
    scale = plot_height / (step * 4)

    bars, totals, labels, years = [], [], [], []
    label_every = 1 if len(months) <= 18 else 3 if len(months) <= 48 else 12
    for index, row in enumerate(months):
        x = plot_left + index * slot + (slot - bar_width) / 2
        top = plot_bottom
        spoken_month = month_name(row.month)
        for category in report.categories:
            count = row.by_category.get(category.id, 0)
            if not count:
                continue
            top -= count * scale
            bars.append(
                Bar(
                    x,
                    top,
                    bar_width,
                    count * scale,
                    series[category.id] % 6,
                    f"{spoken_month}, {category.name}: {count}",
                )
            )
        centre = x + bar_width / 2
        if row.total and slot >= 40:
            totals.append(AxisLabel(centre, top - 4, str(row.total)))
        if index % label_every == 0 or row.month.month == 1:
            if label_every < 12:
                labels.append(AxisLabel(centre, plot_bottom + 16, format_date(row.month, "LLL")))
            if row.month.month == 1 or index == 0:
                years.append(AxisLabel(centre, plot_bottom + 34, str(row.month.year)))
    ticks = [
        AxisLabel(plot_left - 6, plot_bottom - i * step * scale, str(i * step)) for i in range(5)
    ]
    return Chart(
        width=width,
        height=height,
        plot_left=plot_left,
        plot_right=width - 12,
        plot_top=plot_top,
        plot_bottom=plot_bottom,
        bars=bars,
        totals=totals,
        ticks=ticks,
        months=labels,
        years=years,
        wide=len(months) > 24,
    )
