"""Charts drawn on the server as SVG: no JavaScript, nothing for the CSP to allow, readable anywhere.

:func:`bar_chart` turns a series of values into the coordinates ``portal/_bar_chart.html`` draws
(attributes only, no inline style). Every chart a page shows also gives its numbers as a table.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

WIDTH = 720
HEIGHT = 240
LEFT = 80  # room for the value labels
RIGHT = 8
TOP = 12
BOTTOM = 32  # room for the day labels


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str  # what a pointer shows: "Fri 6 Mar: $120.00"
    empty: bool


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class XLabel:
    x: float
    label: str
    anchor: str = "middle"  # SVG text-anchor: the last label ends at its bar, so it stays in the picture


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: int
    right: float
    baseline: float
    bars: list[Bar]
    ticks: list[Tick]
    x_labels: list[XLabel]


def nice_ceiling(value: Decimal) -> Decimal:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above ``value`` (a chart's top); 1 for nothing."""
    if value <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** (value.adjusted())
    for step in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover - the loop ends at 10 × magnitude ≥ value


def whole_ticks(top: Decimal) -> int:
    """How many steps divide the axis ``0…top`` (a whole :func:`nice_ceiling`) into whole numbers."""
    if top <= 5:
        return max(int(top), 1)
    return next(n for n in (5, 4, 2) if top % n == 0 and (top / n) == (top / n).to_integral())


def bar_chart(
    values: list[Decimal],
    *,
    titles: list[str],
    x_labels: dict[int, str],
    format_value,
    ticks: int = 4,
    whole: bool = False,
) -> BarChart:
    """A bar per value; ``titles`` name each bar for a pointer, ``x_labels`` label some bars under the
    axis (by index), ``format_value`` writes the axis' values ("$250"). ``whole``: the values are counts,
    so the axis is marked at whole numbers only (1, 2 for a top of 2; 0, 5, 10… for 25)."""
    top = nice_ceiling(max(values, default=Decimal(0)))
    if whole:
        ticks = whole_ticks(top)
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(values), 1)
    bar_width = max(slot * 0.7, 1.0)
    baseline = TOP + plot_height
    bars = []
    for index, (value, title) in enumerate(zip(values, titles, strict=True)):
        height = float(value / top) * plot_height if value > 0 else 0.0
        height = max(height, 2.0)  # a zero day still shows as a sliver on the axis
        x = LEFT + index * slot + (slot - bar_width) / 2
        top_y = round(baseline - height, 2)
        bars.append(Bar(round(x, 2), top_y, round(bar_width, 2), round(height, 2), title, empty=value <= 0))
    tick_rows = []
    for step in range(ticks + 1):
        amount = top * step / ticks
        tick_rows.append(Tick(round(baseline - plot_height * step / ticks, 2), format_value(amount)))
    labels = [
        XLabel(round(LEFT + index * slot + slot, 2), label, "end")
        if index == len(values) - 1
        else XLabel(round(LEFT + index * slot + slot / 2, 2), label)
        for index, label in sorted(x_labels.items())
    ]
    return BarChart(WIDTH, HEIGHT, LEFT, WIDTH - RIGHT, baseline, bars, tick_rows, labels)


def day_labels(days: list, *, most: int = 6, last: str | None = None) -> dict[int, str]:
    """Labels for a chart of consecutive days: about ``most`` dates evenly spaced from the first, and the
    last day (``last`` names it, e.g. "Today"); none so close to the last that they would touch."""
    if not days:
        return {}
    step = max(1, -(-len(days) // most))  # ceiling
    labels = {index: f"{day.day} {day:%b}" for index, day in enumerate(days) if index % step == 0}
    final = len(days) - 1
    labels = {index: label for index, label in labels.items() if index == final or final - index >= step * 0.6}
    labels[final] = last or f"{days[final].day} {days[final]:%b}"
    return labels
