"""The contract's check of one record: key and change time of a good one, the reason of a bad one."""

from __future__ import annotations

import json
import unicodedata
from datetime import datetime

import pytest

from onestop.sources.contract import CONTRACTS, Bounds, Rejected, canonical_status, check, missing_columns
from tests.unit.samples import HOSO

CSV_ROW = {
    "Mã hồ sơ": "000.23.33.H45-250601-0001",
    "Mã thủ tục": "1.004873",
    "Đơn vị tiếp nhận": "000.23.33.H45",
    "Ngày tiếp nhận": "01/06/2025 08:00",
    "Ngày hẹn trả": "04/06/2025 17:00",
    "Ngày kết thúc xử lý": "",
    "Ngày trả kết quả": "",
    "Trạng thái": "Đang xử lý",
}
ONEGATE = {
    "dossier_no": "000.22.33.H45-250601-0001",
    "procedure_code": "1.004873",
    "unit_code": "000.22.33.H45",
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


# The night of 2025-06-01 read at 01:30 the next morning, for a system holding two units.
NIGHT_BOUNDS = Bounds(
    window=(datetime(2025, 5, 30), datetime(2025, 6, 2)),
    read_at=datetime(2025, 6, 2, 1, 30),
    units={HOSO["MaDonViTiepNhan"], ONEGATE["unit_code"], CSV_ROW["Đơn vị tiếp nhận"]},
    known_units={HOSO["MaDonViTiepNhan"], ONEGATE["unit_code"], CSV_ROW["Đơn vị tiếp nhận"], "000.24.33.H45"},
)


@pytest.mark.parametrize(
    ("kind", "payload", "reason"),
    [
        # Required for every kind: an empty unit or receipt never lands.
        ("dvcqg_api", HOSO | {"MaDonViTiepNhan": ""}, "missing_field: MaDonViTiepNhan"),
        ("onegate_db", ONEGATE | {"unit_code": None}, "missing_field: unit_code"),
        ("onegate_db", ONEGATE | {"received_at": None}, "missing_field: received_at"),
        ("csv_drop", CSV_ROW | {"Ngày tiếp nhận": ""}, "missing_field: Ngày tiếp nhận"),
        # Times no record can hold, and change times the system was not asked for.
        ("dvcqg_api", HOSO | {"NgayTiepNhan": "19990101080000"}, "implausible_date: NgayTiepNhan=19990101080000"),
        ("onegate_db", ONEGATE | {"returned_at": "2099-01-01 00:00:00"}, "implausible_date: returned_at"),
        ("dvcqg_api", HOSO | {"NgayCapNhat": "20990101000000"}, "implausible_date: NgayCapNhat"),
        ("dvcqg_api", HOSO | {"NgayCapNhat": "20250602020000"}, "future_change: NgayCapNhat=20250602020000"),
        ("onegate_db", ONEGATE | {"updated_at": "2025-05-29 23:00:00"}, "outside_window: updated_at"),
        # Ownership: a unit of another system, a unit no one knows.
        ("dvcqg_api", HOSO | {"MaDonViTiepNhan": "000.24.33.H45"}, "foreign_unit: MaDonViTiepNhan='000.24.33.H45'"),
        ("onegate_db", ONEGATE | {"unit_code": "000.99.33.H45"}, "unknown_unit: unit_code='000.99.33.H45'"),
    ],
)
def test_bounds_of_the_night_reject_with_their_reason(kind, payload, reason) -> None:
    with pytest.raises(Rejected) as rejected:
        check(kind, "dossiers", dict(payload), datetime(2025, 6, 1, 23, 59, 59), NIGHT_BOUNDS)
    assert str(rejected.value).startswith(reason), str(rejected.value)


def test_within_the_bounds_a_record_lands_and_a_due_date_may_lie_ahead() -> None:
    ahead = HOSO | {"NgayHenTra": "20250901170000"}
    assert check("dvcqg_api", "dossiers", ahead, bounds=NIGHT_BOUNDS)[0] == HOSO["MaHoSo"]
    assert check("onegate_db", "dossiers", dict(ONEGATE), bounds=NIGHT_BOUNDS)[0] == ONEGATE["dossier_no"]
    # A csv row's change time is its file's day: no window applies to it.
    day_end = datetime(2025, 5, 20, 23, 59, 59)
    assert check("csv_drop", "dossiers", dict(CSV_ROW), day_end, NIGHT_BOUNDS)[1] == day_end


@pytest.mark.parametrize(
    ("kind", "field", "written", "meant"),
    [
        ("onegate_db", "status", "Done", "done"),
        ("onegate_db", "status", " PROCESSING ", "processing"),
        ("csv_drop", "Trạng thái", "ĐANG  XỬ LÝ", "Đang xử lý"),
        ("csv_drop", "Trạng thái", unicodedata.normalize("NFD", "Đã xử lý xong"), "Đã xử lý xong"),
    ],
)
def test_a_status_word_in_another_case_or_spacing_is_read_as_its_word(kind, field, written, meant) -> None:
    payload = (ONEGATE if kind == "onegate_db" else CSV_ROW) | {field: written}
    check(kind, "dossiers", payload, datetime(2025, 6, 1, 23, 59, 59))
    assert payload[field] == meant


def test_history_status_words_are_read_the_same_way_and_unknown_words_stay_unknown() -> None:
    contract = CONTRACTS[("onegate_db", "dossiers")]
    payload = ONEGATE | {"actions": [{"status": "Processing"}, {"status": "new"}, {"status": "reviewing"}]}
    assert canonical_status(contract, payload) is True
    assert [a["status"] for a in payload["actions"]] == ["processing", "new", "reviewing"]
    assert canonical_status(contract, payload) is False
    with pytest.raises(Rejected, match="unknown_status"):
        check("onegate_db", "dossiers", ONEGATE | {"status": "Đã xong"})


def test_a_record_without_a_history_reports_a_rewrite_only_when_it_made_one() -> None:
    contract = CONTRACTS[("csv_drop", "dossiers")]
    payload = CSV_ROW | {"Trạng thái": "ĐANG  XỬ LÝ"}
    assert canonical_status(contract, payload) is True
    assert payload["Trạng thái"] == "Đang xử lý"
    assert canonical_status(contract, payload) is False
    unknown = CSV_ROW | {"Trạng thái": "Đang thẩm định lại"}
    assert canonical_status(contract, unknown) is False
    assert unknown["Trạng thái"] == "Đang thẩm định lại"


def test_the_landing_rewrites_first_and_check_then_takes_the_words_as_they_are() -> None:
    day_end = datetime(2025, 6, 1, 23, 59, 59)
    written = CSV_ROW | {"Trạng thái": "ĐANG  XỬ LÝ"}
    with pytest.raises(Rejected, match="unknown_status"):
        check("csv_drop", "dossiers", dict(written), day_end, canonical=True)
    assert check("csv_drop", "dossiers", dict(written), day_end)[0] == CSV_ROW["Mã hồ sơ"]


def test_a_date_read_again_is_judged_again() -> None:
    # Parsed dates are remembered; a date that does not parse is not, and is rejected each time it is read.
    day_end = datetime(2025, 6, 1, 23, 59, 59)
    for _ in range(2):
        with pytest.raises(Rejected, match="impossible_date: Ngày tiếp nhận='31/02/2025 08:00'"):
            check("csv_drop", "dossiers", CSV_ROW | {"Ngày tiếp nhận": "31/02/2025 08:00"}, day_end)
    # A date the API wrote as a number reads as its digits do, cached or not.
    for _ in range(2):
        assert check("dvcqg_api", "dossiers", HOSO | {"NgayCapNhat": 20250601090000}) == (
            HOSO["MaHoSo"],
            datetime(2025, 6, 1, 9, 0),
        )


@pytest.mark.parametrize(
    ("payload", "verdict"),
    [
        (HOSO | {"ChuHoSo": "Nguy\udcc3n"}, "control_character"),  # a lone surrogate (invalid UTF-8 kept)
        (HOSO | {"QuaTrinhXuLy": [{"NoiDungXuLy": "a\x00b"}]}, "control_character"),  # a NUL deep in the history
        (HOSO | {"ChuHoSo": "Nguyễn \\u0000 Văn"}, "valid"),  # a backslash and 'u0000' as text: looked at closer
        (HOSO | {"ChuHoSo": "Nguyễn Văn A"}, "valid"),
    ],
)
def test_the_text_scan_judges_as_the_value_by_value_check(payload, verdict) -> None:
    """The landing passes the record's text so that clean records are judged by one scan of it: the verdict
    must be the one the value-by-value check gives, with or without the text."""
    text = json.dumps(payload, ensure_ascii=False)
    verdicts = []
    for given in (None, text):
        try:
            check("dvcqg_api", "dossiers", dict(payload), datetime(2025, 6, 1, 23, 59, 59), text=given)
            verdicts.append("valid")
        except Rejected as rejected:
            verdicts.append(str(rejected).split(":", 1)[0])
    assert verdicts == [verdict, verdict]
