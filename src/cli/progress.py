"""The rebuild progress bar: its total (the ledger's head) from the start and a real ETA."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn


def rebuild_bar(console: Console) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TextColumn("{task.fields[rate]}"),
        TextColumn("ETA {task.fields[eta]}"),
        console=console,
    )


def eta_text(seconds: float | None) -> str:  # ok-float: seconds
    """``h:mm:ss``, or "…" while the rebuild has not measured its rate yet."""
    if seconds is None:
        return "…"
    return str(timedelta(seconds=round(seconds)))


def rebuild_fields(state: dict[str, Any] | None, start_head: int) -> dict[str, Any]:
    """What the bar shows: ``state`` is the rebuild's last report (None before the first).

    The total is never below the head when the command started, so the bar knows it before
    the first chunk is read; the ETA is the rebuild's own (remaining events at its rate)."""
    state = state or {}
    position = int(state.get("position", 0))
    total = max(int(state.get("head") or 0), start_head, position)
    rate = state.get("events_per_s")
    eta = 0.0 if state.get("done") else state.get("eta_s")
    return {
        "completed": position,
        "total": total,
        "rate": f"{rate:,.0f} events/s" if rate else "",
        "eta": eta_text(eta),
    }
