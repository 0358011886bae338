"""The monthly report for a simulated province-month, built by the monthly DAG after the nightly gate: the workbook
checked cell by cell against the marts and the simulator's ground truth, the HTML rendered in headless Chromium;
a month with a system down carries the incomplete banner."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import psycopg
import pytest
from openpyxl import load_workbook
from PIL import Image

from onestop.report.labels import NOT_REPORTED
from onestop.report.workbook import SHEETS
from tests.e2e.helpers.browser import dump_dom, screenshot
from tests.e2e.helpers.reported_province import DOWN, JULY

CODES = ("2_1", "3_3", "3_6", "4_1", "4_2", "4_3", "5_2")


def rows_of(sheet, first: int = 6) -> list[tuple]:
    return [r for r in sheet.iter_rows(min_row=first, values_only=True) if r[0] is not None]


def test_the_monthly_dag_builds_both_views_and_records_them(reported, warehouse_url) -> None:
    july = reported["july"]
    assert july["states"]["month_judged"] == "success"
    assert sorted(p.name for p in july["folder"].iterdir()) == [
        "onestop-2025-07-as-is.html",
        "onestop-2025-07-as-is.xlsx",
        "onestop-2025-07-as-was.html",
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
    want = {(unit, j.dossier.code, j.handler) for unit, um in expected.units.items() for j in um.late}
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
    assert dom.count(f'<td class="na">{NOT_REPORTED}</td>') == unreported > 0
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
