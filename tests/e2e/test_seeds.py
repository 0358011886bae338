"""dbt's seeds stay equal to what they are generated from: the `holidays` package and the contract's vocabulary."""

from __future__ import annotations

import csv

from onestop.report.labels import INDICATOR_NAMES
from onestop.settings import PROJECT_ROOT
from onestop.vocabulary import (
    CODE_LABELS,
    CSV_FEEDBACK_STATUS,
    CSV_STATUS,
    INDICATORS,
    ONEGATE_FEEDBACK_STATUS,
    ONEGATE_STATUS,
    REPORTED_INDICATORS,
    UNIT_LEVELS,
)
from simulator import holiday_seed

SEEDS = PROJECT_ROOT / "dbt_project" / "seeds"


def test_public_holidays_seed_matches_the_package() -> None:
    # Regenerate with `python -c "from simulator.holiday_seed import write; write()"` after upgrading `holidays`.
    assert holiday_seed.SEED.read_text(encoding="utf-8") == holiday_seed.render()
    rows = list(csv.DictReader(holiday_seed.SEED.open(encoding="utf-8")))
    days = {row["day"] for row in rows}
    assert {"2026-02-17", "2025-09-02", "2024-04-18"} <= days  # Tết 2026, National Day, Hùng Kings 2024


def _map(name: str) -> dict[tuple[str, str], int]:
    with open(SEEDS / name, encoding="utf-8") as handle:
        return {(r["kind"], r["vendor_status"]): int(r["status_code"]) for r in csv.DictReader(handle)}


def test_status_maps_follow_the_contract_vocabulary() -> None:
    dossiers = _map("status_map.csv")
    assert {w: c for (k, w), c in dossiers.items() if k == "onegate_db"} == {w: c for c, w in ONEGATE_STATUS.items()}
    assert {w: c for (k, w), c in dossiers.items() if k == "csv_drop"} == {w: c for c, w in CSV_STATUS.items()}
    assert {w: c for (k, w), c in dossiers.items() if k == "dvcqg_api"} == {str(c): c for c in range(1, 11)}
    feedback = _map("feedback_status_map.csv")
    assert {w: c for (k, w), c in feedback.items() if k == "onegate_db"} == {
        w: c for c, w in ONEGATE_FEEDBACK_STATUS.items()
    }
    assert {w: c for (k, w), c in feedback.items() if k == "csv_drop"} == {w: c for c, w in CSV_FEEDBACK_STATUS.items()}


def test_indicator_coverage_follows_the_contract_vocabulary() -> None:
    with open(SEEDS / "indicator_coverage.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {(r["kind"], r["indicator_code"]) for r in rows} == {(k, c) for k in REPORTED_INDICATORS for c in INDICATORS}
    reported = {(r["kind"], r["indicator_code"]) for r in rows if r["is_reported"] == "true"}
    assert reported == {(k, c) for k, codes in REPORTED_INDICATORS.items() for c in codes}
    assert ("onegate_db", "4.3") not in reported and ("csv_drop", "4.3") not in reported


def test_code_labels_follow_the_contract_vocabulary() -> None:
    with open(SEEDS / "code_labels.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {(r["code_set"], int(r["code"])): r["label"] for r in rows} == {
        (code_set, code): label for code_set, labels in CODE_LABELS.items() for code, label in labels.items()
    }
    assert len(rows) == sum(len(labels) for labels in CODE_LABELS.values())  # no code twice


def test_unit_levels_are_named_as_the_vocabulary_names_them() -> None:
    with open(SEEDS / "unit_levels.csv", encoding="utf-8") as handle:
        assert {r["level"]: r["level_name"] for r in csv.DictReader(handle)} == UNIT_LEVELS


def test_indicator_rules_add_up_to_the_56_points_and_carry_the_reports_names() -> None:
    with open(SEEDS / "indicators.csv", encoding="utf-8") as handle:
        rows = {r["column_suffix"]: r for r in csv.DictReader(handle)}
    assert sum(int(r["max_points"]) for r in rows.values()) == 56
    assert {s.replace("_", ".") for s in rows} == {*INDICATORS, "5.4"}
    # The report names each indicator as the seed does: one name, wherever it is read.
    assert {s: f"{r['indicator_code']} {r['indicator_name']}" for s, r in rows.items()} == INDICATOR_NAMES
    assert {s: r["target_rate"] for s, r in rows.items() if r["target_rate"]} == {
        "3_3": "0.5",
        "4_3": "0.8",
        "5_4": "0.9",
    }
