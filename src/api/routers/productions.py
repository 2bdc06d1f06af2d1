"""Productions (SPEC §16): a prep recipe's batches made, posted like any document (201,
then 200 with the original result on a repeat)."""

from __future__ import annotations

from api.command_route import Commands
from api.routers.documents import REPEAT
from api.schemas.productions import ProductionCreate
from application.commands import PostProduction
from domain.access import Role

PRODUCE = "Post a production: PRODUCTION_OUT per ingredient, PRODUCTION_IN of the output"

commands = Commands("productions", Role.CLERK, REPEAT)
commands.add("/productions", ProductionCreate, PostProduction, PRODUCE, 409)
