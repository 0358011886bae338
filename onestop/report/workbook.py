"""The XLSX workbook: ranking (with a chart officials can paste), every indicator, late dossiers, overdue
feedback, data completeness. Every text cell is written as text, never as a formula, whatever it holds."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from onestop.report.data import INDICATORS, ReportData
from onestop.report.labels import (
    FEEDBACK_HOLDER_NOTE,
    IN_PROGRESS,
    INDICATOR_NAMES,
    LEVELS,
    METHOD_LINE,
    NOT_REPORTED,
    UNKNOWN_HOLDER,
    VIEW_NAMES,
    data_status,
    late_reason,
    month_title,
    report_title,
)

PERCENT, SCORE, DATETIME, INTEGER = "0.0%", "0.00", "dd/mm/yyyy hh:mm", "#,##0"
HEADER = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
WARNING_FILL = PatternFill("solid", fgColor="FCE4D6")

SHEETS = ("Xếp hạng", "Chỉ số thành phần", "Hồ sơ trễ hạn", "PAKN quá hạn", "Độ đầy đủ dữ liệu")


def _put(ws, row: int, col: int, value, number_format: str | None = None):
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        # Control characters cannot be stored in a workbook: shown as U+FFFD rather than failing the report.
        # A string starting with "=" (or "+", "-", "@") would become a live formula: keep it text.
        cell.value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        cell.data_type = "s"
    else:
        cell.value = float(value) if hasattr(value, "as_integer_ratio") and not isinstance(value, int) else value
    if number_format and value is not None:
        cell.number_format = number_format
    return cell


def _table(ws, first_row: int, headers: list[tuple[str, int, str | None]], rows: list[list]) -> None:
    for col, (title, width, _) in enumerate(headers, start=1):
        cell = _put(ws, first_row, col, title)
        cell.font, cell.fill = HEADER, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(col)].width = width
    for r, values in enumerate(rows, start=first_row + 1):
        for col, value in enumerate(values, start=1):
            _put(ws, r, col, value, headers[col - 1][2])
    ws.freeze_panes = ws.cell(row=first_row + 1, column=1)
    if rows:
        ws.auto_filter.ref = f"A{first_row}:{get_column_letter(len(headers))}{first_row + len(rows)}"


def _title(ws, data: ReportData, subtitle: str) -> None:
    """The header block every sheet carries, rows 1-4 (the table's header is row 5, repeated on every printed
    page): the title, what the sheet shows and how units are counted, where the data stands and whether final,
    and the method line (after the warning, when data is incomplete)."""
    _put(ws, 1, 1, report_title(data.month)).font = Font(bold=True, size=14)
    generated = f"lập lúc {data.generated_at:%H:%M ngày %d/%m/%Y}" if data.generated_at else ""
    about = f"{subtitle} — {VIEW_NAMES[data.view]}; các cấp: {data.level_names}; {generated}"
    _put(ws, 2, 1, about).font = Font(italic=True)
    status = _put(ws, 3, 1, data_status(data.is_final, data.data_as_of))
    if not data.is_final:
        status.font, status.fill = Font(bold=True, color="9C0006"), WARNING_FILL
    if data.is_complete:
        _put(ws, 4, 1, METHOD_LINE).font = Font(size=9)
    else:
        cell = _put(
            ws,
            4,
            1,
            f"Lưu ý: dữ liệu chưa đầy đủ ở {len(data.incomplete)} đơn vị (xem trang «{SHEETS[4]}»). {METHOD_LINE}",
        )
        cell.font, cell.fill = Font(bold=True, color="9C0006"), WARNING_FILL


def _print_setup(ws) -> None:
    """A4 landscape, every column on the page's width, the table's header repeated, pages numbered."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:5"
    ws.oddFooter.center.text = "Trang &P/&N"


def ranking_sheet(ws, data: ReportData) -> None:
    _title(ws, data, f"Xếp hạng {month_title(data.month)}")
    headers = [
        ("Cấp", 12, None),
        ("Hạng", 7, INTEGER),
        ("Mã đơn vị", 18, None),
        ("Tên đơn vị", 34, None),
        ("Tổng điểm", 11, SCORE),
        ("Điểm tối đa", 11, INTEGER),
        ("Tỷ lệ điểm", 11, PERCENT),
        ("Thay đổi hạng", 12, "+0;-0;0"),
        ("Thay đổi điểm", 12, "+0.00;-0.00;0.00"),
    ]
    rows = [
        [
            LEVELS.get(r["level"], r["level"]),
            r["rank_in_level"],
            r["unit_code"],
            r["unit_name"],
            r["subtotal"],
            r["max_points"],
            r["subtotal_ratio"],
            # A better rank is a smaller number: moving from 5th to 3rd is +2.
            data.change(r["previous_rank"], r["rank_in_level"]),
            data.change(r["subtotal"], r["previous_subtotal"]),
        ]
        for r in data.ranking
    ]
    _table(ws, 5, headers, rows)
    # The rank stays a number (it sorts and filters) and reads "3/34": out of the units of its level.
    for row, r in enumerate(data.ranking, start=6):
        ws.cell(row=row, column=2).number_format = '0"/{}"'.format(data.units_in_level(r["level"]))
    if rows:
        chart = BarChart()
        chart.type, chart.style = "bar", 10
        chart.title = f"Tổng điểm theo đơn vị — {month_title(data.month)}"
        chart.y_axis.title, chart.x_axis.title = "Điểm", "Đơn vị"
        chart.add_data(Reference(ws, min_col=5, min_row=5, max_row=5 + len(rows)), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=4, min_row=6, max_row=5 + len(rows)))
        chart.height, chart.width = max(8, len(rows) * 0.45), 18
        # Excel draws a bar chart's first category at the bottom: reversed, rank 1 is on top, as in the table.
        chart.x_axis.scaling.orientation = "maxMin"
        chart.x_axis.delete = chart.y_axis.delete = False
        ws.add_chart(chart, "K5")


def indicator_sheet(ws, data: ReportData) -> None:
    _title(ws, data, "Chỉ số thành phần (tử số, mẫu số, tỷ lệ, điểm, thay đổi điểm)")
    headers = [("Mã đơn vị", 18, None), ("Tên đơn vị", 30, None)]
    for code in INDICATORS:
        name = INDICATOR_NAMES[code]
        if code != "5_4":
            headers += [(f"{name} — tử số", 10, INTEGER), (f"{name} — mẫu số", 10, INTEGER)]
        headers += [
            (f"{name} — tỷ lệ", 10, PERCENT),
            (f"{name} — điểm", 9, SCORE),
            (f"{name} — thay đổi", 10, "+0.00;-0.00;0.00"),
        ]
    rows = []
    for r in data.ranking:
        values = [r["unit_code"], r["unit_name"]]
        for code in INDICATORS:
            if not r.get(f"is_reported_{code}", True):
                # The unit's system cannot record this indicator's input: not a zero, and not in the subtotal.
                values += [None, None, NOT_REPORTED, NOT_REPORTED, None]
                continue
            if code != "5_4":
                values += [r[f"n_{code}"], r[f"d_{code}"]]
            change = data.change(r[f"score_{code}"], r[f"previous_score_{code}"])
            values += [r[f"rate_{code}"], r[f"score_{code}"], change]
        rows.append(values)
    _table(ws, 5, headers, rows)


def _end(item: dict):
    return IN_PROGRESS if item["end_at"] is None else item["end_at"]


def late_dossier_sheet(ws, data: ReportData) -> None:
    _title(ws, data, "Hồ sơ trễ hạn và quá hạn (rõ người, rõ việc, rõ thời gian)")
    headers = [
        ("Mã đơn vị", 18, None),
        ("Tên đơn vị", 28, None),
        ("Mã hồ sơ", 26, None),
        ("Thủ tục", 40, None),
        ("Ngày tiếp nhận", 16, DATETIME),
        ("Ngày hẹn trả", 16, DATETIME),
        ("Ngày kết thúc xử lý", 16, DATETIME),
        ("Số ngày làm việc quá hạn", 12, INTEGER),
        ("Cán bộ", 24, None),
        ("Đang giữ / xử lý cuối", 14, None),
        ("Phòng ban", 24, None),
        ("Trạng thái", 18, None),
        ("Lý do trễ", 34, None),
    ]
    rows = [
        [
            i["reported_unit_code"],
            i["unit_name"],
            i["item_code"],
            i["procedure_name"] or i["procedure_code"],
            i["received_at"],
            i["due_at"],
            _end(i),
            i["working_days_overdue"],
            i["holder"] or UNKNOWN_HOLDER,
            "đang giữ" if i["is_open"] else "xử lý cuối",
            i["department"] or UNKNOWN_HOLDER,
            i["status_name"],
            late_reason(i["late_reason"]),
        ]
        for i in data.late_dossiers
    ]
    _table(ws, 5, headers, rows)


def late_feedback_sheet(ws, data: ReportData) -> None:
    _title(ws, data, f"Phản ánh, kiến nghị quá hạn xử lý. {FEEDBACK_HOLDER_NOTE}")
    headers = [
        ("Mã đơn vị", 18, None),
        ("Tên đơn vị", 28, None),
        ("Mã phản ánh", 22, None),
        ("Phân loại", 22, None),
        ("Ngày tiếp nhận", 16, DATETIME),
        ("Hạn xử lý", 16, DATETIME),
        ("Ngày trả lời", 16, DATETIME),
        ("Số ngày làm việc quá hạn", 12, INTEGER),
        ("Lý do trễ", 30, None),
    ]
    rows = [
        [
            i["reported_unit_code"],
            i["unit_name"],
            i["source_code"],
            i["category_name"],
            i["received_at"],
            i["due_at"],
            _end(i),
            i["working_days_overdue"],
            late_reason(i["late_reason"]),
        ]
        for i in data.late_feedback
    ]
    _table(ws, 5, headers, rows)


def completeness_sheet(ws, data: ReportData) -> None:
    _title(ws, data, "Độ đầy đủ dữ liệu theo kết quả kiểm tra chất lượng")
    headers = [
        ("Mã đơn vị", 18, None),
        ("Tên đơn vị", 30, None),
        ("Đầy đủ", 9, None),
        ("Số đêm trong tháng", 10, INTEGER),
        ("Số đêm đầy đủ", 10, INTEGER),
        ("Lý do", 90, None),
    ]
    rows = [
        [
            c["unit_code"],
            c.get("unit_name"),
            "Có" if c.get("complete") else "Không",
            c.get("nights_in_month"),
            c.get("nights_complete"),
            "; ".join(c.get("reasons_vi") or []),
        ]
        for c in (data.completeness or data.incomplete)
    ]
    _table(ws, 5, headers, rows)


def write(data: ReportData, path: Path) -> Path:
    wb = Workbook()
    builders = (ranking_sheet, indicator_sheet, late_dossier_sheet, late_feedback_sheet, completeness_sheet)
    for index, (title, build) in enumerate(zip(SHEETS, builders, strict=True)):
        ws = wb.active if index == 0 else wb.create_sheet()
        ws.title = title
        build(ws, data)
        _print_setup(ws)
    wb.properties.creator = wb.properties.lastModifiedBy = "onestop"
    wb.properties.title = report_title(data.month)
    wb.properties.subject = f"{data.province} — {month_title(data.month)}" if data.province else month_title(data.month)
    wb.properties.description = METHOD_LINE
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
