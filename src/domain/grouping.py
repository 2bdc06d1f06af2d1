"""A report's ``group_by``, read once for the API, the console and the views: which of a
report's keys (``period``, ``location``, ``sku`` …) its rows are grouped by."""

from __future__ import annotations

from collections.abc import Sequence

from domain.errors import ValidationError


def group_keys(chosen: Sequence[str] | None, groups: Sequence[str]) -> list[str]:
    """The keys of ``chosen`` (each item one key or a comma-separated list, as a query may
    repeat or join them) in the report's order ``groups``; every group when nothing is
    chosen. Refuses an unknown key and a choice that names none."""
    if not chosen:
        return list(groups)
    keys = {part.strip() for item in chosen for part in item.split(",")} - {""}
    if not keys or not keys <= set(groups):
        raise ValidationError(
            f"group_by takes a subset of {','.join(groups)} (comma-separated or repeated)",
            [{"field": "group_by"}],
        )
    return [key for key in groups if key in keys]
