"""The general-ledger journal of SPEC §15, as pure functions: the account map's rules and
their resolution, the declaration of which roles each movement kind posts to, and the
balanced lines of one location's entry.

A new movement kind is one row of ``KIND_LINES``. Amounts come in as the roll-forward's
signed flows (inward positive, ``domain.rollforward``); a kind whose debit role is
``inventory`` posts its flow as is, one whose credit role is ``inventory`` posts it negated,
and a kind that does not touch inventory (the cost variance) posts its amount as recorded. A
negative amount swaps the sides. Nothing here reads a clock or a store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from domain.errors import InvalidStateError, ValidationError
from domain.movements import Kind

ZERO = Decimal(0)
INVENTORY = "inventory"
ROLES = (
    "inventory",
    "grni",
    "cogs",
    "food_cost",
    "waste",
    "shrinkage",
    "cost_variance",
    "payables",
)
# The counter side of a transfer or a production: the inventory account of no location and
# no category (the map's default inventory rule), a clearing that nets to nothing over the
# period's entries (a transfer's two sides, a production's output and its ingredients, are
# recorded at once, at one value), so value moves between the inventory accounts of the
# locations and categories involved.
CLEARING = "inventory:clearing"
SUPPLIER_INVOICE = "SUPPLIER_INVOICE"

# kind → (debit role, credit role) for a positive amount.
KIND_LINES: dict[str, tuple[str, str]] = {
    Kind.RECEIVE: ("inventory", "grni"),
    Kind.SHIP: ("cogs", "inventory"),
    Kind.RETURN: ("inventory", "cogs"),
    Kind.CONSUME: ("food_cost", "inventory"),
    Kind.WASTE: ("waste", "inventory"),
    Kind.ADJUSTMENT: ("inventory", "shrinkage"),
    Kind.TRANSFER_IN: ("inventory", CLEARING),
    Kind.TRANSFER_OUT: (CLEARING, "inventory"),
    Kind.REVALUE: ("inventory", "grni"),
    Kind.VARIANCE: ("cost_variance", "grni"),
    Kind.VOID: ("inventory", "food_cost"),
    Kind.PRODUCTION_IN: ("inventory", CLEARING),
    Kind.PRODUCTION_OUT: (CLEARING, "inventory"),
    # A supplier invoice (SPEC §14) at receipt cost: its price difference went through
    # REVALUE/VARIANCE already.
    SUPPLIER_INVOICE: ("grni", "payables"),
}


@dataclass(frozen=True)
class Rule:
    role: str
    account: str
    location: str | None = None
    category: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "role": self.role,
            "account": self.account,
            "location": self.location,
            "category": self.category,
        }


def rules_of(raw: Iterable[Mapping[str, object]]) -> tuple[Rule, ...]:
    """Rules from plain data; an unknown role, an empty account code or two rules for one
    (role, location, category) are refused, naming the field."""
    out: list[Rule] = []
    seen: set[tuple[str, str | None, str | None]] = set()
    for n, item in enumerate(raw):
        role, account = item.get("role"), item.get("account")
        location, category = item.get("location") or None, item.get("category") or None
        if role not in ROLES:
            raise ValidationError(
                f"unknown role {role!r}; roles: {', '.join(ROLES)}",
                [{"field": f"rules[{n}].role"}],
            )
        if not isinstance(account, str) or not account.strip():
            raise ValidationError("account code is empty", [{"field": f"rules[{n}].account"}])
        rule = Rule(str(role), account.strip(), _text(location), _text(category))
        key = (rule.role, rule.location, rule.category)
        if key in seen:
            raise ValidationError(
                f"two rules for {rule.role} at {rule.location or 'every location'}"
                f" / {rule.category or 'every category'}",
                [{"field": f"rules[{n}]"}],
            )
        seen.add(key)
        out.append(rule)
    return tuple(sorted(out, key=lambda r: (r.role, r.location or "", r.category or "")))


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def resolve(
    rules: Sequence[Rule], role: str, location: str | None, category: str | None
) -> str | None:
    """The account of ``role``: the most specific rule wins (location and category, then
    location, then category, then the default); None when no rule applies."""
    best: tuple[int, str] | None = None
    for rule in rules:
        if rule.role != role:
            continue
        if rule.location is not None and rule.location != location:
            continue
        if rule.category is not None and rule.category != category:
            continue
        score = (2 if rule.location is not None else 0) + (1 if rule.category else 0)
        if best is None or score > best[0]:
            best = (score, rule.account)
    return None if best is None else best[1]


def gaps(rules: Sequence[Rule], locations: Iterable[str]) -> list[str]:
    """What a map leaves unresolved: each role at each location (for an item of any
    category), and the inventory clearing (a rule for inventory with neither)."""
    out = []
    for location in sorted(set(locations)):
        for role in ROLES:
            if resolve(rules, role, location, None) is None:
                out.append(f"{role} at {location}")
    if resolve(rules, INVENTORY, None, None) is None:
        out.append(
            "inventory without a location or category (the transfer and production clearing)"
        )
    return out


@dataclass(frozen=True)
class Flow:
    """What one location's movements of one kind and category sum to in a period."""

    location: str
    category: str | None
    kind: str
    amount: Decimal
    count: int


@dataclass(frozen=True)
class Line:
    account: str
    debit: Decimal
    credit: Decimal
    memo: str
    category: str | None
    kind: str
    location: str | None  # the tracking location; None on the clearing's lines
    role: str


def entry_lines(rules: Sequence[Rule], flows: Iterable[Flow]) -> list[Line]:
    """One location's lines: two per flow (its kind's roles), summed per (account, tracking
    location, category, kind) with the net on one side; zero lines left out."""
    summed: dict[tuple[str, str | None, str, str | None, str], Decimal] = {}
    counts: dict[tuple[str, str | None, str, str | None, str], int] = {}
    for flow in flows:
        debit_role, credit_role = KIND_LINES[flow.kind]
        amount = -flow.amount if credit_role == INVENTORY else flow.amount
        for role, sign in ((debit_role, 1), (credit_role, -1)):
            account, tracked = _account(rules, role, flow)
            key = (account, tracked, flow.kind, flow.category, role)
            summed[key] = summed.get(key, ZERO) + sign * amount
            counts[key] = counts.get(key, 0) + flow.count
    lines = []
    order = {kind: n for n, kind in enumerate(KIND_LINES)}
    for key in sorted(
        summed, key=lambda k: (order.get(k[2], 99), k[2], k[3] or "", k[1] is None, k[0])
    ):
        net = summed[key]
        if net == 0:
            continue
        account, tracked, kind, category, role = key
        count = counts[key]
        noun = "invoice" if kind == SUPPLIER_INVOICE else "movement"
        memo = f"{kind} {category or 'uncategorised'}: {count} {noun}{'s' if count != 1 else ''}"
        debit, credit = (net, ZERO) if net > 0 else (ZERO, -net)
        lines.append(Line(account, debit, credit, memo, category, kind, tracked, role))
    return lines


def _account(rules: Sequence[Rule], role: str, flow: Flow) -> tuple[str, str | None]:
    """The account a flow posts ``role`` to and the line's tracking location."""
    if role == CLEARING:
        account = resolve(rules, INVENTORY, None, None)
        tracked = None
    else:
        account = resolve(rules, role, flow.location, flow.category)
        tracked = flow.location
    if account is None:
        raise InvalidStateError(
            f"the account map does not resolve {role} at {flow.location}: "
            "add a rule for it with PUT /api/accounts/map",
            [{"field": "rules", "gap": f"{role} at {flow.location}"}],
        )
    return account, tracked


def balanced(lines: Iterable[Line]) -> bool:
    items = list(lines)
    return sum((x.debit for x in items), ZERO) == sum((x.credit for x in items), ZERO)
