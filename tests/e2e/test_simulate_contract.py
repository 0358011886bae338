"""The simulated systems speak the contract of district-systems.md, field by field, and deterministically."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from datetime import date, datetime

import httpx
import psycopg
import pytest

from simulator import formats
from simulator.server import Servers
from simulator.world import World
from tests.e2e.helpers.systems import fetch_all, reader_url

UNIT_CODE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")
PROCEDURE_CODE = re.compile(r"^\d\.\d{6}(\.\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2})?$")
API_DATE = re.compile(r"^(\d{14})?$")
CSV_DATE = re.compile(r"^(\d{2}/\d{2}/\d{4} \d{2}:\d{2})?$")
HOSO_FIELDS = {
    "MaHoSo",
    "MaTTHC",
    "TenTTHC",
    "MaLinhVuc",
    "TenLinhVuc",
    "MaDonViTiepNhan",
    "KenhThucHien",
    "MucDoDVC",
    "ChuHoSo",
    "SoDinhDanh",
    "SoDienThoai",
    "Email",
    "LoaiDoiTuong",
    "NgayTiepNhan",
    "NgayHenTra",
    "TrangThaiHoSo",
    "NgayKetThucXuLy",
    "NgayTra",
    "HoSoCoThanhPhanSoHoa",
    "DuocThanhToanTrucTuyen",
    "TaiLieuNop",
    "DanhSachHoSoBoSung",
    "DanhSachGiayToKetQua",
    "QuaTrinhXuLy",
    "NgayCapNhat",
}
PAKN_FIELDS = {
    "MaPAKN",
    "MaDonVi",
    "PhanLoai",
    "TieuDe",
    "NoiDung",
    "HoTen",
    "SoDienThoai",
    "NgayGui",
    "NgayTiepNhan",
    "NgayXuLy",
    "NgayCongKhai",
    "TrangThai",
    "NgayCapNhat",
}


@pytest.fixture(scope="module")
def served(small_province):
    with Servers(small_province) as servers:
        yield small_province, servers


def test_dvcqg_api_pages_dossiers_as_the_contract_says(served) -> None:
    sim, _ = served
    port, token = sim.state.ports["tuyhoa"], sim.state.tokens["tuyhoa"]
    pages, records = fetch_all(port, token, "hoso", "20250601000000", "20250715000000")
    assert len(records) == int(pages[0]["tong_so"]) > 100
    assert {page["error_code"] for page in pages} <= {"0", 0, "00"}
    assert len({json.dumps(p["error_code"]) for p in pages}) > 1  # the quirk is really exercised
    assert all(page["message"] == "Thành công" for page in pages)
    keys = [(r["NgayCapNhat"], r["MaHoSo"]) for r in records]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    for record in records:
        assert set(record) == HOSO_FIELDS
        assert "20250601000000" <= record["NgayCapNhat"] < "20250715000000"
        for key, value in record.items():
            if not isinstance(value, list):
                assert isinstance(value, str), (key, value)
        for key in ("NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTra", "NgayCapNhat"):
            assert API_DATE.match(record[key]), (key, record[key])
        assert UNIT_CODE.match(record["MaDonViTiepNhan"]) and record["MaHoSo"].startswith(record["MaDonViTiepNhan"])
        assert PROCEDURE_CODE.match(record["MaTTHC"])
        assert record["KenhThucHien"] in {"1", "2", "3"} and record["MucDoDVC"] in {"2", "3", "4"}
        assert record["LoaiDoiTuong"] in {"1", "2", "3", "4"}
        assert record["TrangThaiHoSo"] in {str(i) for i in range(1, 11)}
        assert record["DuocThanhToanTrucTuyen"] in {"0", "1", "2"}
        assert record["QuaTrinhXuLy"][-1]["TrangThai"] == record["TrangThaiHoSo"]
        assert record["QuaTrinhXuLy"][-1]["ThoiDiemXuLy"] == record["NgayCapNhat"]
        for entry in record["DanhSachHoSoBoSung"]:
            assert set(entry) == {"NgayYeuCau", "NgayTiepNhanBoSung", "NgayHenTraTruoc", "NgayHenTraMoi"}
        for doc in record["TaiLieuNop"]:
            assert doc["DuocSoHoa"] in {"0", "1"} and doc["DuocLayTuKhoDMQG"] in {"0", "1"}
    ids = [r["SoDinhDanh"] for r in records if r["LoaiDoiTuong"] == "1"]
    assert sum(bool(re.fullmatch(r"054\d{9}", i)) for i in ids) > 0.9 * len(ids)
    assert any(re.search("[ăâđêôơưáàảãạếềểễệốồổỗộớờởỡợứừửữự]", r["ChuHoSo"].lower()) for r in records)
    statuses = {r["TrangThaiHoSo"] for r in records}
    assert {"9", "10"} <= statuses
    assert any(r["NgayHenTra"] == "" for r in records) or len(records) < 300


def test_dvcqg_api_feedback_and_auth(served) -> None:
    sim, _ = served
    port, token = sim.state.ports["songcau"], sim.state.tokens["songcau"]
    _, items = fetch_all(port, token, "pakn", "20250101000000", "20250801000000")
    assert items
    for item in items:
        assert set(item) == PAKN_FIELDS
        assert item["PhanLoai"] in {"1", "2"} and item["TrangThai"] in {str(i) for i in range(1, 7)}
        assert all(API_DATE.match(item[k]) for k in ("NgayGui", "NgayTiepNhan", "NgayXuLy", "NgayCongKhai"))
    denied = httpx.get(
        f"http://127.0.0.1:{port}/api/v1/hoso",
        headers={"Authorization": "Bearer wrong"},
        params={"cap_nhat_tu": "20250101000000", "cap_nhat_den": "20250201000000"},
    )
    assert denied.status_code == 401 and denied.json()["error_code"] != "0"


ONEGATE_COLUMNS = {
    "dossier": [
        ("id", "bigint"),
        ("dossier_no", "text"),
        ("procedure_code", "text"),
        ("procedure_name", "text"),
        ("field_code", "text"),
        ("unit_code", "text"),
        ("channel", "smallint"),
        ("online_level", "smallint"),
        ("applicant_name", "text"),
        ("applicant_id_no", "text"),
        ("applicant_phone", "text"),
        ("applicant_type", "smallint"),
        ("received_at", "timestamp without time zone"),
        ("due_at", "timestamp without time zone"),
        ("finished_at", "timestamp without time zone"),
        ("returned_at", "timestamp without time zone"),
        ("status", "text"),
        ("inputs_digitized", "boolean"),
        ("paid_online", "smallint"),
        ("updated_at", "timestamp without time zone"),
    ],
    "dossier_result": [("dossier_id", "bigint"), ("doc_name", "text"), ("doc_code", "text"), ("doc_url", "text")],
    "dossier_action": [
        ("id", "bigint"),
        ("dossier_id", "bigint"),
        ("acted_at", "timestamp without time zone"),
        ("actor", "text"),
        ("actor_title", "text"),
        ("department", "text"),
        ("action", "text"),
        ("status", "text"),
    ],
    "supplement_request": [
        ("id", "bigint"),
        ("dossier_id", "bigint"),
        ("requested_at", "timestamp without time zone"),
        ("returned_at", "timestamp without time zone"),
        ("old_due_at", "timestamp without time zone"),
        ("new_due_at", "timestamp without time zone"),
    ],
    "feedback": [
        ("id", "bigint"),
        ("unit_code", "text"),
        ("category", "smallint"),
        ("title", "text"),
        ("body", "text"),
        ("reporter_name", "text"),
        ("reporter_phone", "text"),
        ("sent_at", "timestamp without time zone"),
        ("received_at", "timestamp without time zone"),
        ("answered_at", "timestamp without time zone"),
        ("published_at", "timestamp without time zone"),
        ("status", "text"),
        ("updated_at", "timestamp without time zone"),
    ],
}


def test_onegate_db_has_the_vendor_tables_and_a_read_only_login(small_province) -> None:
    with psycopg.connect(reader_url(small_province, "tuyan")) as conn:
        for table, columns in ONEGATE_COLUMNS.items():
            found = conn.execute(
                "select column_name, data_type from information_schema.columns where "
                "table_name = %s order by ordinal_position",
                (table,),
            ).fetchall()
            assert found == columns, table
        statuses = {r[0] for r in conn.execute("select distinct status from dossier")}
        assert statuses <= set(formats.ONEGATE_STATUS.values()) and {"done", "releasing"} <= statuses
        words = {r[0] for r in conn.execute("select distinct status from feedback")}
        assert words <= set(formats.ONEGATE_FEEDBACK_STATUS.values())
        orphans = conn.execute(
            "select count(*) from dossier_action a left join dossier d on d.id = a.dossier_id where d.id is null"
        ).fetchone()[0]
        assert orphans == 0
        # Child rows change only with their dossier: the latest action is the dossier's last change.
        mismatched = conn.execute(
            "select count(*) from dossier d where updated_at <> (select max(acted_at) "
            "from dossier_action a where a.dossier_id = d.id)"
        ).fetchone()[0]
        assert mismatched == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("delete from dossier")


def test_csv_drop_files_are_excel_exports_with_vietnamese_headers(small_province) -> None:
    folder = small_province.drop_folder("sonhoa")
    files = sorted(folder.glob("hoso_*.csv"))
    assert files[0].name == "hoso_20250515.csv" and files[-1].name == "hoso_20250720.csv"
    raw = files[-5].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    rows = list(csv.reader(raw[3:].decode("utf-8").splitlines()))
    assert tuple(rows[0]) == formats.CSV_HOSO_COLUMNS
    assert rows[0][0] == "Mã hồ sơ" and rows[0][-1] == "Phòng ban xử lý"
    for row in rows[1:]:
        record = dict(zip(rows[0], row, strict=True))
        for key in (
            "Ngày tiếp nhận",
            "Ngày hẹn trả",
            "Ngày kết thúc xử lý",
            "Ngày trả kết quả",
            "Ngày yêu cầu bổ sung",
            "Ngày nhận bổ sung",
        ):
            assert CSV_DATE.match(record[key]), (key, record[key])
        assert record["Trạng thái"] in formats.CSV_STATUS.values()
        assert record["Kênh nộp"] in formats.CSV_CHANNEL.values()
        assert record["Số hóa thành phần"] in {"Có", "Không"} and record["Thanh toán trực tuyến"] in {"Có", "Không"}
        assert record["Số lần yêu cầu bổ sung"] in {"0", "1", "2"}
        # A file lists the dossiers that changed that day, in their state at the end of it.
    feedback = sorted(folder.glob("phananh_*.csv"))
    header = next(csv.reader(feedback[-1].read_bytes()[3:].decode("utf-8").splitlines()))
    assert tuple(header) == formats.CSV_PHANANH_COLUMNS


def test_registry_and_reference_tables(small_province) -> None:
    from onestop import registry

    loaded = registry.load(small_province.registry_path)
    assert [s.kind for s in loaded.systems].count("csv_drop") == 3 and len(loaded.systems) == 9
    assert loaded.system("sonhoa").path == small_province.drop_folder("sonhoa").resolve()
    units = loaded.units()
    assert len(units) == 149 and {u["level"] for u in units} == {"district", "commune"}
    by_name = {(u["unit_name"], u["valid_to"]): u for u in units}
    tuy_hoa_ward = by_name[("Phường Tuy Hòa", "")]
    # Resolution 1660: xã Hòa An gave part of itself to xã Phú Hòa 1 and its remainder to phường Tuy Hòa.
    assert by_name[("Xã Hòa An", "2025-06-30")]["successor_code"] == tuy_hoa_ward["unit_code"]
    assert all(u["successor_code"] for u in units if u["valid_to"])
    procedures = loaded.procedures()
    assert all(p["has_fee"] in {"true", "false"} and p["online_level"] in {"2", "3", "4"} for p in procedures)
    assert any(p["cutoff"] == "15:00" for p in procedures)


def _fingerprint(seed: int) -> str:
    world, digest = World(seed, "small"), hashlib.sha256()
    moment = datetime(2025, 7, 31, 23, 59, 59)
    for system in world.systems:
        for d in world.dossiers(system.id, date(2025, 6, 25), date(2025, 7, 5)):
            digest.update(json.dumps(formats.dvcqg_hoso(formats.DossierState(d, moment)), ensure_ascii=False).encode())
    return digest.hexdigest()


def test_same_seed_same_bytes_other_seed_other_bytes(small_province, tmp_path) -> None:
    assert _fingerprint(7) == _fingerprint(7)
    assert _fingerprint(7) != _fingerprint(8)
    # Regenerating a day alone gives what the whole run gave: the csv file on disk is reproduced exactly.
    from simulator.backends import CsvFolder, dossier_days, end_of

    world, day = small_province.world, date(2025, 7, 2)
    rows = [
        formats.csv_hoso_row(formats.DossierState(d, end_of(day)))
        for d in world.dossiers("sonhoa", date(2025, 5, 15), day)
        if day in dossier_days(d, day, day)
    ]
    feedback = [
        formats.csv_phananh_row(f, f.state_at(end_of(day)))
        for f in world.feedback("sonhoa", date(2025, 5, 15), day)
        if any(s.at.date() == day for s in f.states)
    ]
    CsvFolder(tmp_path).write_day(day, rows, feedback)
    name = "hoso_20250702.csv"
    assert (tmp_path / name).read_bytes() == (small_province.drop_folder("sonhoa") / name).read_bytes()


def test_history_crosses_the_restructuring(small_province) -> None:
    world = small_province.world
    june = list(world.dossiers("tuyan", date(2025, 6, 30), date(2025, 6, 30)))
    july = list(world.dossiers("tuyan", date(2025, 7, 1), date(2025, 7, 2)))
    assert june and july
    assert all(world.unit_by_code[d.unit_code].valid_to == date(2025, 6, 30) for d in june)
    assert all(d.unit_code.endswith(".H15") and world.unit_by_code[d.unit_code].valid_to is None for d in july)


def test_the_source_habits_metrics_md_rules_on_in_every_format() -> None:
    """A hand-over recorded without its finish, and a history that moves on after a withdrawal, as each kind of
    system shows them (district-systems.md's fields); none of it perturbs the other records' random draws."""
    world = World(1660, "small")
    observed = datetime(2025, 9, 30, 23, 59, 59)
    handed, resumed = {}, {}
    for system in world.systems:
        for d in world.dossiers(system.id, date(2025, 3, 1), date(2025, 8, 31)):
            statuses = [s.status for s in d.steps]
            if 10 in statuses and 9 not in statuses:
                handed.setdefault(system.kind, d)
            if 7 in statuses and statuses[-1] != 7:
                resumed.setdefault(system.kind, d)
    assert set(handed) == set(resumed) == {"dvcqg_api", "onegate_db", "csv_drop"}, (set(handed), set(resumed))

    d = handed["csv_drop"]
    row = dict(zip(formats.CSV_HOSO_COLUMNS, formats.csv_hoso_row(formats.DossierState(d, observed)), strict=True))
    assert row["Trạng thái"] == "Đã trả kết quả" and row["Ngày kết thúc xử lý"] == "" and row["Ngày trả kết quả"]
    d = handed["dvcqg_api"]
    payload = formats.dvcqg_hoso(formats.DossierState(d, observed))
    assert payload["TrangThaiHoSo"] == "10" and payload["NgayKetThucXuLy"] == "" and payload["NgayTra"]
    assert [s["TrangThai"] for s in payload["QuaTrinhXuLy"]][-1] == "10"
    assert "9" not in {s["TrangThai"] for s in payload["QuaTrinhXuLy"]}
    d = handed["onegate_db"]
    dossier, results, actions, _ = formats.onegate_rows(formats.DossierState(d, observed))
    assert dossier[16] == "done" and dossier[14] is None and dossier[15] is not None  # status, finished, returned
    assert "releasing" not in {a[7] for a in actions} and (results or not d.procedure.issues_result)

    for kind, d in resumed.items():
        steps = d.steps
        withdrawal = next(i for i, s in enumerate(steps) if s.status == 7)
        # Moved on from a later day than the withdrawal: even a csv system's nightly file shows the 7 first.
        assert steps[withdrawal + 1].at.date() > steps[withdrawal].at.date(), kind
