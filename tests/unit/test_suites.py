"""The gate's suites filled in for one night: parameters substituted, GX's own `{batch}` kept, every other brace
escaped (GX formats the queries with str.format), the landing-only selection."""

from __future__ import annotations

import re

from onestop.night import Night
from onestop.quality import suites

NIGHT = Night.of("2025-06-10")
TABLES = {
    "fct_dossiers": {
        "dossier_code": "text",
        "unit_code": "text",
        "is_late": "boolean",
        "received_at": "timestamp without time zone",
        "refreshed_at": "timestamp with time zone",
    },
    "dim_unit": {"unit_code": "text", "unit_name": "text"},
}


def test_every_suite_is_filled_for_the_night() -> None:
    loaded = suites.load(NIGHT, TABLES)
    assert [s.name for s in loaded] == list(suites.SUITE_ORDER)
    for suite in loaded:
        assert not re.findall(r"\$[a-z_]+", suite.asset_query + str(suite.definition)), suite.name
        assert "--" not in suite.asset_query  # the files' comments are left out of what Data Docs show
    completeness = next(s for s in loaded if s.name == "completeness")
    assert "where n.interval_start = timestamp '2025-06-10 00:00:00'" in completeness.asset_query
    # The volume's history: the same weekday of the four weeks before.
    for day in ("2025-06-03", "2025-05-27", "2025-05-20", "2025-05-13"):
        assert f"timestamp '{day} 00:00:00'" in completeness.asset_query
    scan = next(s for s in loaded if s.name == "warehouse").definition["expectations"][-1]["kwargs"]
    # GX formats the generated query: a regex's braces are escaped, and no `{batch}` is asked for.
    assert "\\d{{12}}" in scan["unexpected_rows_query"] and "{batch}" not in scan["unexpected_rows_query"]


def test_one_home_per_rule() -> None:
    """GX judges what only a night shows, with built-in expectations; the one custom query is generated."""
    kinds = [e["type"] for data in suites.definitions().values() for e in data["expectations"]]
    assert kinds.count("unexpected_rows_expectation") == 1
    names = set(suites.checks())
    # Structural truths are dbt tests, records are the contract's: none of them is a GX check any more.
    for moved in (
        "keys_present",
        "dates_parse",
        "codes_in_lists",
        "units_known",
        "marts_one_row_per_dossier",
        "numerator_within_denominator",
        "every_unit_every_month",
        "rates_within_0_1",
    ):
        assert not any(code.endswith(f".{moved}") for code in names), moved
    assert not any(
        "unexpected_rows_query" in str(data) and "select" in str(data).lower() for data in suites.definitions().values()
    )


def test_the_identifier_scan_reads_an_incremental_tables_latest_build_only() -> None:
    scan = suites.identifier_scan(TABLES)
    assert 'marts."fct_dossiers"' in scan and 'marts."dim_unit"' in scan
    assert scan.count("max(s.refreshed_at)") == 1 and 'from marts."fct_dossiers" as s' in scan
    # Matched on the columns' text, the system's own key left out, and the columns whose type holds no identifier.
    assert """concat_ws(' ', r."unit_code")""" in scan and 'r."dossier_code"' not in scan
    assert 'r."is_late"' not in scan and 'r."received_at"' not in scan
    assert """concat_ws(' ', r."unit_code", r."unit_name")""" in scan


def test_a_landing_only_night_runs_the_landing_suites() -> None:
    names = [s.name for s in suites.load(NIGHT, {}, names=suites.LANDING_SUITES)]
    assert names == list(suites.LANDING_SUITES) and "warehouse" not in names


def test_every_check_is_named_in_vietnamese_for_the_dashboard() -> None:
    loaded = suites.load(Night.of("2025-07-15"), TABLES)
    metas = [e["meta"] for s in loaded for e in s.definition["expectations"]]
    labels = [m.get("label_vi", "") for m in metas]
    assert len(labels) >= 10 and all(label and not label.isascii() for label in labels)
    assert all(m.get("reason_vi") and not m["reason_vi"].isascii() for m in metas)  # the report's words
    assert len(set(labels)) == len(labels)  # no two checks under one name
