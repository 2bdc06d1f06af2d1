"""The reference beancount checker, run on an export (what ``bean-check`` runs)."""

from __future__ import annotations

from beancount import loader


def bean_errors(text: str) -> list[str]:
    """The checker's errors on ``text`` (empty when it accepts it)."""
    _, errors, _ = loader.load_string(text)
    return [str(error.message) for error in errors]
