"""A sale in depth (SPEC §17): its void, the sale as it stands, what sales owe."""

from __future__ import annotations

from typing import Any

from api.command_route import Commands
from api.dependencies import FreshReadModels, LedgerDep
from api.params import CodeFilter, code
from api.route_table import Routes
from api.schemas.tickets import OwedReportPublic, SalePublic, VoidCreate, owed_body, sale_body
from application.commands import VoidSale
from application.sale_view import sale_state
from domain.access import Role

router = Routes("/api", "sales")

SaleId = code("S-1")

VOID = "Void a sale or some of its lines: VOID takes back exactly what they consumed"

commands = Commands("sales", Role.CLERK, "Same void again: nothing recorded")
commands.add("/sales/{sale_id}/void", VoidCreate, VoidSale, VOID, 404, 409, sale_id=SaleId)


@router.read("/sales/{sale_id}", SalePublic, 404, 503)
def get_sale(ledger: LedgerDep, read_models: FreshReadModels, sale_id: str = SaleId) -> Any:
    """A sale: its lines, revenue, movements, what it still owes, its voids"""
    return sale_body(sale_state(ledger, sale_id))


@router.read("/reports/owed", OwedReportPublic, 503)
def owed_report(read_models: FreshReadModels, location: CodeFilter = None) -> Any:
    """What sales owe each position, and the sales owing it (SPEC §17)"""
    return owed_body(*read_models.stock.owed(location))
