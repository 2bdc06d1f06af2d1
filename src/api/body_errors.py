"""A request body that is not JSON, in words (issue 35.2): sent without
``Content-Type: application/json`` it is a 415 naming the type expected; malformed JSON is
a 400 naming the line and column. api.problems answers with what ``unreadable`` gives."""

from __future__ import annotations

from typing import Any

from fastapi.exceptions import RequestValidationError

Unreadable = tuple[int, str, str, str, list[dict[str, Any]]]


def unreadable(content_type: str | None, exc: RequestValidationError) -> Unreadable | None:
    """(status, code, title, detail, errors) of a body that could not be read as JSON; None
    for a JSON body whose fields are wrong (those are the 422s)."""
    for error in exc.errors():
        if error.get("type") == "json_invalid":
            return _malformed(exc.body, error)
        if error.get("loc") == ("body",) and isinstance(error.get("input"), bytes | str):
            sent = content_type or "no Content-Type"
            detail = (
                "the body must be JSON sent with Content-Type: application/json "
                f"(this request sent {sent})"
            )
            where = [{"field": "Content-Type", "in": "header", "expected": "application/json"}]
            return 415, "unsupported_media_type", "Unsupported media type", detail, where
    return None


def _malformed(doc: Any, error: dict[str, Any]) -> Unreadable:
    loc = error.get("loc", ())
    pos = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else 0
    text = doc if isinstance(doc, str) else ""
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    why = str(error.get("ctx", {}).get("error", "")).split(" at line ")[0].split(": line ")[0]
    why = why or "invalid JSON"
    if pos == 0 and not why.startswith("Expecting"):  # the text as a whole: no place
        return (
            400,
            "malformed_json",
            "Malformed JSON",
            f"the body is not valid JSON: {why}",
            [{"field": "body", "message": why}],
        )
    detail = f"the body is not valid JSON: {why} at line {line} column {column}"
    where = [{"field": "body", "line": line, "column": column, "message": why}]
    return 400, "malformed_json", "Malformed JSON", detail, where
