"""One self-contained HTML page, from the Jinja2 template beside this module (templates/report.html.j2): the header
block (data as of, generated at, final or provisional, the 56-of-100 method line, the view), the banner when data is
incomplete, the ranking with the portal's group subtotals, charts as inline SVG (printable), the late lists, and a
section per unit reachable from the ranking. Numbers and dates are written as Vietnamese writes them (Babel)."""

from __future__ import annotations

from datetime import datetime
from html import escape
from pathlib import Path

from babel.numbers import format_decimal, format_percent
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from onestop.night import LOCAL_TZ
from onestop.report.data import INDICATORS, TREND_CODES, ReportData
from onestop.report.labels import (
    FEEDBACK_HOLDER_NOTE,
    IN_PROGRESS,
    INDICATOR_NAMES,
    LEVELS,
    METHOD_LINE,
    NOT_REPORTED,
    TREND_NAMES,
    UNKNOWN_HOLDER,
    VIEW_NAMES,
    data_status,
    late_reason,
    month_title,
    report_title,
)

LOCALE = "vi_VN"
COLORS = ("#1f4e78", "#c55a11", "#548235", "#7030a0")
TEMPLATES = Path(__file__).parent / "templates"
STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; border-bottom: 2px solid #1f4e78; }
h3 { font-size: 14px; margin-top: 20px; }
table { border-collapse: collapse; font-size: 12px; margin: 8px 0; }
th { background: #1f4e78; color: #fff; padding: 4px 6px; text-align: left; }
th.sub { font-weight: normal; font-size: 11px; }
td { border-bottom: 1px solid #ddd; padding: 3px 6px; } td.n { text-align: right; }
table.meta th { background: #deeaf6; color: #222; } table.meta td { padding-right: 24px; }
.method { font-size: 12px; color: #444; max-width: 1100px; }
.note { font-size: 12px; font-style: italic; }
.banner { background: #fce4d6; border: 2px solid #9c0006; color: #9c0006; padding: 10px 14px; font-weight: bold; }
.banner ul { font-weight: normal; margin: 6px 0 0 0; }
.ok { background: #e2efda; border: 1px solid #548235; padding: 8px 12px; }
.status { padding: 6px 12px; border: 1px solid #8eaadb; }
.status.provisional { background: #fff2cc; border: 2px solid #bf8f00; font-weight: bold; }
td.na { color: #7f7f7f; font-style: italic; }
@page { size: A4 landscape; margin: 12mm; }
@media print { h2 { page-break-before: auto; } table { page-break-inside: auto; } thead { display: table-header-group; }
  section.unit { page-break-before: always; } a { color: inherit; text-decoration: none; } }
"""


def _num(value, digits: int = 2) -> str:
    """A number as Vietnamese writes it: 1.234,56."""
    return "" if value is None else format_decimal(value, format=f"#,##0.{'0' * digits}", locale=LOCALE)


def _int(value) -> str:
    return "" if value is None else format_decimal(value, format="#,##0", locale=LOCALE)


def _pct(value) -> str:
    """A share as Vietnamese writes it: 85,3%."""
    return "" if value is None else format_percent(value, format="#,##0.0%", locale=LOCALE)


def _when(value) -> str:
    return "" if value is None else value.strftime("%d/%m/%Y %H:%M")


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


def incomplete_reasons(data: ReportData) -> list[tuple[str, int]]:
    """The same system-night makes many units incomplete: each reason once, with how many units it touches."""
    touched: dict[str, set[str]] = {}
    for c in data.incomplete:
        for reason in c.get("reasons_vi") or []:
            touched.setdefault(reason, set()).add(c["unit_code"])
    return [(reason, len(units)) for reason, units in sorted(touched.items(), key=lambda i: (-len(i[1]), i[0]))]


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["j2", "html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(num=_num, int_=_int, pct=_pct, when=_when)
    return env


def render(data: ReportData) -> str:
    def rank_change(r: dict) -> str:
        change = data.change(r["previous_rank"], r["rank_in_level"])  # a better rank is a smaller number
        return "" if change is None else f"{change:+d}"

    def score_change(r: dict, code: str) -> str:
        change = data.change(r[f"score_{code}"], r[f"previous_score_{code}"])
        return "" if change is None else ("+" if change >= 0 else "") + _num(change)

    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            data=data,
            title=report_title(data.month),
            month=month_title(data.month),
            style=Markup(STYLE),
            generated_at=data.generated_at or datetime.now(LOCAL_TZ),
            status=data_status(data.is_final, data.data_as_of),
            view_name=VIEW_NAMES[data.view],
            levels="các cấp: " + data.level_names,
            method=METHOD_LINE,
            groups=data.groups,
            reasons=incomplete_reasons(data),
            indicators=INDICATORS,
            indicator_names=INDICATOR_NAMES,
            max_points=data.max_points,
            not_reported=NOT_REPORTED,
            in_progress=IN_PROGRESS,
            unknown_holder=UNKNOWN_HOLDER,
            feedback_note=FEEDBACK_HOLDER_NOTE,
            level_name=lambda level: LEVELS.get(level, level),
            late_reason=late_reason,
            rank_change=rank_change,
            score_change=score_change,
            score_chart=Markup(score_chart(data)),
            trend_chart=Markup(trend_chart(data)),
        )
    )


def write(data: ReportData, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(data), encoding="utf-8")
    return path
