"""What the nightly DAG publishes once the gate has judged a night, read back from the warehouse."""

from __future__ import annotations

from datetime import date, datetime

import psycopg

from onestop.night import Night, previous_month
from onestop.warehouse.credentials import login_url

BI = "onestop_bi"  # the verdict is read where BI reads it


def verdict_of(night: Night) -> dict:
    """The night's verdict per system; raises when the gate never judged the night (dbt failed before it)."""
    with psycopg.connect(login_url(BI)) as conn:
        exists = conn.execute("select to_regclass('marts.night_completeness') is not null").fetchone()[0]
        rows = (
            conn.execute(
                "select system_id, complete, reasons from marts.night_completeness where night = %s order by 1",
                (night.day,),
            ).fetchall()
            if exists
            else []
        )
    if not rows:
        raise RuntimeError(f"the gate left no verdict for the night of {night}: see the dbt and quality_gate tasks")
    return {
        "night": str(night),
        "complete": all(complete for _, complete, _ in rows),
        "incomplete": {system: reasons for system, complete, reasons in rows if not complete},
    }


def month_reported(logical_date: datetime) -> date:
    """The month a monthly run reports: the one before its (local) run date."""
    return previous_month(Night.of(logical_date).month)


def last_night_judged(month: date) -> bool:
    """Whether the gate has judged the month's last night, or a later one (an initial load after the month's
    end covers it), on marts rebuilt that night (not a landing-only backfill night)."""
    last_night = Night.last_of(month).day
    with psycopg.connect(login_url(BI)) as conn:
        if not conn.execute("select to_regclass('marts.night_completeness') is not null").fetchone()[0]:
            return False
        return bool(
            conn.execute(
                "select exists (select 1 from marts.night_completeness where night >= %s and marts_built)",
                (last_night,),
            ).fetchone()[0]
        )
