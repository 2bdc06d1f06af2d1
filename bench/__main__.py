"""``python -m bench NAME [--quick]``: run one benchmark (or ``all``) and report it."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

BENCHMARKS = (
    "generator",
    "commands",
    "history",
    "rebuild",
    "queries",
    "lag",
    "http",
    "document_size",
    "feed",
    "sales",
    "pos",
    "tenants",
    "console",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("name", choices=[*BENCHMARKS, "all", "soak"])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, seconds not minutes")
    parser.add_argument("--runs", type=int, default=None, help="repetitions (median reported)")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="set an environment variable first (inherited by client processes), e.g. "
        "LEDGER_POSTGRES_PRE_PING=n to try a library setting without editing src/",
    )
    args = parser.parse_args(argv)
    for item in args.env:
        key, _, value = item.partition("=")
        os.environ[key] = value
    if args.name == "soak":  # a correctness check, not a figure: not part of "all"
        from bench import soak

        return soak.main(["--seconds", "10"] if args.quick else [])
    names = BENCHMARKS if args.name == "all" else (args.name,)
    for name in names:
        module = importlib.import_module(f"bench.bench_{name}")
        module.run(quick=args.quick, runs=args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
