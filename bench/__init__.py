"""StockLedger benchmarks: ``python -m bench NAME [--quick]`` (see docs/BENCHMARKS.md)."""
