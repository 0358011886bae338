"""bench/results.json's figures: each measured value against its target, and RESULTS.md rendered from them."""

from __future__ import annotations

import json

from bench import report
from bench.report import _value, figures, write_results


def _copy(rows: int, onestop_s: float, copy_s: float) -> dict:
    return {
        "rows": rows,
        "onestop_s": onestop_s,
        "with_source_s": onestop_s + 5,
        "copy_s": copy_s,
        "ratio": copy_s / onestop_s,
        "systems": {
            "tuyhoa": {
                "kind": "dvcqg_api",
                "rows": rows,
                "onestop_s": onestop_s,
                "copy_s": copy_s,
                "with_source_s": onestop_s + 5,
            }
        },
    }


def _night(dbt_s: float) -> dict:
    return {"extract": {"seconds": 10.0}, "dbt": {"seconds": dbt_s}, "gate": {"seconds": 5.0}, "total_s": 20 + dbt_s}


def _results() -> dict:
    initial = {
        "extract": {"seconds": 120.0, "peak_mb": 170.0},
        "dbt": {"seconds": 140.0, "peak_mb": 150.0},
        "gate": {"seconds": 60.0, "peak_mb": 250.0},
        "total_s": 320.0,
        "tasks": {"tuyhoa": {"kind": "dvcqg_api", "rows_read": 1000, "peak_mb": 172.0}},
    }
    year = {
        "prepare": {"generate_s": 150.0, "from": "2025-01-01", "to": "2025-12-30"},
        "initial": initial,
        "copy_year_alone": _copy(2_000_000, 50.0, 40.0),
        "copy_year": _copy(2_000_000, 80.0, 40.0),
        "copy_night_alone": _copy(9000, 2.0, 0.3),
        "copy_night": [_copy(9000, 3.0, 0.3)] * 3,
        "peer": {
            "rows": 200_000,
            "copy_s": 8.0,
            "json_columns": {"seconds": 80.0, "tables": 1, "rows": 200_000, "ratio": 0.1},
            "default_nesting": {"seconds": 160.0, "tables": 8, "rows": 200_000, "ratio": 0.05},
        },
        "nights": [_night(12.0), _night(11.0), _night(13.0)],
        "full_refresh_s": [120.0, 130.0],
    }
    half = {"nights": [_night(10.0)] * 3, "full_refresh_s": [60.0]}
    machine = {
        "cores": 2,
        "cpu": "x",
        "memory_gib": 24,
        "system": "Linux",
        "python": "3.11",
        "commit": "abc",
        "measured_at": "2026-11-28 01:00",
    }
    return {
        "machine": machine,
        "preset": "province-year",
        "parse": {"onestop_nightly.py": 0.5},
        "year": year,
        "half": half,
    }


def test_each_figure_is_judged_against_its_target() -> None:
    found = {f["id"]: f for f in figures(_results())}
    assert found["landing_vs_copy_alone"]["value"] == 0.8 and found["landing_vs_copy_alone"]["met"]
    assert found["landing_vs_copy_night_alone"]["value"] == 0.15 and not found["landing_vs_copy_night_alone"]["met"]
    assert "met" not in found["landing_vs_copy_concurrent"]  # informative: the like-for-like figure has the target
    assert found["dlt_json_columns_vs_copy"]["value"] == 0.1
    assert found["initial_load_s"] == {
        "id": "initial_load_s",
        "label": "initial load of the year, extract + dbt + gate",
        "value": 320.0,
        "unit": "s",
        "target": {"op": "<=", "bound": 300},
        "met": False,
    }
    # The year's night (median 12 s) against the median full refresh (125 s); half a year's night 10 s.
    assert found["night_dbt_vs_full_refresh"]["value"] == round(12 / 125, 3)
    assert not found["night_dbt_vs_full_refresh"]["met"]
    assert found["night_dbt_growth_half_to_year"]["value"] == 0.2 and found["night_dbt_growth_half_to_year"]["met"]
    assert found["extraction_peak_rss_mb"]["met"] and found["dag_parse_s"]["met"]


def test_results_json_holds_the_figures_and_results_md_is_rendered_from_it(tmp_path) -> None:
    json_path, md_path = tmp_path / "results.json", tmp_path / "RESULTS.md"
    write_results(_results(), json_path, md_path)
    stored = json.loads(json_path.read_text())
    assert stored["machine"]["commit"] == "abc" and len(stored["figures"]) == 10
    text = md_path.read_text()
    assert (
        "| landing write path ÷ bare COPY, the year's initial load, each extraction alone | 0.800 | >= 0.7 | met |"
        in text
    )
    assert "| dlt, JSON columns (`max_table_nesting=0`) | 80.0 | 0.10 |" in text
    assert "| initial load of the year, extract + dbt + gate | 320 s | <= 300 s | **missed** |" in text


def test_a_ratio_just_below_its_bound_reads_below_it() -> None:
    # results.json keeps 0.695 for 0.6953: shown with two decimals, the summary said 0.69 and the table 0.70.
    figure = {"id": "landing_vs_copy_alone", "unit": "ratio", "value": 0.695}
    assert _value(figure) == "0.695"


def _profile(night: dict[str, float]) -> dict:
    full = {"fct_dossiers": 28.0, "fct_unit_month_scorecard": 9.0, "dim_unit": 0.2}
    return {
        "incremental": {"wall_s": 20.0, "nodes_s": 25.0, "tests_s": 3.0, "models": night},
        "full_refresh": {"wall_s": 150.0, "nodes_s": 160.0, "tests_s": 10.0, "models": full},
    }


def test_the_profile_names_the_models_that_cost_a_night_their_full_refresh() -> None:
    one = "\n".join(report._dbt_profile(_profile({"fct_dossiers": 1.0, "fct_unit_month_scorecard": 8.0})))
    assert (
        "8.0 s (89%) went to the model of a second or more in the full refresh that cost the night 80 % of it or"
        " more: `fct_unit_month_scorecard`." in one
    )
    two = "\n".join(report._dbt_profile(_profile({"fct_dossiers": 25.0, "fct_unit_month_scorecard": 8.0})))
    assert "went to the 2 models of a second" in two and "`fct_dossiers`, `fct_unit_month_scorecard`." in two
    monthly = "\n".join(report._dbt_profile(_profile({"fct_dossiers": 1.0, "fct_unit_month_scorecard": 2.0})))
    assert "none went to a model that cost the night what it costs a full refresh" in monthly
    assert "80 % of it or more" not in monthly


def test_the_profile_says_what_a_night_pays_whatever_landed() -> None:
    profile = _profile({"fct_dossiers": 1.0})
    assert "The floor of a night" not in "\n".join(report._dbt_profile(profile))  # measured before the floor was
    profile["nothing_landed"] = {"wall_s": 12.0, "nodes_s": 11.0, "tests_s": 2.5, "models": {"fct_dossiers": 0.3}}
    profile["dbt_fixed_s"] = 4.5
    text = "\n".join(report._dbt_profile(profile))
    assert "| incremental, nothing landed since | 12.0 | 11.0 | 2.5 |" in text
    assert "dbt with nothing to build takes 4.5 s" in text and "5 % of this full refresh is 7.5 s" in text
    assert "dbt's start alone is 3% of the full refresh, a night with nothing to do 8%." in text


def test_the_floor_names_the_chain_no_thread_shortens() -> None:
    profile = _profile({"fct_dossiers": 1.0})
    profile["dbt_fixed_s"] = 4.5
    chain = [["int_dossiers_deduplicated", 0.1], ["fct_dossier_month", 1.5], ["fct_overdue_items", 1.7]]
    empty = {"wall_s": 12.0, "nodes_s": 11.0, "tests_s": 2.5, "models": {"fct_dossiers": 0.3}}
    profile["nothing_landed"] = {**empty, "critical_path": {"seconds": 3.3, "nodes": chain}}
    text = "\n".join(report._dbt_profile(profile))
    assert "(3 nodes, `fct_overdue_items` 1.7 s, `fct_dossier_month` 1.5 s, `int_dossiers_deduplicated` 0.1 s" in text
    assert "takes 3.3 s: with any number of threads, dbt's start and that chain are 7.8 s, 5.2% of the full" in text


def test_the_critical_path_is_the_longest_chain_of_dependent_nodes() -> None:
    from bench.profile import critical_path

    def node(uid: str, *parents: str) -> tuple[str, dict]:
        return uid, {"name": uid.split(".")[-1], "depends_on": {"nodes": list(parents)}}

    manifest = {
        "nodes": dict(
            [
                node("seed.p.a"),
                node("model.p.b", "seed.p.a"),
                node("model.p.c", "seed.p.a"),
                node("model.p.d", "model.p.b", "model.p.c", "source.p.raw"),
                node("test.p.e", "model.p.c"),
            ]
        )
    }
    times = {"seed.p.a": 1.0, "model.p.b": 2.0, "model.p.c": 0.5, "model.p.d": 1.0, "test.p.e": 2.8}
    results = [{"unique_id": uid, "execution_time": s} for uid, s in times.items()]
    found = critical_path(results, manifest)
    # a, b, d: 4.0 s; a, c, e: 4.3 s; the sum of every node (7.3 s) is not a chain.
    assert found == {"seconds": 4.3, "nodes": [["a", 1.0], ["c", 0.5], ["e", 2.8]]}
    assert critical_path([], manifest) == {"seconds": 0.0, "nodes": []}


def test_the_initial_load_says_where_the_extractions_cpu_went() -> None:
    results = _results()
    assert "The extraction's CPU" not in "\n".join(report._initial(results))  # measured before it was
    results["year"]["initial"]["extract"]["cpu_s"] = {"machine": 230.0, "servers": 60.0, "steps": 120.0}
    text = "\n".join(report._initial(results))
    assert "busy 230 CPU-seconds of the 240 its 2 cores had in those 120 s: onestop's extraction processes 120" in text
    assert "the simulated dvcqg_api servers 60, PostgreSQL and the rest 50 (" in text


def test_the_initial_load_says_how_busy_the_cores_were_in_dbt_and_the_gate() -> None:
    results = _results()
    assert "The dbt build (a full refresh" not in "\n".join(report._initial(results))  # measured before it was
    results["year"]["initial"]["dbt"]["cpu_s"] = {"machine": 252.0, "servers": 0.0, "steps": 40.0}
    results["year"]["initial"]["gate"]["cpu_s"] = {"machine": 30.0, "servers": 0.0, "steps": 20.0}
    text = "\n".join(report._initial(results))
    assert (
        "the machine was busy 252 of the 280 CPU-seconds its 2 cores had in the build's 140 s (90%),"
        " and 30 of the 120 CPU-seconds its 2 cores had in the gate's 60 s (25%)." in text
    )


def test_the_full_refresh_says_whether_it_waits_on_the_cores_or_on_its_chain() -> None:
    profile = _profile({"fct_dossiers": 1.0})
    assert "The full refresh: the machine" not in "\n".join(report._dbt_profile(profile))  # measured before it was
    chain = [["int_dossiers_deduplicated", 30.0], ["int_dossier_history", 36.0], ["fct_dossiers", 7.0]]
    profile["full_refresh"] |= {"cpu_busy_s": 255.0, "cores": 2, "critical_path": {"seconds": 73.0, "nodes": chain}}
    busy = "\n".join(report._dbt_profile(profile))
    assert "busy 255 of the 300 CPU-seconds its 2 cores had in its 150 s (85%)" in busy
    assert "(3 nodes, `int_dossier_history` 36.0 s, `int_dossiers_deduplicated` 30.0 s, `fct_dossiers` 7.0 s" in busy
    assert "takes 73.0 s. With the cores that busy, more threads would not shorten it: only less work would." in busy
    profile["full_refresh"]["cpu_busy_s"] = 150.0
    idle = "\n".join(report._dbt_profile(profile))
    assert "(50%), with nothing else of the benchmark running." in idle
    assert "The cores stood idle 50% of the time: work beside the chain, or spread over the cores inside" in idle
    assert "only less work would" not in idle


def test_the_landing_says_where_its_write_path_went_phase_by_phase() -> None:
    phases = {"start": 0.05, "records": 0.5, "copy_end": 0.25, "rules": 0.75, "retractions": 0.2}
    found = _results()
    year = found["year"]
    year["night_alone"] = {
        "tasks": {
            "tuyhoa": {"write_phases": phases, "rows_read": 12_000, "rows_standing": 3_000},
            "sonhoa": {"write_phases": {"rules": 0.1}, "rows_read": 500, "rows_standing": 0},
        }
    }
    lines = report._landing(found)
    table = lines[lines.index("| phase | an ordinary night (s) |") :]
    assert (
        "| the rules: a code another system owns, a version read twice, a re-run's rows, a version standing | 0.85 |"
        in table
    )
    assert "| quarantine | 0.00 |" in table
    # copy_night_alone: 9,000 rows, a write path of 2.0 s, a bare COPY of 0.3 s; the phases add up to 1.85 s.
    assert (
        "Of its 2.00 s, the records took 0.50 s (25%; 40 µs a row read), the rules 0.85 s (42%), everything else"
        " 0.65 s (the table below). The night read 12,500 rows for the 9,000 it landed. Of those, 3,000 stood already,"
        " exactly (the lookback reads them again), and were not written. A bare COPY of the landed rows (0.3 s)"
        " checks no contract, computes no checksum and applies no rule: against it, the records phase alone comes to"
        " 0.60: below the target of 0.7, whatever the rules, the COPY's end and the rest cost, until each read costs"
        " less (its contract check, its checksum, its COPY row)."
    ) in " ".join(lines)
    # What each system's landing costs whatever it lands, against what the target leaves: here, more than all of it.
    assert (
        " The rest is mostly work each system's landing does whatever it lands (its window, what stands in it, the"
        " narrow table and its statistics, the run's audit rows, the commit): 325 ms a system, 0.65 s over the"
        " night's 2. Within the target (a write path of 0.43 s at most), nothing would be left for the records and"
        " the rules.  Where"
    ) in " ".join(lines)
    assert "| the rest: connecting, the run's audit rows, the month's partition | 0.15 |" in table
    assert "| **the write path** | **2.00** |" in table
    # A records phase that leaves the target within reach says no more of it.
    year["night_alone"]["tasks"]["tuyhoa"]["write_phases"] = {**phases, "records": 0.4}
    assert "the records phase alone comes to 0.75. The rest is mostly" in " ".join(report._landing(found))
    # A rest that leaves room: what the records and the rules would have, a row read, against the records now.
    year["night_alone"]["tasks"]["tuyhoa"]["write_phases"] = {**phases, "records": 1.5, "rules": 0.1}
    assert (
        "Within the target (a write path of 0.43 s at most), the records and the rules would have 0.13 s between"
        " them, 10 µs a row read, against the records' 120 µs alone now."
    ) in " ".join(report._landing(found))
    year["night_alone"]["tasks"]["tuyhoa"]["write_phases"] = phases
    # Results from before the landing looked for standing versions say nothing of them.
    del year["night_alone"]["tasks"]["sonhoa"]["rows_standing"]
    assert "The night read 12,500 rows for the 9,000 it landed. A bare COPY" in " ".join(report._landing(found))
    # A run without the landing's marks (results from before them) shows no table rather than zeros.
    del year["night_alone"]["tasks"]["sonhoa"]["write_phases"]
    lines = report._landing(found)
    assert not any(line.startswith("| phase |") for line in lines)
    assert "(This run did not record the landing's phases.)" in " ".join(lines)
