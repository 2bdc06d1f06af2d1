"""Recording: a form for every document a role may post and every catalogue entry an
admin may put (``console.form_specs``), at ``/record/<form>``.

A form proposes a document id and keeps it when the answer is a refusal, so posting again
(or a double click) records the document once: the ledger answers a repeat with the
original result. A refusal comes back as the form with each message beside the field it
names; a recorded document as its movements, each linked to its item's history.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from api.problems import lookup
from application.errors import ApplicationError
from console.form_specs import BY_SLUG, SPECS
from console.forms import Outcome, Posted, Spec, blank, check, control_id, place, read
from console.session import Form, Viewer
from console.web import ConsoleRoute, NavEntry, Refused, Visitor, ledger_of, read_models, render
from domain.access import Role
from domain.errors import DomainError

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
NAV = NavEntry("Record", "/record", Role.CLERK)
SUGGESTIONS = 1000  # items offered as a SKU is typed
Slug = Path(pattern=r"^[a-z_]{1,32}$")


def _spec(slug: str, who: Visitor) -> Spec:
    spec = BY_SLUG.get(slug)
    if spec is None:
        raise Refused(f"there is no form {slug}")
    if not who.may(spec.role):
        raise Refused(f"role {who.role} may not do this; it needs {spec.role}")
    return spec


def _suggestions(request: Request) -> dict[str, Any]:
    """The catalogue's items and locations, offered as the SKU and location fields are
    typed (a datalist: the browser filters as the user types)."""
    catalogue = read_models(request).catalogue
    items = catalogue.search(None, None, SUGGESTIONS, None).items
    locations, _ = catalogue.all_locations()
    units = sorted({i.base_unit for i in items} | {u["unit"] for i in items for u in i.units})
    return {"items": items, "locations": locations, "units": units}


def _page(
    request: Request,
    who: Visitor,
    spec: Spec,
    posted: Posted,
    outcome: Outcome | None = None,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        who,
        "record_form.html",
        status,
        spec=spec,
        posted=posted,
        outcome=outcome,
        control_id=control_id,
        **_suggestions(request),
    )


@router.get("/record")
def record_index(request: Request, who: Viewer) -> HTMLResponse:
    forms = [spec for spec in SPECS if who.may(spec.role)]
    return render(request, who, "record.html", forms=forms)


def _prefill(request: Request, spec: Spec) -> dict[str, str] | None:
    """An existing item's fields, when the item form is opened for one (``?sku=``)."""
    sku = request.query_params.get("sku", "")
    if spec.slug != "item" or not sku:
        return None
    row = read_models(request).catalogue.item(sku)
    if row is None:
        return {"sku": sku}
    values = {k: str(getattr(row, k) or "") for k in ("sku", "name", "base_unit", "category")}
    return {**values, "barcode": row.barcode or ""}


@router.get("/record/{slug}")
def record_form(request: Request, who: Viewer, slug: str = Slug) -> HTMLResponse:
    spec = _spec(slug, who)
    values = dict(request.query_params) if spec.slug != "item" else _prefill(request, spec)
    posted = blank(spec, {k: v for k, v in (values or {}).items() if isinstance(v, str)})
    if spec.slug == "item" and values and len(values) > 1:
        row = read_models(request).catalogue.item(values["sku"])
        if row is not None:
            posted.rows["units"] = [{k: str(v) for k, v in u.items()} for u in row.units]
            posted.rows["reorder"] = [{k: str(v) for k, v in r.items()} for r in row.reorder]
    return _page(request, who, spec, posted)


@router.post("/record/{slug}")
def record_post(request: Request, who: Viewer, form: Form, slug: str = Slug) -> HTMLResponse:
    """Validates the form as the API validates its body, runs it on the ledger's path, and
    answers the movements recorded, or the form again with the refusals in place."""
    spec = _spec(slug, who)
    posted = read(spec, form)
    model = check(spec, posted)
    if model is None:
        return _page(request, who, spec, posted, status=422)
    try:
        outcome = spec.run(ledger_of(request), model, posted.path, who.user)
    except (DomainError, ApplicationError) as exc:
        place(posted, list(getattr(exc, "errors", []) or []), str(exc))
        return _page(request, who, spec, posted, status=lookup(type(exc)).status)
    if spec.id_field is None:  # a catalogue entry: the form as saved
        return _page(request, who, spec, posted, outcome)
    kept = ("location", "from_location", "to_location")
    fresh = blank(spec, {k: posted.values[k] for k in kept if posted.values.get(k)})
    return _page(request, who, spec, fresh, outcome, status=201 if not outcome.repeated else 200)
