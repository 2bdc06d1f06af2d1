"""The general-ledger journal (SPEC §15) produced and exported: JSON (the canonical text a
closed period freezes), the manual-journal CSV and beancount text, and the reconciliation
of the journal's inventory against the valuation roll-forward.

Every edge (API, console, CLI) produces the journal here. An open (or just ended) period's
journal uses the map in force now; a closed period's is produced once, with the map in
force at its close, and recorded in the ``AccountMap`` register (``application.accounts``):
later requests answer those bytes.
"""

from __future__ import annotations

import calendar
import csv
import io
import json
import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from application.accounts import account_map, freeze
from application.ledger import Ledger
from domain.books import check_period
from domain.errors import InvalidStateError
from domain.journal import INVENTORY, balanced, entry_lines
from domain.rollforward import period_of
from projections.cogs import Cogs
from projections.gl_journal import GlJournalView
from projections.service import ReadModels

COMMODITY = "XXX"  # ISO 4217 "no currency": the ledger records amounts, not a currency
ROOTS = {
    "inventory": "Assets",
    "inventory:clearing": "Assets",
    "grni": "Liabilities",
    "payables": "Liabilities",
}


def locations_in_use(read_models: ReadModels, ledger: Ledger) -> set[str] | None:
    """Every location a map must resolve (the catalogue's and any a movement names), read
    once the read models have read the whole ledger; ``None`` while they are behind it (a
    lagging projection would hide a location and let a gap through)."""
    if not read_models.settle():
        return None
    found, _ = read_models.catalogue.all_locations()
    return {row.code for row in found} | view_of(read_models).locations()


def view_of(read_models: ReadModels) -> GlJournalView:
    p = read_models.projections
    cogs = p["cogs"]
    assert isinstance(cogs, Cogs)
    return GlJournalView(
        read_models.query_db,
        cogs,
        p["items"],
        p["movements"],
        p.get("billing"),
        _bounds(read_models.zone),
    )


def _bounds(zone: ZoneInfo) -> Callable[[str], tuple[datetime, datetime]]:

    def bounds(period: str) -> tuple[datetime, datetime]:
        year, month = check_period(period)
        following = (year + 1, 1) if month == 12 else (year, month + 1)
        return datetime(year, month, 1, tzinfo=zone), datetime(*following, 1, tzinfo=zone)

    return bounds


def journal_text(ledger: Ledger, read_models: ReadModels, period: str, places: int) -> str:
    """The period's journal as canonical JSON text (see the module's docstring)."""
    check_period(period)
    now = period_of(ledger.clock(), read_models.zone)
    if period > now:
        raise InvalidStateError(f"period {period} is in the future", [{"field": "period"}])
    register = account_map(ledger)
    close = ledger.books().closes.get(period)
    if close is None:
        return _produce(read_models, period, register.current(), places)
    frozen = register.frozen.get(period)
    if frozen is not None:
        return frozen.body
    version = register.in_force_at(close.closed_at)
    read_models.wait_for(close.position)
    body = _produce(read_models, period, version, places)
    return freeze(ledger, period, body, version.version).body


def _produce(read_models: ReadModels, period: str, version: Any, places: int) -> str:
    flows, position = view_of(read_models).flows(period)
    year, month = check_period(period)
    date = f"{period}-{calendar.monthrange(year, month)[1]:02d}"
    entries = []
    debit = credit = Decimal(0)
    for location in sorted({f.location for f in flows}):
        lines = entry_lines(version.rules, [f for f in flows if f.location == location])
        assert balanced(lines)
        debit += sum((x.debit for x in lines), Decimal(0))
        credit += sum((x.credit for x in lines), Decimal(0))
        entries.append(
            {
                "location": location,
                "date": date,
                "lines": [
                    {
                        "account": x.account,
                        "role": x.role,
                        "debit": _money(x.debit, places),
                        "credit": _money(x.credit, places),
                        "memo": x.memo,
                        "category": x.category,
                        "kind": x.kind,
                        "location": x.location,
                    }
                    for x in lines
                ],
            }
        )
    body = {
        "period": period,
        "map_version": version.version,
        "entries": entries,
        "totals": {"debit": _money(debit, places), "credit": _money(credit, places)},
        "position": position,
    }
    return json.dumps(body, separators=(",", ":"))


def _money(value: Decimal, places: int) -> str:
    return str(value.quantize(Decimal(1).scaleb(-places)))


def to_csv(text: str) -> str:
    """The manual-journal CSV: Date,Narration,AccountCode,Debit,Credit,TrackingLocation."""
    body = json.loads(text)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Date", "Narration", "AccountCode", "Debit", "Credit", "TrackingLocation"])
    for entry in body["entries"]:
        for line in entry["lines"]:
            narration = f"StockLedger {body['period']} {entry['location']}: {line['memo']}"
            debit = line["debit"] if Decimal(line["debit"]) else ""
            credit = line["credit"] if Decimal(line["credit"]) else ""
            writer.writerow(
                [entry["date"], narration, line["account"], debit, credit, line["location"] or ""]
            )
    return out.getvalue()


def beancount_account(role: str, code: str) -> str:
    """A beancount account name from an account code: the root its role belongs under, the
    code's letters, digits and dashes (anything else a dash), prefixed to start a component."""
    root = ROOTS.get(role, "Expenses")
    return f"{root}:GL-{re.sub(r'[^A-Za-z0-9-]', '-', code)}"


def to_beancount(text: str) -> str:
    """Beancount text: an open directive per account, one transaction per entry."""
    body = json.loads(text)
    accounts = sorted(
        {
            beancount_account(line["role"], line["account"])
            for entry in body["entries"]
            for line in entry["lines"]
        }
    )
    first = body["entries"][0]["date"] if body["entries"] else f"{body['period']}-01"
    out = [f'option "operating_currency" "{COMMODITY}"', ""]
    out += [f"{first[:8]}01 open {name}" for name in accounts]
    for entry in body["entries"]:
        out.append("")
        out.append(
            f'{entry["date"]} * "StockLedger" "{body["period"]} {_quoted(entry["location"])}"'
        )
        for line in entry["lines"]:
            amount = Decimal(line["debit"]) - Decimal(line["credit"])
            out.append(
                f"  {beancount_account(line['role'], line['account'])}  {amount} {COMMODITY}"
            )
            out.append(f'    memo: "{_quoted(line["memo"])}"')
            if line["location"]:
                out.append(f'    location: "{_quoted(line["location"])}"')
    return "\n".join(out) + "\n"


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def inventory_net(text: str) -> dict[str, Decimal]:
    """The journal's net on the inventory role per tracking location."""
    out: dict[str, Decimal] = {}
    for entry in json.loads(text)["entries"]:
        for line in entry["lines"]:
            if line["role"] == INVENTORY and line["location"]:
                net = Decimal(line["debit"]) - Decimal(line["credit"])
                out[line["location"]] = out.get(line["location"], Decimal(0)) + net
    return out


def reconciliation(
    ledger: Ledger, read_models: ReadModels, periods: list[str], places: int
) -> list[dict[str, Any]]:
    """Per period and location: the journal's inventory against the valuation's closing −
    opening, and the difference."""
    rows = []
    closes = ledger.books().closes
    for period in periods:
        for _ in range(3):  # an open period's journal and valuation from one position
            text = journal_text(ledger, read_models, period, places)
            report = read_models.cogs.valuation(period, None, None)
            if period in closes or json.loads(text)["position"] == report.position:
                break
        journal = inventory_net(text)
        valued: dict[str, Decimal] = {}
        for row in report.rows:
            change = row.amounts["closing_value"] - row.amounts["opening_value"]
            valued[str(row.location)] = valued.get(str(row.location), Decimal(0)) + change
        for location in sorted(set(journal) | set(valued)):
            posted = journal.get(location, Decimal(0))
            value = valued.get(location, Decimal(0))
            rows.append(
                {
                    "period": period,
                    "location": location,
                    "journal": _money(posted, places),
                    "valuation": _money(value, places),
                    "difference": _money(posted - value, places),
                }
            )
    return rows
