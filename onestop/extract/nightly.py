"""What the nightly DAG's tasks do: plan the night from the registry, extract one system, sum the night up.

Every task is keyed on the night (the local day of the run's data interval), never on the wall clock.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime, time, timedelta

import psycopg

from onestop import registry
from onestop.alerts import notify
from onestop.warehouse import warehouse_url

LOOKBACK_VAR = "ONESTOP_LOOKBACK_DAYS"
LOCAL_TZ = "Asia/Ho_Chi_Minh"


def night_of(data_interval_start: datetime) -> date:
    """The local day whose changes a run extracts: the day its data interval starts (local midnight)."""
    from zoneinfo import ZoneInfo

    if data_interval_start.tzinfo is not None:
        data_interval_start = data_interval_start.astimezone(ZoneInfo(LOCAL_TZ))
    return data_interval_start.date()


def interval_of(night: date) -> tuple[datetime, datetime]:
    start = datetime.combine(night, time())
    return start, start + timedelta(days=1)


def lookback() -> timedelta:
    return timedelta(days=float(os.environ.get(LOOKBACK_VAR, "2")))


def plan() -> list[dict]:
    """The enabled systems, read from the registry at run time (not at parse time)."""
    return [{"id": s.id, "kind": s.kind} for s in registry.load().enabled_systems()]


def extract_system(system_id: str, night: date, try_number: int = 1, airflow_run_id: str | None = None) -> dict:
    from onestop.extract.landing import Landing

    entry = registry.load().system(system_id)
    start, _ = interval_of(night)
    outcome = Landing(warehouse_url(), entry, start, lookback(), try_number, airflow_run_id).run()
    return outcome.as_dict()


def summarize(night: date) -> dict:
    """Record which enabled systems delivered this night, and alert when any did not."""
    expected = [s.id for s in registry.load().enabled_systems()]
    start, end = interval_of(night)
    with psycopg.connect(warehouse_url(), autocommit=True) as conn:
        conn.execute("set role onestop_loader")
        rows = conn.execute(
            "select distinct on (system_id) system_id, status, error from audit.extraction_runs"
            " where interval_start = %s order by system_id, run_id desc",
            (start,),
        ).fetchall()
        latest = {system: (status, error) for system, status, error in rows}
        delivered = [s for s in expected if latest.get(s, ("",))[0] == "success"]
        missing = [s for s in expected if s not in delivered]
        reasons = {s: (latest[s][1] if s in latest else "not run") for s in missing}
        conn.execute(
            "insert into audit.nights (interval_start, interval_end, expected, delivered, missing, complete, reasons)"
            " values (%s, %s, %s, %s, %s, %s, %s::jsonb) on conflict (interval_start) do update set"
            " expected = excluded.expected, delivered = excluded.delivered, missing = excluded.missing,"
            " complete = excluded.complete, reasons = excluded.reasons, recorded_at = now()",
            (start, end, expected, delivered, missing, not missing, json.dumps(reasons)),
        )
    summary = {
        "night": night.isoformat(),
        "expected": expected,
        "delivered": delivered,
        "missing": missing,
        "reasons": reasons,
        "complete": not missing,
    }
    if missing:
        notify(
            f"onestop: the night of {night} is incomplete ({len(missing)} of {len(expected)} systems missing)",
            "\n".join(f"- {s}: {reasons[s]}" for s in missing),
        )
    return summary
