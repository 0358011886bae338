"""The gate's verdict, where reports and BI read it (schema marts, written as the transformer):

- `marts.night_completeness`: each night and enabled system: delivered, complete, and why not;
- `marts.data_completeness`: each unit-month (as was and as is): complete only when every night of the month was
  complete for every system holding the unit's dossiers, with the nights and reasons that made it incomplete.

A night without a gate run (a backfill that skipped the marts) counts by its extraction record alone; the days
before the first night landed count as that first night (its extraction covered them).
"""

from __future__ import annotations

from onestop.quality.results import GateResult

DDL = """
create table if not exists marts.night_completeness (
    night           date        not null,
    system_id       text        not null,
    delivered       boolean     not null,
    complete        boolean     not null,
    reasons         text[]      not null,
    gate_run_id     text        not null,
    checked_at      timestamptz not null default now(),
    primary key (night, system_id)
);
-- false when the night's gate judged the landing only (dbt did not run): the report waits for built marts
alter table marts.night_completeness add column if not exists marts_built boolean not null default true;
create table if not exists marts.data_completeness (
    view            text    not null,
    month_start     date    not null,
    unit_code       text    not null,
    nights_in_month integer not null,
    nights_complete integer not null,
    complete        boolean not null,
    reasons         text[]  not null,
    primary key (view, month_start, unit_code)
);
"""

MONTHS_SQL = """
insert into marts.data_completeness
with night_status as (
    select n.interval_start::date as night, s.system_id,
        coalesce(g.complete, s.system_id = any(n.delivered)) as complete,
        coalesce(g.reasons, case when s.system_id = any(n.delivered) then '{}'::text[]
            else array[coalesce(n.reasons ->> s.system_id, 'not delivered')] end) as reasons
    from audit.nights as n
    cross join lateral unnest(n.expected) as s (system_id)
    left join marts.night_completeness as g on g.night = n.interval_start::date and g.system_id = s.system_id
),
span as (select min(night) as first_night, max(night) as last_night from night_status),
systems as (select distinct system_id from night_status),
unit_systems as (
    select distinct 'as_was' as view, unit_code, system_id from marts.fct_dossiers
    union
    select distinct 'as_is', current_unit_code, system_id from marts.fct_dossiers
),
unit_months as (
    select distinct s.view, s.month_start, s.unit_code from marts.fct_unit_month_scorecard as s
),
days as (
    select um.view, um.month_start, um.unit_code, d.day::date as day
    from unit_months as um
    cross join lateral generate_series(
        um.month_start, um.month_start + interval '1 month' - interval '1 day', interval '1 day'
    ) as d (day)
),
day_status as (
    select days.view, days.month_start, days.unit_code, days.day,
        coalesce(bool_and(coalesce(ns.complete, false)), false) as complete,
        array_agg(held.system_id || ' ' || days.day || ': '
            || coalesce(array_to_string(ns.reasons, '; '), 'no extraction recorded'))
            filter (where ns.complete is not true and days.day <= span.last_night) as reasons,
        days.day > max(span.last_night) as not_yet
    from days
    cross join span
    left join lateral (
        select us.system_id from unit_systems as us where us.view = days.view and us.unit_code = days.unit_code
        union
        select systems.system_id from systems
        where not exists (
            select 1 from unit_systems as us where us.view = days.view and us.unit_code = days.unit_code
        )
    ) as held on true
    left join night_status as ns
        on ns.system_id = held.system_id and ns.night = greatest(days.day, span.first_night)
    group by days.view, days.month_start, days.unit_code, days.day
)
select view, month_start, unit_code,
    count(*) as nights_in_month,
    count(*) filter (where complete and not not_yet) as nights_complete,
    bool_and(complete and not not_yet) as complete,
    coalesce(array_agg(r) filter (where r is not null), '{}')
        || case when bool_or(not_yet) then array['the month is not over'] else '{}'::text[] end as reasons
from day_status
left join lateral unnest(day_status.reasons) as r on true
group by view, month_start, unit_code
"""


def write_verdict(conn, result: GateResult) -> None:
    """Record the night's verdict per system, then recompute every unit-month's completeness."""
    night = conn.execute(
        "select expected, delivered, reasons from audit.nights where interval_start = %s::date",
        (result.night.day,),
    ).fetchone()
    expected, delivered, missing_reasons = night if night else ([], [], {})
    unattributed = [f for f in result.errors if not f.systems]
    rows = []
    for system in expected:
        reasons = [] if system in delivered else [f"not delivered: {missing_reasons.get(system, 'not run')}"]
        reasons += [f.line() for f in result.errors if system in f.systems]
        reasons += [f.line() for f in unattributed]
        rows.append(
            (result.night.day, system, system in delivered, not reasons, reasons, result.run_id, result.marts_built)
        )
    conn.execute(DDL)
    conn.execute("delete from marts.night_completeness where night = %s", (result.night.day,))
    with conn.cursor() as cur:
        cur.executemany(
            "insert into marts.night_completeness (night, system_id, delivered, complete, reasons, gate_run_id,"
            " marts_built) values (%s, %s, %s, %s, %s, %s, %s)",
            rows,
        )
    conn.execute("delete from marts.data_completeness")
    if conn.execute("select to_regclass('marts.fct_unit_month_scorecard') is not null").fetchone()[0]:
        conn.execute(MONTHS_SQL)  # no unit-months before the marts are first built
