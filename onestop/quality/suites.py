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
from collections.abc import Callable
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


# The systems' own record keys are codes, not personal data (an onegate_db feedback id is a 12-digit number).
KEY_COLUMNS = ("dossier_code", "feedback_id", "item_code", "source_code")
# Types whose text cannot hold an identifier (a truth value, a moment, a span): not matched. Their text cost the scan
# about half of its time on the year's marts, timestamps formatted only to be searched for digits they cannot hold.
NO_IDENTIFIER_TYPES = frozenset(
    {
        "boolean",
        "date",
        "interval",
        "time with time zone",
        "time without time zone",
        "timestamp with time zone",
        "timestamp without time zone",
    }
)


def identifier_scan(tables: dict[str, dict[str, str]], schema: str = "marts") -> str:
    """Every row of every table (name -> its columns in order, each with its type), but of a table built
    incrementally (a `refreshed_at` column) only the rows its latest build wrote, the others scanned the night they
    were written: the scan follows the night, not the history. A row is matched on its columns' text joined by
    spaces, keys and NO_IDENTIFIER_TYPES left out, and only a matched row is made JSON to be shown: matching the JSON
    of every row took 28 s of CPU on the year's dossiers, their columns' text 6 s."""
    pattern = IDENTIFIER_PATTERN.replace("'", "''")
    keys = ", ".join(f"'{key}'" for key in KEY_COLUMNS)
    parts = []
    for table, columns in tables.items():
        values = [
            f'r."{column}"'
            for column, data_type in columns.items()
            if column not in KEY_COLUMNS and data_type not in NO_IDENTIFIER_TYPES
        ]
        if not values:
            continue
        # concat_ws takes at most 100 arguments: a wider table's columns are joined in groups.
        text = ", ".join(f"concat_ws(' ', {', '.join(values[k : k + 90])})" for k in range(0, len(values), 90))
        relation = f'{schema}."{table}"'
        part = (
            f"select '{table}' as table_name, left((to_jsonb(r) - array[{keys}])::text, 160) as row_start"
            f" from {relation} as r where concat_ws(' ', {text}) ~ '{pattern}'"
        )
        if "refreshed_at" in columns:
            part += f" and r.refreshed_at = (select max(s.refreshed_at) from {relation} as s)"
        parts.append(part)
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
    night: Night,
    marts_tables: dict[str, dict[str, str]],
    folder: Path = SUITES_DIR,
    names: tuple[str, ...] = SUITE_ORDER,
    freeze: Callable[[str], str] = lambda query: query,
) -> list[Suite]:
    """The suites named, filled in for `night`. `freeze` is given each query GX will run (every batch, the identifier
    scan), and returns what GX runs instead: the gate gives it the rows read once (onestop/quality/batches.py),
    where GX would run the query once per metric, the scan twice (its count, then its rows)."""
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
                scan = freeze(identifier_scan(marts_tables)).replace("{", "{{").replace("}", "}}")
                expectation["kwargs"]["unexpected_rows_query"] = scan
        sql = (folder / f"{name}.sql").read_text(encoding="utf-8")
        # The file's comments are for its readers; GX shows the query in Data Docs without them.
        body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
        # GX takes a query that starts with `select`: one with common table expressions is wrapped.
        asset = freeze(fill(f"select * from (\n{body.strip()}\n) as batch", params))
        suites.append(Suite(name, asset, data))
    return suites
