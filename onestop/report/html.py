"""One self-contained HTML page: banner when data is incomplete, the ranking, a bar chart of scores by unit,
12-month trend lines of the province's main rates, and the late lists. Charts are inline SVG (printable)."""

from __future__ import annotations

from html import escape
from pathlib import Path

from babel.numbers import format_decimal, format_percent

from onestop.report.data import INDICATORS, TREND_CODES, ReportData
from onestop.report.labels import (
    INDICATOR_NAMES,
    LEVELS,
    NOT_REPORTED,
    TREND_NAMES,
    VIEW_NAMES,
    data_status,
    month_title,
    report_title,
)

LOCALE = "vi_VN"
COLORS = ("#1f4e78", "#c55a11", "#548235", "#7030a0")
STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; border-bottom: 2px solid #1f4e78; }
table { border-collapse: collapse; font-size: 12px; margin: 8px 0; }
th { background: #1f4e78; color: #fff; padding: 4px 6px; text-align: left; }
td { border-bottom: 1px solid #ddd; padding: 3px 6px; } td.n { text-align: right; }
.banner { background: #fce4d6; border: 2px solid #9c0006; color: #9c0006; padding: 10px 14px; font-weight: bold; }
.banner ul { font-weight: normal; margin: 6px 0 0 0; }
.ok { background: #e2efda; border: 1px solid #548235; padding: 8px 12px; }
.status { padding: 6px 12px; border: 1px solid #8eaadb; }
.status.provisional { background: #fff2cc; border: 2px solid #bf8f00; font-weight: bold; }
td.na { color: #7f7f7f; font-style: italic; }
@media print { h2 { page-break-before: auto; } table { page-break-inside: auto; } }
"""


def _num(value, digits: int = 2) -> str:
    """A number as Vietnamese writes it: 1.234,56."""
    return "" if value is None else format_decimal(value, format=f"#,##0.{'0' * digits}", locale=LOCALE)


def _pct(value) -> str:
    """A share as Vietnamese writes it: 85,3%."""
    return "" if value is None else format_percent(value, format="#,##0.0%", locale=LOCALE)


def _when(value) -> str:
    return "" if value is None else value.strftime("%d/%m/%Y %H:%M")


def _cells(values: list, numeric: set[int]) -> str:
    return "".join(
        f'<td class="n">{escape(str(v))}</td>' if i in numeric else f"<td>{escape(str(v or ''))}</td>"
        for i, v in enumerate(values)
    )


def _table(headers: list[str], rows: list[list], numeric: set[int]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(f"<tr>{_cells(r, numeric)}</tr>" for r in rows) or f'<tr><td colspan="{len(headers)}">—</td></tr>'
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def score_chart(data: ReportData) -> str:
    """Horizontal bars: each unit's subtotal as a share of its reachable maximum, best first."""
    rows = sorted(data.ranking, key=lambda r: -(float(r["subtotal_ratio"] or 0)))
    bar, gap, label_w, width = 14, 4, 260, 420
    height = len(rows) * (bar + gap) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Biểu đồ điểm theo đơn vị" '
        f'width="{label_w + width + 80}" height="{height}" font-size="11">'
    ]
    for i, r in enumerate(rows):
        y = i * (bar + gap) + 20
        ratio = float(r["subtotal_ratio"] or 0)
        name = escape(f"{r['unit_name'] or r['unit_code']}")
        parts.append(f'<text x="{label_w - 6}" y="{y + bar - 3}" text-anchor="end">{name}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{ratio * width:.1f}" height="{bar}" fill="{COLORS[0]}"/>')
        score = f"{_num(r['subtotal'])}/{r['max_points']}"
        parts.append(f'<text x="{label_w + ratio * width + 4:.1f}" y="{y + bar - 3}">{score}</text>')
    parts.append(f'<text x="{label_w}" y="12" font-weight="bold">Tỷ lệ điểm đạt được / điểm tối đa</text></svg>')
    return "".join(parts)


def trend_chart(data: ReportData) -> str:
    """Province-wide monthly rates over up to 12 months, one line per main indicator."""
    width, height, left, top, bottom = 640, 260, 50, 20, 40
    months = [t["month_start"] for t in data.trend]
    if not months:
        return "<p>—</p>"
    step = (width - left - 20) / max(1, len(months) - 1)
    plot_h = height - top - bottom

    def y(rate: float) -> float:
        return top + (1 - rate) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Xu hướng 12 tháng" width="{width + 150}" '
        f'height="{height}" font-size="11">'
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        parts.append(f'<line x1="{left}" x2="{width - 20}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{int(tick * 100)}%</text>')
    for i, month in enumerate(months):
        parts.append(
            f'<text x="{left + i * step:.1f}" y="{height - bottom + 16}" text-anchor="middle">'
            f"{month.month:02d}/{month.year % 100:02d}</text>"
        )
    for k, code in enumerate(TREND_CODES):
        points = [
            (left + i * step, y(float(t[f"rate_{code}"])))
            for i, t in enumerate(data.trend)
            if t[f"rate_{code}"] is not None
        ]
        if points:
            path = " ".join(f"{x:.1f},{yy:.1f}" for x, yy in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{COLORS[k]}" stroke-width="2"/>')
            parts += [f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="3" fill="{COLORS[k]}"/>' for x, yy in points]
        parts.append(f'<rect x="{width}" y="{top + k * 20}" width="12" height="12" fill="{COLORS[k]}"/>')
        parts.append(f'<text x="{width + 18}" y="{top + k * 20 + 10}">{escape(TREND_NAMES[code])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def banner(data: ReportData) -> str:
    if data.is_complete:
        return '<div class="ok">Dữ liệu đầy đủ: mọi hệ thống đã gửi đủ dữ liệu mọi đêm trong tháng.</div>'
    # The same system-night makes many units incomplete: say each reason once, with how many units it touches.
    touched: dict[str, set[str]] = {}
    for c in data.incomplete:
        for reason in c.get("reasons_vi") or []:
            touched.setdefault(reason, set()).add(c["unit_code"])
    reasons = sorted(touched.items(), key=lambda item: (-len(item[1]), item[0]))
    items = "".join(f"<li>{escape(reason)} — {len(units)} đơn vị</li>" for reason, units in reasons[:12])
    more = f"<li>… và {len(reasons) - 12} lý do khác</li>" if len(reasons) > 12 else ""
    return (
        f'<div class="banner" id="incomplete">Cảnh báo: dữ liệu chưa đầy đủ ở {len(data.incomplete)} đơn vị — '
        f"kết quả của các đơn vị này chưa đủ căn cứ để xếp hạng chính thức.<ul>{items}{more}</ul></div>"
    )


def indicator_table(data: ReportData) -> str:
    """Each unit's score per indicator; an indicator its system cannot record says so instead of a number."""
    head = "".join(f"<th>{escape(h)}</th>" for h in ["Đơn vị", *(INDICATOR_NAMES[c] for c in INDICATORS)])
    rows = []
    for r in data.ranking:
        cells = [f"<td>{escape(str(r['unit_name'] or r['unit_code']))}</td>"]
        for code in INDICATORS:
            if not r.get(f"is_reported_{code}", True):
                cells.append(f'<td class="na">{escape(NOT_REPORTED)}</td>')
            else:
                cells.append(f'<td class="n">{_num(r[f"score_{code}"])}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def render(data: ReportData) -> str:
    ranking = _table(
        ["Cấp", "Hạng", "Mã đơn vị", "Tên đơn vị", "Tổng điểm", "Tối đa", "Tỷ lệ", "Thay đổi hạng"],
        [
            [
                LEVELS.get(r["level"], r["level"]),
                f"{r['rank_in_level']}/{data.units_in_level(r['level'])}",
                r["unit_code"],
                r["unit_name"],
                _num(r["subtotal"]),
                r["max_points"],
                _pct(r["subtotal_ratio"]),
                # A provisional month's rank will still move: no change against last month.
                ""
                if r["previous_rank"] is None or not data.compares_with_last_month
                else f"{r['previous_rank'] - r['rank_in_level']:+d}",
            ]
            for r in data.ranking
        ],
        {1, 4, 5, 6, 7},
    )
    late = _table(
        ["Đơn vị", "Mã hồ sơ", "Thủ tục", "Tiếp nhận", "Hạn", "Ngày quá hạn", "Cán bộ xử lý", "Phòng ban"],
        [
            [
                i["unit_name"] or i["reported_unit_code"],
                i["item_code"],
                i["procedure_name"] or i["procedure_code"],
                _when(i["received_at"]),
                _when(i["due_at"]),
                i["working_days_overdue"],
                i["handler"],
                i["department"],
            ]
            for i in data.late_dossiers
        ],
        {5},
    )
    feedback = _table(
        ["Đơn vị", "Mã PAKN", "Tiếp nhận", "Hạn", "Ngày quá hạn"],
        [
            [
                i["unit_name"] or i["reported_unit_code"],
                i["item_code"],
                _when(i["received_at"]),
                _when(i["due_at"]),
                i["working_days_overdue"],
            ]
            for i in data.late_feedback
        ],
        {4},
    )
    title = escape(report_title(data.month))
    status = data_status(data.is_final, data.data_as_of)
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{title}</title><style>{STYLE}</style></head>
<body>
<h1>{title}</h1>
<p>Đơn vị hiển thị: {escape(VIEW_NAMES[data.view])}.</p>
<p class="status{"" if data.is_final else " provisional"}" id="data-status">{escape(status)}</p>
{banner(data)}
<h2>Xếp hạng {escape(month_title(data.month))}{"" if data.is_final else " (tạm tính)"}</h2>
{ranking}
<h2>Điểm các chỉ số thành phần</h2>
{indicator_table(data)}
<h2>Điểm theo đơn vị</h2>
{score_chart(data)}
<h2>Xu hướng 12 tháng của toàn tỉnh</h2>
{trend_chart(data)}
<h2>Hồ sơ trễ hạn và quá hạn ({len(data.late_dossiers)})</h2>
{late}
<h2>Phản ánh, kiến nghị quá hạn ({len(data.late_feedback)})</h2>
{feedback}
</body></html>
"""


def write(data: ReportData, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(data), encoding="utf-8")
    return path
