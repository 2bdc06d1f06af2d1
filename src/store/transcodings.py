"""How the ledger stores the value objects its events carry (besides UUID, Decimal, datetime).

As in the eventsourcing cargo-shipping example: one Transcoding per type, registered by
``Ledger.register_transcodings``.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import Transcoding

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
