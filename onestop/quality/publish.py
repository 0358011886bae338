"""What the nightly DAG publishes once the gate has judged a night, read back from the warehouse."""

from __future__ import annotations

from datetime import date

import psycopg

from onestop.warehouse import warehouse_url


def verdict_of(night: date) -> dict:
    """The night's verdict per system; raises when the gate never judged the night (dbt failed before it)."""
    with psycopg.connect(warehouse_url()) as conn:
        exists = conn.execute("select to_regclass('marts.night_completeness') is not null").fetchone()[0]
        rows = (
            conn.execute(
                "select system_id, complete, reasons from marts.night_completeness where night = %s order by 1",
                (night,),
            ).fetchall()
            if exists
            else []
        )
    if not rows:
        raise RuntimeError(f"the gate left no verdict for the night of {night}: see the dbt and quality_gate tasks")
    return {
        "night": night.isoformat(),
        "complete": all(complete for _, complete, _ in rows),
        "incomplete": {system: reasons for system, complete, reasons in rows if not complete},
    }
