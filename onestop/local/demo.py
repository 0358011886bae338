"""`make demo`: the main job on the embedded default, phase by phase, with a summary at the end.

Start the warehouse, bootstrap it, generate the demo province (its nine simulated systems of three kinds) over a
window pinned to span the 2025 restructuring, run the real nightly DAG through Airflow for the initial load and
then for one ordinary night (extraction, dbt through Cosmos, the quality gate), build the monthly report of the last
month and of June 2025 (as was: the former districts and communes; as is: their successors), and say what landed
and where to look. A second run reuses the warehouse, the province and Airflow's database.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TextIO

import psycopg

from onestop import local, warehouse
from onestop.local.airflow_env import apply_airflow_environment
from onestop.local.output import redirected_output
from onestop.night import Night
from onestop.settings import settings, state_dir

# The demo's window, pinned (not moving with the clock) so that it spans the restructuring of 1 July 2025: as was,
# June ranks the units that existed then; as is, the same month rolls up to today's communes.
DEMO_START = date(2025, 4, 1)
DEMO_LAST_NIGHT = date(2025, 10, 31)
DEMO_INITIAL_NIGHT = DEMO_LAST_NIGHT - timedelta(days=1)  # the initial load; then one ordinary night
REPORT_MONTHS = (date(2025, 10, 1), date(2025, 6, 1))  # the last month, and the last month before 1 July 2025


HEARTBEAT_SECONDS = (15, 30)  # the first after 15 s, then every 30 s
# Where the phases speak while everything else goes to the log file (`output_to`); otherwise stdout.
TERMINAL: list[TextIO | None] = [None]


def say(line: str) -> None:
    print(line, file=TERMINAL[0] or sys.stdout, flush=True)


def phase(title: str, action: Callable[[], list[str]]) -> list[str]:
    """Run one phase: its title, a heartbeat while it runs long, what it reports, its time."""
    started = time.monotonic()
    say(f"==> {title}")
    done = threading.Event()

    def heartbeat() -> None:
        wait = HEARTBEAT_SECONDS[0]
        while not done.wait(wait):
            say(f"    ... still running ({time.monotonic() - started:.0f} s)")
            wait = HEARTBEAT_SECONDS[1]

    threading.Thread(target=heartbeat, daemon=True).start()
    try:
        lines = action()
    finally:
        done.set()
    for line in lines:
        say(f"    {line}")
    say(f"    ({time.monotonic() - started:.1f} s)")
    return lines


@contextlib.contextmanager
def output_to(log: Path) -> Iterator[None]:
    """Everything written to this process's stdout and stderr (Airflow's task logs, dbt, GX, warnings; also from
    child processes) goes to `log`; the phases speak on the terminal alone."""
    with redirected_output(log) as terminal:
        TERMINAL[0] = terminal
        try:
            yield
        finally:
            TERMINAL[0] = None


def warnings_in(log: Path) -> int:
    """Lines of the log at warning level or above (what a reader of the log should look at first)."""
    marks = (" WARNING ", "[warning", " ERROR ", "[error", "Warning:")
    with open(log, encoding="utf-8", errors="replace") as file:
        return sum(1 for line in file if any(mark in line for mark in marks))


def _start_warehouse() -> list[str]:
    if local.is_external():
        return ["using the warehouse named by ONESTOP_WAREHOUSE_URL"]
    url = local.use_embedded()
    return [f"embedded PostgreSQL on {url.split('@')[-1]}"]


def _migrate_airflow() -> list[str]:
    from onestop.orchestration import init_airflow

    pools = init_airflow()[1:]
    return [
        f"metadata in database {warehouse.database_name(os.environ['AIRFLOW__DATABASE__SQL_ALCHEMY_CONN'])}",
        *pools,
    ]


def _province():
    from onestop.local.reset import empty_warehouse
    from simulator.simulation import Simulation

    sim = Simulation()
    lines = []
    if sim.state is None or sim.state.preset != "demo" or sim.state.start != DEMO_START.isoformat():
        if sim.state is not None:  # a province of another window (an older demo): its landing must not stay
            empty_warehouse(warehouse.warehouse_url())
            lines.append("emptied the warehouse of an earlier demo province")
        sim.generate(DEMO_START, DEMO_INITIAL_NIGHT, preset="demo")
        lines.append(f"generated the demo province from {DEMO_START} to {DEMO_INITIAL_NIGHT} ({sim.folder})")
    else:
        lines.append(f"reusing the demo province ({sim.folder}), standing at {sim.current}")
    kinds = {}
    for system in sim.world.systems:
        kinds.setdefault(system.kind, []).append(system.id)
    lines += [f"{kind}: {', '.join(ids)}" for kind, ids in kinds.items()]
    return sim, lines


def _run_night(night: date, full_refresh: bool = False) -> list[str]:
    from onestop.orchestration import run_night

    return run_night(Night(night), {"full_refresh": full_refresh})[1]


def _monthly_report() -> list[str]:
    """The last month through the monthly report's DAG, as its schedule would run it (so Airflow's UI shows the
    run); June 2025 by the same build, directly: the demo's initial load judged no night of June on its own, and
    the DAG waits for the gate's verdict on the month's last night."""
    from onestop.orchestration import run_monthly_report
    from onestop.report.build import build

    ok, lines = run_monthly_report(REPORT_MONTHS[0])
    if not ok:
        raise SystemExit("the monthly report's DAG failed:\n" + "\n".join(lines))
    for month, view in ((m, v) for m in REPORT_MONTHS[1:] for v in ("as_was", "as_is")):
        report = build(month, view)
        lines += [
            f"{month:%m/%Y} {view} (built directly): {report.units} units, data {report.verdict}",
            *(f"  {path}" for path in (report.workbook, report.html, report.pdf) if path),
        ]
    return lines


def _summary() -> list[str]:
    with psycopg.connect(warehouse.warehouse_url()) as conn:
        dossiers = conn.execute("select count(distinct record_key) from raw.dossier_records").fetchone()[0]
        versions = conn.execute("select count(*) from raw.dossier_records").fetchone()[0]
        feedback = conn.execute("select count(distinct record_key) from raw.feedback_records").fetchone()[0]
        systems = conn.execute("select count(distinct system_id) from raw.dossier_records").fetchone()[0]
        nights = conn.execute("select count(*), count(*) filter (where complete) from audit.nights").fetchone()
        month = conn.execute("select max(month_start) from marts.fct_unit_month_scorecard where is_final").fetchone()[0]
        restructured = conn.execute(
            "select view, level, count(*) from marts.fct_unit_month_scorecard where month_start = %s"
            " group by 1, 2 order by 1 desc, 2",
            (REPORT_MONTHS[1],),
        ).fetchall()
        ranked = conn.execute(
            "select s.rank_in_level, u.unit_name, round(s.subtotal, 2), s.max_points"
            " from marts.fct_unit_month_scorecard s join marts.dim_unit u using (unit_code)"
            " where s.view = 'as_was' and s.month_start = %s and s.level = 'commune' order by s.rank_in_level",
            (month,),
        ).fetchall()
        completeness = conn.execute(
            "select count(*) filter (where complete), count(*) from marts.data_completeness"
            " where view = 'as_was' and month_start = %s",
            (month,),
        ).fetchone()
    lines = [
        f"systems loaded: {systems}",
        f"dossiers: {dossiers} ({versions} versions landed in raw)",
        f"feedback items: {feedback}",
        f"nights recorded: {nights[0]} ({nights[1]} complete)",
        f"gate verdict {month:%m/%Y}: {completeness[0]} of {completeness[1]} unit-months complete",
    ]
    by_view = {
        view: ", ".join(f"{n} {level}s" for v, level, n in restructured if v == view) for view in ("as_was", "as_is")
    }
    lines.append(
        f"restructuring: {REPORT_MONTHS[1]:%m/%Y} ranks, as was, {by_view['as_was']} (the units of the month);"
        f" as is, {by_view['as_is']} (their successors since 1 July 2025)"
    )
    if ranked:
        lines.append(f"scorecard {month:%m/%Y}, communes and wards, top and bottom of {len(ranked)}:")
        for row in [*ranked[:3], None, *ranked[-3:]]:
            lines.append("   ..." if row is None else f"   {row[0]:>3}. {row[1]:<24} {row[2]:>6} / {row[3]}")
    return lines


REFUSAL = (
    "onestop demo: ONESTOP_WAREHOUSE_URL names a warehouse the demo did not start ({where}). The demo writes a"
    " simulated province into it: dossiers into raw with watermarks, vendor databases and logins, a"
    " pseudonymisation key and role passwords, Airflow runs. It refuses, so that a real province's warehouse is"
    " never mixed with simulated data. Unset ONESTOP_WAREHOUSE_URL to use the embedded server, or pass"
    " --external-warehouse if this warehouse is a throwaway one."
)


def run_demo(external_warehouse: bool = False) -> int:
    if local.is_external() and not external_warehouse:
        print(REFUSAL.format(where=warehouse.warehouse_url().split("@")[-1]), file=sys.stderr)
        return 2
    log = state_dir() / "logs" / f"demo-{datetime.now():%Y%m%d-%H%M%S}.log"
    with output_to(log):
        try:
            return _demo(log)
        except BaseException as error:  # the traceback is in the log; the terminal says what and where
            traceback.print_exc()
            say(f"\ndemo FAILED: {type(error).__name__}: {str(error)[:500]}\nfull log: {log}")
            return 1


def _demo(log: Path) -> int:
    started = time.monotonic()
    phase("warehouse", _start_warehouse)
    phase("bootstrap (sql/)", local.init_warehouse)
    apply_airflow_environment()
    os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "INFO")  # into the log file: the phases speak
    os.environ.setdefault("ONESTOP_TASK_RETRIES", "1")
    os.environ.setdefault("ONESTOP_RETRY_DELAY_SECONDS", "5")
    phase("Airflow metadata", _migrate_airflow)
    holder = {}

    def province() -> list[str]:
        holder["sim"], lines = _province()
        return lines

    phase("demo province (simulated systems)", province)
    sim = holder["sim"]
    from simulator.server import Servers

    with Servers(sim):
        os.environ["ONESTOP_REGISTRY"] = str(sim.registry_path)
        os.environ.update(sim.connections())
        initial = DEMO_INITIAL_NIGHT
        # The first night rebuilds the marts whole: a demo state kept from an older version of the models is
        # brought up to date (the ordinary night after it is incremental).
        phase(f"nightly DAG, initial load (night of {initial})", lambda: _run_night(initial, full_refresh=True))
        if sim.current is None or sim.current < DEMO_LAST_NIGHT:
            sim.advance(DEMO_LAST_NIGHT)
        phase(f"nightly DAG, an ordinary night ({DEMO_LAST_NIGHT})", lambda: _run_night(DEMO_LAST_NIGHT))
    phase("monthly reports (the last month through its DAG, and June 2025 across the restructuring)", _monthly_report)
    phase("summary", _summary)
    from onestop.quality.gate import data_docs_index

    say(f"\ndemo finished in {time.monotonic() - started:.0f} s")
    say(f"warehouse:  {warehouse.warehouse_url().split('@')[-1]}   (BI tools: onestop warehouse url --role bi)")
    say(f"Data Docs:  {data_docs_index()}")
    say(f"Airflow UI: make ui   (then http://127.0.0.1:{settings().airflow_port}; dashboard: make bi)")
    say(f"full log:   {log}   ({warnings_in(log)} lines at warning level or above)")
    return 0
