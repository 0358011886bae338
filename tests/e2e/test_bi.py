"""The BI dashboard (issue #18): Superset, in its own environment, provisioned from bi/superset/assets/ on the
province the nightly and monthly DAGs built (conftest's `reported`), opened in headless Chromium as a user would.
Its charts show the marts' numbers, in Vietnamese formats, and the page fetched nothing from outside the machine."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime

import pytest

from onestop.local.superset import ADMIN, Superset
from tests.e2e.helpers.cdp import Page
from tests.e2e.helpers.net import free_port

CHARTS = 5


@pytest.fixture(scope="module")
def dashboard(reported, role_urls, tmp_path_factory):
    superset = Superset(role_urls["bi"], port=free_port(), state=tmp_path_factory.mktemp("superset"))
    started = time.monotonic()
    superset.provision()
    with superset, Page() as page:
        ready = time.monotonic() - started
        page.goto(f"{superset.base_url}/login/")
        landed = page.evaluate(
            "fetch('/login/', {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded'},"
            " body: new URLSearchParams({csrf_token: document.getElementById('csrf_token').value,"
            f" username: '{ADMIN}', password: {json.dumps(superset.admin_password())}}})}}).then(r => r.url)"
        )
        assert "/login" not in landed, landed
        page.goto(superset.dashboard_url)
        # Every chart drawn: the three tables with rows, the trend's canvas, and no chart left loading or failed.
        page.wait_for(
            "document.querySelectorAll('.chart-container tbody tr').length > 0"
            " && document.querySelectorAll('.chart-container canvas').length > 0"
            " && document.querySelectorAll('.chart-container .loading').length === 0"
            f" && document.querySelectorAll('.chart-container').length === {CHARTS}"
        )
        time.sleep(1)  # the last frame of the charts' animation
        found = {
            "ready": ready,
            "text": page.evaluate("document.title + '\\n' + document.body.innerText"),
            "tables": page.evaluate(
                "Array.from(document.querySelectorAll('.chart-container')).map(c =>"
                " Array.from(c.querySelectorAll('tbody tr')).map(tr =>"
                " Array.from(tr.cells).map(td => td.innerText.trim())))"
            ),
            "errors": page.evaluate("document.querySelectorAll('.chart-container .alert, [role=alert]').length"),
            "data": [json.loads(body) for body in page.response_bodies("/api/v1/chart/data")],
            "outbound": page.outbound(superset.base_url),
            "png": page.screenshot(tmp_path_factory.mktemp("shots") / "dashboard.png"),
        }
    return found


def chart_rows(dashboard, *columns: str) -> list[dict]:
    """The rows Superset sent the chart whose query returned exactly these columns."""
    for response in dashboard["data"]:
        for result in response["result"]:
            if result["colnames"] == list(columns):
                return result["data"]
    raise AssertionError(f"no chart asked for {columns}")


def month_of(epoch_ms: int) -> date:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).date()


def test_the_dashboard_is_up_within_two_minutes_and_every_chart_rendered(dashboard) -> None:
    assert dashboard["ready"] < 120, dashboard["ready"]
    assert "Chỉ số phục vụ người dân, doanh nghiệp" in dashboard["text"]
    for title in (
        "Xếp hạng tháng gần nhất đã chốt",
        "Mức đầy đủ dữ liệu",
        "Tỷ lệ từng chỉ số",
        "đang quá hạn",
        "Kiểm tra chất lượng dữ liệu đêm gần nhất",
    ):
        assert title in dashboard["text"], title
    assert dashboard["errors"] == 0
    assert dashboard["png"].stat().st_size > 50_000


def test_the_ranking_shows_the_last_final_month_with_ranks_out_of_n_in_vietnamese_numbers(dashboard, owner) -> None:
    expected = owner.execute(
        "select rank_label, unit_name, level_name, subtotal, max_points, to_char(month_start, 'MM/YYYY')"
        " from marts.ranking_last_final_month where view = 'as_is' order by level, rank_in_level, unit_code"
    ).fetchall()
    assert expected and expected[0][5] == "07/2025"  # July 2025: the province's last month whose nights all landed
    shown = dashboard["tables"][0]
    assert len(shown) == min(len(expected), 50)  # the first page of the table
    for (rank, unit, level, subtotal, max_points, month), row in zip(expected, shown, strict=False):
        assert row[:3] == [rank, unit, level]
        assert row[3] == f"{subtotal:.2f}".replace(".", ",")  # 47,11: the decimal comma
        assert row[4] == str(max_points) and row[-1] == month


def test_the_trend_is_the_province_rate_of_each_indicator_by_final_month(dashboard, owner) -> None:
    expected = {
        (month, name): float(rate)
        for month, name, rate in owner.execute(
            "select month_start, indicator_name, round(100.0 * sum(numerator) / nullif(sum(denominator), 0), 1)"
            " from marts.fct_unit_month_indicator where view = 'as_is' and is_final group by 1, 2"
        ).fetchall()
        if rate is not None
    }
    # A time series comes pivoted: one row per month, one column per indicator.
    rows = next(
        result["data"]
        for response in dashboard["data"]
        for result in response["result"]
        if result["colnames"][0] == "month_start" and "units" not in result["colnames"]
    )
    shown = {
        (month_of(r["month_start"]), name): rate for r in rows for name, rate in r.items() if name != "month_start"
    }
    assert {k: v for k, v in shown.items() if v is not None} == expected
    assert {m for m, _ in expected} == {date(2025, 5, 1), date(2025, 6, 1), date(2025, 7, 1)}


def test_completeness_counts_the_units_whose_month_is_complete(dashboard, owner) -> None:
    expected = owner.execute(
        "select month_start, count(*) filter (where complete), count(*) from marts.data_completeness"
        " where view = 'as_is' group by 1 order by 1"
    ).fetchall()
    rows = chart_rows(dashboard, "month_start", "units_complete", "units")
    assert sorted((month_of(r["month_start"]), r["units_complete"], r["units"]) for r in rows) == expected
    # August: a night with a system down, and the month is not over.
    assert expected[-1][0] == date(2025, 8, 1) and expected[-1][1] < expected[-1][2]
    assert ["08/2025", str(expected[-1][1]), str(expected[-1][2])] in dashboard["tables"][1]


def test_overdue_items_now_are_listed_with_who_holds_them(dashboard, owner) -> None:
    expected = owner.execute(
        "select item_code, current_unit_name, working_days_overdue, coalesce(handler, 'N/A')"
        " from marts.current_overdue_items order by working_days_overdue desc, item_code"
    ).fetchall()
    columns = ("item_code", "item_type_name", "current_unit_name", "procedure_name", "due_at", "working_days_overdue")
    rows = chart_rows(dashboard, *columns, "handler", "department")
    assert expected and [r["item_code"] for r in rows] == [code for code, *_ in expected]
    shown = dashboard["tables"][3]
    assert len(shown) == min(len(expected), 25)  # the first page
    for (code, unit, days, handler), row in zip(expected, shown, strict=False):
        assert [row[0], row[2], row[5], row[6]] == [code, unit, str(days), handler]


def test_the_gates_checks_of_the_latest_night_are_listed_failures_first(dashboard, owner) -> None:
    expected = owner.execute(
        "select check_code, check_name, result_name, severity_name, observed_value, failed_systems"
        " from marts.quality_checks where night = (select max(night) from marts.quality_checks)"
        " order by success, check_code"
    ).fetchall()
    columns = ("night", "check_name", "result_name", "severity_name", "observed_value", "failed_systems", "check_code")
    rows = chart_rows(dashboard, *columns)
    assert [tuple(r[c] for c in columns[6:] + columns[1:6]) for r in rows] == expected
    # The check that failed names the system that did not deliver.
    assert expected[0][5] and "," not in expected[0][5], expected[0]
    # August 1st: a system was down, so the night's completeness check failed and heads the list, in Vietnamese.
    assert expected[0][:4] == (
        "completeness.every_system_delivered",
        "Mọi hệ thống nguồn đã gửi dữ liệu",
        "Không đạt",
        "nghiêm trọng",
    )
    assert all(not name.isascii() for _, name, *_ in expected)  # every check named in Vietnamese
    assert {month_of(r["night"]) for r in rows} == {date(2025, 8, 1)}
    assert len(dashboard["tables"][4]) == min(len(expected), 25)


def test_the_page_fetched_nothing_from_outside_the_machine(dashboard) -> None:
    # Superset's front end asks for a tracking pixel; the content security policy stops it in the browser.
    assert all(reason for _, reason in dashboard["outbound"]), dashboard["outbound"]
