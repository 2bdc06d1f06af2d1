"""Schemathesis against the real app: no 5xx, every response conforms to the OpenAPI
document, and a refused request leaves no event behind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.main import create_app
from application.commands import ReceiptLine
from application.settings import Settings

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    """The app on a SQLite store with some stock, started once for every operation."""
    data_dir = Path(tmp_path_factory.mktemp("fuzz")) / "var"
    app = create_app(Settings(database_url=None, data_dir=data_dir))
    ledger = app.state.ledger
    from decimal import Decimal

    ledger.post_receipt(
        "R-seed", "main", [ReceiptLine("AB-001", Decimal(50), Decimal(3))], user="seed"
    )
    _, token = ledger.issue_key("fuzzer", "admin", issued_by="test")
    with TestClient(app):
        yield app, token


def test_fuzzed_requests_get_no_5xx_conform_and_record_nothing_when_refused(
    fuzzed: tuple[Any, str],
) -> None:
    app, token = fuzzed
    ledger = app.state.ledger
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = {"Authorization": f"Bearer {token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    statuses: list[int] = []

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def fuzz(case: Any) -> None:
            before = ledger.head()
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            statuses.append(response.status_code)
            if response.status_code >= 400:
                assert ledger.head() == before, (case.method, case.formatted_path, response.text)

        fuzz()

    assert any(200 <= status < 300 for status in statuses)
    assert any(400 <= status < 500 for status in statuses)
