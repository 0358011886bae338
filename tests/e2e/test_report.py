"""The monthly report for a simulated province-month, built by the monthly DAG after the nightly gate: the workbook
checked cell by cell against the marts and the simulator's ground truth, the HTML rendered in headless Chromium;
a month with a system down carries the incomplete banner."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import psycopg
import pypdfium2
import pytest
from openpyxl import load_workbook
from PIL import Image

from onestop.report.labels import LATE_REASONS, METHOD_LINE, NOT_REPORTED, UNKNOWN_HOLDER
from onestop.report.workbook import SHEETS
from tests.e2e.helpers.browser import dump_dom, screenshot
from tests.e2e.helpers.cdp import Page
from tests.e2e.helpers.reported_province import DOWN, JULY

CODES = ("2_1", "3_3", "3_6", "4_1", "4_2", "4_3", "5_2")
PLACEHOLDER = "Chuyên viên"  # what some systems write instead of a handler's name (district-systems.md)
# English the gate writes for engineers, which no page an official reads may carry.
GATE_ENGLISH = ("not delivered", "the month is not over", "no extraction recorded", "observed", "expectation")


def rows_of(sheet, first: int = 6) -> list[tuple]:
    return [r for r in sheet.iter_rows(min_row=first, values_only=True) if r[0] is not None]


def test_the_monthly_dag_builds_both_views_and_records_them(reported, warehouse_url) -> None:
    july = reported["july"]
    assert july["states"]["month_judged"] == "success"
    assert sorted(p.name for p in july["folder"].iterdir()) == [
        "onestop-2025-07-as-is.html",
        "onestop-2025-07-as-is.pdf",
        "onestop-2025-07-as-is.xlsx",
        "onestop-2025-07-as-was.html",
        "onestop-2025-07-as-was.pdf",
        "onestop-2025-07-as-was.xlsx",
    ]
    with psycopg.connect(warehouse_url) as conn:
        leaks = conn.execute(
            "select details from audit.quality_results where expectation = 'no_direct_identifiers' and not success"
        ).fetchall()
        conn.execute("set role onestop_bi")
        runs = conn.execute(
            "select view, gate_verdict, files from marts.report_runs where report_month = %s order by view", (JULY,)
        ).fetchall()
    book = load_workbook(july["folder"] / "onestop-2025-07-as-was.xlsx")
    reasons = [r[5] for r in rows_of(book[SHEETS[4]])][:3]
    assert [(v, verdict) for v, verdict, _ in runs] == [("as_is", "complete"), ("as_was", "complete")], (
        reasons,
        str(leaks)[:3000],
    )
    assert all(Path(files["xlsx"]).exists() for _, _, files in runs)


@pytest.mark.parametrize("view", ["as_was", "as_is"])
def test_the_workbook_equals_the_marts_and_the_ground_truth(reported, warehouse_url, view) -> None:
    july = reported["july"]
    expected = july["oracle"][(JULY, view)]
    book = load_workbook(july["folder"] / f"onestop-2025-07-{view.replace('_', '-')}.xlsx")
    assert book.sheetnames == list(SHEETS)
    assert book[SHEETS[0]]["A5"].value == "Cấp" and book[SHEETS[2]]["H5"].value == "Số ngày làm việc quá hạn"

    ranking = rows_of(book[SHEETS[0]])
    assert {r[2] for r in ranking} == set(expected.cards)
    for _level, rank, unit, _name, subtotal, maximum, ratio, *_ in ranking:
        card = expected.cards[unit]
        assert (rank, maximum) == (card.rank, card.maximum), unit
        assert subtotal == pytest.approx(float(card.subtotal), abs=1e-9)
        assert ratio == pytest.approx(float(card.subtotal) / card.maximum, abs=1e-9)
    # Ranked within each level, best first.
    for level in {r[0] for r in ranking}:
        ranks = [r[1] for r in ranking if r[0] == level]
        assert ranks == sorted(ranks)
    assert book[SHEETS[0]]["E6"].number_format == "0.00" and book[SHEETS[0]]["G6"].number_format == "0.0%"
    # The rank reads "n/N" (N: the units of its level) and stays a number.
    in_level = {level: sum(r[0] == level for r in ranking) for level in {r[0] for r in ranking}}
    for row, (level, *_) in enumerate(ranking, start=6):
        assert book[SHEETS[0]].cell(row=row, column=2).number_format == f'0"/{in_level[level]}"'

    indicators = rows_of(book[SHEETS[1]])
    headers = [c.value for c in book[SHEETS[1]][5]]
    not_reported = 0
    for row in indicators:
        card = expected.cards[row[0]]
        for code in CODES:
            name = next(h for h in headers if h and h.startswith(code.replace("_", ".") + " ") and h.endswith("tử số"))
            column = headers.index(name)
            got = (row[column], row[column + 1])
            assert got == (card.numerator[code.replace("_", ".")], card.denominator[code.replace("_", ".")]), (
                row[0],
                code,
            )
            if card.numerator[code.replace("_", ".")] is None:  # rate and score cells say why
                assert row[column + 2] == row[column + 3] == NOT_REPORTED, (row[0], code)
                not_reported += 1
    # The units on onegate_db and csv_drop systems: 4.3 is not reported, never 0 / N.
    assert not_reported == sum(card.numerator["4.3"] is None for card in expected.cards.values()) > 0
    # July's last night landed: final figures, and where the data stands.
    assert book[SHEETS[0]]["A3"].value == "Số liệu chính thức — dữ liệu tính đến 23:59 ngày 31/07/2025."

    late = {(r[0], r[2], r[8]) for r in rows_of(book[SHEETS[2]])}
    want = {
        (unit, j.dossier.code, UNKNOWN_HOLDER if j.handler == PLACEHOLDER else j.handler)
        for unit, um in expected.units.items()
        for j in um.late
    }
    if view == "as_was":
        # What units of the month held, under them; what abolished units still held, under their successors.
        assert {row for row in late if row[1] in {code for _, code, _ in want}} == want and len(want) > 5
        assert {unit for unit, _, _ in late} <= set(expected.cards)
    else:  # as is, each item is listed under today's unit
        assert {code for _, code, _ in late} >= {code for _, code, _ in want}
        assert {unit for unit, _, _ in late} <= set(expected.cards)

    completeness = rows_of(book[SHEETS[4]])
    assert completeness and all(r[2] == "Có" for r in completeness)


def test_the_html_renders_in_chromium_with_ranking_and_charts(reported, tmp_path) -> None:
    july = reported["july"]
    page = july["folder"] / "onestop-2025-07-as-was.html"
    dom = dump_dom(page)
    assert "Xếp hạng tháng 07/2025" in dom and dom.count("<svg") == 2 and "<polyline" in dom
    assert 'id="incomplete"' not in dom
    assert "Số liệu chính thức — dữ liệu tính đến 23:59 ngày 31/07/2025." in dom and "tạm tính" not in dom
    # Vietnamese numbers: a decimal comma ("47,75", "85,3%"), never a decimal point; ranks out of the level.
    numbers = re.findall(r'<td class="n">([^<]*)</td>', dom)
    cards = july["oracle"][(JULY, "as_was")].cards
    assert any(re.fullmatch(r"\d+,\d{2}", n) for n in numbers) and any(re.fullmatch(r"\d+,\d%", n) for n in numbers)
    assert not any(re.fullmatch(r"\d+\.\d{1,2}%?", n) for n in numbers)  # 1.234 is a thousands separator
    ranks = [n for n in numbers if re.fullmatch(r"\d+/\d+", n)]
    assert len(ranks) == len(cards) and {int(n.split("/")[0]) for n in ranks} == {c.rank for c in cards.values()}
    unreported = sum(card.numerator["4.3"] is None for card in july["oracle"][(JULY, "as_was")].cards.values())
    assert dom.count(f'<td class="na" colspan="7">{NOT_REPORTED}</td>') == unreported > 0
    png = screenshot(page, tmp_path / "july.png")
    image = Image.open(png).convert("RGB")
    assert image.size == (1400, 2400)
    colours = image.getcolors(maxcolors=1 << 20)
    bar_blue = sum(count for count, rgb in colours if rgb == (31, 78, 120))  # table header and score bars
    assert bar_blue > 20_000, bar_blue


def test_a_month_with_a_system_down_shows_the_incomplete_banner(reported, tmp_path) -> None:
    august = reported["august"]
    assert august.verdict.startswith("incomplete")
    dom = dump_dom(august.html)
    banner = dom[dom.find("<h1>") : dom.find("<h2>")]
    assert 'id="incomplete"' in banner and "Cảnh báo: dữ liệu chưa đầy đủ" in banner, banner
    # Why, in Vietnamese: the system, the night as Vietnamese writes dates, the reason in words (no English).
    down = f"{DOWN} đêm 01/08/2025: hệ thống nguồn không gửi dữ liệu"
    assert down in banner and "tháng chưa kết thúc" in banner, banner
    assert "not delivered" not in banner and "the month is not over" not in banner, banner
    book = load_workbook(august.workbook)
    assert "chưa đầy đủ" in book[SHEETS[0]]["A4"].value
    reasons = {r[0]: r[5] for r in rows_of(book[SHEETS[4]])}
    assert any(down in (text or "") for text in reasons.values())
    assert not any("not delivered" in (text or "") for text in reasons.values())
    image = Image.open(screenshot(august.html, tmp_path / "august.png")).convert("RGB")
    banner_red = sum(count for count, rgb in image.getcolors(maxcolors=1 << 20) if rgb == (156, 0, 6))
    assert banner_red > 500, banner_red


def test_a_month_in_progress_is_provisional_with_no_change_against_last_month(reported, warehouse_url) -> None:
    # Only 1 August has landed: August is judged where the data stands, marked provisional everywhere, and its
    # ranks and scores are not compared with July's (which exist: the change columns would otherwise be filled).
    august = reported["august"]
    book = load_workbook(august.workbook)
    for sheet in SHEETS:
        status = book[sheet]["A3"].value
        assert status.startswith("Số liệu tạm tính") and "23:59 ngày 01/08/2025" in status, (sheet, status)
    ranking = rows_of(book[SHEETS[0]])
    assert ranking and all(r[7] is None and r[8] is None for r in ranking)
    dom = dump_dom(august.html)
    assert 'class="status provisional"' in dom and "Xếp hạng tháng 08/2025 (tạm tính)" in dom
    with psycopg.connect(warehouse_url) as conn:
        conn.execute("set role onestop_bi")
        flags = dict(
            conn.execute(
                "select month_start, bool_and(is_final) from marts.fct_unit_month_scorecard group by 1"
            ).fetchall()
        )
    assert flags[date(2025, 8, 1)] is False and flags[JULY] is True


def test_the_html_carries_its_header_and_a_section_per_unit_reached_from_the_ranking(reported, tmp_path) -> None:
    page_path = reported["july"]["folder"] / "onestop-2025-07-as-was.html"
    cards = reported["july"]["oracle"][(JULY, "as_was")].cards
    with Page(width=1400, height=1000) as page:
        page.goto(page_path.resolve().as_uri())
        header = page.evaluate("document.getElementById('header').innerText")
        assert "Dữ liệu tính đến\t31/07/2025 23:59" in header and "Chính thức" in header, header
        assert re.search(r"Lập lúc\t\d{2}/\d{2}/\d{4} \d{2}:\d{2}", header), header
        assert "56 trên 100 điểm" in header and "44 điểm còn lại" in header and "không được ước tính" in header
        assert "đơn vị theo địa giới tại tháng báo cáo" in header
        # The portal's four groups head the ranking; each unit's name links to its own section.
        groups = page.evaluate(
            "Array.from(document.querySelectorAll('#ranking + table th.group')).map(e => e.innerText)"
        )
        assert groups == ["Tiến độ, kết quả giải quyết", "Dịch vụ công trực tuyến", "Số hóa hồ sơ", "Mức độ hài lòng"]
        # The groups' points add up to the subtotal (each shown to two places).
        for cells in page.evaluate(
            "Array.from(document.querySelectorAll('#ranking + table tbody tr'))"
            ".map(tr => Array.from(tr.cells).map(c => c.innerText))"
        ):
            number = [float(c.replace(".", "").replace(",", ".")) for c in cells[3:8]]
            assert sum(number[:4]) == pytest.approx(number[4], abs=0.021), cells
        links = page.evaluate(
            "Array.from(document.querySelectorAll('#ranking + table a')).map(a => a.getAttribute('href'))"
        )
        assert sorted(links) == sorted(f"#unit-{code}" for code in cards)
        best = next(code for code, card in cards.items() if card.rank == 1)
        page.evaluate(f"document.querySelector('a[href=\"#unit-{best}\"]').click()")
        section = page.wait_for(
            f"location.hash === '#unit-{best}' && Math.abs(document.getElementById('unit-{best}')"
            f".getBoundingClientRect().top) < 2 && document.getElementById('unit-{best}').innerText"
        )
        assert re.search(r"— hạng 1/\d+ \(Cấp ", section), section[:200]
        assert "2.1 Giải quyết đúng hạn" in section and "Tháng trước" in section
        text = page.evaluate("document.body.innerText")
        page.screenshot(tmp_path / "unit.png")
    # The late list's new columns, and no English of the gate's anywhere an official reads.
    for column in ("Ngày hẹn trả", "Ngày kết thúc xử lý", "Trạng thái", "Lý do trễ", "Cán bộ (đang giữ / xử lý cuối)"):
        assert column in text, column
    assert any(reason in text for reason in LATE_REASONS.values())
    assert PLACEHOLDER + " (" not in text  # a placeholder is never printed as the one who holds a dossier
    assert not [word for word in GATE_ENGLISH if word in text.lower()]


def test_the_workbook_carries_its_header_print_setup_and_the_late_lists_columns(reported) -> None:
    book = load_workbook(reported["july"]["folder"] / "onestop-2025-07-as-was.xlsx")
    assert book.properties.creator == "onestop" and "tháng 07/2025" in book.properties.title
    for sheet in SHEETS:
        ws = book[sheet]
        assert ws["A1"].value.startswith("Kết quả đánh giá") and "lập lúc" in ws["A2"].value, sheet
        assert ws["A3"].value.startswith("Số liệu chính thức") and ws["A4"].value == METHOD_LINE, sheet
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1, sheet
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$1:$5", sheet
        assert "&P" in ws.oddFooter.center.text, sheet
    (chart,) = book[SHEETS[0]]._charts
    assert chart.x_axis.scaling.orientation == "maxMin"  # rank 1 on top, as in the table
    late = book[SHEETS[2]]
    headers = [c.value for c in late[5]]
    assert headers[5:13] == [
        "Ngày hẹn trả",
        "Ngày kết thúc xử lý",
        "Số ngày làm việc quá hạn",
        "Cán bộ",
        "Đang giữ / xử lý cuối",
        "Phòng ban",
        "Trạng thái",
        "Lý do trễ",
    ]
    rows = rows_of(late)
    assert {r[12] for r in rows} <= set(LATE_REASONS.values()) and len({r[12] for r in rows}) >= 2
    assert all(r[9] == "đang giữ" for r in rows if r[6] == "đang xử lý")
    assert PLACEHOLDER not in {r[8] for r in rows}
    feedback = book[SHEETS[3]]
    assert [c.value for c in feedback[5]][2:4] == ["Mã phản ánh", "Phân loại"]
    assert all(":" not in r[2] for r in rows_of(feedback))  # the source's own code, no internal prefix


def test_the_pdf_is_a4_landscape_with_the_header_on_every_page_and_page_numbers(reported, tmp_path) -> None:
    pdf = pypdfium2.PdfDocument(reported["july"]["folder"] / "onestop-2025-07-as-was.pdf")
    pages = len(pdf)
    cards = reported["july"]["oracle"][(JULY, "as_was")].cards
    assert pages > len(cards)  # a page per unit's section, after the ranking and the lists
    texts = [pdf[i].get_textpage().get_text_range() for i in range(pages)]
    for number, text in enumerate(texts, start=1):
        width, height = pdf[number - 1].get_size()
        assert (round(width), round(height)) == (842, 596)  # A4 landscape, in points
        assert "Kết quả đánh giá chỉ số phục vụ người dân, doanh nghiệp — tháng 07/2025" in text, number
        assert f"Trang {number}/{pages}" in text, number
    first = texts[0]
    assert "Dữ liệu tính đến" in first and "56" in first and "Chính thức" in first
    assert re.search(r"\b1/\d+\b", first) and re.search(r"\d+,\d{2}", first)  # rank n/N, the decimal comma
    assert not [word for word in GATE_ENGLISH if word in " ".join(texts).lower()]
    image = pdf[0].render(scale=1).to_pil().convert("RGB")
    image.save(tmp_path / "pdf-page-1.png")
    header_blue = sum(count for count, rgb in image.getcolors(maxcolors=1 << 20) if rgb == (31, 78, 120))
    assert header_blue > 2_000, header_blue  # the ranking's header row and the rule under the titles
