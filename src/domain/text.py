"""Text the ledger may hold (issue 27): the one rule for every free-text field.

A note may span lines: it may hold TAB, LF and CR (a note pasted from Windows ends its lines
with CRLF). A name — of an item, a category, a barcode, a location, a quote's customer, a
recipe — is one line: it holds no control character at all. Neither may hold

- any other C0 control character (U+0000–U+001F): U+0000 cannot be stored by PostgreSQL at
  all (one NUL in a note used to stop a read model for good), and the others are invisible
  in every screen and report that shows the text, and rewrite terminals that print it;
- DEL (U+007F), for the same reason;
- a lone surrogate (U+D800–U+DFFF): not a character, and no UTF-8 encoder writes it.

Pure: the API's request types (``api.schemas.common``), the domain's checks and the CLI
all ask ``text_problem`` or ``check_text``.
"""

from __future__ import annotations

import re

from domain.errors import ValidationError

__all__ = ["MAX_TEXT", "check_name", "check_text", "describe", "text_problem"]

# The longest name (of an item, a location, a recipe, a supplier…).
MAX_TEXT = 200

# What a note may not hold: C0 but TAB, LF and CR; DEL; lone surrogates.
_NOT_IN_NOTES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# What a name may not hold: every C0 control character; DEL; lone surrogates.
_NOT_IN_NAMES = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")

_NAMES = {0x00: "NUL", 0x09: "TAB", 0x0A: "line feed", 0x0D: "carriage return", 0x7F: "DEL"}


def describe(char: str) -> str:
    """What a refused character is, for a message: ``U+0000 (NUL)``."""
    code = ord(char)
    surrogate = 0xD800 <= code <= 0xDFFF
    what = "a lone surrogate" if surrogate else _NAMES.get(code, "a control character")
    return f"U+{code:04X} ({what})"


def text_problem(value: str, *, multiline: bool = True) -> str | None:
    """Why ``value`` may not be stored (None: it may). ``multiline``: a note, which may hold
    TAB, LF and CR; otherwise a one-line name."""
    found = (_NOT_IN_NOTES if multiline else _NOT_IN_NAMES).search(value)
    if found is None:
        return None
    where = found.start() + 1
    return f"must not contain {describe(found.group())} (character {where})"


def check_text(value: str | None, field: str, *, multiline: bool = True) -> None:
    """Refuses a ``value`` ``text_problem`` finds fault with, naming ``field``."""
    if value is None:
        return
    problem = text_problem(value, multiline=multiline)
    if problem is not None:
        raise ValidationError(f"{field} {problem}", [{"field": field}])


def check_name(name: str) -> None:
    """Refuses a blank ``name``, one over MAX_TEXT characters and one ``check_text`` refuses
    (one line, no control character)."""
    if not name.strip() or len(name) > MAX_TEXT:
        raise ValidationError(f"name must be 1–{MAX_TEXT} characters", [{"field": "name"}])
    check_text(name, "name", multiline=False)
