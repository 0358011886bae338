"""The report's words, in Vietnamese as officials read them (metrics.md names the indicators)."""

from __future__ import annotations

from datetime import date, datetime

from onestop.quality.suites import checks
from onestop.vocabulary import UNIT_LEVELS

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
LEVELS = UNIT_LEVELS
VIEW_NAMES = {"as_was": "đơn vị theo địa giới tại tháng báo cáo", "as_is": "đơn vị theo địa giới hiện nay"}


def month_title(month: date) -> str:
    return f"tháng {month.month:02d}/{month.year}"


def report_title(month: date) -> str:
    return f"Kết quả đánh giá chỉ số phục vụ người dân, doanh nghiệp — {month_title(month)}"


# The method line every sheet and page carries: what the points are, and what they are not.
METHOD_LINE = (
    "Điểm trong báo cáo là phần của Bộ chỉ số phục vụ người dân, doanh nghiệp tính được từ dữ liệu hồ sơ và phản "
    "ánh, kiến nghị của các hệ thống một cửa: tối đa 56 trên 100 điểm (các chỉ số 2.1, 3.3, 3.6, 4.1, 4.2, 4.3, "
    "5.2 và 5.4 ước tính). 44 điểm còn lại (công khai, minh bạch; khảo sát mức độ hài lòng…) không có trong dữ "
    "liệu này và không được ước tính. Xếp hạng so sánh tỷ lệ điểm đạt được trên điểm tối đa của các chỉ số có dữ "
    "liệu, giữa các đơn vị cùng cấp."
)
# Why an item is on the late list (fct_overdue_items.late_reason).
LATE_REASONS = {
    "open_past_due": "quá hạn, chưa xử lý xong",
    "finished_late": "xử lý xong sau ngày hẹn trả",
    "repeated_supplements": "yêu cầu bổ sung quá một lần (tính trễ hạn dù xong trước hạn)",
}
IN_PROGRESS = "đang xử lý"
UNKNOWN_HOLDER = "không xác định"  # the source names no one, or a placeholder such as "Chuyên viên"
FEEDBACK_HOLDER_NOTE = (
    "Các hệ thống nguồn không ghi nhận cán bộ đang giữ phản ánh, kiến nghị: danh sách nêu đơn vị chịu trách nhiệm."
)


def late_reason(code: str | None) -> str:
    return LATE_REASONS.get(code or "", code or "")


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


# Why a night is incomplete, by the gate's codes (`suite.expectation`): each check's words are kept beside it, as
# `meta.reason_vi` in expectations/<suite>.json; the English detail stays in the logs and in
# marts.night_completeness.reasons, for engineers.
REASON_LABELS = {
    "not_delivered": "hệ thống nguồn không gửi dữ liệu",
    "no_extraction": "chưa trích xuất dữ liệu",
    "marts.dbt_build": "dựng kho dữ liệu không thành công",
} | {code: meta["reason_vi"] for code, meta in checks().items()}
MONTH_IN_PROGRESS = "tháng chưa kết thúc"
NOT_JUDGED = "tháng chưa được kiểm tra chất lượng dữ liệu"


def reason_label(code: str) -> str:
    """A code in Vietnamese; one the report does not know yet is named as a failed check, with its code."""
    return REASON_LABELS.get(code, f"kiểm tra chất lượng không đạt ({code})")


def completeness_reasons(row: dict) -> list[str]:
    """A unit-month's incomplete nights in Vietnamese: "<system> đêm 01/08/2025: <why>", and the month in
    progress."""
    lines = []
    for problem in row.get("problems") or []:
        night = date.fromisoformat(str(problem["night"]))
        # Two codes may say one thing (not delivered, and the expectation that every system delivered): once.
        why = ", ".join(dict.fromkeys(reason_label(code) for code in problem.get("codes") or [])) or "chưa đầy đủ"
        lines.append(f"{problem['system_id']} đêm {night:%d/%m/%Y}: {why}")
    if row.get("month_in_progress"):
        lines.append(MONTH_IN_PROGRESS)
    return lines
