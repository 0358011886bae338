"""Reading the simulated systems as a connector would: the API's pages, the vendor database's read-only login."""

from __future__ import annotations

import csv
import json

import httpx
import psycopg

from simulator.simulation import Simulation


def fetch_all(port: int, token: str, endpoint: str, since: str, until: str, size: int = 50) -> tuple[list, list]:
    pages, records, page = [], [], 1
    while True:
        response = httpx.get(
            f"http://127.0.0.1:{port}/api/v1/{endpoint}",
            headers={"Authorization": f"Bearer {token}"},
            params={"cap_nhat_tu": since, "cap_nhat_den": until, "trang": page, "so_ban_ghi": size},
        )
        assert response.status_code == 200
        body = response.json()
        pages.append(body)
        records.extend(body["result"])
        if page >= int(body["so_trang"]):
            return pages, records
        page += 1


def reader_url(sim, system_id: str) -> str:
    conn = json.loads(sim.connections()[f"AIRFLOW_CONN_ONESTOP_{system_id.upper()}"])
    assert conn["conn_type"] == "postgres"
    return f"postgresql://{conn['login']}:{conn['password']}@{conn['host']}:{conn['port']}/{conn['schema']}"


def latest_raw(url: str, system: str) -> dict[str, str]:
    """The latest landed version of each dossier of a system (a csv row's retraction mark is not one): key ->
    payload text."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select distinct on (record_key) record_key, payload::text from raw.dossier_records where system_id = %s"
            " and checksum <> 'retracted' order by record_key, changed_at desc, extracted_at desc",
            (system,),
        ).fetchall()
    return dict(rows)


def system_truth(sim: Simulation, system: str) -> dict[str, str]:
    """What the system itself holds now: key -> its status (in the system's own vocabulary)."""
    kind = sim.world.kind_of[system]
    if kind == "dvcqg_api":
        with psycopg.connect(sim.db_url()) as conn:
            return {
                code: json.loads(p)["TrangThaiHoSo"]
                for code, p in conn.execute(f"select code, payload from {system}.hoso")
            }
    if kind == "onegate_db":
        with psycopg.connect(sim.db_url(system)) as conn:
            return dict(conn.execute("select dossier_no, status from dossier").fetchall())
    found = {}
    for path in sorted(sim.drop_folder(system).glob("hoso_*.csv")):
        for row in csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()):
            found[row["Mã hồ sơ"]] = row["Trạng thái"]
    return found


STATUS_FIELD = {"dvcqg_api": "TrangThaiHoSo", "onegate_db": "status", "csv_drop": "Trạng thái"}
