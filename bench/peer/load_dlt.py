"""dlt loading the benchmark's records into PostgreSQL, timed: the peer beside onestop's write path (issue #21).

    bench/peer/.venv/bin/python bench/peer/load_dlt.py RECORDS.jsonl  (the destination from DLT_DESTINATION_URL)

Runs in the peer's own environment (bench/peer/pyproject.toml). Loads the same records twice into fresh schemas
of the same server: with dlt's default nesting (lists become child tables) and with every nested value kept as a
JSON column (max_table_nesting=0). Prints one JSON line: seconds and row counts per way.
"""

from __future__ import annotations

import json
import os
import sys
import time

os.environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"  # no outbound calls, in the benchmark too

import dlt  # noqa: E402
import psycopg2  # noqa: E402


def records(path: str):
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def load(path: str, url: str, schema: str, nesting: int | None) -> dict:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(f"drop schema if exists {schema} cascade")
        cur.execute(f"drop schema if exists {schema}_staging cascade")
    resource = dlt.resource(records(path), name="dossier_records", write_disposition="append")
    if nesting is not None:
        resource.max_table_nesting = nesting
    pipeline = dlt.pipeline(
        pipeline_name=f"onestop_bench_{schema}",
        destination=dlt.destinations.postgres(credentials=url),
        dataset_name=schema,
        pipelines_dir=os.environ.get("DLT_PIPELINES_DIR"),
        progress=None,
    )
    pipeline.drop()  # nothing left of an earlier run's state
    began = time.perf_counter()
    pipeline.run(resource)
    seconds = time.perf_counter() - began
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "select table_name from information_schema.tables"
            " where table_schema = %s and table_name not like '\\_dlt%%'",
            (schema,),
        )
        tables = [row[0] for row in cur.fetchall()]
        counts = {}
        for table in tables:
            cur.execute(f'select count(*) from {schema}."{table}"')
            counts[table] = cur.fetchone()[0]
        cur.execute(f"drop schema {schema} cascade")
    return {"seconds": seconds, "tables": len(tables), "rows": counts.get("dossier_records", 0)}


def main(path: str) -> None:
    url = os.environ["DLT_DESTINATION_URL"]
    found = {
        "json_columns": load(path, url, "bench_dlt_json", 0),
        "default_nesting": load(path, url, "bench_dlt_nested", None),
    }
    print(json.dumps(found))


if __name__ == "__main__":
    main(sys.argv[1])
