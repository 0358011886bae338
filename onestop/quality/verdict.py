"""The gate's verdict on a night: per enabled system, delivered, complete, and why not, in `audit.night_verdicts`
(written as the transformer). Reports and BI read it through dbt's views `marts.night_completeness` and
`marts.data_completeness` (each unit-month complete only when every night of it was, for every system holding the
unit's dossiers): defined, documented and tested in `dbt_project/models/marts/quality/`, never created here.
"""

from __future__ import annotations

from onestop.quality.results import GateResult

NOT_DELIVERED = "not_delivered"  # the system's extraction failed or never ran that night


def write_verdict(conn, result: GateResult) -> None:
    """Record the night's verdict per system (the unit-months' completeness is a view over it)."""
    night = conn.execute(
        "select expected, delivered, reasons from audit.nights where interval_start = %s::date",
        (result.night.day,),
    ).fetchone()
    expected, delivered, missing_reasons = night if night else ([], [], {})
    unattributed = [f for f in result.errors if not f.systems]
    rows = []
    for system in expected:
        failed = [f for f in result.errors if system in f.systems] + unattributed
        reasons = [] if system in delivered else [f"not delivered: {missing_reasons.get(system, 'not run')}"]
        reasons += [f.line() for f in failed]
        # The same, as codes the report words in Vietnamese (onestop/report/labels.py).
        codes = ([] if system in delivered else [NOT_DELIVERED]) + [f.code for f in failed]
        rows.append(
            (
                result.night.day,
                system,
                system in delivered,
                not reasons,
                reasons,
                list(dict.fromkeys(codes)),
                result.run_id,
                result.marts_built,
            )
        )
    conn.execute("delete from audit.night_verdicts where night = %s", (result.night.day,))
    with conn.cursor() as cur:
        cur.executemany(
            "insert into audit.night_verdicts (night, system_id, delivered, complete, reasons, reason_codes,"
            " gate_run_id, marts_built) values (%s, %s, %s, %s, %s, %s, %s, %s)",
            rows,
        )
