"""The contract's check of one record: key and change time of a good one, the reason of a bad one."""

from __future__ import annotations

from datetime import datetime

import pytest

from onestop.sources.contract import Rejected, check, missing_columns
from tests.unit.samples import HOSO

CSV_ROW = {
    "Mã hồ sơ": "000.23.33.H45-250601-0001",
    "Mã thủ tục": "1.004873",
    "Ngày tiếp nhận": "01/06/2025 08:00",
    "Ngày hẹn trả": "04/06/2025 17:00",
    "Ngày kết thúc xử lý": "",
    "Ngày trả kết quả": "",
    "Trạng thái": "Đang xử lý",
}
ONEGATE = {
    "dossier_no": "000.22.33.H45-250601-0001",
    "procedure_code": "1.004873",
    "received_at": "2025-06-01T08:00:00",
    "due_at": None,
    "finished_at": None,
    "returned_at": None,
    "status": "processing",
    "updated_at": "2025-06-01T09:00:00",
}


def test_good_records_give_their_key_and_change_time() -> None:
    assert check("dvcqg_api", "dossiers", HOSO) == (HOSO["MaHoSo"], datetime(2025, 6, 1, 9, 0))
    assert check("onegate_db", "dossiers", ONEGATE) == (ONEGATE["dossier_no"], datetime(2025, 6, 1, 9, 0))
    # A csv system's change time is the end of its file's day.
    day_end = datetime(2025, 6, 1, 23, 59, 59)
    assert check("csv_drop", "dossiers", CSV_ROW, day_end) == (CSV_ROW["Mã hồ sơ"], day_end)


@pytest.mark.parametrize(
    ("kind", "payload", "reason"),
    [
        ("dvcqg_api", HOSO | {"NgayTiepNhan": "20250231080000"}, "impossible_date: NgayTiepNhan='20250231080000'"),
        ("csv_drop", CSV_ROW | {"Ngày tiếp nhận": "31/02/2025 08:00"}, "impossible_date: Ngày tiếp nhận"),
        ("dvcqg_api", HOSO | {"TrangThaiHoSo": "99"}, "unknown_status: TrangThaiHoSo='99'"),
        ("onegate_db", ONEGATE | {"status": "archived"}, "unknown_status: status='archived'"),
        ("csv_drop", CSV_ROW | {"Trạng thái": "Đang thẩm định lại"}, "unknown_status"),
        ("dvcqg_api", HOSO | {"MaHoSo": ""}, "missing_code: MaHoSo is empty"),
        ("dvcqg_api", HOSO | {"MaTTHC": ""}, "missing_code: MaTTHC is empty"),
        ("dvcqg_api", HOSO | {"NgayKetThucXuLy": "20250531080000"}, "finish_before_receipt: NgayKetThucXuLy"),
        ("onegate_db", ONEGATE | {"finished_at": "2025-05-31T08:00:00"}, "finish_before_receipt: finished_at"),
        ("dvcqg_api", HOSO | {"NgayCapNhat": ""}, "impossible_date: NgayCapNhat is empty"),
        ("dvcqg_api", HOSO | {"ChuHoSo": "Nguy\udcc3n"}, "control_character"),
        ("dvcqg_api", HOSO | {"QuaTrinhXuLy": [{"NoiDungXuLy": "a\x00b"}]}, "control_character"),
    ],
)
def test_each_bad_record_is_rejected_with_its_reason(kind, payload, reason) -> None:
    with pytest.raises(Rejected) as rejected:
        check(kind, "dossiers", payload, datetime(2025, 6, 1, 23, 59, 59))
    assert str(rejected.value).startswith(reason), str(rejected.value)


def test_missing_columns_names_what_a_vendor_upgrade_dropped() -> None:
    assert missing_columns("dvcqg_api", "dossiers", HOSO.keys()) == []
    assert missing_columns("csv_drop", "dossiers", [c for c in CSV_ROW if c != "Trạng thái"]) != []
    assert "Trạng thái" in missing_columns("csv_drop", "dossiers", [c for c in CSV_ROW if c != "Trạng thái"])
