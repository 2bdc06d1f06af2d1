"""The item page's chart: a position's on hand and value over time, drawn on the server as
inline SVG (no script needed to read it; ``static/chart.js`` adds the hover read-out).

- x is time (``recorded_at``), scaled by time, not by index, with ticks on calendar
  boundaries in the ledger's zone (hours, days, weeks, months or years, whichever gives a
  handful) and a vertical gridline at each;
- on hand (in the item's base unit) and value (in the currency) in two panels one above the
  other on that one time axis, each with its own axis of round-number ticks (1, 2, 2.5 or
  5 × 10ⁿ apart) and horizontal gridlines. Not two scales over one plot: at a steady
  average cost value is proportional to on hand, and the two lines would lie on each other;
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

WIDTH, LEFT, RIGHT = 640, 66, 22  # side margins: the axis labels live there
PANEL, TITLE, BOTTOM = 150, 36, 40  # a panel's height, the title above it, the dates below
INTERVALS = (4, 5, 6)  # how many steps a vertical axis may have: the tightest fit wins
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
    anchor: str = "middle"  # a date's text-anchor: "end" at the right edge, inside the box


@dataclass(frozen=True)
class Panel:
    """One series on its own vertical axis: ``name`` is its CSS class, ``ys`` each
    movement's height, ``latest`` the last figure in words."""

    name: str
    title: str
    top: int
    bottom: int
    ticks: list[Tick]
    path: str
    ys: list[str]
    latest: str


@dataclass(frozen=True)
class Point:
    """One movement: where its dots are (``x``; the panels' ``ys``), and its read-out."""

    x: str
    when: str
    on_hand: str
    value: str
    what: str


@dataclass(frozen=True)
class StepChart:
    width: int
    height: int
    left: int
    right: int  # x of the plots' right edge
    top: int  # y of the first panel's top
    bottom: int  # y of the last panel's bottom (the time axis)
    time: list[Tick]
    panels: list[Panel]
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


def _fit(low: Decimal, high: Decimal, intervals: int) -> tuple[Decimal, Decimal]:
    span = high - low if high > low else max(abs(high), Decimal(1))
    step = nice_step(span / intervals)
    while True:
        bottom = (low / step).to_integral_value(ROUND_FLOOR) * step
        if bottom + step * intervals >= high:
            return bottom, step
        step = nice_step(step * Decimal("1.01"))


def round_scale(values: Sequence[Decimal]) -> list[Decimal]:
    """The ticks of an axis of round steps holding ``values`` and zero: of 4, 5 or 6 steps,
    those spanning the least (0–50 in five steps of 10 rather than 0–80 in four of 20)."""
    low, high = min(min(values), Decimal(0)), max(max(values), Decimal(0))
    fits = [(*_fit(low, high, n), n) for n in INTERVALS]
    # Ties: fewer decimals in the step, then more steps (0–10 by 2s rather than by 2.5s).
    bottom, step, intervals = min(fits, key=lambda f: (f[1] * f[2], _places(f[1]), -f[2]))
    return [bottom + step * i for i in range(intervals + 1)]


def _places(step: Decimal) -> int:
    return max(0, -step.normalize().as_tuple().exponent)  # type: ignore[operator]


def _figure_label(value: Decimal, step: Decimal) -> str:
    return format(value.quantize(Decimal(1).scaleb(-_places(step))), ",f")


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


def _panel(
    name: str, title: str, top: int, xs: Sequence[str], values: Sequence[Decimal], latest: str
) -> Panel:
    marks = round_scale(values)
    low, high, step = marks[0], marks[-1], marks[1] - marks[0]
    bottom = top + PANEL

    def y_of(value: Decimal) -> str:
        return coordinate(bottom - (value - low) * PANEL / (high - low))

    ticks = [Tick(y_of(v), _figure_label(v, step)) for v in marks]
    ys = [y_of(v) for v in values]
    return Panel(name, title, top, bottom, ticks, _step_path(xs, ys, WIDTH - RIGHT), ys, latest)


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
    right = WIDTH - RIGHT
    first, last = moves[0].recorded_at, moves[-1].recorded_at
    span = last - first
    pad = span / 25 if span else timedelta(hours=12)
    start, end = first - pad, last + pad
    whole = Decimal((end - start) // MICROSECOND)

    def x_of(at: datetime) -> str:
        return coordinate(LEFT + Decimal((at - start) // MICROSECOND) * (right - LEFT) / whole)

    unit_of_time = _time_step(end - start)[0]
    moments = time_ticks(start, end, zone)
    time_axis = [
        Tick(
            x_of(at),
            time_label(at, moments[i - 1] if i else None, unit_of_time),
            "end" if Decimal(x_of(at)) > right - 40 else "middle",
        )
        for i, at in enumerate(moments)
    ]
    xs = [x_of(m.recorded_at) for m in moves]
    quantum = Decimal(1).scaleb(-places)
    suffix = f" {unit}" if unit else ""
    on_hand = [f"{plain(m.on_hand_after)}{suffix}" for m in moves]
    value = [f"{m.value_after.quantize(quantum):,f} {currency}" for m in moves]
    panels = [
        _panel(
            "on-hand",
            f"On hand ({unit})" if unit else "On hand",
            TITLE,
            xs,
            [m.on_hand_after for m in moves],
            on_hand[-1],
        ),
        _panel(
            "value",
            f"Value ({currency})",
            2 * TITLE + PANEL,
            xs,
            [m.value_after for m in moves],
            value[-1],
        ),
    ]
    points = [
        Point(x, m.recorded_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"), oh, v, what(m))
        for m, x, oh, v in zip(moves, xs, on_hand, value, strict=True)
    ]
    bottom = panels[-1].bottom
    return StepChart(
        WIDTH, bottom + BOTTOM, LEFT, right, TITLE, bottom, time_axis, panels, points, first, last
    )
