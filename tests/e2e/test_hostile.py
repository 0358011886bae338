"""Hostile input through the real nightly DAG and the monthly report (issue #10): a field carrying SQL, very long
strings, control characters, invalid UTF-8 in a CSV, a 50 MB JSON page, a spreadsheet formula and HTML in names
that reach the report. Each lands as data or goes to quarantine; nothing else is affected; the report's workbook
holds no live formula and its HTML no live markup; the night's task logs hold no personal data or secret."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import psycopg
import pytest
from markupsafe import escape
from openpyxl import load_workbook

from onestop.transform import run_dbt
from onestop.warehouse.bootstrap import pii_key, role_passwords
from simulator.server import Servers
from tests.e2e.helpers.nightly import captured_output, point_airflow_at, province_with_empty_landing, run_night
from tests.e2e.helpers.personal_data import people

START = date(2025, 6, 1)
FIRST = date(2025, 7, 30)
NIGHT = date(2025, 7, 31)  # the hostile night, the last of the month the report shows
JULY = date(2025, 7, 1)

FORMULA = '=HYPERLINK("http://attacker.example/phish","Xem hồ sơ")'
CONTROL = "Phòng\x07Một cửa\x1b[31m\x0b"
SQL = "'; drop table raw.dossier_records; --"
LONG = SQL + " " + "Thủ tục rất dài " * 8_000  # about 130 kB
SCRIPT = '<script>alert("onestop")</script>'
ACTOR_SQL = "Robert'); DROP TABLE marts.fct_dossiers;--"
HUGE = 50 * 1024 * 1024  # a 50 MB field makes a 50 MB page


def late_open(url: str, system: str, count: int = 1) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select o.item_code from marts.fct_overdue_items as o join marts.fct_dossiers as d"
            " on d.dossier_code = o.item_code where o.item_type = 'dossier' and o.month_start = %s"
            " and d.system_id = %s and o.is_open order by o.item_code limit %s",
            (JULY, system, count),
        ).fetchall()
    assert len(rows) == count, system
    return [code for (code,) in rows]


def latest_payload(url: str, system: str, code: str) -> dict:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "select payload from raw.dossier_records where system_id = %s and record_key = %s"
            " order by changed_at desc, extracted_at desc limit 1",
            (system, code),
        ).fetchone()[0]


def poison_csv(sim, url: str, system: str) -> dict:
    """Append to the night's export: a late dossier whose handler is a formula, department has control
    characters and procedure name carries SQL at 130 kB; and a row with invalid UTF-8."""
    path = sim.drop_folder(system) / f"hoso_{NIGHT:%Y%m%d}.csv"
    header = next(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    code = late_open(url, system)[0]
    payload = latest_payload(url, system, code)
    row = [payload[name] for name in header]
    row[header.index("Cán bộ xử lý")] = FORMULA
    row[header.index("Phòng ban xử lý")] = CONTROL
    row[header.index("Tên thủ tục")] = LONG
    broken = [payload[name] for name in header]
    broken[header.index("Mã hồ sơ")] = code + "-UTF8"
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerow(row)
    line = io.StringIO()
    csv.writer(line, lineterminator="\r\n").writerow(broken)
    invalid = line.getvalue().encode("utf-8").replace(b"-UTF8", b"-UTF8\xff\xfe\xc3(", 1)
    with open(path, "ab") as handle:
        handle.write(text.getvalue().encode("utf-8") + invalid)
    return {"code": code, "broken": code + "-UTF8"}


def poison_api(sim, url: str, system: str) -> dict:
    """A late dossier changed tonight: its handler is HTML, its last step's content 50 MB."""
    code = late_open(url, system)[0]
    with psycopg.connect(sim.db_url(), autocommit=True) as conn:
        payload = json.loads(conn.execute(f"select payload from {system}.hoso where code = %s", (code,)).fetchone()[0])
        payload["QuaTrinhXuLy"][-1]["NguoiXuLy"] = SCRIPT
        payload["QuaTrinhXuLy"][-1]["NoiDungXuLy"] = "Nội dung " + "x" * HUGE
        payload["NgayCapNhat"] = f"{NIGHT:%Y%m%d}120000"
        conn.execute(
            f"update {system}.hoso set payload = %s, updated_at = %s where code = %s",
            (json.dumps(payload, ensure_ascii=False), f"{NIGHT} 12:00", code),
        )
    return {"code": code}


def poison_db(sim, url: str, system: str) -> dict:
    """A late dossier changed tonight: procedure name and the acting official carry SQL."""
    code = late_open(url, system)[0]
    with psycopg.connect(sim.db_url(system), autocommit=True) as conn:
        conn.execute(
            "update dossier set procedure_name = %s, updated_at = %s where dossier_no = %s",
            (SQL, f"{NIGHT} 12:00", code),
        )
        conn.execute(
            "update dossier_action set actor = %s where id = (select max(a.id) from dossier_action as a"
            " join dossier as d on d.id = a.dossier_id where d.dossier_no = %s)",
            (ACTOR_SQL, code),
        )
    return {"code": code}


@pytest.fixture(scope="module")
def hostile(airflow_db, warehouse_url, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    sim = province_with_empty_landing(folder, warehouse_url, "simhostile", START, FIRST, 31)
    kinds = sim.world.kind_of
    pick = {kind: sorted(s for s, k in kinds.items() if k == kind)[0] for kind in set(kinds.values())}
    with Servers(sim):
        point_airflow_at(sim)
        run_night(FIRST, with_dbt=True, conf={"transform": False})
        run_dbt("build", "--quiet")  # the marts of the month so far (the hostile night builds through the DAG)
        sim.advance(NIGHT)
        targets = {
            "csv_drop": poison_csv(sim, warehouse_url, pick["csv_drop"]),
            "dvcqg_api": poison_api(sim, warehouse_url, pick["dvcqg_api"]),
            "onegate_db": poison_db(sim, warehouse_url, pick["onegate_db"]),
        }
        with captured_output(folder / "night.log") as log:
            states = run_night(NIGHT, with_dbt=True)[1]
    from onestop.report.build import build

    report = build(JULY, "as_was")
    return {"sim": sim, "pick": pick, "targets": targets, "states": states, "report": report, "log": log}


def test_every_system_delivered_and_the_marts_were_built(hostile) -> None:
    states = hostile["states"]
    assert states["extract"] == ["success"] * len(hostile["sim"].world.systems)
    dbt = {task: s for task, s in states.items() if task.startswith("dbt.")}
    assert len(dbt) > 20 and all(s == ["success"] for s in dbt.values()), dbt


def test_hostile_values_land_as_data(hostile, warehouse_url) -> None:
    pick, targets = hostile["pick"], hostile["targets"]
    csv_row = latest_payload(warehouse_url, pick["csv_drop"], targets["csv_drop"]["code"])
    assert csv_row["Cán bộ xử lý"] == FORMULA and csv_row["Phòng ban xử lý"] == CONTROL
    assert csv_row["Tên thủ tục"] == LONG
    api_row = latest_payload(warehouse_url, pick["dvcqg_api"], targets["dvcqg_api"]["code"])
    assert api_row["QuaTrinhXuLy"][-1]["NguoiXuLy"] == SCRIPT
    assert len(api_row["QuaTrinhXuLy"][-1]["NoiDungXuLy"]) > HUGE
    db_row = latest_payload(warehouse_url, pick["onegate_db"], targets["onegate_db"]["code"])
    assert SQL in json.dumps(db_row, ensure_ascii=False) and ACTOR_SQL in json.dumps(db_row, ensure_ascii=False)
    with psycopg.connect(warehouse_url) as conn:
        for table in ("raw.dossier_records", "marts.fct_dossiers"):
            assert conn.execute("select to_regclass(%s) is not null", (table,)).fetchone()[0], table
        held = dict(
            conn.execute(
                "select item_code, handler || ' / ' || coalesce(department, '') from marts.fct_overdue_items"
                " where month_start = %s and item_code = any(%s)",
                (JULY, [t["code"] for t in targets.values()]),
            ).fetchall()
        )
    assert held[targets["csv_drop"]["code"]] == f"{FORMULA} / {CONTROL}"
    assert held[targets["dvcqg_api"]["code"]].startswith(SCRIPT)
    assert held[targets["onegate_db"]["code"]].startswith(ACTOR_SQL)


def test_invalid_utf8_goes_to_quarantine_alone(hostile, warehouse_url) -> None:
    system = hostile["pick"]["csv_drop"]
    with psycopg.connect(warehouse_url) as conn:
        held = conn.execute(
            "select system_id, reason, raw_row, position from audit.quarantine where interval_start = %s", (NIGHT,)
        ).fetchall()
        verdict = dict(
            conn.execute(
                "select system_id, complete from marts.night_completeness where night = %s", (NIGHT,)
            ).fetchall()
        )
    assert len(held) == 1
    held_system, reason, raw_row, position = held[0]
    assert held_system == system and reason.startswith("control_character")
    assert hostile["targets"]["csv_drop"]["broken"] in raw_row and "\ufffd" in raw_row
    assert position.startswith(f"hoso_{NIGHT:%Y%m%d}.csv line ")
    # Only that system's night is incomplete (a row was set aside); every other system is unaffected.
    assert {s for s, complete in verdict.items() if not complete} == {system}


def test_the_workbook_holds_no_live_formula_and_the_html_no_live_markup(hostile) -> None:
    report = hostile["report"]
    book = load_workbook(report.workbook)
    values = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    values[cell.value] = cell.data_type
    assert values.get(FORMULA) == "s"
    assert "Phòng\ufffdMột cửa\ufffd[31m\ufffd" in values  # control characters shown, not stored
    assert SCRIPT in values and ACTOR_SQL in values
    page = report.html.read_text(encoding="utf-8")
    # Shown as text, escaped as the page's template escapes ("&lt;script&gt;alert(&#34;onestop&#34;)…").
    assert SCRIPT not in page and str(escape(SCRIPT)) in page and "&lt;script&gt;" in page
    assert str(escape(FORMULA)) in page


def test_the_night_task_logs_hold_no_personal_data_or_secret(hostile, warehouse_url) -> None:
    sim = hostile["sim"]
    text = hostile["log"].read_text(encoding="utf-8", errors="replace")
    assert len(text) > 10_000 and all(system.id in text for system in sim.world.systems)
    leaked = {kind: {v for v in values if v in text} for kind, values in people(sim, START, NIGHT).items()}
    assert sum(len(v) for v in people(sim, START, NIGHT).values()) > 1000
    assert not any(leaked.values()), {k: sorted(v)[:5] for k, v in leaked.items() if v}
    secrets = {pii_key(), *role_passwords().values(), re.search(r"//[^:]+:([^@]+)@", warehouse_url).group(1)}
    secrets |= set(sim.state.tokens.values()) | set(sim.state.passwords.values())
    assert not [s for s in secrets if s and len(s) >= 8 and s in text]
