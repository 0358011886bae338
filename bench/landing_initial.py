"""Initial load of every system of a generated province into `raw`, one Landing per system, timed.

    python -m bench.landing_initial PROVINCE_DIR [--name DB_PREFIX]

Prints rows read and landed, seconds and rows/s per system and in all (JSON on the last line).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import timedelta
from pathlib import Path

import psycopg

from onestop import registry, warehouse
from onestop.extract.landing import Landing
from onestop.simulate.server import Servers
from onestop.simulate.simulation import Simulation


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("province", type=Path)
    args = parser.parse_args()
    sim = Simulation(args.province)
    url = warehouse.warehouse_url()
    with psycopg.connect(url, autocommit=True) as conn:
        for table in (
            "raw.dossier_records",
            "raw.feedback_records",
            "audit.extraction_runs",
            "audit.watermarks",
            "audit.quarantine",
            "audit.csv_files",
        ):
            conn.execute(f"truncate {table}")
    results = []
    with Servers(sim):
        os.environ.update(sim.connections())
        reg = registry.load(sim.registry_path)
        night = sim.current
        from datetime import datetime

        start = datetime.combine(night, datetime.min.time())
        total_started = time.monotonic()
        for entry in reg.enabled_systems():
            began = time.monotonic()
            outcome = Landing(url, entry, start, timedelta(days=2)).run()
            seconds = time.monotonic() - began
            results.append(
                {
                    "system": entry.id,
                    "kind": entry.kind,
                    "read": outcome.rows_read,
                    "landed": outcome.rows_landed,
                    "seconds": round(seconds, 1),
                    "rows_per_s": round(outcome.rows_read / seconds),
                }
            )
            print(results[-1], flush=True)
        total = time.monotonic() - total_started
    read = sum(r["read"] for r in results)
    print(
        json.dumps(
            {"systems": results, "rows_read": read, "seconds": round(total, 1), "rows_per_s": round(read / total)}
        )
    )


if __name__ == "__main__":
    main()
