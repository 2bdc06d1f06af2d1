"""A ledger that already holds text a backend cannot store as it is — U+0000, recorded before
the edge refused it (issue 27) — projects, rebuilds and verifies on both backends, and every
read model gives the text back exactly as recorded."""

from __future__ import annotations

import sys
from decimal import Decimal

import pytest

from application.commands import PostReceipt, ReceiptLine
from application.ledger import Ledger
from domain.item import ItemSpec
from projections.dialects import MARK, escape_text, unescape_text
from projections.registry import entry
from projections.service import ReadModels

# NUL, a backslash before a zero (what the escape writes for NUL), and the escape's mark.
NOTE = "bad\x00note \\0 and \\\\ done"
NAME = "Pils\x00 0.33"
MARKED = f"{MARK}starts with the mark\\"


@pytest.fixture
def unchecked(monkeypatch: pytest.MonkeyPatch) -> None:
    """The ledger as it was before issue 27: the domain lets any text through."""
    for name, module in list(sys.modules.items()):
        if name.startswith("domain.") and hasattr(module, "check_text"):
            monkeypatch.setattr(module, "check_text", lambda *args, **kwargs: None)


@pytest.mark.parametrize(
    "text",
    ["", "plain", "a\x00b", "\x00", "\\0", "\\", "\\\\0\x00", MARK, MARKED, f"x{MARK}"],
)
def test_the_escape_reads_back_every_text_as_written(text: str) -> None:
    stored = escape_text(text)
    assert "\x00" not in stored
    assert unescape_text(stored) == text
    assert unescape_text(escape_text(text, nul=False)) == text
    if "\x00" not in text and not text.startswith(MARK):
        assert stored == text  # nearly every text is stored as it is


def _record(ledger: Ledger) -> int:
    ledger.put_item("AB-001", ItemSpec(NAME, "each", category=MARKED), user="u")
    ledger.put_location("main", f"Main\x00{MARK}", None, user="u")
    result = ledger.execute(
        PostReceipt("R-1", "main", [ReceiptLine("AB-001", Decimal(3), Decimal(2))], note=NOTE),
        user="u",
    )
    ledger.execute(
        PostReceipt("R-2", "main", [ReceiptLine("AB-001", Decimal(1), Decimal(2))], note=MARKED),
        user="u",
    )
    return result.position


def _read_back(models: ReadModels) -> None:
    page = models.movements.history("AB-001", "main", None, None, None, 100, None)
    assert [m.note for m in page.items] == [NOTE, MARKED]
    item = models.catalogue.item("AB-001")
    assert item is not None
    assert (item.name, item.category) == (NAME, MARKED)
    locations, _ = models.catalogue.all_locations()
    assert [(row.code, row.name) for row in locations] == [("main", f"Main\x00{MARK}")]
    assert models.stock.balance("AB-001", "main").on_hand == Decimal(4)


def test_a_nul_already_in_the_ledger_projects_rebuilds_and_reads_back_identical(
    unchecked: None, ledger: Ledger, models: ReadModels
) -> None:
    first = _record(ledger)
    models.start()
    assert models.wait_for(ledger.head(), timeout=30)
    assert {s["state"] for s in models.status()} == {"live"}
    _read_back(models)
    report = models.verify()
    assert report.ok, report.problems
    # As stored: escaped where the backend cannot hold it, as it is where it can.
    projection = models.projections["movements"]
    with models.db.session() as session:
        current = entry(session, "movements")
        assert current is not None
        table = projection.table(current.generation)
        (stored,) = session.execute(f"SELECT note FROM {table} WHERE position <= ?", (first,))[0]
    assert stored == (escape_text(NOTE) if ledger.is_postgres else NOTE)
    models.stop()
    models.rebuild("all")
    _read_back(models)
    assert models.verify().ok
