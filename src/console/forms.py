"""Document forms: what a form is (its fields, named as the API's body fields, and its line
groups), reading a posted form into the API's body, and placing every refusal next to the
field it names.

A form posts through the API's own request model (validated with pydantic, as the API
validates it) and then the ledger's own path (``Spec.run``: ``Ledger.execute`` with the
API's command, or the catalogue's puts), so no business rule lives in the console. Field
names are the API's paths (``location``, ``lines[2].quantity``): the errors of a
problem+json answer (``errors[].field``) and of the ledger (``field``, ``line``, ``sku``)
land on the input of the same name.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from api.problems import field_name
from api.schemas import CODE_PATTERN
from domain.access import Role
from domain.errors import ValidationError

if TYPE_CHECKING:
    from application.ledger import Ledger

LINE_FIELD = re.compile(r"^(?P<group>[a-z_]+)\[(?P<index>\d{1,4})\]\.(?P<field>[a-z_]+)$")
MAX_ROWS = 500  # rows of one group a form may carry


@dataclass(frozen=True)
class Field:
    """One input: ``name`` is the API's field, ``label`` its words; ``kind`` picks the
    control (text, sku, location, decimal, note, select, check)."""

    name: str
    label: str
    kind: str = "text"
    required: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Group:
    """Repeated lines (``lines``, ``units``, ``reorder``): each row one object of the
    API's list."""

    name: str
    label: str
    row_label: str
    fields: tuple[Field, ...]
    required: bool = True


@dataclass(frozen=True)
class Outcome:
    """What a post recorded: a sentence, the movements (API Movement bodies), links."""

    title: str
    movements: list[dict[str, Any]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    repeated: bool = False


Runner = Callable[["Ledger", BaseModel, dict[str, str], str], Outcome]


@dataclass(frozen=True)
class Spec:
    """A form: where it lives (``/record/<slug>``), who may post it, its fields (those in
    ``path`` are the API's path parameters), its line groups, the API's body model and
    what runs it."""

    slug: str
    title: str
    intro: str
    role: Role
    fields: tuple[Field, ...]
    groups: tuple[Group, ...]
    body: type[BaseModel]
    run: Runner
    id_field: str | None = None
    id_prefix: str = ""
    path: tuple[str, ...] = ()
    phone: bool = False

    def new_id(self) -> str:
        """A proposed document id: prefix, minute and a random tail (kept on a retry)."""
        return f"{self.id_prefix}-{datetime.now(UTC):%Y%m%d-%H%M}-{secrets.token_hex(2)}"


@dataclass
class Posted:
    """A form as read: the raw values to show again, the body for the API model, the path
    parameters, and the errors by field name (``""``: the form as a whole)."""

    values: dict[str, str]
    rows: dict[str, list[dict[str, str]]]
    body: dict[str, Any]
    path: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)

    def refuse(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


def blank(spec: Spec, values: dict[str, str] | None = None) -> Posted:
    """An empty form (one row per required group), with a proposed document id."""
    start = dict(values or {})
    if spec.id_field and not start.get(spec.id_field):
        start[spec.id_field] = spec.new_id()
    rows: dict[str, list[dict[str, str]]] = {
        g.name: [{} for _ in range(1 if g.required else 0)] for g in spec.groups
    }
    return Posted(start, rows, {}, {})


def read(spec: Spec, form: dict[str, str]) -> Posted:
    """The posted form: its values, its rows (blank rows dropped, the others numbered in
    order) and the body the API would receive (blank inputs left out)."""
    values = {f.name: form.get(f.name, "").strip() for f in spec.fields}
    found: dict[str, dict[int, dict[str, str]]] = {g.name: {} for g in spec.groups}
    for key, value in form.items():
        match = LINE_FIELD.match(key)
        if match and match["group"] in found and len(found[match["group"]]) <= MAX_ROWS:
            found[match["group"]].setdefault(int(match["index"]), {})[match["field"]] = value
    rows = {
        name: [row for _, row in sorted(by_index.items()) if any(v.strip() for v in row.values())]
        for name, by_index in found.items()
    }
    body: dict[str, Any] = {}
    path: dict[str, str] = {}
    for f in spec.fields:
        value = values[f.name]
        if f.name in spec.path:
            path[f.name] = value
        elif f.kind == "check":
            if value:
                body[f.name] = True
        elif value:
            body[f.name] = value
    for group in spec.groups:
        known = {f.name: f for f in group.fields}
        body[group.name] = [
            {
                k: (True if known[k].kind == "check" else v.strip())
                for k, v in row.items()
                if k in known and v.strip()
            }
            for row in rows[group.name]
        ]
    return Posted(values, rows, body, path)


def check(spec: Spec, posted: Posted) -> BaseModel | None:
    """The API's body model of the form, or None with the refusals placed."""
    for name in spec.path:
        if not re.fullmatch(CODE_PATTERN, posted.path.get(name, "")):
            posted.refuse(name, "1–64 letters, digits, '.', '_' or '-'")
    try:
        model = spec.body.model_validate(posted.body)
    except PydanticError as exc:
        for error in exc.errors(include_url=False):
            posted.refuse(field_name(tuple(error["loc"])), str(error["msg"]))
        return None
    return None if posted.errors else model


def place(posted: Posted, errors: list[dict[str, Any]], detail: str) -> None:
    """A refusal of the ledger, on the field it names: ``field`` (with ``line``: that
    line's), else the line of its ``sku``'s quantity; the form as a whole otherwise."""
    lines = posted.rows.get("lines", [])
    placed = False
    for error in errors:
        name = error.get("field")
        line = error.get("line")
        sku = error.get("sku")
        if isinstance(line, int) and name and not str(name).startswith("lines"):
            name = f"lines[{line}].{name}"
        elif name is None and sku is not None:
            where = [i for i, row in enumerate(lines) if row.get("sku", "").strip() == sku]
            name = f"lines[{where[0]}].quantity" if where else None
        elif sku is not None and name and "[" not in str(name) and lines:
            where = [i for i, row in enumerate(lines) if row.get("sku", "").strip() == sku]
            name = f"lines[{where[0]}].{name}" if where else name
        if name:
            posted.refuse(str(name), detail)
            placed = True
    if not placed:
        posted.refuse("", detail)


def number(form: dict[str, str], name: str) -> Decimal | None:
    """A posted decimal input: None when blank, refused naming ``name`` when not a number."""
    text = form.get(name, "").strip()
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"{name} must be a number", [{"field": name}]) from None


def control_id(name: str) -> str:
    """``lines[2].quantity`` → ``lines-2-quantity`` (an HTML id)."""
    return re.sub(r"[\[\].]+", "-", name).strip("-")
