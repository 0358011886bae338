"""The nightly extraction DAG, end to end: the real DAG (`dag.test()`), the simulated province's three kinds of
system, a real PostgreSQL warehouse, several consecutive nights with faults."""

from __future__ import annotations

import json
from datetime import date

import psycopg
import pytest

from simulator.faults import Fault
from simulator.server import Servers
from simulator.simulation import Simulation
from tests.e2e.helpers.nightly import (
    no_version_twice,
    point_airflow_at,
    province_with_empty_landing,
    raw_fingerprint,
    run_night,
)
from tests.e2e.helpers.systems import STATUS_FIELD, latest_raw, system_truth

FIRST = date(2025, 6, 20)


@pytest.fixture(scope="module")
def province(airflow_db, warehouse_url, tmp_path_factory):
    sim = province_with_empty_landing(
        tmp_path_factory.mktemp("nightly"), warehouse_url, "simnight", date(2025, 5, 26), FIRST, 3
    )
    with Servers(sim):
        point_airflow_at(sim)
        yield sim


def assert_system_matches(sim: Simulation, url: str, system: str) -> None:
    landed = latest_raw(url, system)
    held = system_truth(sim, system)
    field = STATUS_FIELD[sim.world.kind_of[system]]
    assert set(landed) == set(held), system
    assert {k: json.loads(v)[field] for k, v in landed.items()} == held, system


def test_first_night_loads_every_system_whole(province, warehouse_url) -> None:
    run, states = run_night(FIRST)
    assert states["extract"] == ["success"] * 9, states
    assert states["summarize_night"] == ["success"]
    for system in province.world.systems:
        assert_system_matches(province, warehouse_url, system.id)
    with psycopg.connect(warehouse_url) as conn:
        night = conn.execute(
            "select complete, missing from audit.nights where interval_start = %s", (FIRST,)
        ).fetchone()
        assert night == (True, [])
        runs = conn.execute(
            "select system_id, window_start, rows_landed, status from audit.extraction_runs where interval_start = %s",
            (FIRST,),
        ).fetchall()
        assert len(runs) == 9 and all(r[3] == "success" and r[2] > 0 for r in runs)
        assert all(r[1].year == 2000 for r in runs if r[0] != "sonhoa")  # first run: the whole history


def night_verdicts(url: str) -> dict:
    with psycopg.connect(url) as conn:
        return dict(conn.execute("select interval_start::date, missing from audit.nights").fetchall())


@pytest.fixture(scope="module")
def alerts():
    """A webhook on loopback that records what the alerts say."""
    import os
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    received: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    os.environ["ONESTOP_ALERT_WEBHOOK"] = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield received
    os.environ.pop("ONESTOP_ALERT_WEBHOOK", None)
    server.shutdown()


def test_systems_down_deliver_everything_when_back(province, warehouse_url, alerts) -> None:
    # tuyan (onegate_db) is down for two nights, dongxuan (csv_drop) for one.
    for night in (date(2025, 6, 22), date(2025, 6, 23)):
        province.plan.add(Fault("tuyan", night, "down"))
    province.plan.add(Fault("dongxuan", date(2025, 6, 22), "down"))
    for night in (date(2025, 6, 21), date(2025, 6, 22), date(2025, 6, 23), date(2025, 6, 24)):
        province.advance(night)
        _, states = run_night(night)
        failed = {date(2025, 6, 22): 2, date(2025, 6, 23): 1}.get(night, 0)
        assert states["extract"].count("failed") == failed, (night, states)
        assert states["summarize_night"] == ["success"]
        no_version_twice(warehouse_url)
    with psycopg.connect(warehouse_url) as conn:
        nights = dict(conn.execute("select interval_start::date, missing from audit.nights").fetchall())
        reason = conn.execute("select reasons->>'tuyan' from audit.nights where interval_start = '2025-06-22'")
        assert "tuyan" in reason.fetchone()[0]
    assert nights[date(2025, 6, 21)] == [] and nights[date(2025, 6, 24)] == []
    assert sorted(nights[date(2025, 6, 22)]) == ["dongxuan", "tuyan"] and nights[date(2025, 6, 23)] == ["tuyan"]
    # dongxuan's export did not run that night: its files are missing, so it did not deliver; they came late.
    with psycopg.connect(warehouse_url) as conn:
        reason = conn.execute("select reasons->>'dongxuan' from audit.nights where interval_start = '2025-06-22'")
        assert "hoso_20250622.csv" in reason.fetchone()[0]
    for system in province.world.systems:
        assert_system_matches(province, warehouse_url, system.id)
    assert any("tuyan" in a["text"] and "2025-06-22" in a["text"] for a in alerts)


def test_rerun_and_backfill_change_nothing(province, warehouse_url) -> None:
    before, verdicts = raw_fingerprint(warehouse_url), night_verdicts(warehouse_url)
    run_night(date(2025, 6, 24))
    assert raw_fingerprint(warehouse_url) == before and night_verdicts(warehouse_url) == verdicts
    # Re-running the nights tuyan missed, now that it is back, completes them and lands nothing twice.
    for night in (date(2025, 6, 21), date(2025, 6, 22), date(2025, 6, 23), date(2025, 6, 24)):
        run_night(night)
    assert raw_fingerprint(warehouse_url) == before
    assert night_verdicts(warehouse_url) == {**verdicts, date(2025, 6, 22): [], date(2025, 6, 23): []}
    run_night(date(2025, 6, 22))
    assert raw_fingerprint(warehouse_url) == before


def test_malformed_rows_go_to_quarantine_and_the_rest_lands(province, warehouse_url) -> None:
    night = date(2025, 6, 25)
    for system in ("tuyhoa", "phuhoa", "sonhoa"):
        province.plan.add(Fault(system, night, "malformed", {"rate": 0.25}))
    province.advance(night)
    _, states = run_night(night)
    assert states["extract"] == ["success"] * 9
    injected = sorted(
        (e["system"], e["reason"], e["key"]) for e in province.ledger.entries() if e["night"] == night.isoformat()
    )
    assert len(injected) >= 6 and {e[0] for e in injected} == {"tuyhoa", "phuhoa", "sonhoa"}
    with psycopg.connect(warehouse_url) as conn:
        held = conn.execute(
            "select system_id, split_part(reason, ':', 1), raw_row from audit.quarantine where interval_start = %s",
            (night,),
        ).fetchall()
        landed = dict(
            conn.execute(
                "select system_id, rows_landed from audit.extraction_runs"
                " where interval_start = %s and status = 'success'",
                (night,),
            ).fetchall()
        )
    assert sorted((s, r) for s, r, _ in held) == sorted((s, r) for s, r, _ in injected)
    for system, reason, key in injected:
        if reason != "missing_code":  # the rest name their dossier in the row kept
            assert any(s == system and key in row for s, _, row in held), (system, key)
    assert all(landed[s] > 0 for s in ("tuyhoa", "phuhoa", "sonhoa"))


def test_renamed_column_fails_only_that_system(province, warehouse_url, alerts) -> None:
    night = date(2025, 6, 26)
    province.plan.add(Fault("songcau", night, "renamed", {"column": "NgayTiepNhan", "to": "NgayNhan"}))
    province.advance(night)
    before = latest_raw(warehouse_url, "songcau")
    _, states = run_night(night)
    assert states["extract"].count("failed") == 1 and states["extract"].count("success") == 8
    with psycopg.connect(warehouse_url) as conn:
        error = conn.execute(
            "select error from audit.extraction_runs where system_id = 'songcau'"
            " and interval_start = %s order by run_id desc limit 1",
            (night,),
        ).fetchone()[0]
        missing = conn.execute("select missing from audit.nights where interval_start = %s", (night,)).fetchone()[0]
    assert "songcau" in error and "/api/v1/hoso" in error and "NgayTiepNhan" in error
    assert missing == ["songcau"]
    assert latest_raw(warehouse_url, "songcau") == before  # its earlier data stays
    assert any("songcau" in a["text"] and "NgayTiepNhan" in a["text"] for a in alerts)
    # Fixed the next night: everything it changed meanwhile arrives.
    province.advance(date(2025, 6, 27))
    _, states = run_night(date(2025, 6, 27))
    assert states["extract"] == ["success"] * 9
    for system in province.world.systems:
        assert_system_matches(province, warehouse_url, system.id)
