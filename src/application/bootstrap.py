"""The composition root of the command side: which function handles which command.

The handler modules only mark their functions (``@handles(PostReceipt, ...)``, in
application.posting); this module collects the marks into the table the ``Ledger`` runs
commands with, as cosmicpython's ``bootstrap.py`` builds its handler table. A handler
module never imports the ledger (it sees it through application.ports), and the ledger
never imports a handler module to make it register: a new handler module is named here.
"""

from __future__ import annotations

from typing import Any

from application import (
    costs,
    count_sheets,
    documents,
    invoices,
    productions,
    purchasing,
    quotes,
    sales,
    voids,
)
from application.commands import Command
from application.posting import Handler, handler_table

HANDLER_MODULES = (
    documents,
    costs,
    quotes,
    sales,
    count_sheets,
    voids,
    productions,
    purchasing,
    invoices,
)
HANDLERS: dict[type[Command], Handler[Any]] = handler_table(HANDLER_MODULES)
