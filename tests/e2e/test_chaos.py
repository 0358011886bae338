"""A month of faults through the real nightly DAG (issue #10): every night, faults drawn from a seed strike the
simulated systems (down for one to three nights by refusal, HTTP 5xx or timeout; records moving between pages;
duplicated and re-exported files; malformed rows; a column renamed and fixed two nights later), and one loader
is killed with SIGKILL in the middle of its COPY. The nights land and are gated (landing only); a final clean
night builds the marts. Then: the marts equal the ground truth, the quarantine holds exactly what the simulator
broke, no dossier twice, the gate marked exactly the faulty system-nights, and replays change nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date, datetime, timedelta
from datetime import time as clock

import psycopg
import pytest

from onestop.transform import run_dbt
from simulator import truth
from simulator.faults import Fault, chaos_plan
from simulator.server import Servers
from tests.e2e.helpers.marts import assert_equal_to_truth, checksums, marts
from tests.e2e.helpers.nightly import no_version_twice, point_airflow_at, province_with_empty_landing, run_night

START = date(2025, 5, 1)
FIRST = date(2025, 6, 30)  # the initial load
# A month of nights (the last one clean); ONESTOP_CHAOS_NIGHTS shortens or lengthens it.
NIGHTS = [FIRST + timedelta(days=k) for k in range(1, int(os.environ.get("ONESTOP_CHAOS_NIGHTS", "31")) + 1)]
MONTHS = sorted({date(n.year, n.month, 1) for n in [START, FIRST, *NIGHTS]})
SEED = 2025
# Faults that leave the system-night without its data (not delivered, or rows set aside).
LOSSY = ("down", "renamed")


def killed_target(faults: list[Fault], kinds: dict[str, str]) -> tuple[str, date]:
    """The first night (not the first, not the last) with an API system no fault touches."""
    for night in NIGHTS[1:-1]:
        struck = {f.system for f in faults if f.night == night}
        for system in sorted(kinds):
            if kinds[system] == "dvcqg_api" and system not in struck:
                return system, night
    raise AssertionError("no night to kill a loader on")


def kill_mid_copy(sim, url: str, system: str, night: date) -> dict:
    """Start the system's extraction as its own process, SIGKILL it while its COPY is open (pages come slowly
    that night), and report what the warehouse holds of it."""
    sim.plan.add(Fault(system, night, "slow", {"seconds": 3}))
    code = (
        "import sys; from onestop.night import Night; from onestop.extract.nightly import extract_system;"
        " extract_system(sys.argv[1], Night.of(sys.argv[2]))"
    )
    process = subprocess.Popen([sys.executable, "-c", code, system, night.isoformat()])
    copying = None
    with psycopg.connect(url, autocommit=True) as conn:
        deadline = time.monotonic() + 60
        while copying is None and time.monotonic() < deadline and process.poll() is None:
            copying = conn.execute(
                "select pid from pg_stat_activity where query ilike 'copy raw.%' and state = 'active'"
            ).fetchone()
            time.sleep(0.05)
        assert copying, "the loader never reached its COPY"
        time.sleep(0.3)
        process.send_signal(signal.SIGKILL)
        process.wait()
        while conn.execute("select 1 from pg_stat_activity where pid = %s", copying).fetchone():
            time.sleep(0.05)  # the server notices the client is gone and rolls its transaction back
        run_id, status = conn.execute(
            "select run_id, status from audit.extraction_runs where system_id = %s and interval_start = %s"
            " order by run_id desc limit 1",
            (system, night),
        ).fetchone()
        landed = conn.execute(
            "select count(*) from raw.dossier_records where batch_id = %s", (f"{system}-{night:%Y%m%d}-r{run_id}",)
        ).fetchone()[0]
    sim.plan.path.write_text(
        json.dumps([f.to_json() for f in sim.plan.load() if not (f.fault == "slow" and f.night == night)])
    )
    return {"run_id": run_id, "status": status, "landed": landed, "returncode": process.returncode}


@pytest.fixture(scope="module")
def chaos(airflow_db, warehouse_url, tmp_path_factory):
    sim = province_with_empty_landing(tmp_path_factory.mktemp("chaos"), warehouse_url, "simchaos", START, FIRST, SEED)
    kinds = dict(sim.world.kind_of)
    faults = chaos_plan(kinds, NIGHTS, SEED)
    found: dict = {"faults": faults, "states": {}}
    with Servers(sim):
        point_airflow_at(sim)
        for name, value in sim.connections().items():  # an API that does not answer in 2 s has timed out
            connection = json.loads(value)
            if connection["conn_type"] == "http":
                os.environ[name] = json.dumps({**connection, "extra": {"timeout": 2}})
        run_night(FIRST, with_dbt=True, conf={"transform": False})  # the marts are first built on the last night
        for fault in faults:
            sim.plan.add(fault)
        found["killed"] = killed_target(faults, kinds)
        for night in NIGHTS:
            sim.advance(night)
            if found["killed"][1] == night:
                found["kill"] = kill_mid_copy(sim, warehouse_url, *found["killed"])
            found["states"][night] = run_night(night, with_dbt=True, conf={"transform": night == NIGHTS[-1]})[1]
        found["marts"] = marts(warehouse_url, MONTHS)
        found["checksums"] = checksums(warehouse_url)
        # Replay: a past night again through the DAG, then the marts built again (incrementally). The night is one
        # whose faults lost nothing (a night re-run after its system came back completes it: a real change).
        lossy_nights = {n for n, _ in lossy_system_nights(faults, sim.ledger.entries())}
        replayed = next(n for n in NIGHTS[:-1] if n not in lossy_nights and any(f.night == n for f in faults))
        run_night(replayed, with_dbt=True, conf={"transform": False})
        run_dbt("build", "--quiet")
        found["replayed"] = replayed, checksums(warehouse_url)
        # And the whole month from raw: every incremental model rebuilt from what landed.
        run_dbt("build", "--full-refresh", "--quiet")
        found["refreshed"] = checksums(warehouse_url)
    observed = datetime.combine(NIGHTS[-1], clock(23, 59, 59))
    found["truth"] = truth.compute(sim.world, MONTHS, observed, START)
    found["ledger"] = sim.ledger.entries()
    return found


def lossy_system_nights(faults: list[Fault], ledger: list[dict]) -> set[tuple[date, str]]:
    """The system-nights the gate must call incomplete: not delivered, or rows set aside."""
    lossy = {(f.night, f.system) for f in faults if f.fault in LOSSY}
    return lossy | {(date.fromisoformat(e["night"]), e["system"]) for e in ledger}


def test_the_plan_strikes_every_night_with_every_kind_of_fault(chaos) -> None:
    faults = chaos["faults"]
    assert {f.night for f in faults} == set(NIGHTS[:-1])
    assert {"down", "shifting", "duplicates", "reexport", "malformed", "renamed"} <= {f.fault for f in faults}
    assert {f.params.get("mode") for f in faults if f.fault == "down"} >= {"5xx", "refuse", "timeout"}


@pytest.mark.parametrize("view", ["as_was", "as_is"])
def test_after_a_clean_night_the_marts_equal_the_ground_truth(chaos, view) -> None:
    assert_equal_to_truth(chaos["truth"], chaos["marts"], view, MONTHS)


def test_the_quarantine_holds_exactly_what_was_broken(chaos, warehouse_url) -> None:
    with psycopg.connect(warehouse_url) as conn:
        held = conn.execute(
            "select system_id, interval_start::date, split_part(reason, ':', 1), reason, raw_row from audit.quarantine"
        ).fetchall()
    broken = Counter((e["system"], date.fromisoformat(e["night"]), e["reason"]) for e in chaos["ledger"])
    assert broken and Counter((s, n, r) for s, n, r, _, _ in held) == broken
    for entry in chaos["ledger"]:
        if entry["reason"] != "missing_code":  # the others name their dossier in the row kept
            assert any(s == entry["system"] and entry["key"] in row for s, _, _, _, row in held), entry
    assert all(": " in reason for _, _, _, reason, _ in held)  # a code and a readable detail


def test_no_dossier_twice(chaos, warehouse_url) -> None:
    with psycopg.connect(warehouse_url) as conn:
        for relation in ("staging.int_dossiers_deduplicated", "marts.fct_dossiers"):
            rows, dossiers = conn.execute(f"select count(*), count(distinct dossier_code) from {relation}").fetchone()
            assert rows == dossiers > 1000, relation
    no_version_twice(warehouse_url)


def test_the_gate_marked_exactly_the_faulty_system_nights(chaos, warehouse_url) -> None:
    expected = lossy_system_nights(chaos["faults"], chaos["ledger"])
    with psycopg.connect(warehouse_url) as conn:
        judged = conn.execute(
            "select night, system_id, complete, reasons from marts.night_completeness where night = any(%s)",
            (NIGHTS,),
        ).fetchall()
    assert {n for n, _, _, _ in judged} == set(NIGHTS)
    incomplete = {(n, s): reasons for n, s, complete, reasons in judged if not complete}
    assert set(incomplete) == expected, {
        "unexpected": {k: incomplete[k] for k in sorted(set(incomplete) - expected)},
        "missed": sorted(expected - set(incomplete)),
    }
    for (_, system), reasons in incomplete.items():
        assert reasons and all(system in reason or "not delivered" in reason for reason in reasons), reasons
    for night, states in chaos["states"].items():
        faulty = any(n == night for n, _ in expected)
        assert states["quality_gate"] == ["failed" if faulty else "success"], (night, states["quality_gate"])


def test_a_loader_killed_mid_copy_left_nothing_and_its_night_landed(chaos, warehouse_url) -> None:
    system, night = chaos["killed"]
    kill = chaos["kill"]
    assert kill["returncode"] == -signal.SIGKILL and kill["status"] == "running" and kill["landed"] == 0
    with psycopg.connect(warehouse_url) as conn:
        runs = conn.execute(
            "select run_id, status, error from audit.extraction_runs where system_id = %s and interval_start = %s"
            " order by run_id",
            (system, night),
        ).fetchall()
    killed = next(r for r in runs if r[0] == kill["run_id"])
    assert killed[1] == "failed" and killed[2].startswith("interrupted")
    assert runs[-1][1] == "success"


def test_replaying_a_night_or_rebuilding_the_month_changes_no_marts_table(chaos) -> None:
    _, replayed = chaos["replayed"]
    assert {"fct_dossiers", "fct_dossier_month", "fct_unit_month_scorecard", "night_completeness"} <= set(replayed)
    assert replayed == chaos["checksums"]
    assert chaos["refreshed"] == chaos["checksums"]
