"""Item and Location: the catalogue's master data (SPEC §8).

An ``Item`` (one per SKU) names the SKU's base unit — the unit every ledger quantity of the
SKU is counted in — its pack units (a name and an exact factor in base units) and, per
location, a reorder point and quantity. Items are optional: a SKU without one moves in its
own unnamed unit. ``base_unit`` is locked once the SKU has movements; pack factors may change,
prospectively (a movement records the factor it was entered with).

A ``Location`` (one per code) gives a location a name and a kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal, localcontext
from enum import StrEnum
from typing import Any

from domain import bounds
from domain.codes import check_code
from domain.errors import InvalidStateError, UnknownUnitError, ValidationError
from domain.movements import Entered
from domain.recorded import Named, Recorded
from domain.text import MAX_TEXT, check_name, check_text
from domain.versioned import Versioned

FACTOR_PLACES = 6
MAX_UNITS = 50


def check_factor(factor: Decimal, field: str = "factor") -> None:
    """A pack factor is > 0, exact to at most 6 decimals (never stored with fewer places than
    given: a factor that needs more is refused, not rounded) and at most 10^12."""
    if not factor.is_finite() or factor <= 0:
        raise ValidationError("a factor must be > 0", [{"field": field, "message": "must be > 0"}])
    if bounds.places(factor) > FACTOR_PLACES or factor > bounds.MAX_QUANTITY:
        message = "at most 6 decimals and at most 10^12"
        raise ValidationError(f"a factor has {message}", [{"field": field, "message": message}])


class LocationKind(StrEnum):
    WAREHOUSE = "warehouse"
    STORE = "store"
    KITCHEN = "kitchen"
    BAR = "bar"
    VAN = "van"


@dataclass(frozen=True)
class PackUnit:
    unit: str
    factor: Decimal


@dataclass(frozen=True)
class Reorder:
    location: str
    reorder_point: Decimal
    reorder_qty: Decimal
    par: Decimal | None = None  # the level to order up to (SPEC §14)

    @classmethod
    def read(cls, data: dict[str, Any]) -> Reorder:
        """An entry as recorded (without ``par`` when it has none, as before par existed)."""
        par = data.get("par")
        return cls(
            data["location"],
            Decimal(data["reorder_point"]),
            Decimal(data["reorder_qty"]),
            None if par is None else Decimal(par),
        )


@dataclass(frozen=True)
class ItemSpec:
    """What an item says of its SKU; ``check`` names the first field that breaks a rule."""

    name: str
    base_unit: str
    category: str | None = None
    barcode: str | None = None
    units: tuple[PackUnit, ...] = ()
    reorder: tuple[Reorder, ...] = ()

    def check(self) -> None:
        """Refuses a blank name, a bad unit code, a factor ≤ 0 or with more than 6 places,
        a unit named twice or differing from another only in case (the base unit too),
        negative reorder figures and a location given twice."""
        check_name(self.name)
        check_code(self.base_unit, "base_unit")
        for name, text in (("category", self.category), ("barcode", self.barcode)):
            if text is not None and len(text) > MAX_TEXT:
                raise ValidationError(f"{name} is too long", [{"field": name}])
            check_text(text, name, multiline=False)
        if len(self.units) > MAX_UNITS:
            raise ValidationError("too many units", [{"field": "units"}])
        # Unit names differing only in case (``case`` and ``CASE``) are one name to a reader.
        seen = {self.base_unit.casefold(): self.base_unit}
        for index, pack in enumerate(self.units):
            field = f"units[{index}]"
            check_code(pack.unit, f"{field}.unit")
            twin = seen.get(pack.unit.casefold())
            if twin is not None:
                detail = "given twice" if twin == pack.unit else f"differs from {twin} only in case"
                raise ValidationError(f"unit {pack.unit} {detail}", [{"field": f"{field}.unit"}])
            seen[pack.unit.casefold()] = pack.unit
            check_factor(pack.factor, f"{field}.factor")
        places = set()
        for index, entry in enumerate(self.reorder):
            field = f"reorder[{index}]"
            check_code(entry.location, f"{field}.location")
            if entry.location in places:
                raise ValidationError("location given twice", [{"field": f"{field}.location"}])
            places.add(entry.location)
            bounds.check_quantity(entry.reorder_point, f"{field}.reorder_point", allow_zero=True)
            bounds.check_quantity(entry.reorder_qty, f"{field}.reorder_qty", allow_zero=True)
            if entry.par is not None:
                bounds.check_quantity(entry.par, f"{field}.par", allow_zero=True)

    def recorded(self) -> dict[str, Any]:
        """The spec as an event records it (plain values; a reorder entry without a par
        records no par, as before par existed)."""
        recorded = asdict(self)
        for entry in recorded["reorder"]:
            if entry["par"] is None:
                del entry["par"]
        return recorded

    @classmethod
    def from_recorded(cls, data: dict[str, Any]) -> ItemSpec:
        return cls(
            name=data["name"],
            base_unit=data["base_unit"],
            category=data["category"],
            barcode=data["barcode"],
            units=tuple(PackUnit(u["unit"], Decimal(u["factor"])) for u in data["units"]),
            reorder=tuple(Reorder.read(r) for r in data["reorder"]),
        )


class Item(Versioned, id_prefix="item"):
    """The catalogue entry of one SKU; every change is an attributed event."""

    TOPIC = "stockledger:Item"

    def __init__(self, sku: str, spec: dict[str, Any], user: str) -> None:
        self.sku = sku
        self.spec = ItemSpec.from_recorded(spec)

    @classmethod
    def register(cls, sku: str, spec: ItemSpec, user: str) -> Item:
        """A new item; refuses what ``ItemSpec.check`` refuses."""
        return cls.first_version(sku, spec, user)

    def define(self, spec: ItemSpec, user: str, moved: Callable[[], bool]) -> bool:
        """Records ``spec`` when it differs (True) and answers False when unchanged.
        Refuses (InvalidStateError) a new base unit once the SKU has movements."""

        def base_unit_kept() -> None:
            if spec.base_unit != self.spec.base_unit and moved():
                raise InvalidStateError(
                    f"{self.sku} has movements: its base unit stays {self.spec.base_unit}",
                    [{"field": "base_unit"}],
                )

        return self.next_version(spec, user, base_unit_kept)

    def factor(self, unit: str, field: str) -> Decimal:
        """Base units in one ``unit``; refuses an unknown unit (UnknownUnitError)."""
        factor = next((p.factor for p in self.spec.units if p.unit == unit), None)
        if factor is None:
            raise UnknownUnitError(
                f"{self.sku} has no unit {unit} (base unit {self.spec.base_unit})",
                [{"field": field}],
            )
        return factor

    def measure(self, quantity: Decimal, unit: str, field: str) -> tuple[Decimal, Entered]:
        """Base quantity of ``quantity`` ``unit``s and what was entered. Refuses an unknown
        unit (UnknownUnitError) and a base quantity that does not fit 3 decimals."""
        factor = self.factor(unit, field)
        with localcontext() as wide:
            wide.prec = 60  # nothing is rounded before the check
            base = quantity * factor
        if abs(base) > bounds.MAX_QUANTITY:
            raise ValidationError(f"{quantity} {unit} is too many", [{"field": field}])
        if bounds.places(base) > bounds.QUANTITY_PLACES:
            raise ValidationError(
                f"{quantity} {unit} is {base} {self.spec.base_unit}: more than 3 decimals",
                [{"field": field}],
            )
        # Trailing zeros of the factor are dropped: 2 × 0.750000 l is 1.5 l.
        base = base.quantize(Decimal(1).scaleb(-bounds.places(base)))
        return base, Entered(quantity, unit, factor)


class Location(Named, id_prefix="location"):
    """A declared location: its name and kind."""

    TOPIC = "stockledger:Location"

    class Created(Recorded.Created):
        code: str
        name: str
        kind: str | None
        user: str

    class Changed(Recorded.Event):
        code: str
        name: str
        kind: str | None
        user: str

        def apply(self, aggregate: Any) -> None:
            aggregate.name = self.name
            aggregate.kind = self.kind

    def __init__(self, code: str, name: str, kind: str | None, user: str) -> None:
        self.code = code
        self.name = name
        self.kind = kind

    @staticmethod
    def check(name: str, kind: str | None) -> None:
        """A name of 1–200 characters; a kind among LocationKind."""
        check_name(name)
        if kind is not None and kind not in LocationKind.__members__.values():
            raise ValidationError(f"unknown location kind {kind}", [{"field": "kind"}])

    @classmethod
    def declare(cls, code: str, name: str, kind: str | None, user: str) -> Location:
        check_code(code, "code")
        cls.check(name, kind)
        return cls(code, name, kind, user)

    def rename(self, name: str, kind: str | None, user: str) -> bool:
        """Records a new name or kind (True); False when unchanged."""
        self.check(name, kind)
        if (name, kind) == (self.name, self.kind):
            return False
        self.trigger_event(self.Changed, code=self.code, name=name, kind=kind, user=user)
        return True


ITEM_TOPICS = frozenset({Item.Created.TOPIC, Item.Changed.TOPIC})
LOCATION_TOPICS = frozenset({Location.Created.TOPIC, Location.Changed.TOPIC})
