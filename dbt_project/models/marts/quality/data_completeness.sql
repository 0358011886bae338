{{ config(materialized='view', meta={'tested_at_night': false}) }}
-- Not tested at night (macros/tests_scope.sql): the columns its tests check (view, month, unit) are the scorecard's,
-- its primary key, tested on the rows each build writes; a reading of this view reads every dossier (0.5 s a test).

-- Each unit-month (as was and as is): complete only when every night of the month was complete for every system
-- holding the unit's dossiers (every system when it holds none), with the nights and reasons that made it
-- incomplete. A night without a gate run (a backfill that skipped the marts) counts by its extraction record alone;
-- the days before the first night landed count as that first night (its extraction covered them). A view over the
-- gate's verdicts: tonight's verdict counts as soon as the gate wrote it.
with

nights as (
    select * from {{ source('audit', 'nights') }}
),

verdicts as (
    select * from {{ source('audit', 'night_verdicts') }}
),

dossiers as (
    select * from {{ ref('fct_dossiers') }}
),

scorecard as (
    select * from {{ ref('fct_unit_month_scorecard') }}
),

night_status as (
    select
        nights.interval_start::date as night,
        expected.system_id,
        coalesce(verdicts.complete, expected.system_id = any(nights.delivered)) as complete,
        coalesce(
            verdicts.reasons,
            case
                when expected.system_id = any(nights.delivered) then '{}'::text[]
                else array[coalesce(nights.reasons ->> expected.system_id, 'not delivered')]
            end
        ) as reasons,
        coalesce(
            verdicts.reason_codes,
            case when expected.system_id = any(nights.delivered) then '{}'::text[] else array['not_delivered'] end
        ) as reason_codes
    from nights
    cross join lateral unnest(nights.expected) as expected (system_id)
    left join verdicts
        on nights.interval_start::date = verdicts.night and expected.system_id = verdicts.system_id
),

span as (
    select
        min(night_status.night) as first_night,
        max(night_status.night) as last_night
    from night_status
),

systems as (
    select distinct night_status.system_id from night_status
),

-- One pass over the dossiers for both views: read twice, PostgreSQL copied every dossier's every column aside
-- first (390 MB on the year; a second of each reading of this view, of which its tests make three a night).
unit_system_pairs as (
    select distinct
        dossiers.unit_code,
        dossiers.current_unit_code,
        dossiers.system_id
    from dossiers
),

unit_systems as (
    select
        'as_was' as view,
        unit_system_pairs.unit_code,
        unit_system_pairs.system_id
    from unit_system_pairs
    union
    select
        'as_is' as view,
        unit_system_pairs.current_unit_code as unit_code,
        unit_system_pairs.system_id
    from unit_system_pairs
),

unit_months as (
    select distinct
        scorecard.view,
        scorecard.month_start,
        scorecard.unit_code
    from scorecard
),

days as (
    select
        unit_months.view,
        unit_months.month_start,
        unit_months.unit_code,
        month_days.day::date as day
    from unit_months
    cross join lateral generate_series(
        unit_months.month_start,
        unit_months.month_start + interval '1 month' - interval '1 day',
        interval '1 day'
    ) as month_days (day)
),

day_status as (
    select
        days.view,
        days.month_start,
        days.unit_code,
        days.day,
        coalesce(bool_and(coalesce(night_status.complete, false)), false) as complete,
        array_agg(
            held.system_id || ' ' || days.day || ': '
            || coalesce(array_to_string(night_status.reasons, '; '), 'no extraction recorded')
        ) filter (where night_status.complete is not true and days.day <= span.last_night) as reasons,
        jsonb_agg(
            jsonb_build_object(
                'system_id', held.system_id,
                'night', days.day,
                'codes', coalesce(to_jsonb(night_status.reason_codes), '["no_extraction"]'::jsonb)
            )
        ) filter (where night_status.complete is not true and days.day <= span.last_night) as problems,
        days.day > max(span.last_night) as not_yet
    from days
    cross join span
    left join lateral (
        select unit_systems.system_id from unit_systems
        where unit_systems.view = days.view and unit_systems.unit_code = days.unit_code
        union
        select systems.system_id from systems
        where not exists (
            select 1 from unit_systems
            where unit_systems.view = days.view and unit_systems.unit_code = days.unit_code
        )
    ) as held on true
    left join night_status
        on held.system_id = night_status.system_id
        and greatest(days.day, span.first_night) = night_status.night
    group by days.view, days.month_start, days.unit_code, days.day
),

month_problems as (
    select
        day_status.view,
        day_status.month_start,
        day_status.unit_code,
        jsonb_agg(day_problems.problem order by day_problems.problem ->> 'night', day_problems.problem ->> 'system_id')
            as problems
    from day_status
    cross join lateral jsonb_array_elements(day_status.problems) as day_problems (problem)
    group by day_status.view, day_status.month_start, day_status.unit_code
),

months as (
    select
        day_status.view,
        day_status.month_start,
        day_status.unit_code,
        -- Days, not rows: a day with several systems' reasons is one row per reason here.
        count(distinct day_status.day)::integer as nights_in_month,
        (count(distinct day_status.day) filter (where day_status.complete and not day_status.not_yet))::integer
            as nights_complete,
        bool_and(day_status.complete and not day_status.not_yet) as complete,
        bool_or(day_status.not_yet) as month_in_progress,
        coalesce(array_agg(day_reasons.reason) filter (where day_reasons.reason is not null), '{}')
        || case when bool_or(day_status.not_yet) then array['the month is not over'] else '{}'::text[] end
            as reasons
    from day_status
    left join lateral unnest(day_status.reasons) as day_reasons (reason) on true
    group by day_status.view, day_status.month_start, day_status.unit_code
)

select
    months.view,
    months.month_start,
    months.unit_code,
    months.nights_in_month,
    months.nights_complete,
    months.complete,
    months.month_in_progress,
    months.reasons,
    coalesce(month_problems.problems, '[]'::jsonb) as problems
from months
left join month_problems
    on months.view = month_problems.view
    and months.month_start = month_problems.month_start
    and months.unit_code = month_problems.unit_code
