"""The gate's suites filled in for one night: parameters substituted, GX's own `{batch}` kept, every other brace
escaped (GX formats the queries with str.format), the landing-only selection."""

from __future__ import annotations

import re

from onestop.night import Night
from onestop.quality import suites

NIGHT = Night.of("2025-06-10")


def test_every_suite_is_filled_for_the_night() -> None:
    loaded = suites.load(NIGHT, {"fct_dossiers": True, "dim_unit": False})
    assert [s.name for s in loaded] == list(suites.SUITE_ORDER)
    for suite in loaded:
        text = str(suite.definition)
        assert not re.findall(r"\$[a-z_]+", text), suite.name  # no parameter left unfilled
        for expectation in suite.definition["expectations"]:
            query = expectation["kwargs"].get("unexpected_rows_query", "")
            # Once the escaped braces are set aside, the only braces left are GX's `{batch}`.
            bare = query.replace("{{", "").replace("}}", "")
            assert len(re.findall(r"[{}]", bare)) == 2 * bare.count("{batch}"), (suite.name, query[:200])
    landing = next(s for s in loaded if s.name == "landing")
    quarantine = next(e for e in landing.definition["expectations"] if e["meta"]["name"] == "nothing_quarantined")
    assert "timestamp '2025-06-10 00:00:00'" in quarantine["kwargs"]["unexpected_rows_query"]
    volume = next(e for e in landing.definition["expectations"] if e["meta"]["name"] == "volume_within_bounds")
    # The same weekday of the four weeks before.
    for day in ("2025-06-03", "2025-05-27", "2025-05-20", "2025-05-13"):
        assert f"timestamp '{day} 00:00:00'" in volume["kwargs"]["unexpected_rows_query"]


def test_the_identifier_scan_reads_an_incremental_tables_latest_build_only() -> None:
    scan = suites.identifier_scan({"fct_dossiers": True, "dim_unit": False})
    assert "marts.fct_dossiers" in scan and "marts.dim_unit" in scan
    assert scan.count("max(s.refreshed_at)") == 1 and "from marts.fct_dossiers as s" in scan


def test_a_landing_only_night_runs_the_landing_suites() -> None:
    names = [s.name for s in suites.load(NIGHT, {}, names=suites.LANDING_SUITES)]
    assert names == list(suites.LANDING_SUITES) and "warehouse" not in names


def test_every_check_is_named_in_vietnamese_for_the_dashboard() -> None:
    loaded = suites.load(Night.of("2025-07-15"), {"fct_dossiers": True})
    labels = [e["meta"].get("label_vi", "") for s in loaded for e in s.definition["expectations"]]
    assert len(labels) >= 20 and all(label and not label.isascii() for label in labels)
    assert len(set(labels)) == len(labels)  # no two checks under one name
