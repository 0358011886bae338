"""Build one month's report (workbook and HTML) and record the run in the warehouse."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import psycopg

from onestop import registry
from onestop.night import LOCAL_TZ
from onestop.report import data as report_data
from onestop.report import html, pdf, workbook
from onestop.settings import REGISTRY_VAR, settings
from onestop.warehouse.credentials import login_url


def reports_dir() -> Path:
    return settings().reports_dir


def _province() -> str | None:
    """The registry's province name, for the files' properties. A report built by hand where no registry is named
    has none; a registry named but unreadable fails, as everywhere."""
    return registry.load().province_name if os.environ.get(REGISTRY_VAR) else None


@dataclass
class Report:
    month: date
    view: str
    verdict: str
    workbook: Path
    html: Path
    units: int
    pdf: Path | None  # None where Chromium is not installed


def build(month: date, view: str = "as_was") -> Report:
    month = month.replace(day=1)
    folder = reports_dir() / f"{month:%Y-%m}"
    stem = f"onestop-{month:%Y-%m}-{view.replace('_', '-')}"
    # Read as BI reads (the marts only), recorded as the transformer: each with its own login.
    with psycopg.connect(login_url("onestop_bi")) as conn:
        content = report_data.load(conn, month, view)
        content.generated_at = datetime.now(LOCAL_TZ).replace(tzinfo=None)
        content.province = _province()
        if not content.ranking:
            raise ValueError(f"no scorecard for {month:%Y-%m} ({view}) in the marts")
        verdict = report_data.gate_verdict(content)
        files = {
            "xlsx": workbook.write(content, folder / f"{stem}.xlsx"),
            "html": html.write(content, folder / f"{stem}.html"),
        }
        made = pdf.write(content, files["html"], folder / f"{stem}.pdf")
        if made is not None:
            files["pdf"] = made
    with psycopg.connect(login_url("onestop_transformer")) as conn:
        # Re-running a month replaces its files (same names) and its record.
        conn.execute(
            "insert into audit.report_runs (report_month, view, gate_verdict, files) values (%s, %s, %s, %s::jsonb)"
            " on conflict (report_month, view) do update set generated_at = now(),"
            " gate_verdict = excluded.gate_verdict, files = excluded.files",
            (month, view, verdict, json.dumps({k: str(v) for k, v in files.items()})),
        )
    return Report(month, view, verdict, files["xlsx"], files["html"], len(content.ranking), files.get("pdf"))
