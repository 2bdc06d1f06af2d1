"""What a grouped money report's pages share (COGS, food cost, valuation): the selection of
a span of periods and a location, one screen of the report's rows with its amounts and the
locations to choose from, and the CSV of every row (``console.web.csv_download``).

A report page takes its selection as one dependency (``Selected``, or its own built on it),
reads its view with ``span.bounds()``, makes the body with ``present.reports.<R>.body`` and
answers ``report_page(request, who, "<page>.html", R, body, screened(body, page), …)``; its
template draws the filters, totals and end with the report macros of ``templates/macros.html``
(``ui.span``, ``ui.location_choice``, ``ui.totals``, ``ui.report_end``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse

from console.params import AnyCode, AnyPeriod, FromPeriod
from console.web import Rows, Visitor, read_models, render, screen
from present.reports import Body, Report

ROWS = 100  # report rows per screen; the totals and the CSV are of every row


@dataclass(frozen=True)
class Span:
    """The periods ``from_`` to ``to`` at ``location``; blank: unbounded, every location."""

    from_: str
    to: str
    location: str

    def bounds(self) -> tuple[str | None, str | None, str | None]:
        """As a view takes them: None for blank."""
        return self.from_ or None, self.to or None, self.location or None

    def context(self) -> dict[str, str]:
        """The selection as the page's form shows it again."""
        return asdict(self)


def _span(from_: FromPeriod = "", to: AnyPeriod = "", location: AnyCode = "") -> Span:
    return Span(from_, to, location)


Selected = Annotated[Span, Depends(_span)]


def screened(body: Body, page: int) -> Rows:
    """Page ``page`` of a report's rows, ``ROWS`` at a time."""
    return screen(body["rows"], page, ROWS)


def report_page(
    request: Request,
    who: Visitor,
    template: str,
    report: Report,
    body: Body,
    rows: Rows,
    **context: Any,
) -> HTMLResponse:
    """A report's page: one screen of its ``rows``, its totals and position (``body``), the
    keys it is grouped by, its amounts and the locations to choose from."""
    locations, _ = read_models(request).catalogue.all_locations()
    return render(
        request,
        who,
        template,
        report=body,
        rows=rows,
        amounts=report.amounts,
        locations=locations,
        **context,
    )
