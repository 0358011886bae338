"""The report as a PDF for signing and publishing: the HTML page printed by headless Chromium (where Debian's
`chromium` is installed; elsewhere the report is the workbook and the HTML, and the log says why there is no PDF):
A4 landscape, the title and where the data stands repeated at the top of every page, page numbers at the bottom.
Every unit's section starts a page (the page's print styles)."""

from __future__ import annotations

import logging
from html import escape
from pathlib import Path

from onestop.report import chromium
from onestop.report.data import ReportData
from onestop.report.labels import data_status, report_title

log = logging.getLogger(__name__)
SMALL = "font-size:8px; font-family:'DejaVu Sans', Arial, sans-serif; width:100%; margin:0 10mm; color:#444;"


def write(data: ReportData, page: Path, path: Path) -> Path | None:
    if chromium.chromium() is None:
        log.warning("no PDF for %s: Chromium is not installed (Debian's package chromium)", path.name)
        return None
    header = (
        f'<div style="{SMALL}"><b>{escape(report_title(data.month))}</b> — '
        f"{escape(data_status(data.is_final, data.data_as_of))}</div>"
    )
    numbers = '<span class="pageNumber"></span>/<span class="totalPages"></span>'
    footer = f'<div style="{SMALL} text-align:center;">Trang {numbers}</div>'
    with chromium.Page() as tab:
        tab.goto(page.resolve().as_uri())
        return tab.print_pdf(path, header, footer)
