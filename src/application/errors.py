"""Application errors, beside the domain's (see domain.errors).

ApplicationError
├── NotFoundError              a resource named in the path does not exist (404)
│   ├── QuoteNotFoundError
│   └── ReceiptNotFoundError
├── ConcurrencyConflictError   retries exhausted against concurrent writers (409)
├── KeyRevokedError            the caller's key was revoked while it was served (401)
├── PeriodNotEndedError        closing a period that has not ended (409)
├── PeriodNotStartedError      a report of a period that has not started (409)
└── WriterBusyError            a write did not finish within the write timeout (503)
"""

from __future__ import annotations


class ApplicationError(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors: list[dict[str, object]] = []


class NotFoundError(ApplicationError):
    """The resource named in the request path does not exist."""


class QuoteNotFoundError(NotFoundError):
    def __init__(self, quote_id: str) -> None:
        super().__init__(f"quote {quote_id} not found")
        self.quote_id = quote_id


class ReceiptNotFoundError(NotFoundError):
    def __init__(self, receipt_id: str) -> None:
        super().__init__(f"receipt {receipt_id} not found")
        self.receipt_id = receipt_id


class ConcurrencyConflictError(ApplicationError):
    """Optimistic-concurrency retries ran out; the client may try again."""


class KeyRevokedError(ApplicationError):
    """The key a request was accepted with (application.keys.Accepted) is no longer valid:
    nothing it asked for was recorded, and it gets no answer but this."""


class PeriodNotEndedError(ApplicationError):
    """A period can be closed only once it has ended."""


class PeriodNotStartedError(ApplicationError):
    """A report of a period that has not started yet (issue 35.5): it has no figures."""


class WriterBusyError(ApplicationError):
    """A write transaction ran past STOCKLEDGER_WRITE_TIMEOUT and was abandoned (nothing
    recorded); the writer lock is free again and the client may retry."""
