"""What the nightly DAG publishes once the gate has judged a night, read back from the warehouse."""

from __future__ import annotations

from datetime import date, timedelta

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


def month_reported(logical_date) -> date:
    """The month a monthly run reports: the one before its (local) run date."""
    from zoneinfo import ZoneInfo

    local = logical_date.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    return (local.replace(day=1) - timedelta(days=1)).replace(day=1)


def last_night_judged(month: date) -> bool:
    """Whether the gate has judged the month's last night, or a later one (an initial load after the month's
    end covers it), on marts rebuilt that night (not a landing-only backfill night)."""
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    last_night = following - timedelta(days=1)
    with psycopg.connect(warehouse_url()) as conn:
        if not conn.execute("select to_regclass('marts.night_completeness') is not null").fetchone()[0]:
            return False
        return bool(
            conn.execute(
                "select exists (select 1 from marts.night_completeness where night >= %s and marts_built)",
                (last_night,),
            ).fetchone()[0]
        )
