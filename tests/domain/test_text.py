"""The text rule (domain.text) and the aggregates that apply it behind the API (issue 27)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.errors import ValidationError
from domain.item import Item, ItemSpec, Location
from domain.quote import Quote
from domain.recipe import Ingredient, RecipeSpec
from domain.stock_item import StockItem
from domain.text import check_text, text_problem
from tests.domain.helpers import AT, PLACES, src, stocked


@pytest.mark.parametrize("text", ["", "plain", "tab\there", "two\nlines", "crlf\r\nend", "ünï ✓"])
def test_a_note_may_hold_tabs_and_line_breaks(text: str) -> None:
    assert text_problem(text) is None


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("a\x00b", "must not contain U+0000 (NUL) (character 2)"),
        ("\x1b[2J", "must not contain U+001B (a control character) (character 1)"),
        ("del\x7f", "must not contain U+007F (DEL) (character 4)"),
        ("x\ud800", "must not contain U+D800 (a lone surrogate) (character 2)"),
        ("\x0b", "must not contain U+000B (a control character) (character 1)"),
    ],
)
def test_a_note_may_not_hold_other_controls_del_or_lone_surrogates(text: str, says: str) -> None:
    assert text_problem(text) == says


@pytest.mark.parametrize("char", ["\t", "\n", "\r"])
def test_a_name_holds_no_control_character_at_all(char: str) -> None:
    assert text_problem(f"a{char}b", multiline=False) is not None
    assert text_problem(f"a{char}b") is None


def test_check_text_names_the_field() -> None:
    with pytest.raises(ValidationError) as refused:
        check_text("x\x00", "lines[0].note")
    assert refused.value.errors == [{"field": "lines[0].note"}]
    assert str(refused.value) == "lines[0].note must not contain U+0000 (NUL) (character 2)"
    check_text(None, "note")


def test_the_aggregates_refuse_such_text_behind_the_api() -> None:
    item: StockItem = stocked("5", "2")
    with pytest.raises(ValidationError, match="note must not contain U\\+0000"):
        item.consume(Decimal(1), src(doc_type="consumption", note="x\x00"), AT, PLACES)
    with pytest.raises(ValidationError, match="note must not contain"):
        item.waste(Decimal(1), src(doc_type="waste", note="spilt\x1b"), AT, PLACES)
    with pytest.raises(ValidationError, match="name must not contain"):
        Item.register("A", ItemSpec("Pils\x00", "each"), "admin")
    with pytest.raises(ValidationError, match="category must not contain"):
        Item.register("A", ItemSpec("Pils", "each", category="beer\n"), "admin")
    with pytest.raises(ValidationError, match="name must not contain"):
        Location.declare("bar", "Bar\x00", None, "admin")
    with pytest.raises(ValidationError, match="name must not contain"):
        RecipeSpec("Burger\x07", (Ingredient("BUN", Decimal(1)),)).check()
    line = {"sku": "A", "quantity": Decimal(1), "unit_price": Decimal(1)}
    with pytest.raises(ValidationError, match="customer must not contain"):
        Quote.draft("q-1", "ACME\x00", "main", [line], "alice", "f" * 64)
