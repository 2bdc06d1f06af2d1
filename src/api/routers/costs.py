"""Late costs against a receipt (finance; SPEC §10): posted now, never restating history."""

from __future__ import annotations

from api.command_route import Commands
from api.params import code
from api.schemas import CostCreate, CostResultPublic
from application.commands import PostCost
from domain.access import Role

COST = "Post a landed cost or invoice difference against a receipt (finance)"
REPEAT = "Repeat of a posted cost: the original result"

commands = Commands("documents", Role.FINANCE, REPEAT, CostResultPublic)
PATH = "/receipts/{receipt_id}/costs"
commands.add(PATH, CostCreate, PostCost, COST, 404, 409, receipt_id=code("R-1"))
