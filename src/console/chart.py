"""The item page's chart: a position's on hand and value over time, drawn on the server as
inline SVG (no script needed to read it; ``static/chart.js`` adds the hover read-out).

- x is time (``recorded_at``), scaled by time, not by index, with ticks on calendar
  boundaries in the ledger's zone (hours, days, weeks, months or years, whichever gives a
  handful) and a vertical gridline at each;
- on hand on the left axis (in the item's base unit), value on the right (in the currency),
  each with round-number ticks (1, 2, 2.5 or 5 × 10ⁿ apart) over the same number of
  intervals, so one set of horizontal gridlines serves both;
- each series a step-after path: the balance holds flat until the next movement, then jumps;
  a dot per movement carries a ``<title>`` with its read-out.

Coordinates are Decimal arithmetic, written with one decimal place (floats are banned).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import ROUND_FLOOR, Decimal

from application.records import MovementRecord

WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 70, 78, 34, 40  # margins: axis labels and titles live there
INTERVALS = 5  # of each vertical axis (both share the horizontal gridlines)
MAX_TIME_TICKS = 6
NICE = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))
TENTH = Decimal("0.1")
MICROSECOND = timedelta(microseconds=1)
# Steps of the time axis, smallest first: (unit, how many, roughly how long).
TIME_STEPS = (
    ("hour", 1, timedelta(hours=1)),
    ("hour", 3, timedelta(hours=3)),
    ("hour", 6, timedelta(hours=6)),
    ("hour", 12, timedelta(hours=12)),
    ("day", 1, timedelta(days=1)),
    ("day", 2, timedelta(days=2)),
    ("week", 1, timedelta(days=7)),
    ("week", 2, timedelta(days=14)),
    ("month", 1, timedelta(days=31)),
    ("month", 3, timedelta(days=92)),
    ("month", 6, timedelta(days=183)),
    ("year", 1, timedelta(days=366)),
    ("year", 5, timedelta(days=1827)),
    ("year", 10, timedelta(days=3653)),
)


@dataclass(frozen=True)
class Tick:
    at: str  # the coordinate along its axis (SVG user units)
    label: str


@dataclass(frozen=True)
class Axis:
    title: str
    ticks: list[Tick]


@dataclass(frozen=True)
class Point:
    """One movement: where its dots are, and its read-out."""

    x: str
    on_hand_y: str
    value_y: str
    when: str
    on_hand: str
    value: str
    what: str


@dataclass(frozen=True)
class StepChart:
    width: int
    height: int
    left: int
    top: int
    right: int  # x of the plot's right edge
    bottom: int  # y of the plot's bottom edge
    time: list[Tick]
    on_hand: Axis
    value: Axis
    on_hand_path: str
    value_path: str
    points: list[Point]
    first: datetime
    last: datetime


def coordinate(value: Decimal) -> str:
    return format(value.quantize(TENTH), "f")


def plain(value: Decimal) -> str:
    """A figure without trailing zeros (``6.000`` → ``6``, ``2.500`` → ``2.5``)."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def nice_step(raw: Decimal) -> Decimal:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ at least ``raw`` (> 0)."""
    power = Decimal(1).scaleb(raw.adjusted())
    return next(m * power for m in NICE if m * power >= raw)


def round_scale(values: Sequence[Decimal]) -> tuple[Decimal, Decimal]:
    """(bottom, step) of an axis of INTERVALS round steps holding ``values`` and zero."""
    low, high = min(min(values), Decimal(0)), max(max(values), Decimal(0))
    span = high - low if high > low else max(abs(high), Decimal(1))
    step = nice_step(span / INTERVALS)
    while True:
        bottom = (low / step).to_integral_value(ROUND_FLOOR) * step
        if bottom + step * INTERVALS >= high:
            return bottom, step
        step = nice_step(step * Decimal("1.01"))


def _axis_labels(bottom: Decimal, step: Decimal) -> list[Decimal]:
    return [bottom + step * i for i in range(INTERVALS + 1)]


def _figure_label(value: Decimal, step: Decimal) -> str:
    places = max(0, -step.normalize().as_tuple().exponent)  # type: ignore[operator]
    return format(value.quantize(Decimal(1).scaleb(-places)), ",f")


def _time_step(span: timedelta) -> tuple[str, int]:
    for unit, count, length in TIME_STEPS:
        if length * MAX_TIME_TICKS >= span:
            return unit, count
    return "year", 10 * (1 + span // (TIME_STEPS[-1][2] * MAX_TIME_TICKS))


def _month(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def time_ticks(start: datetime, end: datetime, zone: tzinfo) -> list[datetime]:
    """Calendar boundaries in ``zone`` from ``start`` to ``end``, a handful of them."""
    unit, count = _time_step(end - start)
    local = start.astimezone(zone)
    moments: list[datetime] = []
    if unit == "hour":
        at = local.replace(minute=0, second=0, microsecond=0)
        at = at.replace(hour=at.hour - at.hour % count).astimezone(UTC)
        while at <= end:  # counted in UTC: a clock change neither skips nor repeats a tick
            moments.append(at.astimezone(zone))
            at += timedelta(hours=count)
        return [m for m in moments if m >= start]
    day = local.date()
    if unit == "week":
        day -= timedelta(days=day.weekday())  # Mondays
    elif unit == "month":
        day = date(day.year, day.month - (day.month - 1) % count, 1)
    elif unit == "year":
        day = date(day.year - day.year % count, 1, 1)
    while (at := datetime.combine(day, time(), tzinfo=zone)) <= end:
        moments.append(at)
        if unit == "day":
            day += timedelta(days=count)
        elif unit == "week":
            day += timedelta(weeks=count)
        else:
            day = _month(day, count * (12 if unit == "year" else 1))
    return [m for m in moments if m >= start]


def time_label(at: datetime, before: datetime | None, unit: str) -> str:
    """``10 Jan 12:00`` (hour ticks), ``10 Jan`` (days, weeks), ``Jan`` (months), ``2025``
    (years); days and months name the year at the first tick and wherever it changes."""
    if unit == "year":
        return str(at.year)
    if unit == "hour":
        return f"{at.day} {at:%b %H:%M}"
    text = f"{at:%b}" if unit == "month" else f"{at.day} {at:%b}"
    return f"{text} {at.year}" if before is None or before.year != at.year else text


def _step_path(xs: Sequence[str], ys: Sequence[str], right: int) -> str:
    """A step-after path: flat from each movement to the next, then a vertical jump."""
    parts = [f"M{xs[0]} {ys[0]}"]
    for x, y in zip(xs[1:], ys[1:], strict=True):
        parts.append(f"H{x}V{y}")
    parts.append(f"H{right}")
    return "".join(parts)


def step_chart(
    moves: Sequence[MovementRecord],
    *,
    unit: str,
    currency: str,
    places: int,
    zone: tzinfo,
    what: Callable[[MovementRecord], str],
) -> StepChart | None:
    """The chart of ``moves`` (one position's, oldest first); None without any."""
    if not moves:
        return None
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM
    first, last = moves[0].recorded_at, moves[-1].recorded_at
    span = last - first
    pad = span / 25 if span else timedelta(hours=12)
    start, end = first - pad, last + pad
    whole = Decimal((end - start) // MICROSECOND)

    def x_of(at: datetime) -> Decimal:
        return LEFT + Decimal((at - start) // MICROSECOND) * (right - LEFT) / whole

    def y_axis(
        values: list[Decimal], title: str, label: Callable[[Decimal, Decimal], str]
    ) -> tuple[Axis, Callable[[Decimal], str]]:
        low, step = round_scale(values)
        height = step * INTERVALS

        def y_of(value: Decimal) -> str:
            return coordinate(bottom - (value - low) * (bottom - TOP) / height)

        ticks = [Tick(y_of(v), label(v, step)) for v in _axis_labels(low, step)]
        return Axis(title, ticks), y_of

    quantum = Decimal(1).scaleb(-places)
    on_hand_axis, on_hand_y = y_axis(
        [m.on_hand_after for m in moves], f"On hand ({unit})" if unit else "On hand", _figure_label
    )
    value_axis, value_y = y_axis(
        [m.value_after for m in moves], f"Value ({currency})", _figure_label
    )
    unit_of_time = _time_step(end - start)[0]
    moments = time_ticks(start, end, zone)
    time_axis = [
        Tick(coordinate(x_of(at)), time_label(at, moments[i - 1] if i else None, unit_of_time))
        for i, at in enumerate(moments)
    ]
    xs = [coordinate(x_of(m.recorded_at)) for m in moves]
    on_hand_ys = [on_hand_y(m.on_hand_after) for m in moves]
    value_ys = [value_y(m.value_after) for m in moves]
    suffix = f" {unit}" if unit else ""
    points = [
        Point(
            x,
            oy,
            vy,
            m.recorded_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            f"{plain(m.on_hand_after)}{suffix}",
            f"{m.value_after.quantize(quantum):,f} {currency}",
            what(m),
        )
        for m, x, oy, vy in zip(moves, xs, on_hand_ys, value_ys, strict=True)
    ]
    return StepChart(
        WIDTH,
        HEIGHT,
        LEFT,
        TOP,
        right,
        bottom,
        time_axis,
        on_hand_axis,
        value_axis,
        _step_path(xs, on_hand_ys, right),
        _step_path(xs, value_ys, right),
        points,
        first,
        last,
    )
