"""The documents and catalogue entries the console posts, one ``Spec`` each: the API's body
model and command (``Ledger.execute``) or put, the fields labelled as the API names them.
Count sheets, productions and sales' voids have pages of their own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from api.routing import command_of
from api.schemas import (
    AdjustmentCreate,
    ConsumptionCreate,
    ReceiptCreate,
    TransferCreate,
    WasteCreate,
)
from api.schemas.catalogue import ItemPut, LocationPut
from api.schemas.common import movement_body
from api.schemas.recipes import RecipePut, SaleCreate
from application.commands import (
    Command,
    PostAdjustment,
    PostConsumption,
    PostReceipt,
    PostSale,
    PostTransfer,
    PostWaste,
)
from console.forms import Field, Group, Outcome, Runner, Spec
from domain.access import Role

if TYPE_CHECKING:
    from application.ledger import Ledger

Fields = tuple[Field, ...]

SKU = Field("sku", "SKU", "sku", True)
LOCATION = Field("location", "Location", "location", True)
QUANTITY = Field("quantity", "Quantity", "decimal", True)
UNIT = Field("unit", "Unit", "unit")
COST = Field("unit_cost", "Unit cost", "decimal")
NOTE = Field("note", "Note", "note")
REQUIRED_NOTE = Field("note", "Note", "note", True)
LINES = Group("lines", "Lines", "Line", (SKU, QUANTITY, UNIT))
KINDS = ("", "warehouse", "store", "kitchen", "bar", "van")
# A receipt against a purchase order (SPEC §14) once the API's receipt takes a po_id: its
# lines may then leave the unit cost to the order.
PO = (Field("po_id", "PO id"),) if "po_id" in ReceiptCreate.model_fields else ()


def posting(kind: type[Command]) -> Runner:
    """Runs the API's command of the validated body on the ledger's posting path."""

    def run(ledger: Ledger, body: BaseModel, path: dict[str, str], user: str) -> Outcome:
        result = ledger.execute(command_of(kind, body, **path), user=user)
        movements = [movement_body(m) for m in result.movements]
        title = f"{result.document_type.capitalize()} {result.document_id}"
        title += " recorded" if result.created else " was already recorded (nothing new)"
        links = [(f"/journal?document={result.document_id}", "In the journal")]
        return Outcome(title, movements, links, not result.created)

    return run


def put_item(ledger: Ledger, body: Any, path: dict[str, str], user: str) -> Outcome:
    item, saved = ledger.put_item(path["sku"], body.spec(), user=user)
    state = "created" if saved.created else "saved"
    return Outcome(
        f"Item {path['sku']} ({item.spec.name}) {state}, version {saved.version}",
        links=[(f"/catalogue?search={path['sku']}", "In the catalogue")],
    )


def put_location(ledger: Ledger, body: Any, path: dict[str, str], user: str) -> Outcome:
    place, saved = ledger.put_location(path["code"], body.name, body.kind, user=user)
    state = "declared" if saved.created else "saved"
    return Outcome(
        f"Location {path['code']} ({place.name}) {state}",
        links=[("/catalogue", "In the catalogue")],
    )


def put_recipe(ledger: Ledger, body: Any, path: dict[str, str], user: str) -> Outcome:
    recipe, _, new = ledger.put_recipe(path["menu_item"], body.spec(), user=user)
    state = f"saved as version {recipe.version}" if new else "unchanged"
    return Outcome(f"Recipe {path['menu_item']} ({recipe.spec.name}) {state}")


RECEIPT_LINES = Group(
    "lines", "Lines", "Line", (*LINES.fields, Field("unit_cost", "Unit cost", "decimal", not PO))
)
SALE_LINES = Group(
    "lines",
    "Lines",
    "Line",
    (
        Field("menu_item", "Menu item", "menu_item", True),
        QUANTITY,
        Field("unit_price", "Unit price", "decimal", True),
        Field("unmapped", "Unmapped (no recipe: revenue only)", "check"),
    ),
)
FROM = Field("from_location", "From location", "location", True)
TO = Field("to_location", "To location", "location", True)

# A clerk's documents, one row each: slug, the API's body and command, the prefix of the
# proposed id (the first field, ``<slug>_id``), the fields after it, its lines and whether
# the form is made for a phone.
DOCUMENTS: tuple[tuple[str, type[BaseModel], type[Command], str, Fields, Group, bool], ...] = (
    ("receipt", ReceiptCreate, PostReceipt, "R", (LOCATION, *PO, NOTE), RECEIPT_LINES, True),
    ("transfer", TransferCreate, PostTransfer, "T", (FROM, TO, NOTE), LINES, True),
    ("waste", WasteCreate, PostWaste, "W", (LOCATION, REQUIRED_NOTE), LINES, True),
    ("consumption", ConsumptionCreate, PostConsumption, "C", (LOCATION, NOTE), LINES, False),
    ("sale", SaleCreate, PostSale, "S", (LOCATION, NOTE), SALE_LINES, False),
)
# Every document form's title and the sentence under it.
WORDS = {
    "receipt": ("Receive stock", "Goods in from a supplier: one line per SKU, at its unit cost."),
    "transfer": ("Transfer stock", "Move stock and its value from one location to another."),
    "waste": ("Record waste", "Spoiled or broken stock written off; the note says why."),
    "consumption": ("Record consumption", "Stock used in production or service, outside recipes."),
    "sale": (
        "Manual ticket",
        "A sale typed in by hand: each line a menu item, consumed by its recipe.",
    ),
    "adjustment": (
        "Adjust a position",
        "A signed correction of one SKU at one location, with the reason.",
    ),
}


def _document(
    slug: str,
    body: type[BaseModel],
    kind: type[Command],
    prefix: str,
    fields: Fields,
    groups: tuple[Group, ...],
    role: Role = Role.CLERK,
    **more: Any,
) -> Spec:
    """A document's form: its id first (``<slug>_id``, proposed as ``<prefix>-…``), then
    ``fields``; posted as the API's ``kind`` on the ledger's path."""
    id_field = f"{slug}_id"
    title, intro = WORDS[slug]
    return Spec(
        slug,
        title,
        intro,
        role,
        (Field(id_field, f"{slug.capitalize()} id", required=True), *fields),
        groups,
        body,
        posting(kind),
        id_field=id_field,
        id_prefix=prefix,
        **more,
    )


SPECS = (
    *(
        _document(slug, body, kind, prefix, fields, (lines,), phone=phone)
        for slug, body, kind, prefix, fields, lines, phone in DOCUMENTS
    ),
    _document(
        "adjustment",
        AdjustmentCreate,
        PostAdjustment,
        "A",
        (SKU, LOCATION, Field("quantity", "Quantity", "signed", True), UNIT, COST, REQUIRED_NOTE),
        (),
        Role.ADMIN,
        path=("sku", "location"),
    ),
    Spec(
        "item",
        "Item",
        "An item of the catalogue: its name, base unit, pack units and reorder points. "
        "Saving an existing SKU changes it.",
        Role.ADMIN,
        (
            SKU,
            Field("name", "Name", required=True),
            Field("base_unit", "Base unit", "unit", True),
            Field("category", "Category"),
            Field("barcode", "Barcode"),
        ),
        (
            Group(
                "units",
                "Pack units",
                "Pack unit",
                (Field("unit", "Unit", "unit", True), Field("factor", "Factor", "decimal", True)),
                required=False,
            ),
            Group(
                "reorder",
                "Reorder points",
                "Reorder point",
                (
                    LOCATION,
                    Field("reorder_point", "Reorder point", "decimal", True),
                    Field("reorder_qty", "Reorder quantity", "decimal", True),
                ),
                required=False,
            ),
        ),
        ItemPut,
        put_item,
        path=("sku",),
    ),
    Spec(
        "location",
        "Location",
        "Declare a location or rename it.",
        Role.ADMIN,
        (
            Field("code", "Code", "location", True),
            Field("name", "Name", required=True),
            Field("kind", "Kind", "select", choices=KINDS),
        ),
        (),
        LocationPut,
        put_location,
        path=("code",),
    ),
    Spec(
        "recipe",
        "Recipe",
        "A menu item's recipe: what one portion consumes. Each change is a new version.",
        Role.ADMIN,
        (Field("menu_item", "Menu item", "menu_item", True), Field("name", "Name", required=True)),
        (LINES,),
        RecipePut,
        put_recipe,
        path=("menu_item",),
    ),
)
BY_SLUG = {spec.slug: spec for spec in SPECS}
