"""How the ledger stores the value objects its events carry (besides UUID, Decimal, datetime).

As in the eventsourcing cargo-shipping example: one Transcoding per type, all of them in
``TRANSCODINGS``, registered by ``Ledger.register_transcodings``. The registers' typed state
(``PeriodClose``, ``ApiKey``) is stored as the object of its fields, so a register can be
snapshotted and read back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from eventsourcing.persistence import Transcoding

from domain.access import ApiKey, Role
from domain.books import PeriodClose
from domain.documents import DocumentDetails


class DocumentDetailsAsDict(Transcoding):
    """A Document's details as the object of its set fields — the form details had when
    they were a plain dict, so old and new records read back alike."""

    type = DocumentDetails
    name = "document_details"

    def encode(self, obj: DocumentDetails) -> dict[str, Any]:
        return obj.as_dict()

    def decode(self, data: dict[str, Any]) -> DocumentDetails:
        return DocumentDetails(**data)


class FieldsAsDict(Transcoding):
    """A frozen dataclass as the object of its fields, stored under ``name``; ``read``
    builds it back from them (by default the class itself, from the fields by name)."""

    def __init__(
        self, kind: type[Any], name: str, read: Callable[[dict[str, Any]], Any] | None = None
    ) -> None:
        self.type = kind
        self.name = name
        self._read = read or (lambda data: kind(**data))

    def encode(self, obj: Any) -> dict[str, Any]:
        return asdict(obj)

    def decode(self, data: dict[str, Any]) -> Any:
        return self._read(data)


TRANSCODINGS: tuple[Transcoding, ...] = (
    DocumentDetailsAsDict(),
    FieldsAsDict(PeriodClose, "period_close"),
    FieldsAsDict(ApiKey, "api_key", lambda data: ApiKey(**{**data, "role": Role(data["role"])})),
)
