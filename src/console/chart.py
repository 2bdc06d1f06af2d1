"""Hand-made inline SVG line charts: no script, no library, readable without colour (each
series also has its own dash pattern and a legend, and the figures are in a table beside)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

WIDTH, HEIGHT, PAD = 640, 220, 30


@dataclass(frozen=True)
class Series:
    label: str
    points: str  # the polyline's "x,y x,y …"
    low: Decimal
    high: Decimal
    stroke: str
    dash: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    first: datetime
    last: datetime
    series: list[Series]


def _scale(value: Decimal, low: Decimal, high: Decimal, span: int) -> Decimal:
    return Decimal(0) if high == low else (value - low) / (high - low) * span


def line_chart(
    times: Sequence[datetime], lines: Sequence[tuple[str, Sequence[Decimal], str, str]]
) -> Chart | None:
    """A step chart of each (label, values, stroke, dash) over ``times`` (oldest first),
    each series on its own vertical scale; None with fewer than one point."""
    if not times:
        return None
    start, end = times[0].timestamp(), times[-1].timestamp()
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD

    def x(at: datetime) -> Decimal:
        if end == start:
            return Decimal(PAD + inner_w)
        return Decimal(PAD) + Decimal(str((at.timestamp() - start) / (end - start) * inner_w))

    series = []
    for label, values, stroke, dash in lines:
        low, high = min(min(values), Decimal(0)), max(values)
        points: list[str] = []
        previous: Decimal | None = None
        for at, value in zip(times, values, strict=True):
            y = HEIGHT - PAD - _scale(value, low, high, inner_h)
            if previous is not None:  # a step: the figure holds until the next movement
                points.append(f"{x(at):.1f},{previous:.1f}")
            points.append(f"{x(at):.1f},{y:.1f}")
            previous = y
        points.append(f"{WIDTH - PAD},{previous:.1f}")
        series.append(Series(label, " ".join(points), low, high, stroke, dash))
    return Chart(WIDTH, HEIGHT, times[0], times[-1], series)
