"""The baseline of ``bench http``: a naive running-balance stock service.

No ledger, no history, no idempotency, no auth: one row per (sku, location) whose
``on_hand`` and ``reserved`` are updated in place, one guarded UPDATE per stock change
(``UPDATE … SET on_hand = on_hand - q WHERE on_hand >= q``). It answers the same paths and
bodies as the benchmark's command mix, so both services get identical traffic.

Run: ``python -m bench.naive_service --dsn postgresql://… --port 8100`` (127.0.0.1 only).
"""

from __future__ import annotations

import argparse
from decimal import Decimal
from typing import Any

import uvicorn
from fastapi import FastAPI, HTTPException
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

SCHEMA = """
CREATE TABLE IF NOT EXISTS naive_stock (
  sku text, location text, on_hand numeric NOT NULL DEFAULT 0,
  reserved numeric NOT NULL DEFAULT 0, PRIMARY KEY (sku, location));
CREATE TABLE IF NOT EXISTS naive_quotes (
  quote_id text PRIMARY KEY, location text, lines jsonb, status text)
"""
RECEIVE = (
    "INSERT INTO naive_stock (sku, location, on_hand) VALUES (%s, %s, %s) "
    "ON CONFLICT (sku, location) DO UPDATE SET on_hand = naive_stock.on_hand + EXCLUDED.on_hand"
)
TAKE = (
    "UPDATE naive_stock SET on_hand = on_hand - %s, reserved = reserved - %s "
    "WHERE sku = %s AND location = %s AND on_hand - reserved >= %s - %s AND reserved >= %s"
)
RESERVE = (
    "UPDATE naive_stock SET reserved = reserved + %s "
    "WHERE sku = %s AND location = %s AND on_hand - reserved >= %s"
)


def create_app(dsn: str) -> FastAPI:
    pool = ConnectionPool(dsn, min_size=4, max_size=16, kwargs={"autocommit": True}, open=True)
    with pool.connection() as conn:
        conn.execute(SCHEMA)
    app = FastAPI()

    def take(conn: Any, sku: str, location: str, q: Decimal, reserved: Decimal) -> None:
        cursor = conn.execute(TAKE, (q, reserved, sku, location, q, reserved, reserved))
        if cursor.rowcount != 1:
            raise HTTPException(409, "insufficient_stock")

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/receipts", status_code=201)
    def receipts(body: dict[str, Any]) -> dict[str, Any]:
        with pool.connection() as conn, conn.transaction():
            for line in body["lines"]:
                conn.execute(RECEIVE, (line["sku"], body["location"], Decimal(line["quantity"])))
        return {"document": {"type": "receipt", "id": body["receipt_id"]}}

    @app.post("/api/quotes", status_code=201)
    def quotes(body: dict[str, Any]) -> dict[str, Any]:
        with pool.connection() as conn:
            conn.execute(
                "INSERT INTO naive_quotes VALUES (%s, %s, %s, 'draft') ON CONFLICT DO NOTHING",
                (body["quote_id"], body["location"], Jsonb(body["lines"])),
            )
        return {"quote_id": body["quote_id"], "status": "draft"}

    @app.post("/api/quotes/{quote_id}/close", status_code=201)
    def close(quote_id: str) -> dict[str, Any]:
        with pool.connection() as conn, conn.transaction():
            row = conn.execute(
                "SELECT location, lines FROM naive_quotes WHERE quote_id = %s FOR UPDATE",
                (quote_id,),
            ).fetchone()
            if row is None:
                raise HTTPException(404, "not_found")
            location, lines = row
            for line in lines:
                q = Decimal(line["quantity"])
                if conn.execute(RESERVE, (q, line["sku"], location, q)).rowcount != 1:
                    raise HTTPException(409, "insufficient_stock")
            conn.execute(
                "UPDATE naive_quotes SET status = 'closed' WHERE quote_id = %s", (quote_id,)
            )
        return {"quote_id": quote_id, "status": "closed"}

    @app.post("/api/deliveries", status_code=201)
    def deliveries(body: dict[str, Any]) -> dict[str, Any]:
        with pool.connection() as conn, conn.transaction():
            for line in body["lines"]:
                q = Decimal(line["quantity"])
                reserved = q if body.get("quote_id") else Decimal(0)
                take(conn, line["sku"], body["location"], q, reserved)
        return {"document": {"type": "delivery", "id": body["delivery_id"]}}

    @app.post("/api/transfers", status_code=201)
    def transfers(body: dict[str, Any]) -> dict[str, Any]:
        with pool.connection() as conn, conn.transaction():
            for line in body["lines"]:
                q = Decimal(line["quantity"])
                take(conn, line["sku"], body["from_location"], q, Decimal(0))
                conn.execute(RECEIVE, (line["sku"], body["to_location"], q))
        return {"document": {"type": "transfer", "id": body["transfer_id"]}}

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(create_app(args.dsn), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
