"""The report's words, in Vietnamese as officials read them (metrics.md names the indicators)."""

from __future__ import annotations

from datetime import date, datetime

INDICATOR_NAMES = {
    "2_1": "2.1 Giải quyết đúng hạn",
    "3_3": "3.3 Tiếp nhận trực tuyến",
    "3_6": "3.6 Thanh toán trực tuyến",
    "4_1": "4.1 Cấp kết quả điện tử",
    "4_2": "4.2 Số hóa hồ sơ",
    "4_3": "4.3 Khai thác, sử dụng lại dữ liệu",
    "5_2": "5.2 Xử lý phản ánh, kiến nghị đúng hạn",
    "5_4": "5.4 Mức độ hài lòng (ước tính)",
}
TREND_NAMES = {
    "2_1": "Đúng hạn",
    "4_1": "Kết quả điện tử",
    "4_2": "Số hóa",
    "5_2": "PAKN đúng hạn",
}
LEVELS = {"province": "Cấp tỉnh", "department": "Sở, ngành", "district": "Cấp huyện", "commune": "Cấp xã"}
VIEW_NAMES = {"as_was": "đơn vị theo địa giới tại tháng báo cáo", "as_is": "đơn vị theo địa giới hiện nay"}


def month_title(month: date) -> str:
    return f"tháng {month.month:02d}/{month.year}"


def report_title(month: date) -> str:
    return f"Kết quả đánh giá chỉ số phục vụ người dân, doanh nghiệp — {month_title(month)}"


NOT_REPORTED = "không có dữ liệu từ hệ thống nguồn"  # metrics.md "Not reported": the source cannot record it


def data_status(is_final: bool, data_as_of: datetime | None) -> str:
    """The line every sheet and page carries: where the data stands, and whether the month's figures are final."""
    moment = f"{data_as_of:%H:%M} ngày {data_as_of:%d/%m/%Y}" if data_as_of else "không rõ"
    if is_final:
        return f"Số liệu chính thức — dữ liệu tính đến {moment}."
    return (
        f"Số liệu tạm tính — tháng chưa kết thúc hoặc chưa nhận đủ dữ liệu đêm cuối tháng; dữ liệu tính đến "
        f"{moment}. Không so sánh thay đổi với tháng trước."
    )
