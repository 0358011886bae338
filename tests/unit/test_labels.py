"""The report's words for why data is incomplete: every code the gate can write has Vietnamese words."""

from __future__ import annotations

import json
from datetime import date

from onestop.quality.verdict import NOT_DELIVERED
from onestop.report.labels import MONTH_IN_PROGRESS, REASON_LABELS, completeness_reasons, reason_label
from onestop.settings import PROJECT_ROOT


def test_every_expectation_and_verdict_code_has_vietnamese_words() -> None:
    codes = {NOT_DELIVERED, "no_extraction", "marts.dbt_build"}
    for path in (PROJECT_ROOT / "expectations").glob("*.json"):
        suite = json.loads(path.read_text(encoding="utf-8"))
        codes |= {f"{path.stem}.{e['meta']['name']}" for e in suite["expectations"]}
    assert len(codes) >= 12 and codes <= set(REASON_LABELS)
    assert all(label and label == label.strip() and not label.isascii() for label in REASON_LABELS.values())


def test_a_unit_months_reasons_in_vietnamese() -> None:
    row = {
        "problems": [
            {
                "system_id": "tuyan",
                "night": "2025-08-01",
                "codes": ["not_delivered", "completeness.every_system_delivered"],
            },
            {
                "system_id": "phuhoa",
                "night": date(2025, 8, 3),
                "codes": ["completeness.nothing_quarantined", "other.new_check"],
            },
        ],
        "month_in_progress": True,
    }
    assert completeness_reasons(row) == [
        "tuyan đêm 01/08/2025: hệ thống nguồn không gửi dữ liệu",
        "phuhoa đêm 03/08/2025: có bản ghi lỗi bị cách ly, kiểm tra chất lượng không đạt (other.new_check)",
        MONTH_IN_PROGRESS,
    ]
    assert completeness_reasons({"problems": [], "month_in_progress": False}) == []
    assert reason_label("completeness.no_suspicious_delivery") == "hệ thống nguồn trả về rỗng bất thường"
