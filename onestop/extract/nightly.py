"""What the nightly DAG's tasks do: plan the night from the registry, extract one system, sum the night up.

Every task is keyed on the night (`onestop.night.Night`: the local day of the run's data interval), never on the
wall clock.
"""

from __future__ import annotations

import json
from datetime import timedelta

import psycopg

from onestop import registry
from onestop.alerts import notify
from onestop.night import Night
from onestop.settings import settings
from onestop.warehouse.credentials import login_url

LOADER = "onestop_loader"


def lookback() -> timedelta:
    return timedelta(days=settings().lookback_days)


def plan() -> list[dict]:
    """The enabled systems, read from the registry at run time (not at parse time)."""
    return [{"id": s.id, "kind": s.kind} for s in registry.load().enabled_systems()]


def extract_system(system_id: str, night: Night, try_number: int = 1, airflow_run_id: str | None = None) -> dict:
    from onestop.extract.landing import Landing

    reg = registry.load()
    known_units = {row["unit_code"] for row in reg.units()}
    outcome = Landing(
        login_url(LOADER), reg.system(system_id), night, lookback(), try_number, airflow_run_id, known_units
    ).run()
    return outcome.as_dict()


def summarize(night: Night) -> dict:
    """Record which enabled systems delivered this night, and alert when any did not."""
    expected = [s.id for s in registry.load().enabled_systems()]
    start, end = night.start, night.end
    with psycopg.connect(login_url(LOADER), autocommit=True) as conn:
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
        "night": str(night),
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


def reconcile_system(system_id: str) -> dict:
    """One system's reconciliation (the weekly DAG maps it over the enabled systems; `onestop reconcile`)."""
    from onestop.extract.reconcile import reconcile

    reg = registry.load()
    known_units = frozenset(row["unit_code"] for row in reg.units())
    result = reconcile(login_url(LOADER), reg.system(system_id), known_units)
    return {"system": system_id, "line": result.line(), "findings": result.findings}


def report_reconciliation(results: list[dict]) -> list[str]:
    """The week's reconciliation in one alert when anything differed (lost changes, deletions, backward edits)."""
    lines = [r["line"] for r in results]
    differing = [r for r in results if any(r["findings"].values())]
    if differing:
        notify(
            f"onestop: reconciliation found differences in {len(differing)} system(s)",
            "\n".join(f"- {r['line']}" for r in differing),
        )
    return lines
