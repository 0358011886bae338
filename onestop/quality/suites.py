"""The gate's suites as kept in `expectations/`, with their parameters filled in for one night.

A suite file is Great Expectations' own JSON (name, expectations with type, kwargs, severity, meta) plus the
query of the batch it validates in `meta.asset`. Queries are plain SQL: they may name `$night_start`,
`$night_end` and the shared fragments below, and `{batch}`, which GX fills (every other brace, such as a regex's
`{12}`, is escaped here for GX's str.format).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from onestop.night import Night
from onestop.settings import PROJECT_ROOT

SUITES_DIR = PROJECT_ROOT / "expectations"
SUITE_ORDER = ("completeness", "landing", "reconciliation", "warehouse")
# What can be judged of a night whose marts were not rebuilt (a backfill landing nights without dbt).
LANDING_SUITES = ("completeness", "landing")

# Records a system sent on the night, against the same weekday of the four weeks before. Only nights that read
# what this night read count: a night catching up after a system was down (or an initial load) reads several
# days at once and would make the next same weekday look like a collapse (a window starts where the system's data
# was last seen, less the lookback, so ordinary windows differ by up to a day). Records read, not landed: a re-run
# of a night lands nothing new yet reads what the first run read. The last successful try of each night counts.
VOLUME_QUERY = """
select s.system_id, max(t.n) as tonight, round(avg(p.n), 1) as trailing_average
from audit.nights as night
cross join lateral unnest(night.expected) as s (system_id)
left join ({last_runs} where interval_start = $night_start) as t on t.system_id = s.system_id
inner join ({last_runs} where interval_start in ({weekdays})) as p
    on p.system_id = s.system_id
    and p.window_end - p.window_start <= coalesce(t.window_end - t.window_start, interval '7 days') + interval '1 day'
where night.interval_start = $night_start
group by s.system_id
"""
LAST_RUNS = (
    "select * from (select distinct on (system_id, interval_start) system_id, interval_start, window_start,"
    " window_end, rows_read as n from audit.extraction_runs where status = 'success'"
    " order by system_id, interval_start, run_id desc) as runs"
)

# Citizen ID numbers (12 digits), Vietnamese phone numbers, e-mail addresses, anywhere in a marts row.
IDENTIFIER_PATTERN = r"\m\d{12}\M|\m0\d{9}\M|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z.]{2,}"


@dataclass(frozen=True)
class Suite:
    name: str
    asset_query: str
    definition: dict  # GX's suite JSON, parameters filled in

    @property
    def severities(self) -> dict[str, str]:
        return {e["meta"]["name"]: e.get("severity", "critical") for e in self.definition["expectations"]}


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


def status_lists() -> str:
    """The contract's dossier status vocabularies as a relation (kind, vendor_status): the landing is judged
    against the contract itself, before (and whether or not) dbt has built anything."""
    from onestop.vocabulary import CSV_STATUS, NATIONAL_STATUS, ONEGATE_STATUS

    pairs = [("dvcqg_api", str(code)) for code in NATIONAL_STATUS]
    pairs += [("onegate_db", word) for word in ONEGATE_STATUS.values()]
    pairs += [("csv_drop", text) for text in CSV_STATUS.values()]
    rows = ", ".join("('{}', '{}')".format(kind, value.replace("'", "''")) for kind, value in pairs)
    return f"(values {rows}) as m (kind, vendor_status)"


def load(
    night: Night, marts_tables: dict[str, bool], folder: Path = SUITES_DIR, names: tuple[str, ...] = SUITE_ORDER
) -> list[Suite]:
    start, end = night.start, night.end
    weekdays = ", ".join(literal(start - timedelta(days=7 * k)) for k in range(1, 5))
    volume = VOLUME_QUERY.format(last_runs=LAST_RUNS, weekdays=weekdays)
    params = {
        "night_start": literal(start),
        "night_end": literal(end),
        "volume_query": " ".join(volume.split()),
        "identifier_scan": identifier_scan(marts_tables),
        "status_lists": status_lists(),
    }
    suites = []
    for name in names:
        data = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        filled = json.loads(
            fill(json.dumps(data, ensure_ascii=False), {k: json.dumps(v)[1:-1] for k, v in params.items()})
        )
        for expectation in filled["expectations"]:
            query = expectation["kwargs"].get("unexpected_rows_query")
            if query:
                escaped = query.replace("{", "{{").replace("}", "}}").replace("{{batch}}", "{batch}")
                expectation["kwargs"]["unexpected_rows_query"] = escaped
        asset = filled["meta"].pop("asset")
        suites.append(Suite(name, asset, filled))
    return suites
