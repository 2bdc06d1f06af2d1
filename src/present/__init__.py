"""Turning rows into answers, for every edge alike (the API, the console, the feed): money
at the currency's places (``present.money``), a report's body, totals and CSV
(``present.reports``). Below the edges, above the read models and the domain."""
