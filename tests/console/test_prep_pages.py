"""The recipes and productions pages through the real ASGI app (SPEC §16, §17): the list
with a search, a recipe's versions and plate cost per location (the API's figures), a
production posted from the form (CSRF-checked, clerks only) showing its movements."""

from __future__ import annotations

import re
from html import unescape

from tests.api.conftest import Api
from tests.api.test_productions import PIZZA, kitchen
from tests.console.conftest import Console


def prepared(console: Console) -> None:
    api = Api(console.client, console.tokens)
    kitchen(api, location="main", prefix="PR")
    assert api.put("/api/recipes/PIZZA", {**PIZZA, "name": "Pizza"}).status_code == 201


def text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_the_recipes_page_lists_searches_and_costs_a_plate_as_the_api_does(
    console: Console,
) -> None:
    prepared(console)
    console.sign_in("viewer")
    listed = console.get("/recipes")
    assert listed.status_code == 200
    for code in ("DOUGH", "PIZZA", "SAUCE"):
        assert f'href="/recipes/{code}"' in listed.text
    found = console.get("/recipes?search=pizz").text
    assert 'href="/recipes/PIZZA"' in found and 'href="/recipes/SAUCE"' not in found
    page = console.get("/recipes/PIZZA?price=11")
    assert page.status_code == 200
    assert 'href="/recipes/PIZZA?version=1"' in page.text and 'aria-current="page">2<' in page.text
    api = console.api("/api/recipes/PIZZA/cost?location=main&price=11").json()
    shown = text(page.text)
    assert f"At main: {api['cost']}" in shown and f"food cost {api['food_cost_pct']} %" in shown
    old = console.get("/recipes/PIZZA?version=1")
    assert "Pizza margherita" in old.text
    assert console.get("/recipes/PIZZA?price=abc").status_code == 422


def test_a_clerk_posts_a_production_from_the_form_and_sees_its_movements(
    console: Console,
) -> None:
    prepared(console)
    console.sign_in("viewer")
    assert 'id="production-form"' not in console.get("/productions").text
    console.sign_in("clerk")
    form = console.get("/productions?recipe=SAUCE")
    assert '<option value="SAUCE" selected>' in form.text
    data = {"production_id": "P-9", "recipe": "SAUCE", "location": "main", "batches": "2"}
    assert console.post("/productions", data, csrf=False).status_code == 403
    posted = console.post("/productions", {**data, "actual_quantity": "3.9", "note": "Monday"})
    assert posted.status_code == 201, posted.text[-500:]
    shown = text(posted.text)
    assert "Production P-9 recorded" in shown
    assert "PRODUCTION_OUT" in shown and "PRODUCTION_IN" in shown and "14.61" in shown
    again = console.post("/productions", {**data, "actual_quantity": "3.9", "note": "Monday"})
    assert again.status_code == 200 and "already recorded" in again.text
    short = console.post("/productions", {**data, "production_id": "P-10", "batches": "90"})
    assert short.status_code == 409
    assert "TOMATO" in short.text and "OIL" in short.text
