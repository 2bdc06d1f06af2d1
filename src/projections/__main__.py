"""``python -m projections run [NAME…] | rebuild NAME | verify``, configured by STOCKLEDGER_*.

The worker entry point (the ``stockledger projections`` CLI wraps the same ReadModels
methods). ``run`` follows the ledger until SIGTERM/SIGINT; ``rebuild`` prints one JSON
progress line per chunk; ``verify`` exits 1 with the problems when it finds any.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
import time
from typing import Any

from application.ledger import Ledger
from application.settings import Settings
from projections.service import ReadModels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m projections")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="follow the ledger and keep projections up to date")
    run.add_argument("names", nargs="*")
    run.add_argument("--batch", type=int, default=1000, help="notifications per transaction")
    rebuild = commands.add_parser("rebuild", help="blue/green rebuild of one projection")
    rebuild.add_argument("name")
    rebuild.add_argument("--chunk", type=int, default=5000, help="notifications per chunk")
    rebuild.add_argument(
        "--throttle",
        type=float,
        default=0.0,
        help="seconds to pause after each chunk, to spare a busy production database",
    )
    commands.add_parser("verify", help="check hash chains, period closes and read models")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")

    settings = Settings()
    ledger = Ledger(settings)
    models = ReadModels(settings, ledger, batch_size=getattr(args, "batch", 1000))
    try:
        if args.command == "run":
            stop = threading.Event()
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stop.set())
            from feed.service import FeedService

            feed = FeedService(settings, ledger, models.db).start(deliver=True)
            models.run(args.names or None, stop)
            feed.stop()
            return 0
        if args.command == "rebuild":
            from projections.rebuild import Rebuild
            from projections.service import ALL

            def show(info: dict[str, Any]) -> None:
                print(json.dumps(info), flush=True)
                if args.throttle:
                    time.sleep(args.throttle)

            chosen = (
                list(models.projections.values())
                if args.name == ALL
                else [models.projections[args.name]]
            )
            Rebuild(models.db, models.events, chosen, show, chunk=args.chunk).run()
            return 0
        report = models.verify(lambda stage, pos, head: None)
        for problem in report.problems:
            print(problem)
        print("verify: ok" if report.ok else f"verify: {len(report.problems)} problem(s)")
        return 0 if report.ok else 1
    finally:
        models.close()
        ledger.close()


if __name__ == "__main__":
    sys.exit(main())
