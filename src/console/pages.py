"""The console's pages, in navigation order. Each module has a ``router`` and a ``NAV``
entry; adding a page (food cost, say) is one new module and one line here."""

from __future__ import annotations

from console import (
    accounts,
    avt,
    catalogue,
    cogs,
    count_sheets,
    dashboard,
    feed,
    food_cost,
    gl_journal,
    item,
    journal,
    keys,
    late_costs,
    owed,
    periods,
    productions,
    projections,
    recipes,
    record,
    sale,
    stock,
    valuation,
)

PAGES = (
    dashboard,
    stock,
    record,
    item,
    catalogue,
    journal,
    cogs,
    food_cost,
    recipes,
    productions,
    sale,
    owed,
    count_sheets,
    avt,
    valuation,
    late_costs,
    periods,
    gl_journal,
    projections,
    keys,
    accounts,
    feed,
)
