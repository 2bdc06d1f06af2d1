"""Admin adjustments of one position (its path sits with the stock it changes)."""

from __future__ import annotations

from api.command_route import Commands
from api.params import Location, Sku
from api.schemas import AdjustmentCreate
from application.commands import PostAdjustment
from domain.access import Role

ADJUST = "Adjust a position by a signed quantity, with a note (admin)"
REPEAT = "Repeat of a posted adjustment: the original result"

commands = Commands("stock", Role.ADMIN, REPEAT)
PATH = "/stock/{sku}/{location}/adjust"
commands.add(
    PATH, AdjustmentCreate, PostAdjustment, ADJUST, 409, name="adjust", sku=Sku, location=Location
)
