"""The contract's vocabulary (district-systems.md): the ten national status codes and each kind's words for them,
and which indicators each kind's format can report at all.

The connectors validate against it, dbt maps it (its seeds are checked against this file), the simulator speaks it.
"""

from __future__ import annotations

NATIONAL_STATUS = {
    1: "Mới đăng ký trực tuyến",
    2: "Đã tiếp nhận",
    3: "Từ chối tiếp nhận",
    4: "Đang xử lý",
    5: "Yêu cầu bổ sung",
    6: "Yêu cầu thực hiện nghĩa vụ tài chính",
    7: "Công dân rút hồ sơ",
    8: "Dừng xử lý",
    9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}

ONEGATE_STATUS = {
    1: "receiving",
    2: "new",
    3: "denied",
    4: "processing",
    5: "waiting",
    6: "paying",
    7: "cancelled",
    8: "unresolved",
    9: "releasing",
    10: "done",
}
ONEGATE_FEEDBACK_STATUS = {1: "pending", 2: "handling", 3: "answered", 4: "published", 5: "refused", 6: "transferred"}
CSV_STATUS = {
    1: "Mới đăng ký",
    2: "Đã tiếp nhận",
    3: "Từ chối tiếp nhận",
    4: "Đang xử lý",
    5: "Chờ bổ sung",
    6: "Chờ thực hiện nghĩa vụ tài chính",
    7: "Rút hồ sơ",
    8: "Dừng xử lý",
    9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}
CSV_FEEDBACK_STATUS = {
    1: "Chờ tiếp nhận",
    2: "Đang xử lý",
    3: "Đã trả lời",
    4: "Đã công khai",
    5: "Từ chối",
    6: "Đã chuyển",
}
CSV_CHANNEL = {1: "Trực tiếp", 2: "Trực tuyến", 3: "Bưu chính công ích"}
CSV_CATEGORY = {1: "Quy định hành chính", 2: "Hành vi cán bộ"}
APPLICANT_TYPE = {1: "Công dân", 2: "Doanh nghiệp", 3: "Cơ quan nhà nước", 4: "Tổ chức khác"}  # LoaiDoiTuong
ONLINE_PAYMENT = {  # DuocThanhToanTrucTuyen
    0: "Không thanh toán trực tuyến",
    1: "Thanh toán trên Cổng Dịch vụ công quốc gia",
    2: "Thanh toán qua nền tảng thanh toán của tỉnh",
}
# Unit levels (`level` of dim_unit and the scorecard) and their Vietnamese names (seed `unit_levels`).
UNIT_LEVELS = {"province": "Cấp tỉnh", "department": "Sở, ngành", "district": "Cấp huyện", "commune": "Cấp xã"}
# Every code the marts carry, with the Vietnamese name BI tools show for it (seed `code_labels`, checked against
# this): `status_code` (the ten national codes), `channel`, feedback's `status_code` and `category`,
# `applicant_type`, `paid_online`.
CODE_LABELS = {
    "status": NATIONAL_STATUS,
    "channel": CSV_CHANNEL,
    "feedback_status": CSV_FEEDBACK_STATUS,
    "feedback_category": CSV_CATEGORY,
    "applicant_type": APPLICANT_TYPE,
    "online_payment": ONLINE_PAYMENT,
}

CSV_HOSO_COLUMNS = (
    "Mã hồ sơ",
    "Mã thủ tục",
    "Tên thủ tục",
    "Mã lĩnh vực",
    "Đơn vị tiếp nhận",
    "Kênh nộp",
    "Mức độ DVC",
    "Người nộp",
    "Số giấy tờ",
    "Điện thoại",
    "Ngày tiếp nhận",
    "Ngày hẹn trả",
    "Ngày kết thúc xử lý",
    "Ngày trả kết quả",
    "Trạng thái",
    "Số hóa thành phần",
    "Thanh toán trực tuyến",
    "Kết quả điện tử",
    "Số lần yêu cầu bổ sung",
    "Ngày yêu cầu bổ sung",
    "Ngày nhận bổ sung",
    "Cán bộ xử lý",
    "Phòng ban xử lý",
)
CSV_PHANANH_COLUMNS = (
    "Mã phản ánh",
    "Đơn vị",
    "Phân loại",
    "Tiêu đề",
    "Người gửi",
    "Điện thoại",
    "Ngày gửi",
    "Ngày tiếp nhận",
    "Ngày trả lời",
    "Ngày công khai",
    "Trạng thái",
)

# The dossier-based indicators of metrics.md and, per kind, those whose input its format carries. An indicator a
# kind cannot carry is "not reported" for the dossiers of its systems (metrics.md): null, never 0, so no unit is
# ranked down for its vendor's format. The `onegate_db` and `csv_drop` formats have no field for "input reused
# from the citizen's data store" (4.3). dbt reads this as the seed `indicator_coverage` (checked against it).
INDICATORS = ("2.1", "3.3", "3.6", "4.1", "4.2", "4.3", "5.2")
REPORTED_INDICATORS = {
    "dvcqg_api": INDICATORS,
    "onegate_db": tuple(code for code in INDICATORS if code != "4.3"),
    "csv_drop": tuple(code for code in INDICATORS if code != "4.3"),
}


def reports(kind: str, indicator: str) -> bool:
    """Whether a system of `kind` can record the input of `indicator` (e.g. "4.3")."""
    return indicator in REPORTED_INDICATORS[kind]
