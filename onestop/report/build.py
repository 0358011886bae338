"""Build one month's report (workbook and HTML) and record the run in the warehouse."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psycopg

from onestop.report import data as report_data
from onestop.report import html, workbook
from onestop.settings import settings
from onestop.warehouse.credentials import login_url


def reports_dir() -> Path:
    return settings().reports_dir


@dataclass
class Report:
    month: date
    view: str
    verdict: str
    workbook: Path
    html: Path
    units: int


def build(month: date, view: str = "as_was") -> Report:
    month = month.replace(day=1)
    folder = reports_dir() / f"{month:%Y-%m}"
    stem = f"onestop-{month:%Y-%m}-{view.replace('_', '-')}"
    # Read as BI reads (the marts only), recorded as the transformer: each with its own login.
    with psycopg.connect(login_url("onestop_bi")) as conn:
        content = report_data.load(conn, month, view)
        if not content.ranking:
            raise ValueError(f"no scorecard for {month:%Y-%m} ({view}) in the marts")
        verdict = report_data.gate_verdict(content)
        files = {
            "xlsx": workbook.write(content, folder / f"{stem}.xlsx"),
            "html": html.write(content, folder / f"{stem}.html"),
        }
    with psycopg.connect(login_url("onestop_transformer")) as conn:
        # Re-running a month replaces its files (same names) and its record.
        conn.execute(
            "insert into audit.report_runs (report_month, view, gate_verdict, files) values (%s, %s, %s, %s::jsonb)"
            " on conflict (report_month, view) do update set generated_at = now(),"
            " gate_verdict = excluded.gate_verdict, files = excluded.files",
            (month, view, verdict, json.dumps({k: str(v) for k, v in files.items()})),
        )
    return Report(month, view, verdict, files["xlsx"], files["html"], len(content.ranking))
