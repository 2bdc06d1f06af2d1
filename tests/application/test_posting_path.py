"""The one posting path: the composition root's handler table, and the attempt loop every
change shares (documents, the catalogue, recipes, registers) re-running a lost race."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import pytest

from application import bootstrap, catalogue, posting, registers
from application.commands import Command
from application.errors import ConcurrencyConflictError
from application.ledger import Ledger
from application.settings import Settings
from application.work import Work
from domain.access import KeyRing
from domain.item import Item, ItemSpec
from domain.movements import DocType


def _commands(kind: type[Command]) -> set[type[Command]]:
    """The commands of the application: the leaves below ``kind`` in application's modules
    (a base such as QuoteCommand only shares fields)."""
    found = set()
    for sub in kind.__subclasses__():
        found |= _commands(sub)
        if not sub.__subclasses__() and sub.__module__.startswith("application."):
            found.add(sub)
    return found


def test_every_command_has_exactly_one_handler_in_the_composition_root() -> None:
    assert set(bootstrap.HANDLERS) == _commands(Command)
    assert all(handler.kind is kind for kind, handler in bootstrap.HANDLERS.items())
    assert Ledger.handlers is bootstrap.HANDLERS


@dataclass(frozen=True)
class PostNothing(Command):
    doc_type = DocType.ADJUSTMENT
    nothing_id: str


def test_a_handler_is_registered_by_the_root_that_collects_it_not_by_its_import() -> None:
    @posting.handles(PostNothing, documented=False)
    def nothing(command: PostNothing, work: Work) -> None:
        """Changes nothing."""

    assert PostNothing not in bootstrap.HANDLERS
    table = posting.handler_table([SimpleNamespace(nothing=nothing, unmarked=len)])
    assert list(table) == [PostNothing]
    assert table[PostNothing].run is nothing and not table[PostNothing].documented


def test_two_handlers_of_one_command_are_refused() -> None:
    @posting.handles(PostNothing)
    def first(command: PostNothing, work: Work) -> None:
        """One handler."""

    @posting.handles(PostNothing)
    def second(command: PostNothing, work: Work) -> None:
        """Another handler of the same command."""

    with pytest.raises(TypeError, match="two handlers of PostNothing"):
        posting.handler_table([SimpleNamespace(first=first), SimpleNamespace(second=second)])
    # The same handler seen twice (imported by a second module) is one handler.
    assert len(posting.handler_table([SimpleNamespace(a=first), SimpleNamespace(b=first)])) == 1


def test_an_attempt_that_keeps_losing_gives_up_with_a_concurrency_conflict() -> None:
    tries: list[int] = []

    def attempt() -> str | None:
        tries.append(1)
        return "won" if len(tries) == 3 else None

    assert posting.retrying(attempt) == "won" and len(tries) == 3
    tries.clear()
    with pytest.raises(ConcurrencyConflictError):
        posting.retrying(lambda: tries.append(1))
    assert len(tries) == posting.MAX_ATTEMPTS


def test_a_register_change_that_loses_a_race_runs_again_on_fresh_state(
    settings: Settings,
) -> None:
    with Ledger(settings) as ours, Ledger(settings) as theirs:
        seen: list[set[str]] = []

        def issue(ring: KeyRing) -> str:
            seen.append(set(ring.keys))
            if len(seen) == 1:  # another process issues a key between our read and save
                theirs.issue_key("bob", "clerk", issued_by="admin")
            ring.issue("a" * 12, "ann", "clerk", "0" * 64, "admin")
            return "issued"

        outcome, recordings = registers.change(ours, KeyRing, issue)
        assert outcome == "issued" and len(recordings) == 1
        assert len(seen) == 2 and not seen[0] and len(seen[1]) == 1
        assert {key.user for key in ours.keyring().keys.values()} == {"ann", "bob"}


def test_a_catalogue_put_that_loses_a_race_runs_again_on_fresh_state(
    settings: Settings,
) -> None:
    with Ledger(settings) as ours, Ledger(settings) as theirs:
        ours.put_item("AB-1", ItemSpec("Flour", "kg"), user="ann")
        names: list[str] = []

        def rename(item: Item) -> bool:
            names.append(item.spec.name)
            if len(names) == 1:  # another process changes the item meanwhile
                theirs.put_item("AB-1", ItemSpec("Rye flour", "kg"), user="bob")
            return item.define(ItemSpec("Spelt flour", "kg"), "ann", lambda: False)

        item_id = Item.create_id("AB-1")
        item, saved = catalogue.put(ours, Item, item_id, lambda: Item("AB-1", {}, "ann"), rename)
        assert names == ["Flour", "Rye flour"]
        assert (item.version, saved.version, saved.created) == (3, 3, False)
        assert saved.position == ours.head()
        found = theirs.get(Item, item_id)
        assert found is not None and found.spec.name == "Spelt flour"
