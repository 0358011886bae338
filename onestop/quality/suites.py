"""The gate's suites as kept in `expectations/`, with their parameters filled in for one night.

Each suite is two files: `<name>.json`, Great Expectations' own suite (name, expectations with type, kwargs,
severity, and our `meta`: the check's `name`, its Vietnamese `label_vi` for the dashboard and `reason_vi` for the
report), and `<name>.sql`, the query of the batch it validates: one row per system, so GX's built-in expectations
judge it and Data Docs show what each observed. The queries may name `$night_start` and `$weekdays`. The one
custom query, the identifier scan, is generated here from the marts' catalog (`$identifier_scan`).

What a suite judges is what only a night can show (delivery, volume, reconciliation, identifiers). Structural
truths of the models are dbt tests; the judgement of each record is the landing's contract check.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path

from onestop.night import Night
from onestop.settings import PROJECT_ROOT

SUITES_DIR = PROJECT_ROOT / "expectations"
SUITE_ORDER = ("completeness", "reconciliation", "warehouse")
# What can be judged of a night whose marts were not rebuilt (a backfill landing nights without dbt).
LANDING_SUITES = ("completeness",)

# Citizen ID numbers (12 digits), Vietnamese phone numbers, e-mail addresses, anywhere in a marts row.
IDENTIFIER_PATTERN = r"\m\d{12}\M|\m0\d{9}\M|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z.]{2,}"


@dataclass(frozen=True)
class Suite:
    name: str
    asset_query: str
    definition: dict  # GX's suite JSON, parameters filled in


def literal(moment) -> str:
    return f"timestamp '{moment.isoformat(sep=' ')}'"


def fill(text: str, params: dict[str, str]) -> str:
    # Longest names first, so `$night_start` is never cut by a shorter one.
    for name in sorted(params, key=len, reverse=True):
        text = text.replace(f"${name}", params[name])
    return text


def identifier_scan(marts_tables: dict[str, bool]) -> str:
    """Every row of every marts table, but of a table built incrementally only the rows its latest build wrote
    (the others were scanned the night they were written): the scan follows the night, not the history."""
    pattern = IDENTIFIER_PATTERN.replace("'", "''")
    # The systems' own record keys are codes, not personal data (an onegate_db feedback id is a 12-digit number).
    row = "(to_jsonb(r) - array['dossier_code', 'feedback_id', 'item_code', 'source_code'])::text"
    parts = [
        f"select '{table}' as table_name, left({row}, 160) as row_start from marts.{table} as r"
        f" where {row} ~ '{pattern}'"
        + (f" and r.refreshed_at = (select max(s.refreshed_at) from marts.{table} as s)" if stamped else "")
        for table, stamped in marts_tables.items()
    ]
    return " union all ".join(parts) or "select 1 where false"


@cache
def definitions(folder: Path = SUITES_DIR) -> dict[str, dict]:
    """Every suite's JSON as kept, by name."""
    return {name: json.loads((folder / f"{name}.json").read_text(encoding="utf-8")) for name in SUITE_ORDER}


def checks(folder: Path = SUITES_DIR) -> dict[str, dict]:
    """Every check's `meta` by its code `suite.name` (the codes the verdict writes)."""
    return {
        f"{suite}.{e['meta']['name']}": e["meta"]
        for suite, data in definitions(folder).items()
        for e in data["expectations"]
    }


def load(
    night: Night, marts_tables: dict[str, bool], folder: Path = SUITES_DIR, names: tuple[str, ...] = SUITE_ORDER
) -> list[Suite]:
    start = night.start
    params = {
        "night_start": literal(start),
        "weekdays": ", ".join(literal(start - timedelta(days=7 * k)) for k in range(1, 5)),
    }
    suites = []
    for name in names:
        data = json.loads(json.dumps(definitions(folder)[name]))  # a copy to fill in
        for expectation in data["expectations"]:
            query = expectation["kwargs"].get("unexpected_rows_query")
            if query == "$identifier_scan":
                # GX formats the query with str.format: its `{batch}` aside, braces (a regex's `{12}`) are escaped.
                scan = identifier_scan(marts_tables).replace("{", "{{").replace("}", "}}")
                expectation["kwargs"]["unexpected_rows_query"] = scan
        sql = (folder / f"{name}.sql").read_text(encoding="utf-8")
        # The file's comments are for its readers; GX shows the query in Data Docs without them.
        body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
        # GX takes a query that starts with `select`: one with common table expressions is wrapped.
        asset = fill(f"select * from (\n{body.strip()}\n) as batch", params)
        suites.append(Suite(name, asset, data))
    return suites
