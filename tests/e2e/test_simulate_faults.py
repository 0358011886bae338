"""Each fault the simulator can inject shows up as a real system would show it."""

from __future__ import annotations

import csv
import hashlib
from datetime import date

import httpx
import psycopg
import pytest

from simulator.faults import Fault
from simulator.server import Servers
from tests.e2e.helpers.systems import fetch_all, reader_url

NIGHT = date(2025, 6, 23)  # a Monday after the generated history (which ends Friday 20 June)
WINDOW = ("20250601000000", "20250624000000")


def _plan(sim, system: str, kind: str, **params) -> None:
    sim.plan.add(Fault(system, NIGHT, kind, params))
    sim.advance(NIGHT)


def _get(sim, system: str, timeout: float = 10.0, page: int = 1, size: int = 50) -> httpx.Response:
    return httpx.get(
        f"http://127.0.0.1:{sim.state.ports[system]}/api/v1/hoso",
        timeout=timeout,
        headers={"Authorization": f"Bearer {sim.state.tokens[system]}"},
        params={"cap_nhat_tu": WINDOW[0], "cap_nhat_den": WINDOW[1], "trang": page, "so_ban_ghi": size},
    )


@pytest.mark.parametrize("mode", ["5xx", "refuse", "timeout"])
def test_dvcqg_down(fresh_province, mode: str) -> None:
    with Servers(fresh_province):
        assert _get(fresh_province, "tuyhoa").status_code == 200
        _plan(fresh_province, "tuyhoa", "down", mode=mode, seconds=2)
        if mode == "5xx":
            assert _get(fresh_province, "tuyhoa").status_code == 503
        else:
            with pytest.raises(httpx.TransportError):
                _get(fresh_province, "tuyhoa", timeout=0.5)
        assert _get(fresh_province, "songcau").status_code == 200  # the others are unaffected
        fresh_province.advance(date(2025, 6, 24))
        assert _get(fresh_province, "tuyhoa").status_code == 200


def test_dvcqg_slow(fresh_province) -> None:
    with Servers(fresh_province):
        _plan(fresh_province, "donghoa", "slow", seconds=1.5)
        with pytest.raises(httpx.ReadTimeout):
            _get(fresh_province, "donghoa", timeout=0.3)
        assert _get(fresh_province, "donghoa", timeout=10).status_code == 200


def test_dvcqg_record_changes_between_pages(fresh_province) -> None:
    sim = fresh_province
    with Servers(sim):
        port, token = sim.state.ports["tuyhoa"], sim.state.tokens["tuyhoa"]
        _plan(sim, "tuyhoa", "shifting")
        with psycopg.connect(sim.db_url()) as conn:
            clean_codes = {
                r[0]
                for r in conn.execute(
                    "select code from tuyhoa.hoso where updated_at >= '2025-06-01' and updated_at < '2025-06-24'"
                )
            }
        _, shifted = fetch_all(port, token, "hoso", *WINDOW, size=20)
        codes = [r["MaHoSo"] for r in shifted]
        assert len(codes) == len(clean_codes) > 40
        assert len(set(codes)) == len(codes) - 1  # one record read twice...
        slipped = clean_codes - set(codes)
        assert len(slipped) == 1  # ...and one slipped between the pages
        # An overlapping window next night (the lookback) still finds the slipped record.
        _, again = fetch_all(port, token, "hoso", *WINDOW, size=20)
        assert slipped <= {r["MaHoSo"] for r in again}


def test_dvcqg_duplicates_counted_by_the_system_itself(fresh_province) -> None:
    sim = fresh_province
    with Servers(sim):
        _plan(sim, "songcau", "duplicates")
        pages, records = fetch_all(sim.state.ports["songcau"], sim.state.tokens["songcau"], "hoso", *WINDOW)
        codes = [r["MaHoSo"] for r in records]
        assert int(pages[0]["tong_so"]) == len(codes) > len(set(codes))


def test_dvcqg_malformed_and_renamed(fresh_province) -> None:
    sim = fresh_province
    with Servers(sim):
        sim.plan.add(Fault("tuyhoa", NIGHT, "renamed", {"column": "NgayTiepNhan", "to": "NgayNhanHoSo"}))
        _plan(sim, "tuyhoa", "malformed", rate=0.5)
        broken = {e["key"]: e["reason"] for e in sim.ledger.entries() if e["system"] == "tuyhoa"}
        assert len(broken) >= 2
        _, records = fetch_all(
            sim.state.ports["tuyhoa"], sim.state.tokens["tuyhoa"], "hoso", "20250623000000", "20250624000000"
        )
        assert records and all("NgayTiepNhan" not in r and "NgayNhanHoSo" in r for r in records)
        statuses = {r["TrangThaiHoSo"] for r in records}
        if "unknown_status" in broken.values():
            assert "99" in statuses
        if "missing_code" in broken.values():
            assert any(r["MaHoSo"] == "" for r in records)


def test_onegate_down_renamed_malformed_then_recovered(fresh_province) -> None:
    sim = fresh_province
    url = reader_url(sim, "phuhoa")
    sim.plan.add(Fault("phuhoa", NIGHT, "renamed", {"column": "received_at", "to": "receive_date"}))
    sim.plan.add(Fault("phuhoa", NIGHT, "malformed", {"rate": 0.5}))
    _plan(sim, "phuhoa", "down")
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=5)
    broken = {e["key"]: e["reason"] for e in sim.ledger.entries() if e["system"] == "phuhoa"}
    assert broken and "impossible_date" not in broken.values()
    sim.plan.clear()
    # While it was down the data was still there, wrong: check it as the owner.
    owner = sim.db_url("phuhoa")
    with psycopg.connect(owner) as conn:
        columns = {
            r[0]
            for r in conn.execute("select column_name from information_schema.columns where table_name = 'dossier'")
        }
        assert "receive_date" in columns and "received_at" not in columns
        bad = conn.execute(
            "select count(*) from dossier where status = 'archived' or dossier_no is null or finished_at < receive_date"
        ).fetchone()[0]
        assert bad == len(broken)
    sim.advance(date(2025, 6, 24))
    with psycopg.connect(url) as conn:
        bad = conn.execute(
            "select count(*) from dossier where status = 'archived' or dossier_no is null or finished_at < received_at"
        ).fetchone()[0]
        assert bad == 0


def _rows(path) -> list[list[str]]:
    return list(csv.reader(path.read_bytes()[3:].decode("utf-8").splitlines()))


def test_csv_down_then_everything_delivered(fresh_province) -> None:
    sim = fresh_province
    _plan(sim, "dongxuan", "down")
    folder = sim.drop_folder("dongxuan")
    assert not (folder / "hoso_20250623.csv").exists()
    assert (sim.drop_folder("sonhoa") / "hoso_20250623.csv").exists()
    sim.advance(date(2025, 6, 24))
    assert (folder / "hoso_20250623.csv").exists() and (folder / "hoso_20250624.csv").exists()


def test_csv_reexport_duplicates_malformed_renamed(fresh_province) -> None:
    sim = fresh_province
    sim.plan.add(Fault("sonhoa", NIGHT, "malformed", {"rate": 0.3}))
    sim.plan.add(Fault("songhinh", NIGHT, "renamed", {"column": "Ngày tiếp nhận", "to": "Ngày nhận"}))
    sim.plan.add(Fault("songhinh", NIGHT, "duplicates"))
    _plan(sim, "dongxuan", "reexport")
    first = sim.drop_folder("dongxuan") / "hoso_20250623.csv"
    first_rows, first_hash = _rows(first), hashlib.sha256(first.read_bytes()).hexdigest()
    renamed = _rows(sim.drop_folder("songhinh") / "hoso_20250623.csv")
    assert "Ngày nhận" in renamed[0] and "Ngày tiếp nhận" not in renamed[0]
    codes = [r[0] for r in renamed[1:]]
    assert len(codes) > len(set(codes))
    broken = [e for e in sim.ledger.entries() if e["system"] == "sonhoa"]
    sonhoa = {r[0]: r for r in _rows(sim.drop_folder("sonhoa") / "hoso_20250623.csv")[1:]}
    assert broken
    for entry in broken:
        if entry["reason"] == "impossible_date":
            assert sonhoa[entry["key"]][10].startswith("31/02/")
        elif entry["reason"] == "unknown_status":
            assert sonhoa[entry["key"]][14] == "Đang thẩm định lại"
        elif entry["reason"] == "missing_code":
            assert "" in sonhoa
    sim.advance(date(2025, 6, 24))
    corrected = _rows(first)
    assert len(corrected) > len(first_rows) and hashlib.sha256(first.read_bytes()).hexdigest() != first_hash
    assert "Ngày tiếp nhận" in _rows(sim.drop_folder("songhinh") / "hoso_20250623.csv")[0]
    clean = {r[0]: r for r in _rows(sim.drop_folder("sonhoa") / "hoso_20250623.csv")[1:]}
    assert "" not in clean and all(clean[e["key"]][14] != "Đang thẩm định lại" for e in broken)
